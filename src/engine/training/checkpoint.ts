/**
 * Checkpoints in TensorFlow.js's own format (model.json + weights.bin, loadable by tf.loadLayersModel),
 * plus the optimizer's state and the trainer's position, so that a run can resume where it stopped.
 *
 * A checkpoint folder is replaced atomically: it is written complete under a temporary name, then swapped
 * in with renames. A crash at any point leaves either the old or the new checkpoint readable.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../../runs/runFolder';
import type { CallbacksState } from './callbacks';

export interface TrainerState {
  /** Epochs completed when this checkpoint was written. */
  epoch: number;
  /** Optimisation steps completed. */
  step: number;
  /** ModelCheckpoint's monitored metric and its best value (also in `callbacks`; kept for older readers). */
  monitor: string;
  best: number | null;
  /** Milliseconds since the Unix epoch. */
  time: number;
  metrics: Record<string, number>;
  /** The callbacks' counters, bests and learning rate (checkpoints from before callbacks have none). */
  callbacks?: CallbacksState;
  /** Set on checkpoints/last when EarlyStopping put back the weights of this earlier epoch. */
  restoredFromEpoch?: number;
  /** SHA-256 (hex) of each binary file of the checkpoint, checked on load (checkpoints before them have none). */
  checksums?: Record<string, string>;
}

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';
const OPTIMIZER_JSON = 'optimizer.json';
const OPTIMIZER_BIN = 'optimizer.bin';
const STATE_JSON = 'state.json';

export async function saveCheckpoint(
  dir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer | null,
  state: TrainerState,
): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    await writeCheckpointFiles(tmp, model, optimizer, state);
  } catch (err) {
    // A full disk leaves the previous checkpoint in place and no half-written folder beside it.
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }

  swapInto(tmp, dir);
}

/** Replaces `dir` by the complete folder `tmp`: dir -> dir.old, tmp -> dir, drop dir.old. Readers fall back to dir.old in the gap. */
function swapInto(tmp: string, dir: string): void {
  const old = `${dir}.old`;
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
}

async function writeCheckpointFiles(tmp: string, model: tf.LayersModel, optimizer: tf.Optimizer | null, trainerState: TrainerState): Promise<void> {
  fs.mkdirSync(tmp, { recursive: true });
  const checksums: Record<string, string> = {};
  const state = { ...trainerState, checksums };
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = joinWeightData(artifacts.weightData);
      writeFileAtomic(path.join(tmp, WEIGHTS_BIN), weights);
      checksums[WEIGHTS_BIN] = sha256(weights);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs }],
      };
      writeFileAtomic(path.join(tmp, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );

  if (optimizer) {
    const named = await optimizer.getWeights();
    const { data, specs } = await tf.io.encodeWeights(named);
    writeFileAtomic(path.join(tmp, OPTIMIZER_BIN), new Uint8Array(data));
    checksums[OPTIMIZER_BIN] = sha256(new Uint8Array(data));
    writeFileAtomic(path.join(tmp, OPTIMIZER_JSON), JSON.stringify({ className: optimizer.getClassName(), specs, ...(await betaPowers(optimizer)) }));
  }
  writeFileAtomic(path.join(tmp, STATE_JSON), JSON.stringify(state, null, 2));
}

/** The folder to read a checkpoint from, or undefined when there is none (a crash mid-swap leaves `.old`). */
export function resolveCheckpointDir(dir: string): string | undefined {
  for (const candidate of [dir, `${dir}.old`]) {
    if (fs.existsSync(path.join(candidate, MODEL_JSON)) && fs.existsSync(path.join(candidate, STATE_JSON))) {
      return candidate;
    }
  }
  return undefined;
}

/** An IOHandler for tf.loadLayersModel that reads a model.json and its weight files from disk (verified: readCheckpointWeights). */
export function fileSystemHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    async load() {
      const { json, specs, data } = readCheckpointWeights(path.dirname(modelJsonPath), path.basename(modelJsonPath));
      return {
        modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: specs,
        weightData: data,
        format: json.format as string | undefined,
        generatedBy: json.generatedBy as string | undefined,
        convertedBy: json.convertedBy as string | null | undefined,
      };
    },
  };
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1 };

/**
 * A checkpoint's model.json and weights, checked before use so that a damaged checkpoint is named rather
 * than resumed or drawn: every weight file lies in the folder, holds the bytes the manifest needs, matches
 * the checksum state.json recorded for it, and no float weight is NaN or infinite.
 */
export function readCheckpointWeights(dir: string, modelJsonName = MODEL_JSON): { json: Record<string, unknown>; specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer } {
  const modelJson = path.join(dir, modelJsonName);
  let json: { weightsManifest?: { paths?: unknown[]; weights?: tf.io.WeightsManifestEntry[] }[] } & Record<string, unknown>;
  try {
    json = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
  } catch (err) {
    throw new Error(`${modelJson}: not a readable model.json (${(err as Error).message.split('\n')[0]})`);
  }
  const checksums = readChecksums(dir);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest ?? []) {
    specs.push(...(group.weights ?? []));
    for (const p of group.paths ?? []) {
      const name = String(p);
      if (path.isAbsolute(name) || name.split(/[\\/]/).some((part) => part === '..' || part === '')) {
        throw new Error(`${modelJson}: the weights path ${JSON.stringify(name.slice(0, 60))} leaves the checkpoint folder`);
      }
      const file = path.join(dir, name);
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new Error(`${file}: missing, or not a regular file`);
      const bytes = fs.readFileSync(file);
      const expected = checksums?.[name];
      if (expected !== undefined && sha256(bytes) !== expected) {
        throw new Error(`${file} does not match its checksum in state.json: the checkpoint is damaged`);
      }
      buffers.push(bytes);
    }
  }
  const data = concat(buffers);
  const needed = specs.reduce((n, s) => n + (DTYPE_BYTES[s.dtype] ?? 4) * s.shape.reduce((a, b) => a * b, 1), 0);
  if (data.byteLength !== needed) {
    throw new Error(`${dir}: the weight files hold ${data.byteLength} bytes but model.json's manifest needs ${needed}: the checkpoint is truncated or damaged`);
  }
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === 'float32') {
      const values = new Float32Array(data, offset, count);
      for (let i = 0; i < count; i++) {
        if (!Number.isFinite(values[i])) throw new Error(`${dir}: the weight ${spec.name} holds ${values[i]}: the checkpoint cannot be used`);
      }
    }
    offset += count * (DTYPE_BYTES[spec.dtype] ?? 4);
  }
  return { json, specs, data };
}

function readChecksums(dir: string): Record<string, string> | undefined {
  try {
    const state = JSON.parse(fs.readFileSync(path.join(dir, STATE_JSON), 'utf8')) as TrainerState;
    return state.checksums && typeof state.checksums === 'object' ? state.checksums : undefined;
  } catch {
    return undefined;
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface LoadedCheckpoint {
  dir: string;
  state: TrainerState;
}

/**
 * Adam's running powers β1^t and β2^t. TensorFlow.js's setWeights recomputes them as pow(β, t), which
 * differs from the product it kept in the last float32 bit, so a resumed run would drift from the one that
 * went on (~1e-6 in the loss after one step); saved as they were, a resume is exact.
 */
type BetaPowers = { accBeta1?: number; accBeta2?: number };
async function betaPowers(optimizer: tf.Optimizer): Promise<BetaPowers> {
  const adam = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  if (!(adam.accBeta1 instanceof tf.Variable) || !(adam.accBeta2 instanceof tf.Variable)) return {};
  // Read asynchronously: a GPU backend cannot read a tensor synchronously in Node.js.
  const [b1, b2] = await Promise.all([adam.accBeta1.data(), adam.accBeta2.data()]);
  return { accBeta1: b1[0], accBeta2: b2[0] };
}

function restoreBetaPowers(optimizer: tf.Optimizer, saved: BetaPowers): void {
  const { accBeta1, accBeta2 } = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  const [p1, p2] = [saved.accBeta1, saved.accBeta2];
  if (typeof p1 !== 'number' || typeof p2 !== 'number') return;
  if (!(accBeta1 instanceof tf.Variable) || !(accBeta2 instanceof tf.Variable)) return;
  tf.tidy(() => {
    accBeta1.assign(tf.scalar(p1));
    accBeta2.assign(tf.scalar(p2));
  });
}

/**
 * Restores weights (by position: the model is rebuilt from the same model file) and, where it was saved
 * and the optimizer is of the same kind, the optimizer's state.
 */
export async function restoreCheckpoint(
  dir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<LoadedCheckpoint & { optimizerRestored: boolean }> {
  const source = resolveCheckpointDir(dir);
  if (!source) throw new Error(`no checkpoint to resume from in ${dir}`);
  await loadWeightsInto(source, model);
  let optimizerRestored = false;
  const optimizerJson = path.join(source, OPTIMIZER_JSON);
  if (fs.existsSync(optimizerJson)) {
    const saved = JSON.parse(fs.readFileSync(optimizerJson, 'utf8'));
    const { className, specs } = saved;
    if (className === optimizer.getClassName()) {
      const data = fs.readFileSync(path.join(source, OPTIMIZER_BIN));
      const expected = readChecksums(source)?.[OPTIMIZER_BIN];
      if (expected !== undefined && sha256(data) !== expected) {
        throw new Error(`${path.join(source, OPTIMIZER_BIN)} does not match its checksum in state.json: the checkpoint is damaged`);
      }
      const map = tf.io.decodeWeights(toArrayBuffer(data), specs);
      await optimizer.setWeights(specs.map((s: { name: string }) => ({ name: s.name, tensor: map[s.name] })));
      restoreBetaPowers(optimizer, saved);
      optimizerRestored = true;
    }
  }
  // The checksums describe the files, not the training: the state goes on without them.
  const { checksums: _files, ...state } = JSON.parse(fs.readFileSync(path.join(source, STATE_JSON), 'utf8')) as TrainerState;
  return { dir: source, state, optimizerRestored };
}

/** Puts a checkpoint's weights (by position) into `model`; returns the checkpoint's state. */
export async function loadCheckpointWeights(dir: string, model: tf.LayersModel): Promise<TrainerState> {
  const source = resolveCheckpointDir(dir);
  if (!source) throw new Error(`no checkpoint in ${dir}`);
  await loadWeightsInto(source, model);
  return readCheckpointState(source)!;
}

/** A checkpoint's trainer state, or undefined when there is no checkpoint in `dir`. */
export function readCheckpointState(dir: string): TrainerState | undefined {
  const source = resolveCheckpointDir(dir);
  if (!source) return undefined;
  return JSON.parse(fs.readFileSync(path.join(source, STATE_JSON), 'utf8')) as TrainerState;
}

/** Copies a checkpoint folder, replacing `to` the way saveCheckpoint does (old or new, never torn). */
export function copyCheckpoint(from: string, to: string): void {
  const source = resolveCheckpointDir(from);
  if (!source) throw new Error(`no checkpoint in ${from}`);
  const tmp = `${to}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    fs.cpSync(source, tmp, { recursive: true });
  } catch (err) {
    // A full disk leaves `to` as it was and no partial copy beside it.
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  swapInto(tmp, to);
}

async function loadWeightsInto(source: string, model: tf.LayersModel): Promise<void> {
  const saved = await tf.loadLayersModel(fileSystemHandler(path.join(source, MODEL_JSON)));
  try {
    const weights = saved.getWeights();
    const expected = model.getWeights();
    if (weights.length !== expected.length || weights.some((w, i) => !tf.util.arraysEqual(w.shape, expected[i].shape))) {
      throw new Error(`the checkpoint in ${source} does not fit the model built from the model file (was the model changed?)`);
    }
    model.setWeights(weights);
  } finally {
    saved.dispose();
  }
}

function joinWeightData(data: tf.io.WeightData | undefined): Uint8Array {
  if (!data) return new Uint8Array(0);
  const buffers = Array.isArray(data) ? data : [data];
  return new Uint8Array(concat(buffers.map((b) => new Uint8Array(b))));
}

function concat(parts: Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out.buffer;
}

function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}
