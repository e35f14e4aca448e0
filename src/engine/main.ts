/**
 * The engine process: started by the extension or the CLI with child_process.fork, it serves the
 * protocol of src/protocol/engineRequests.ts over the IPC channel. It imports nothing from `vscode`.
 */
import * as tf from '@tensorflow/tfjs';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError } from 'vscode-jsonrpc/node';
import { ENGINE_RESTART_EXIT_CODE, MODEL_ERROR_CODE, type BackendReport, type LogLevel, type ModelErrorData } from '../protocol/engineTypes';
import {
  AnomalyRequest,
  BenchRequest,
  DataDescribeRequest,
  DataPreviewRequest,
  EngineInfoRequest,
  EngineRestartNotification,
  EquivarianceRequest,
  EvalRequest,
  ExportRequest,
  FeatureMapsRequest,
  FiltersRequest,
  LogNotification,
  ModelSummaryRequest,
  ShutdownRequest,
  TrainEventNotification,
  TrainFinishedNotification,
  TrainProgressNotification,
  TrainStartedNotification,
  TrainStartRequest,
  TrainStopRequest,
} from '../protocol/engineRequests';
import { initBackend, probeBackends, wasmThreads } from './backends';
import { runBench } from './bench/bench';
import { benchDataLoading } from './bench/dataBench';
import { describeData, previewData } from './data/preview';
import { detectAnomalies, evaluateRun } from './evaluation';
import { exportRun } from './export/exportRun';
import { equivariance, featureMaps, filters, InspectQueue } from './inspection';
import { ModelFileError } from './model/modelFile';
import { summarizeModelFile } from './model/summary';
import { abandoned, onAbandoned, settleAfterModelCallbacks } from './model/timeLimit';
import { TrainingRun } from './training/trainer';
import { exitWithParent } from './watchdog';

declare const ENGINE_VERSION: string | undefined;

if (!process.send) {
  console.error('dl-lab engine: start me with child_process.fork (I talk JSON-RPC over the IPC channel).');
  process.exit(2);
}

// Production mode: no debug checks, and no "install tfjs-node" banner on stdout.
tf.env().set('PROD', true);

const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));

function log(level: LogLevel, message: string): void {
  void connection.sendNotification(LogNotification, { level, message });
}

const runs = new Map<string, TrainingRun>();
let busy: Promise<unknown> = Promise.resolve();
let backend: BackendReport | null = null;

connection.onRequest(EngineInfoRequest, async () => ({
  engineVersion: typeof ENGINE_VERSION === 'string' ? ENGINE_VERSION : 'dev',
  tfjsVersion: tf.version.tfjs,
  pid: process.pid,
  node: process.version,
  backend,
  threads: wasmThreads(),
  backends: await probeBackends(),
}));

connection.onRequest(TrainStartRequest, async (params) => {
  if (runs.size > 0) {
    const [id] = runs.keys();
    throw new Error(`run ${id} is still training in this engine; stop it first`);
  }
  const run = new TrainingRun(params, {
    started: (p) => {
      backend = p.backend;
      void connection.sendNotification(TrainStartedNotification, p);
    },
    progress: (p) => void connection.sendNotification(TrainProgressNotification, p),
    finished: (p) => void connection.sendNotification(TrainFinishedNotification, p),
    event: (p) => void connection.sendNotification(TrainEventNotification, p),
    log,
  });
  runs.set(run.runId, run);
  log('info', `run ${run.runId} starting in ${run.runDir}`);
  // Answer as soon as the run folder exists; training goes on and reports through notifications.
  busy = run.train().finally(() => {
    runs.delete(run.runId);
    restartIfAbandoned();
  });
  return { runId: run.runId, runDir: run.runDir };
});

connection.onRequest(TrainStopRequest, ({ runId }) => {
  const run = runs.get(runId);
  run?.stop();
  return { stopping: run !== undefined };
});

connection.onRequest(BenchRequest, async (params) => {
  if (runs.size > 0) throw new Error('a run is training in this engine; benchmark when it has finished');
  const report = await runBench(params, (message) => log('info', message));
  if (params.data) report.data = await benchDataLoading();
  return report;
});

// Dataset description and preview (the extension's Datasets view): read files only, no TensorFlow.js.
connection.onRequest(DataDescribeRequest, ({ data, within }) => describeData(data, within));
connection.onRequest(DataPreviewRequest, (params) => previewData(params));

// A summary builds the model on the backend in use; the first request of an idle engine sets up cpu.
connection.onRequest(ModelSummaryRequest, async (params) => {
  if (!backend && runs.size === 0) backend = await initBackend('cpu');
  return withModelErrors(() => summarizeModelFile(params));
});

/** A model file that fails to build answers with its file and line (ModelErrorData), for a diagnostic there. */
async function withModelErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await settleAfterModelCallbacks(work());
  } catch (err) {
    restartIfAbandoned();
    if (!(err instanceof ModelFileError)) throw err;
    const data: ModelErrorData = { file: err.file, message: err.detail, ...(err.line ? { line: err.line } : {}), ...(err.column ? { column: err.column } : {}) };
    throw new ResponseError<ModelErrorData>(MODEL_ERROR_CODE, err.message, data);
  }
}

// Inspection runs forward passes: an idle engine gets the backend training would pick (auto), not the
// summary's cpu. Requests run one at a time (they share one cached model, freed after 10 idle minutes,
// DL_LAB_INSPECT_IDLE_MS); a run may train meanwhile.
const inspections = new InspectQueue(Number(process.env.DL_LAB_INSPECT_IDLE_MS) > 0 ? Number(process.env.DL_LAB_INSPECT_IDLE_MS) : 10 * 60_000);
function inspect<T>(work: () => Promise<T>): Promise<T> {
  return inspections.run(async () => {
    if (runs.size === 0 && (!backend || (backend.name === 'cpu' && backend.requested === 'cpu'))) backend = await initBackend('auto');
    return withModelErrors(work);
  });
}
connection.onRequest(FeatureMapsRequest, (params) => inspect(() => featureMaps(params)));
connection.onRequest(FiltersRequest, (params) => inspect(() => filters(params)));
connection.onRequest(EquivarianceRequest, (params) => inspect(() => equivariance(params)));
// Evaluations read a run's checkpoint through the same cached model, one request at a time.
connection.onRequest(EvalRequest, (params) => inspect(() => evaluateRun(params)));
connection.onRequest(AnomalyRequest, (params) => inspect(() => detectAnomalies(params)));
// Export rebuilds the model with a checkpoint's weights, as inspection does (same queue and cached model).
connection.onRequest(ExportRequest, (params) => inspect(() => exportRun(params, typeof ENGINE_VERSION === 'string' ? ENGINE_VERSION : 'dev')));

connection.onRequest(ShutdownRequest, async () => {
  for (const run of runs.values()) run.stop();
  await busy;
  setImmediate(() => process.exit(0));
});

/**
 * After user code was cut off by the model time limit, the engine's TensorFlow.js state is unknown: it
 * tells the client, lets the answer (or the failed run's notifications) go out, and exits, to be started
 * afresh on the next request.
 */
let restarting = false;
function restartIfAbandoned(): void {
  const reason = abandoned();
  if (!reason || restarting) return;
  // A run training meanwhile (beside an inspection that was cut off) stops after its batch, checkpoint
  // kept; its end calls this again.
  if (runs.size > 0) {
    for (const run of runs.values()) run.stop();
    return;
  }
  restarting = true;
  // The client hears it first, before the answer that reports the cut-off work, so that its next request
  // waits for a fresh engine instead of going to this one; the answer is written next (the channel sends
  // in order), then a last log line whose process.send callback says everything before it was handed over.
  process.send!({ jsonrpc: '2.0', method: EngineRestartNotification.method, params: { reason } });
  setImmediate(() => {
    const message = { jsonrpc: '2.0', method: LogNotification.method, params: { level: 'info', message: `${reason}; the engine restarts` } };
    process.send!(message, undefined, undefined, () => process.exit(ENGINE_RESTART_EXIT_CODE));
  });
}

// User code cut off outside any request (a timer the model file set) restarts the engine too.
onAbandoned(restartIfAbandoned);

// The terminal's Ctrl-C goes to the whole process group: the client (the CLI) decides what it means
// (stop after the current batch), not the signal; the engine ends when its client ends.
process.on('SIGINT', () => log('info', 'SIGINT ignored: the client decides'));
exitWithParent();

// Exit with the parent: the IPC channel closes when it dies, however it dies.
process.on('disconnect', () => process.exit(0));
// Belt and braces for a parent that is frozen rather than gone: reparenting changes our ppid.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) process.exit(0);
}, 2000).unref();

process.on('unhandledRejection', (reason) => log('error', `unhandled rejection: ${String(reason)}`));

connection.listen();
log('info', `engine ${process.pid} ready (Node ${process.version}, TensorFlow.js ${tf.version.tfjs})`);
