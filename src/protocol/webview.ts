/**
 * The typed messages between the extension and its webviews, one module for all of them. Each side
 * validates what it receives with the parsers here: a webview is a web page, and a message that does not
 * have the expected shape is dropped, never acted on.
 *
 * Free of runtime dependencies on `vscode` and on TensorFlow.js: bundled into the extension and into the
 * webview scripts alike.
 */
import type { DataPreviewResult, PreviewImage, RunStatus, TrainEventKind } from './engineTypes';
import type {
  CheckpointChoice,
  EncodedTensor,
  EquivarianceResult,
  FeatureMapsResult,
  FiltersResult,
  InspectedSample,
  LayerSummary,
  ModelSummary,
  Prediction,
  SampleChoice,
} from './engineTypes';

// ---------------------------------------------------------------------------------------------------
// Dataset preview (src/extension/datasetPreview.ts <-> webviews/datasetPreview/)

/** Extension -> dataset preview. */
export type DatasetPreviewUpdate =
  /** Reading the dataset (first load, or Shuffle). */
  | { type: 'loading'; name: string; seed: number }
  | { type: 'preview'; name: string; spec: string; preview: DataPreviewResult }
  | { type: 'error'; name: string; message: string };

/** Dataset preview -> extension. */
export type DatasetPreviewAction =
  /** The page has loaded and listens: send it the preview. */
  | { type: 'ready' }
  /** Other samples (a new seed). */
  | { type: 'shuffle' }
  /** Train a Model on This Dataset. */
  | { type: 'train' }
  | { type: 'copySpec' };

const ACTIONS = ['ready', 'shuffle', 'train', 'copySpec'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
/** Base64 of a PNG, nothing else (it goes into a data: URL). */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A message from the dataset preview, or undefined when it is not one (to be ignored). */
export function parseDatasetPreviewAction(message: unknown): DatasetPreviewAction | undefined {
  if (!isObject(message) || !(ACTIONS as readonly unknown[]).includes(message.type)) return undefined;
  if (Object.keys(message).length !== 1) return undefined;
  return { type: message.type as DatasetPreviewAction['type'] };
}

function isImage(v: unknown): v is PreviewImage {
  return (
    isObject(v) && isCount(v.index) && isCount(v.width) && isCount(v.height) && isString(v.png) && v.png.length < 4_000_000 && BASE64.test(v.png)
  );
}

function isPreview(v: unknown): v is DataPreviewResult {
  if (!isObject(v) || !isObject(v.summary) || !isCount(v.seed) || !Array.isArray(v.classes)) return false;
  const s = v.summary;
  if (!isString(s.source) || !isString(s.format) || !isCount(s.count) || !isObject(s.splits)) return false;
  if (!Array.isArray(s.classes) || !s.classes.every(isString) || !Array.isArray(s.classCounts) || !s.classCounts.every(isCount)) return false;
  if (s.classes.length !== s.classCounts.length) return false;
  if (!isNumberArray(s.shape) || !isNumberArray(s.mean) || !isNumberArray(s.std) || !Array.isArray(s.warnings) || !s.warnings.every(isString)) return false;
  if (!Object.values(s.splits).every(isCount)) return false;
  const classesOk = v.classes.every(
    (c) => isObject(c) && isCount(c.index) && isString(c.name) && isCount(c.count) && Array.isArray(c.samples) && c.samples.every(isImage),
  );
  if (!classesOk) return false;
  if (v.note !== undefined && !isString(v.note)) return false;
  if (v.augmentation !== undefined) {
    const a = v.augmentation;
    if (!isObject(a) || !isString(a.description) || (a.origin !== 'dataset' && a.origin !== 'default') || !isCount(a.classIndex)) return false;
    if (!isImage(a.original) || !Array.isArray(a.augmented) || !a.augmented.every(isImage)) return false;
  }
  return true;
}

/** A message from the extension to the dataset preview, or undefined when it is not one. */
export function parseDatasetPreviewUpdate(message: unknown): DatasetPreviewUpdate | undefined {
  if (!isObject(message) || !isString(message.name)) return undefined;
  switch (message.type) {
    case 'loading':
      return isCount(message.seed) ? { type: 'loading', name: message.name, seed: message.seed } : undefined;
    case 'error':
      return isString(message.message) ? { type: 'error', name: message.name, message: message.message } : undefined;
    case 'preview':
      return isString(message.spec) && isPreview(message.preview)
        ? { type: 'preview', name: message.name, spec: message.spec, preview: message.preview }
        : undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------
// Training dashboard (src/extension/dashboard/ <-> webviews/dashboard/)

/** One run as the dashboard's header shows it. */
export interface DashboardRun {
  runId: string;
  runDir: string;
  /** The model file's name, e.g. `lenet.model.ts`. */
  model: string;
  data: string;
  status: RunStatus;
  backend?: string;
  /** The epoch being trained (running) or the last one completed. */
  epoch?: number;
  epochs?: number;
  batchesPerEpoch?: number;
  samplesPerSec?: number;
  /** Estimated seconds left, while it runs and once there is an estimate. */
  timeLeftSec?: number;
  learningRate?: number;
  error?: string;
  /** Milliseconds since the Unix epoch. */
  startTime: number;
  /** The Stop button can reach it from this window. */
  stoppable: boolean;
}

/** One line of metrics.jsonl (kind batch or epoch), non-finite values left out. */
export interface DashboardPoint {
  kind: 'batch' | 'epoch';
  epoch: number;
  step: number;
  /** Milliseconds since the Unix epoch. */
  time: number;
  loss: number;
  acc?: number;
  val_loss?: number;
  val_acc?: number;
}

/** Where a callback acted (a metrics.jsonl record of kind 'event'). */
export interface DashboardMarker {
  kind: TrainEventKind;
  epoch: number;
  step: number;
  time: number;
  message: string;
  metric?: string;
  value?: number;
}

/** Extension -> dashboard. Points only ever arrive as appends of what the page has not seen yet. */
export type DashboardUpdate =
  /** The runs shown, in colour order: sent first, and when the set changes. */
  | { type: 'runs'; runs: DashboardRun[] }
  /** One run's header changed (status, epoch, samples/s, time left). */
  | { type: 'run'; run: DashboardRun }
  /** The points and markers of a run since the last append. */
  | { type: 'append'; runId: string; points: DashboardPoint[]; markers: DashboardMarker[] }
  /** The run's metrics file was rewritten from the start: drop its points (appends follow). */
  | { type: 'reset'; runId: string };

/** Dashboard -> extension. */
export type DashboardAction =
  /** The page has loaded and listens: send it everything (it has nothing). */
  | { type: 'ready' }
  | { type: 'stop'; runId: string }
  /** The charts as one PNG (base64), to save where the user says. */
  | { type: 'exportPng'; png: string }
  /** The runs' metrics as CSV, to save where the user says (the extension writes it from metrics.jsonl). */
  | { type: 'exportCsv' };

/** What the page keeps with vscode.setState, and the panel serializer gets back after a window reload. */
export interface DashboardState {
  runDirs: string[];
  xAxis?: DashboardXAxis;
  logScale?: boolean;
  smoothing?: number;
  showBatches?: boolean;
}

export type DashboardXAxis = 'step' | 'epoch' | 'time';

const RUN_STATUS_VALUES: readonly string[] = ['running', 'completed', 'stopped', 'failed', 'interrupted'];
const EVENT_KINDS: readonly string[] = ['bestCheckpoint', 'lrReduced', 'earlyStop', 'restoredBest', 'nonFinite'];
const X_AXES: readonly string[] = ['step', 'epoch', 'time'];
const MAX_ID = 500;
const MAX_PNG = 40_000_000;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isShortString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 4096;
const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);

function isDashboardRun(v: unknown): v is DashboardRun {
  if (!isObject(v)) return false;
  return (
    isShortString(v.runId) && v.runId.length <= MAX_ID && isShortString(v.runDir) && isString(v.model) && isString(v.data) &&
    RUN_STATUS_VALUES.includes(v.status as string) && isFiniteNumber(v.startTime) && typeof v.stoppable === 'boolean' &&
    optional(v.backend, isString) && optional(v.epoch, isCount) && optional(v.epochs, isCount) && optional(v.batchesPerEpoch, isCount) &&
    optional(v.samplesPerSec, isFiniteNumber) && optional(v.timeLeftSec, isFiniteNumber) && optional(v.learningRate, isFiniteNumber) &&
    optional(v.error, isString)
  );
}

function isDashboardPoint(v: unknown): v is DashboardPoint {
  return (
    isObject(v) && (v.kind === 'batch' || v.kind === 'epoch') && isCount(v.epoch) && isCount(v.step) && isFiniteNumber(v.time) &&
    isFiniteNumber(v.loss) && optional(v.acc, isFiniteNumber) && optional(v.val_loss, isFiniteNumber) && optional(v.val_acc, isFiniteNumber)
  );
}

function isDashboardMarker(v: unknown): v is DashboardMarker {
  return (
    isObject(v) && EVENT_KINDS.includes(v.kind as string) && isCount(v.epoch) && isCount(v.step) && isFiniteNumber(v.time) &&
    isString(v.message) && optional(v.metric, isString) && optional(v.value, isFiniteNumber)
  );
}

/** A message from the extension to the dashboard, or undefined when it is not one. */
export function parseDashboardUpdate(message: unknown): DashboardUpdate | undefined {
  if (!isObject(message)) return undefined;
  switch (message.type) {
    case 'runs':
      return Array.isArray(message.runs) && message.runs.every(isDashboardRun) ? { type: 'runs', runs: message.runs } : undefined;
    case 'run':
      return isDashboardRun(message.run) ? { type: 'run', run: message.run } : undefined;
    case 'append':
      return isShortString(message.runId) && Array.isArray(message.points) && message.points.every(isDashboardPoint) &&
        Array.isArray(message.markers) && message.markers.every(isDashboardMarker)
        ? { type: 'append', runId: message.runId, points: message.points, markers: message.markers }
        : undefined;
    case 'reset':
      return isShortString(message.runId) ? { type: 'reset', runId: message.runId } : undefined;
    default:
      return undefined;
  }
}

/** A message from the dashboard, or undefined when it is not one (to be ignored). */
export function parseDashboardAction(message: unknown): DashboardAction | undefined {
  if (!isObject(message)) return undefined;
  const keys = Object.keys(message).length;
  switch (message.type) {
    case 'ready':
    case 'exportCsv':
      return keys === 1 ? { type: message.type } : undefined;
    case 'stop':
      return keys === 2 && isShortString(message.runId) && message.runId.length <= MAX_ID ? { type: 'stop', runId: message.runId } : undefined;
    case 'exportPng':
      return keys === 2 && isString(message.png) && message.png.length > 0 && message.png.length < MAX_PNG && BASE64.test(message.png)
        ? { type: 'exportPng', png: message.png }
        : undefined;
    default:
      return undefined;
  }
}

/** The dashboard's saved state, or undefined when it is not one (a panel restored from it shows nothing). */
export function parseDashboardState(state: unknown): DashboardState | undefined {
  if (!isObject(state) || !Array.isArray(state.runDirs) || !state.runDirs.length || !state.runDirs.every(isShortString)) return undefined;
  const out: DashboardState = { runDirs: [...state.runDirs] };
  if (X_AXES.includes(state.xAxis as string)) out.xAxis = state.xAxis as DashboardXAxis;
  if (typeof state.logScale === 'boolean') out.logScale = state.logScale;
  if (typeof state.showBatches === 'boolean') out.showBatches = state.showBatches;
  if (isFiniteNumber(state.smoothing) && state.smoothing >= 0 && state.smoothing < 1) out.smoothing = state.smoothing;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Inspection pages (src/extension/inspection/*Panel.ts <-> webviews/inspect/): model summary, feature
// maps, filters, equivariance probe. Tensors stay base64 of uint8/float32 bytes (EncodedTensor); the
// parsers check that each one's bytes match its shape, so a page never reads past an array.

/** What an inspection page can choose from: the model, its run (if any), the dataset and its classes. */
export interface InspectContext {
  /** The model file's name as shown, e.g. "lenet.model.ts". */
  title: string;
  modelFile: string;
  /** The run inspected (the model file's latest); absent: no run, untrained weights only. */
  run?: { runDir: string; label: string; status: string; hasBest: boolean };
  data: string;
  /** Samples in the dataset, when known. */
  count?: number;
  classes: string[];
  checkpoint: CheckpointChoice;
  /** Feature maps: refreshing at each epoch end of the model's running run. */
  following?: boolean;
}

/** Extension -> model summary. */
export type ModelSummaryUpdate =
  | { type: 'loading'; title: string }
  | { type: 'summary'; title: string; summary: ModelSummary }
  | { type: 'error'; title: string; message: string; line?: number };

/** Model summary -> extension. */
export type ModelSummaryAction = { type: 'ready' } | { type: 'refresh' } | { type: 'reveal'; line: number };

/** Extension -> feature maps. */
export type FeatureMapsUpdate =
  | { type: 'context'; context: InspectContext }
  | { type: 'loading'; message: string }
  | { type: 'result'; result: FeatureMapsResult }
  | { type: 'error'; message: string; line?: number };

/** A sample a page may ask for: never an image file (the extension asks the user for one: pickImage). */
export type PageSampleChoice = Exclude<SampleChoice, { kind: 'image' }>;

/** Feature maps -> extension. */
export type FeatureMapsAction =
  | { type: 'ready' }
  | { type: 'request'; sample: PageSampleChoice; checkpoint: CheckpointChoice }
  /** Open an image file (a dialog in the extension) and show its maps. */
  | { type: 'pickImage'; checkpoint: CheckpointChoice }
  /** Choose another dataset (a quick pick in the extension). */
  | { type: 'pickData' }
  | { type: 'follow'; on: boolean }
  | { type: 'reveal'; line: number };

/** Extension -> filters. */
export type FiltersUpdate =
  | { type: 'context'; context: InspectContext }
  | { type: 'loading'; message: string }
  /** `right`: the second checkpoint, side by side. */
  | { type: 'filters'; left: FiltersResult; right?: FiltersResult }
  | { type: 'error'; message: string; line?: number };

/** Filters -> extension. */
export type FiltersAction =
  | { type: 'ready' }
  | { type: 'compare'; left: CheckpointChoice; right: CheckpointChoice | null }
  | { type: 'reveal'; line: number };

/** Extension -> equivariance probe. */
export type EquivarianceUpdate =
  | { type: 'context'; context: InspectContext }
  | { type: 'loading'; message: string }
  | { type: 'result'; result: EquivarianceResult }
  | { type: 'error'; message: string; line?: number };

export const MAX_PROBE_SHIFT = 32;

/** Equivariance probe -> extension. */
export type EquivarianceAction =
  | { type: 'ready' }
  | {
      type: 'probe';
      sample: PageSampleChoice;
      checkpoint: CheckpointChoice;
      /** Shifts 0..maxShift (1..MAX_PROBE_SHIFT). */
      maxShift: number;
      axis: 'x' | 'y' | 'both';
      mode: 'cyclic' | 'zero';
    }
  | { type: 'pickData' }
  | { type: 'reveal'; line: number };

const CHECKPOINTS = ['last', 'best', 'untrained'] as const;
const isCheckpoint = (v: unknown): v is CheckpointChoice => (CHECKPOINTS as readonly unknown[]).includes(v);
/** A number, or null (JSON's NaN and ±Infinity): a layer's values are whatever the model computes. */
const isNumberOrNull = (v: unknown): boolean => v === null || typeof v === 'number';
const isLine = (v: unknown): v is number => isCount(v) && v >= 1;
const isLineOrNull = (v: unknown) => v === null || isLine(v);
const hasOnly = (m: Record<string, unknown>, keys: string[]) => Object.keys(m).every((k) => keys.includes(k));
/** Tensors are at most 256 MiB of base64 (a VGG-16's feature maps at 224×224 come to about 20 MiB). */
const MAX_BASE64 = 256 * 1024 * 1024;

function base64Bytes(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length / 4) * 3 - padding;
}

/** A tensor whose base64 decodes to exactly the bytes its shape and dtype need. */
export function isEncodedTensor(v: unknown): v is EncodedTensor {
  if (!isObject(v) || (v.dtype !== 'uint8' && v.dtype !== 'float32') || !Array.isArray(v.shape) || !v.shape.every(isCount)) return false;
  if (!isString(v.data) || v.data.length > MAX_BASE64 || v.data.length % 4 !== 0) return false;
  const size = (v.shape as number[]).reduce((a, b) => a * b, 1);
  const bytes = size * (v.dtype === 'float32' ? 4 : 1);
  if (base64Bytes(v.data) !== bytes) return false;
  return bytes === 0 || BASE64.test(v.data);
}

function isContext(v: unknown): v is InspectContext {
  if (!isObject(v) || !isString(v.title) || !isString(v.modelFile) || !isString(v.data) || !isCheckpoint(v.checkpoint)) return false;
  if (!Array.isArray(v.classes) || !v.classes.every(isString)) return false;
  if (v.count !== undefined && !isCount(v.count)) return false;
  if (v.following !== undefined && typeof v.following !== 'boolean') return false;
  if (v.run !== undefined) {
    const r = v.run;
    if (!isObject(r) || !isString(r.runDir) || !isString(r.label) || !isString(r.status) || typeof r.hasBest !== 'boolean') return false;
  }
  return true;
}

function isLayerSummary(v: unknown): v is LayerSummary {
  if (!isObject(v) || !isString(v.name) || !isString(v.type) || !Array.isArray(v.outputShape)) return false;
  const dims = (s: unknown) => Array.isArray(s) && s.every((d) => d === null || isCount(d));
  if (!(dims(v.outputShape) || v.outputShape.every(dims))) return false;
  if (!isCount(v.params) || !isCount(v.trainableParams) || !(typeof v.macs === 'number' && v.macs >= 0)) return false;
  if (!isLineOrNull(v.line)) return false;
  if (v.receptiveField !== undefined && v.receptiveField !== null && !isCount(v.receptiveField)) return false;
  if (v.jump !== undefined && v.jump !== null && !isCount(v.jump)) return false;
  return true;
}

function isModelSummary(v: unknown): v is ModelSummary {
  return (
    isObject(v) && isString(v.modelFile) && isString(v.name) && isNumberArray(v.inputShape) && isCount(v.numClasses) &&
    Array.isArray(v.layers) && v.layers.every(isLayerSummary) && isCount(v.totalParams) && isCount(v.trainableParams) &&
    isCount(v.nonTrainableParams) && typeof v.totalMacs === 'number' && v.totalMacs >= 0 && isString(v.macsConvention) &&
    (v.data === undefined || isString(v.data))
  );
}

function isSample(v: unknown): v is InspectedSample {
  if (!isObject(v) || !(v.index === null || isCount(v.index)) || !(v.label === null || isCount(v.label))) return false;
  if (!(v.className === null || isString(v.className)) || (v.file !== undefined && !isString(v.file))) return false;
  const img = v.image;
  return isEncodedTensor(img) && img.dtype === 'uint8' && img.shape.length === 3 && [1, 3, 4].includes(img.shape[2]);
}

function isPrediction(v: unknown): v is Prediction {
  return (
    isObject(v) && Array.isArray(v.classes) && v.classes.every(isString) && Array.isArray(v.probabilities) &&
    v.probabilities.every(isNumberOrNull) && v.probabilities.length === v.classes.length && isCount(v.predicted)
  );
}

function isFeatureMapsResult(v: unknown): v is FeatureMapsResult {
  if (!isObject(v) || !isString(v.modelFile) || !isCheckpoint(v.checkpoint) || !isString(v.data) || !isSample(v.sample)) return false;
  if ((v.runDir !== undefined && !isString(v.runDir)) || !isPrediction(v.prediction) || typeof v.ms !== 'number') return false;
  return (
    Array.isArray(v.layers) &&
    v.layers.every((l) => {
      if (!isObject(l) || !isString(l.layer) || !isString(l.type) || !isLineOrNull(l.line) || !Array.isArray(l.shape) || !l.shape.every(isCount)) return false;
      if (!isEncodedTensor(l.data) || l.data.dtype !== 'uint8' || l.data.shape.join() !== (l.shape as number[]).join()) return false;
      const channels = (l.shape as number[])[l.shape.length - 1] ?? 1;
      const ok = (a: unknown) => Array.isArray(a) && a.every(isNumberOrNull) && (a.length === channels || a.length === 1);
      return ok(l.min) && ok(l.max) && (l.min as unknown[]).length === (l.max as unknown[]).length;
    })
  );
}

function isFiltersResult(v: unknown): v is FiltersResult {
  if (!isObject(v) || !isString(v.modelFile) || !isCheckpoint(v.checkpoint) || (v.runDir !== undefined && !isString(v.runDir))) return false;
  return (
    Array.isArray(v.layers) &&
    v.layers.every((l) => {
      if (!isObject(l) || !isString(l.layer) || !isString(l.type) || !isLineOrNull(l.line) || !Array.isArray(l.kernelShape)) return false;
      if (l.kernelShape.length !== 4 || !l.kernelShape.every(isCount)) return false;
      if (!isEncodedTensor(l.kernel) || l.kernel.dtype !== 'float32' || l.kernel.shape.join() !== (l.kernelShape as number[]).join()) return false;
      const h = l.histogram;
      if (!isObject(h) || !isNumberOrNull(h.min) || !isNumberOrNull(h.max) || !Array.isArray(h.counts) || !h.counts.every(isCount)) return false;
      return isNumberOrNull(l.mean) && isNumberOrNull(l.std);
    })
  );
}

function isEquivarianceResult(v: unknown): v is EquivarianceResult {
  if (!isObject(v) || !isString(v.modelFile) || !isCheckpoint(v.checkpoint) || !isSample(v.sample) || !isNumberArray(v.shifts)) return false;
  if (!['x', 'y', 'both'].includes(v.axis as string) || !['cyclic', 'zero'].includes(v.mode as string)) return false;
  const n = v.shifts.length;
  if (!Array.isArray(v.predictions) || v.predictions.length !== n || !v.predictions.every(isPrediction)) return false;
  if (!Array.isArray(v.probabilityChange) || v.probabilityChange.length !== n || !v.probabilityChange.every(isNumberOrNull)) return false;
  return (
    Array.isArray(v.layers) &&
    v.layers.every(
      (l) =>
        isObject(l) && isString(l.layer) && isString(l.type) && isLineOrNull(l.line) && (l.jump === null || isCount(l.jump)) &&
        Array.isArray(l.errors) && l.errors.length === n && l.errors.every(isNumberOrNull) &&
        Array.isArray(l.exact) && l.exact.length === n && l.exact.every((e) => typeof e === 'boolean'),
    )
  );
}

function parseError(m: Record<string, unknown>): { type: 'error'; message: string; line?: number } | undefined {
  if (!isString(m.message) || (m.line !== undefined && !isLine(m.line))) return undefined;
  return m.line === undefined ? { type: 'error', message: m.message } : { type: 'error', message: m.message, line: m.line };
}

function parsePageSample(v: unknown): PageSampleChoice | undefined {
  if (!isObject(v)) return undefined;
  switch (v.kind) {
    case 'index':
      return hasOnly(v, ['kind', 'index']) && isCount(v.index) ? { kind: 'index', index: v.index } : undefined;
    case 'class':
      if (!hasOnly(v, ['kind', 'classIndex', 'seed']) || !isCount(v.classIndex) || (v.seed !== undefined && !isCount(v.seed))) return undefined;
      return v.seed === undefined ? { kind: 'class', classIndex: v.classIndex } : { kind: 'class', classIndex: v.classIndex, seed: v.seed };
    case 'random':
      return hasOnly(v, ['kind', 'seed']) && isCount(v.seed) ? { kind: 'random', seed: v.seed } : undefined;
    default:
      // 'image' included: a file path from a page is never trusted.
      return undefined;
  }
}

type CommonAction = { type: 'ready' } | { type: 'refresh' } | { type: 'pickData' } | { type: 'reveal'; line: number };

/** ready, refresh, pickData and reveal (a 1-based line): the actions without options. */
function parseCommonAction(m: Record<string, unknown>): CommonAction | undefined {
  switch (m.type) {
    case 'ready':
    case 'refresh':
    case 'pickData':
      return hasOnly(m, ['type']) ? { type: m.type } : undefined;
    case 'reveal':
      return hasOnly(m, ['type', 'line']) && isLine(m.line) ? { type: 'reveal', line: m.line } : undefined;
    default:
      return undefined;
  }
}

export function parseModelSummaryAction(message: unknown): ModelSummaryAction | undefined {
  if (!isObject(message)) return undefined;
  const common = parseCommonAction(message);
  return common && common.type !== 'pickData' ? common : undefined;
}

export function parseModelSummaryUpdate(message: unknown): ModelSummaryUpdate | undefined {
  if (!isObject(message) || !isString(message.title)) return undefined;
  const title = message.title;
  switch (message.type) {
    case 'loading':
      return { type: 'loading', title };
    case 'summary':
      return isModelSummary(message.summary) ? { type: 'summary', title, summary: message.summary } : undefined;
    case 'error': {
      const e = parseError(message);
      return e && { ...e, title };
    }
    default:
      return undefined;
  }
}

export function parseFeatureMapsAction(message: unknown): FeatureMapsAction | undefined {
  if (!isObject(message)) return undefined;
  switch (message.type) {
    case 'request': {
      const sample = parsePageSample(message.sample);
      return hasOnly(message, ['type', 'sample', 'checkpoint']) && sample && isCheckpoint(message.checkpoint)
        ? { type: 'request', sample, checkpoint: message.checkpoint }
        : undefined;
    }
    case 'pickImage':
      return hasOnly(message, ['type', 'checkpoint']) && isCheckpoint(message.checkpoint) ? { type: 'pickImage', checkpoint: message.checkpoint } : undefined;
    case 'follow':
      return hasOnly(message, ['type', 'on']) && typeof message.on === 'boolean' ? { type: 'follow', on: message.on } : undefined;
    default: {
      const common = parseCommonAction(message);
      return common && common.type !== 'refresh' ? common : undefined;
    }
  }
}

type InspectUpdate = { type: 'context'; context: InspectContext } | { type: 'loading'; message: string } | { type: 'error'; message: string; line?: number };

/** context, loading and error: shared by the feature maps, filters and equivariance pages. */
function parseInspectUpdate(message: Record<string, unknown>): InspectUpdate | undefined {
  switch (message.type) {
    case 'context':
      return isContext(message.context) ? { type: 'context', context: message.context } : undefined;
    case 'loading':
      return isString(message.message) ? { type: 'loading', message: message.message } : undefined;
    case 'error':
      return parseError(message);
    default:
      return undefined;
  }
}

export function parseFeatureMapsUpdate(message: unknown): FeatureMapsUpdate | undefined {
  if (!isObject(message)) return undefined;
  if (message.type === 'result') return isFeatureMapsResult(message.result) ? { type: 'result', result: message.result } : undefined;
  return parseInspectUpdate(message);
}

export function parseFiltersAction(message: unknown): FiltersAction | undefined {
  if (!isObject(message)) return undefined;
  if (message.type === 'compare') {
    return hasOnly(message, ['type', 'left', 'right']) && isCheckpoint(message.left) && (message.right === null || isCheckpoint(message.right))
      ? { type: 'compare', left: message.left, right: message.right }
      : undefined;
  }
  const common = parseCommonAction(message);
  return common && (common.type === 'ready' || common.type === 'reveal') ? common : undefined;
}

export function parseFiltersUpdate(message: unknown): FiltersUpdate | undefined {
  if (!isObject(message)) return undefined;
  if (message.type === 'filters') {
    if (!isFiltersResult(message.left) || (message.right !== undefined && !isFiltersResult(message.right))) return undefined;
    return message.right === undefined ? { type: 'filters', left: message.left } : { type: 'filters', left: message.left, right: message.right };
  }
  return parseInspectUpdate(message);
}

export function parseEquivarianceAction(message: unknown): EquivarianceAction | undefined {
  if (!isObject(message)) return undefined;
  if (message.type === 'probe') {
    const m = message;
    const sample = parsePageSample(m.sample);
    if (!hasOnly(m, ['type', 'sample', 'checkpoint', 'maxShift', 'axis', 'mode']) || !sample || !isCheckpoint(m.checkpoint)) return undefined;
    if (!isCount(m.maxShift) || m.maxShift < 1 || m.maxShift > MAX_PROBE_SHIFT) return undefined;
    if ((m.axis !== 'x' && m.axis !== 'y' && m.axis !== 'both') || (m.mode !== 'cyclic' && m.mode !== 'zero')) return undefined;
    return { type: 'probe', sample, checkpoint: m.checkpoint, maxShift: m.maxShift, axis: m.axis, mode: m.mode };
  }
  const common = parseCommonAction(message);
  return common && common.type !== 'refresh' ? common : undefined;
}

export function parseEquivarianceUpdate(message: unknown): EquivarianceUpdate | undefined {
  if (!isObject(message)) return undefined;
  if (message.type === 'result') return isEquivarianceResult(message.result) ? { type: 'result', result: message.result } : undefined;
  return parseInspectUpdate(message);
}
