/**
 * The plain types and constants of the engine protocol: what a client (the extension host, or the `dl-lab`
 * CLI) and the engine child process exchange. The requests and notifications that carry them are declared
 * in ./engineRequests.ts.
 *
 * This module imports nothing at all, so that light modules (settings, views, the dashboard's feed, the run
 * folder format, the webview pages) can use its lists and types without loading the JSON-RPC library,
 * TensorFlow.js or `vscode`.
 */

/** Backends in the order `auto` tries them. */
export const BACKENDS = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
/** What a run or the `dlLab.backend` setting may ask for: `auto`, then every backend. */
export const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export function isBackendChoice(value: unknown): value is BackendChoice {
  return (BACKEND_CHOICES as readonly unknown[]).includes(value);
}

export const RUN_STATUSES = ['running', 'completed', 'stopped', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const LOSS_REDUCTIONS = ['mean', 'sum', 'batchmean'] as const;
export type LossReduction = (typeof LOSS_REDUCTIONS)[number];

/** `training.loss` as an object. Options a loss does not take are rejected. */
export interface LossSpec {
  name: string;
  reduction?: LossReduction;
  /** nll, crossEntropy, crossEntropyFromLogits: one weight per class; bce, bceWithLogits: one per output column. */
  classWeights?: number[];
  /** huber: where the quadratic part ends (default 1). */
  delta?: number;
  /** smoothL1: where the quadratic part ends (default 1). */
  beta?: number;
  /** crossEntropy, crossEntropyFromLogits: label smoothing in [0, 1) (default 0). */
  labelSmoothing?: number;
  /** marginRanking, tripletMargin, cosineEmbedding: the margin (defaults 0, 1 and 0, as PyTorch's). */
  margin?: number;
  /** tripletMargin: the norm of the distance (default 2). */
  p?: number;
  /** tripletMargin: every valid triplet of the batch ('all', default) or each anchor's hardest ('hard'). */
  mining?: 'all' | 'hard';
}

/** Training hyper-parameters: model-file defaults, overridden by the caller. */
export interface TrainingConfig {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  /** SGD and RMSprop momentum. */
  momentum: number;
  /**
   * L2 weight decay as PyTorch's optimizers apply it: `weightDecay * w` is added to every trainable
   * weight's gradient (biases and normalisation included). 0 (the default) turns it off.
   */
  weightDecay?: number;
  /** A loss name, or a name with options (see src/engine/training/losses.ts). */
  loss: string | LossSpec;
  metrics: string[];
  validationSplit: number;
  seed: number;
  /** Callbacks (see CallbacksConfig); absent: ModelCheckpoint on the default monitor and TerminateOnNaN only. */
  callbacks?: CallbacksConfig;
  /**
   * Train on these classes only (anomaly detection: the others are the anomalies). The validation carve is
   * made on every sample first, then both sides keep these classes.
   */
  normalClasses?: number[];
  /**
   * 'reconstruction': the target is the input (an elementwise loss, MSE by default; no accuracy). 'fpi':
   * Foreign Patch Interpolation, the target the per-pixel foreign fraction of a patched input (BCE by
   * default; src/engine/evaluation/fpi.ts).
   */
  task?: TrainingTask;
}

export const TRAINING_TASKS = ['classification', 'reconstruction', 'fpi'] as const;
export type TrainingTask = (typeof TRAINING_TASKS)[number];

/** 'auto': 'max' for metrics named *acc*, else 'min'. */
export type MonitorMode = 'min' | 'max' | 'auto';

/** Stops training when the monitored metric has not improved for `patience` epochs. */
export interface EarlyStoppingConfig {
  /** Default val_loss (loss when there is no validation split). */
  monitor?: string;
  mode?: MonitorMode;
  /** Epochs without improvement before stopping (default 3). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Put back the best epoch's weights when stopping early (default true). */
  restoreBestWeights?: boolean;
}

/** Saves checkpoints/best when the monitored metric improves. */
export interface ModelCheckpointConfig {
  monitor?: string;
  mode?: MonitorMode;
}

/** Multiplies the learning rate by `factor` when the monitored metric stalls for `patience` epochs. */
export interface ReduceLROnPlateauConfig {
  monitor?: string;
  mode?: MonitorMode;
  /** Default 0.1. */
  factor?: number;
  /** Default 2. */
  patience?: number;
  minDelta?: number;
  /** Default 0. */
  minLr?: number;
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
}

/** `training.callbacks`: each one on with `true` (defaults) or an object, off when absent or `false`. */
export interface CallbacksConfig {
  earlyStopping?: boolean | EarlyStoppingConfig;
  /** On by default (monitor val_loss, else loss). */
  modelCheckpoint?: boolean | ModelCheckpointConfig;
  reduceLROnPlateau?: boolean | ReduceLROnPlateauConfig;
  /** On by default: a NaN or infinite loss fails the run, naming the epoch and batch. */
  terminateOnNaN?: boolean;
}

/** What a callback did; also written to metrics.jsonl as a record of kind 'event'. */
export const TRAIN_EVENT_KINDS = ['bestCheckpoint', 'lrReduced', 'earlyStop', 'restoredBest', 'nonFinite'] as const;
export type TrainEventKind = (typeof TRAIN_EVENT_KINDS)[number];

export interface TrainEventParams {
  runId: string;
  kind: TrainEventKind;
  epoch: number;
  /** Global step when it happened (places the marker on a step axis). */
  step: number;
  /** Milliseconds since the Unix epoch. */
  time: number;
  /** One line for people, e.g. "val_loss improved to 0.412: saved checkpoints/best". */
  message: string;
  /** The monitored metric and its value, when the event is about one. */
  metric?: string;
  value?: number;
  /** The learning rate after the event (lrReduced). */
  learningRate?: number;
}

/** A WebGPU adapter, as Dawn describes it (the webgpu backend). */
export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The graphics API Dawn drives it through: vulkan, metal, d3d12, opengl. */
  api: string;
  /** `compatibility` for Dawn's OpenGL backend (a WebGPU subset), else `core`. */
  featureLevel: 'core' | 'compatibility';
  /** A renderer on the CPU (Mesa's llvmpipe, SwiftShader, WARP): `auto` does not use it. */
  software: boolean;
}

/** Where the backend came from: what was asked for, what was picked, and why. */
export interface BackendReport {
  requested: BackendChoice;
  name: BackendName;
  reason: string;
  /** The adapter, for webgpu. */
  adapter?: GpuAdapterInfo;
}

export interface BackendAvailability {
  name: BackendName;
  available: boolean;
  detail: string;
  /** The adapter webgpu would use (also when it is a software one that only an explicit choice takes). */
  adapter?: GpuAdapterInfo;
}

export interface EngineInfo {
  engineVersion: string;
  tfjsVersion: string;
  pid: number;
  node: string;
  /** Set once a backend has been initialised in this engine process. */
  backend: BackendReport | null;
  /** CPU threads of the wasm backend in this engine (DL_LAB_THREADS, default one per core), and why. */
  threads: { threads: number; why: string };
  backends: BackendAvailability[];
}

export interface TrainStartParams {
  /** Absolute path of a `*.model.ts` / `*.model.js` file. */
  modelFile: string;
  /** `synthetic:<name>` or a path. */
  data: string;
  /** Absolute path of the folder that holds one sub-folder per run. */
  runsDir: string;
  backend: BackendChoice;
  /** Overrides of the model file's `training` defaults. */
  overrides: Partial<TrainingConfig>;
  /** Continue this run (its folder) from its last checkpoint instead of starting a new one. */
  resumeRunDir?: string;
  /** The sweep this new run belongs to (`dl-lab sweep`); its run.json records it. */
  sweep?: SweepTag;
}

/** A run's place in a sweep: the sweep's id and the `training` settings the sweep gave this run. */
export interface SweepTag {
  id: string;
  params: Record<string, number | string | boolean>;
}

export interface TrainStartResult {
  runId: string;
  runDir: string;
}

export interface TrainStopParams {
  runId: string;
}

export interface TrainStopResult {
  /** False when no such run is training in this engine. */
  stopping: boolean;
}

/** Metrics of one epoch (training averages over the epoch, validation on the held-out split), or of one batch (its loss). */
export interface EpochMetrics {
  loss: number;
  acc?: number;
  val_loss?: number;
  val_acc?: number;
}

/** The metrics beside the loss that a point may have. */
export const OPTIONAL_METRICS = ['acc', 'val_loss', 'val_acc'] as const satisfies readonly (keyof EpochMetrics)[];

/** Progress is reported, and metrics.jsonl written, per batch and per epoch. */
export const POINT_KINDS = ['batch', 'epoch'] as const;
export type PointKind = (typeof POINT_KINDS)[number];

/**
 * One point of a run's metrics: a metrics.jsonl line of kind batch or epoch (src/runs/runFolder.ts's
 * MetricRecord adds what the file holds besides) and a point of the dashboard's charts.
 */
export interface MetricPoint extends EpochMetrics {
  kind: PointKind;
  /** 1-based. */
  epoch: number;
  /** Global optimisation step. */
  step: number;
  /** Milliseconds since the Unix epoch. */
  time: number;
}

export interface TrainProgressParams {
  runId: string;
  kind: PointKind;
  /** 1-based epoch number. */
  epoch: number;
  epochs: number;
  /** 1-based batch number within the epoch. */
  batch: number;
  batchesPerEpoch: number;
  /** Global optimisation step (batches since the run began, resumes included). */
  step: number;
  /** Batch loss (kind 'batch') or the epoch's mean training loss (kind 'epoch'). */
  loss: number;
  metrics?: EpochMetrics;
  samplesPerSec: number;
  /** Milliseconds since the Unix epoch. */
  time: number;
  /** The optimizer's learning rate now (changes under ReduceLROnPlateau). */
  learningRate?: number;
}

/** The first progress of a run: what it is training, on what, and where. */
export interface TrainStartedParams {
  runId: string;
  runDir: string;
  modelFile: string;
  data: string;
  backend: BackendReport;
  config: TrainingConfig;
  trainSamples: number;
  valSamples: number;
  /** First epoch this run trains (1 unless it resumes). */
  startEpoch: number;
}

export interface TrainFinishedParams {
  runId: string;
  runDir: string;
  status: Exclude<RunStatus, 'running' | 'interrupted'>;
  /** One line that names what went wrong, and where (file and line) when that is known. */
  error?: string;
  /** The last epoch's metrics, when at least one epoch finished. */
  metrics?: EpochMetrics;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface LogParams {
  level: LogLevel;
  message: string;
}

/** The networks `dl-lab bench` measures by default. */
export const BENCH_MODELS = ['lenet5', 'vgg-small', 'resnet20'] as const;
export type BenchModelName = (typeof BENCH_MODELS)[number];

export interface BenchParams {
  /** Backends to measure; default: every backend that can be initialised here. */
  backends?: BackendName[];
  /** Built-in networks to measure; default: all of BENCH_MODELS (none when `modelFile` is given). */
  models?: BenchModelName[];
  /** A model file to measure instead, on the input shape and classes of `dataset`. */
  modelFile?: string;
  /** The dataset a model file is measured for (its shape and classes; the batches are random). */
  dataset?: string;
  /** Training steps measured per backend, after warm-up. */
  steps?: number;
  batchSize?: number;
  /** Also measure PyTorch through `python3`, when it can import torch. */
  pytorch?: boolean;
  /** Also measure loading and decoding the test datasets (MNIST IDX, CIFAR image folder). */
  data?: boolean;
}

export interface DataBenchResult {
  name: string;
  path: string;
  format: string;
  images: number;
  /** Best of the timed loads. */
  seconds: number;
  imagesPerSec: number;
  /** Bytes each image is stored in (uint8 HWC). */
  bytesPerImage: number;
  /** Growth of the process's array buffers while the dataset is held, per image (labels and overheads included). */
  heldBytesPerImage: number;
}

export interface DataBenchReport {
  datasetsDir: string;
  results: DataBenchResult[];
  skipped: { name: string; reason: string }[];
}

export interface BenchResultEntry {
  /** A backend name, or "pytorch". */
  name: string;
  samplesPerSec: number;
  /** samplesPerSec divided by PyTorch's, when PyTorch was measured. */
  ratioToPytorch?: number;
  detail?: string;
}

export interface BenchKernelTime {
  kernel: string;
  msPerStep: number;
  /** Calls per training step. */
  calls: number;
}

export interface BenchModelReport {
  /** A BENCH_MODELS name, or the model file's path. */
  name: string;
  /** What was measured: the architecture, input, loss and optimizer. */
  model: string;
  batchSize: number;
  trainableParams: number;
  results: BenchResultEntry[];
  /** Backends or references that could not be measured for this model, and why. */
  skipped: { name: string; reason: string }[];
  /** Per-kernel milliseconds per training step of the first CPU backend measured, most expensive first. */
  profile?: { backend: string; kernelCalls: number; kernels: BenchKernelTime[] };
}

export interface BenchReport {
  /** Threads of the engine's CPU backend, and PyTorch's (the same). */
  threads: number;
  models: BenchModelReport[];
  /** Backends that could not be measured at all, and why. */
  skipped: { name: string; reason: string }[];
  /** Load-and-decode throughput of datasets, when asked for. */
  data?: DataBenchReport;
  /** Feature maps of one sample, request to data through the engine process (filled in by the CLI). */
  inspection?: InspectBenchResult[];
}

export interface InspectBenchResult {
  name: string;
  /** Median over the timed requests (after one warm-up that builds the model). */
  medianMs: number;
  /** The first request: bundling the model file, loading the data, building the model. */
  firstMs: number;
  /** The engine's own time (FeatureMapsResult.ms), median. */
  engineMs: number;
  targetMs: number;
  requests: number;
  layers: number;
  /** Bytes of the JSON result. */
  bytes: number;
}

/** What a dataset holds, read without TensorFlow.js (the report of `dl-lab data inspect`). */
export interface DatasetSummary {
  /** The dataset argument as given: `synthetic:<name>` or a path. */
  source: string;
  format: string;
  /** All samples, every split included. */
  count: number;
  /** Samples per split the data defines ({} when it defines none). */
  splits: Record<string, number>;
  classes: string[];
  classCounts: number[];
  /** One sample's shape, e.g. [28, 28, 1]. */
  shape: number[];
  dtype: 'uint8' | 'float32';
  /** Per channel (per feature for tabular data), on the [0, 1] scale for uint8 images. */
  mean: number[];
  std: number[];
  warnings: string[];
  description?: string;
  loadMs: number;
}

export interface DataDescribeParams {
  /** `synthetic:<name>` or a path (file, folder or `*.dataset.json`). */
  data: string;
  /**
   * The folders the engine may read for this request (symbolic links resolved): an untrusted workspace's
   * folders, so that a descriptor cannot make it read and quote files elsewhere. Absent: unconfined.
   */
  within?: string[];
}

export interface DataPreviewParams {
  data: string;
  /** As DataDescribeParams.within. */
  within?: string[];
  /** Samples shown per class (default 8, at most 32). */
  perClass?: number;
  /** Classes with samples (the first ones; default 20, at most 100). The summary counts them all. */
  maxClasses?: number;
  /** Augmented versions of one sample (default 8, at most 32). */
  augmented?: number;
  /** Picks the samples and drives the augmentation (default 0). */
  seed?: number;
}

/** One image, compact across the process boundary: a base64 PNG (grey or RGB). */
export interface PreviewImage {
  /** Index of the sample in the dataset. */
  index: number;
  width: number;
  height: number;
  png: string;
}

export interface DataPreviewResult {
  summary: DatasetSummary;
  seed: number;
  /** Empty when the samples are not images (tabular data); `note` says why. */
  classes: { index: number; name: string; count: number; samples: PreviewImage[] }[];
  augmentation?: {
    /** What was applied, e.g. "flipHorizontal 0.5, rotation 15". */
    description: string;
    /** 'dataset': the descriptor's `augment`; 'default': the preview's own (the data asks for none). */
    origin: 'dataset' | 'default';
    classIndex: number;
    original: PreviewImage;
    augmented: PreviewImage[];
  };
  note?: string;
}

/** `model/summary`: build a model file for a shape and a number of classes, and describe its layers. */
export interface ModelSummaryParams {
  /** Absolute path of a `*.model.ts` / `*.model.js` file. */
  modelFile: string;
  /** Take the input shape and classes from this dataset (`synthetic:<name>` or a path). */
  data?: string;
  /** Otherwise these; with neither, synthetic:shapes gives them. */
  inputShape?: number[];
  numClasses?: number;
}

export interface LayerSummary {
  name: string;
  /** The layer's class, e.g. "Conv2D". */
  type: string;
  /** With the batch dimension (null); an array of shapes for a layer with several outputs. */
  outputShape: (number | null)[] | (number | null)[][];
  /** Every weight of the layer (Keras' convention). */
  params: number;
  /** Weights the optimizer updates (not BatchNormalization's moving statistics). */
  trainableParams: number;
  /** Multiply-accumulates per sample (see `macsConvention`). */
  macs: number;
  /** The model file's line that created the layer; null when not known (e.g. created in another file). */
  line: number | null;
  /** Side, in input pixels, of the input window that one output position sees; null when not spatial. */
  receptiveField?: number | null;
  /** Total stride from the input to this layer's output (input pixels per output position); null when not spatial. */
  jump?: number | null;
}

export interface ModelSummary {
  modelFile: string;
  /** The dataset the shape and classes came from, when one did. */
  data?: string;
  inputShape: number[];
  numClasses: number;
  name: string;
  layers: LayerSummary[];
  /** Every weight (Keras' "Total params"). */
  totalParams: number;
  /** What PyTorch's `sum(p.numel() for p in model.parameters())` counts for the same network. */
  trainableParams: number;
  nonTrainableParams: number;
  totalMacs: number;
  outputShape: (number | null)[];
  macsConvention: string;
}

/** The JSON-RPC error code of a request whose model file failed to build (its `data` is ModelErrorData). */
export const MODEL_ERROR_CODE = -32050;

/**
 * The `data` of the JSON-RPC error of a request that built a model file and failed (model/summary,
 * inspect/*): where the model file went wrong, for a diagnostic on that line.
 */
export interface ModelErrorData {
  file: string;
  /** 1-based; absent when not known. */
  line?: number;
  column?: number;
  /** TensorFlow.js's (or the bundler's) message, without the location prefix. */
  message: string;
}

// ---------------------------------------------------------------------------------------------------
// Inspection (feature maps, filters, equivariance). Tensors travel as base64 of their bytes, never as
// JSON arrays of numbers.

/** A tensor as bytes: base64 of a little-endian Float32Array or of a Uint8Array, row-major in `shape`. */
export interface EncodedTensor {
  dtype: 'float32' | 'uint8';
  shape: number[];
  data: string;
}

export const CHECKPOINT_CHOICES = ['last', 'best', 'untrained'] as const;
export type CheckpointChoice = (typeof CHECKPOINT_CHOICES)[number];

/**
 * Which model to inspect: a run (its model file, data, normalisation and a checkpoint), or a model file
 * alone (untrained weights, seeded; shape and classes from `data`, else `inputShape`/`numClasses`,
 * else synthetic:shapes).
 */
export interface ModelSource {
  runDir?: string;
  modelFile?: string;
  /** Default 'last' for a run, 'untrained' for a model file. */
  checkpoint?: CheckpointChoice;
  /** Overrides the run's dataset. */
  data?: string;
  inputShape?: number[];
  numClasses?: number;
}

/** Which sample: by index in the dataset, the first (or a seeded random) one of a class, a random one, or an image file. */
export type SampleChoice =
  | { kind: 'index'; index: number }
  | { kind: 'class'; classIndex: number; seed?: number }
  | { kind: 'random'; seed: number }
  | { kind: 'image'; file: string };

export interface InspectedSample {
  /** Index in the dataset; null for an image file. */
  index: number | null;
  label: number | null;
  className: string | null;
  file?: string;
  /** What the model sees, for display: uint8 [H, W, C] (before normalisation). */
  image: EncodedTensor;
}

export interface Prediction {
  classes: string[];
  /** Softmax of the output (the output itself when it already sums to 1). */
  probabilities: number[];
  predicted: number;
}

export interface FeatureMapsParams extends ModelSource {
  sample: SampleChoice;
  /** Only these layers (names); default every layer with a spatial ([H, W, C]) or vector output. */
  layers?: string[];
  /** 'float32': each LayerFeatureMap's `data` holds the exact values (min/max still given); default 'uint8'. */
  dtype?: 'uint8' | 'float32';
}

export interface LayerFeatureMap {
  layer: string;
  type: string;
  line: number | null;
  /** Per sample, e.g. [14, 14, 6]; [N] for a vector. */
  shape: number[];
  /** uint8 in `shape`, each channel scaled to its own [min, max] (value = min + (max - min) * q / 255). */
  data: EncodedTensor;
  /** Per channel. */
  min: number[];
  max: number[];
}

export interface FeatureMapsResult {
  modelFile: string;
  runDir?: string;
  checkpoint: CheckpointChoice;
  data: string;
  sample: InspectedSample;
  layers: LayerFeatureMap[];
  /** null: the model outputs an image (training.task 'reconstruction' or 'fpi'), not class scores. */
  prediction: Prediction | null;
  /** Engine time from request to result. */
  ms: number;
}

export interface FiltersParams extends ModelSource {
  /** Histogram bins (default 50). */
  bins?: number;
}

export interface LayerFilters {
  layer: string;
  type: string;
  line: number | null;
  /** The kernel's own shape: [kh, kw, in, out] (Conv2D), [kh, kw, in, multiplier] (DepthwiseConv2D). */
  kernelShape: number[];
  kernel: EncodedTensor;
  histogram: { min: number; max: number; counts: number[] };
  mean: number;
  std: number;
}

export interface FiltersResult {
  modelFile: string;
  runDir?: string;
  checkpoint: CheckpointChoice;
  layers: LayerFilters[];
}

/** Which way the equivariance probe moves the sample. */
export const SHIFT_AXES = ['x', 'y', 'both'] as const;
export type ShiftAxis = (typeof SHIFT_AXES)[number];
/** 'cyclic': pixels wrap around; 'zero': pixels shifted out are lost, zeros come in. */
export const SHIFT_MODES = ['cyclic', 'zero'] as const;
export type ShiftMode = (typeof SHIFT_MODES)[number];

/** The largest shift a page's probe may ask for (the equivariance page offers shifts 0..maxShift). */
export const MAX_PROBE_SHIFT = 32;

export interface EquivarianceParams extends ModelSource {
  sample: SampleChoice;
  /** Shifts in input pixels to try, e.g. [0, 1, 2, 3, 4] (default 0..8). */
  shifts?: number[];
  /** Which way the sample moves (default 'x'). */
  axis?: ShiftAxis;
  /** 'cyclic': pixels wrap around (default); 'zero': pixels shifted out are lost, zeros come in. */
  mode?: ShiftMode;
}

export interface LayerEquivariance {
  layer: string;
  type: string;
  line: number | null;
  /** Total stride of the layer's output (input pixels per output position); null for non-spatial outputs. */
  jump: number | null;
  /**
   * Per shift: ‖f(Sx) − S′f(x)‖ / ‖f(x)‖, S′ the shift divided by `jump` (rounded; see `exact`). For a
   * non-spatial output, S′ is the identity (the invariance error).
   */
  errors: number[];
  /** Per shift: whether shift / jump was a whole number of output positions. */
  exact: boolean[];
}

export interface EquivarianceResult {
  modelFile: string;
  runDir?: string;
  checkpoint: CheckpointChoice;
  sample: InspectedSample;
  shifts: number[];
  axis: ShiftAxis;
  mode: ShiftMode;
  layers: LayerEquivariance[];
  /** Per shift: the prediction of the shifted sample. */
  predictions: Prediction[];
  /** Per shift: half the L1 distance between the shifted and the unshifted class probabilities. */
  probabilityChange: number[];
}

/**
 * Sent by the engine just before it exits on purpose to be restarted: user code was cut off by the model
 * time limit (src/engine/model/timeLimit.ts), which leaves TensorFlow.js in an unknown state. The client
 * starts a fresh engine on the next request without counting it as a crash.
 */
export interface EngineRestartParams {
  reason: string;
}
/** The engine's exit code after an EngineRestartNotification. */
export const ENGINE_RESTART_EXIT_CODE = 75;

// ---- Evaluation and anomaly detection (src/engine/evaluation) ----

/**
 * Which samples an evaluation reads: `train` and `val` as the run carved them (the same seed and
 * fraction), `test` the data's own held-out split. Default: `test` where the run held one out, else `val`.
 */
export const EVAL_SPLITS = ['train', 'val', 'test'] as const;
export type EvalSplit = (typeof EVAL_SPLITS)[number];
/** Evaluations use trained weights: best (ModelCheckpoint's) or last. Default: best where the run has it. */
export const EVAL_CHECKPOINTS = ['best', 'last'] as const;
export type EvalCheckpoint = (typeof EVAL_CHECKPOINTS)[number];

export interface EvalParams {
  runDir: string;
  /** Another dataset of the same shape and classes (default: the run's). */
  data?: string;
  split?: EvalSplit;
  checkpoint?: EvalCheckpoint;
}

export interface ClassReport {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** A reliability-diagram bin: samples whose confidence lies in (lower, upper]; accuracy and confidence null when empty. */
export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  accuracy: number | null;
  confidence: number | null;
}

/** One evaluated sample (its index in the dataset), for galleries and the most confident mistakes. */
export interface EvaluatedSample {
  index: number;
  label: number;
  predicted: number;
  /** The predicted class's probability. */
  confidence: number;
  /** The true class's probability. */
  trueProbability: number;
}

export interface EvalReport {
  runId: string;
  runDir: string;
  data: string;
  split: EvalSplit;
  checkpoint: EvalCheckpoint;
  /** Where the report was saved: runs/<id>/eval/<split>-<checkpoint>.json. */
  file: string;
  /** The run's normal classes (training.normalClasses): only their samples are evaluated. */
  normalClasses?: number[];
  count: number;
  loss: number;
  accuracy: number;
  /** Top-k accuracy, k = 5, where there are more than 5 classes; else null. */
  topK: { k: number; accuracy: number } | null;
  classes: string[];
  /** confusion[true][predicted]. */
  confusion: number[][];
  perClass: ClassReport[];
  macroF1: number;
  weightedF1: number;
  /** Expected calibration error over 15 equal-width confidence bins. */
  ece: number;
  reliability: CalibrationBin[];
  /** Every evaluated sample, in split order. */
  samples: EvaluatedSample[];
  ms: number;
}

export const ANOMALY_METHODS = ['msp', 'mahalanobis', 'knn', 'recon', 'fpi'] as const;
export type AnomalyMethod = (typeof ANOMALY_METHODS)[number];

export interface AnomalyParams extends EvalParams {
  method: AnomalyMethod;
  /** The layer whose output is the feature (mahalanobis, knn); default: the last layer's input. */
  layer?: string;
  /** Classes counted anomalous (default: those outside the run's normalClasses). */
  anomalyClasses?: number[];
  /** knn: the neighbour whose distance is the score (default 5). */
  k?: number;
  /**
   * recon and fpi: samples (dataset indices among those scored, at most MAX_ANOMALY_MAPS) whose per-pixel
   * map to return: the squared reconstruction error averaged over channels, or the predicted foreign fraction.
   */
  maps?: number[];
}

export const MAX_ANOMALY_MAPS = 64;

/** A sample's per-pixel anomaly map, [height, width] float32. */
export interface AnomalyMap {
  index: number;
  map: EncodedTensor;
}

export interface AnomalyReport {
  runId: string;
  runDir: string;
  data: string;
  split: EvalSplit;
  checkpoint: EvalCheckpoint;
  method: AnomalyMethod;
  /** The feature layer (mahalanobis, knn). */
  layer?: string;
  /** The classes counted normal and anomalous (samples of other classes are left out). */
  normalClasses: number[];
  anomalyClasses: number[];
  auroc: number;
  auprc: number;
  /** False-positive rate (normal samples flagged) at 95% of the anomalies found. */
  fpr95: number;
  normal: number;
  anomalous: number;
  /** The ROC curve's corners (anomalous = positive). */
  roc: { fpr: number[]; tpr: number[] };
  /** knn's k. */
  k?: number;
  /** mahalanobis, knn: the training samples fitted on (knn keeps a seeded 10,000 of a larger split). */
  fitted?: number;
  /** Per sample of the split (those of normal and anomalous classes): dataset index, label, score (higher = more anomalous), anomalous. */
  scores: { index: number[]; label: number[]; score: number[]; anomalous: boolean[] };
  /** Where the report was saved: runs/<id>/anomaly/<method>-<split>-<checkpoint>.json. */
  file: string;
  /** The maps asked for (recon, fpi), in the order asked. */
  maps?: AnomalyMap[];
  ms: number;
}

// ---------------------------------------------------------------------------------------------------
// Export (dl-lab export, the Runs view's Export Model): a run's checkpoint as ONNX or a TensorFlow.js folder.

export const EXPORT_FORMATS = ['onnx', 'tfjs', 'keras'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const EXPORT_CHECKPOINTS = ['last', 'best'] as const;
export type ExportCheckpoint = (typeof EXPORT_CHECKPOINTS)[number];
/**
 * Keras files have no maintained writer in Node.js: the TensorFlow.js folder (exported to model-tfjs/)
 * converts with this command (Python, pip install tensorflowjs).
 */
export const KERAS_CONVERSION = 'tensorflowjs_converter --input_format=tfjs_layers_model --output_format=keras model-tfjs/model.json model.h5';

export interface ExportParams {
  runDir: string;
  format: ExportFormat;
  /** Default 'last'. */
  checkpoint?: ExportCheckpoint;
  /** The .onnx file, or the TensorFlow.js folder. */
  out: string;
}

export interface ExportTensorInfo {
  name: string;
  /** 'batch' for the free batch size. */
  shape: (number | string)[];
}

export interface ExportResult {
  format: ExportFormat;
  runDir: string;
  runId: string;
  checkpoint: ExportCheckpoint;
  /** The checkpoint's epoch, when its state.json says. */
  epoch: number | null;
  modelFile: string;
  out: string;
  files: string[];
  bytes: number;
  onnx?: { opset: number; nodes: number; inputs: ExportTensorInfo[]; outputs: ExportTensorInfo[]; normalization: { scale: number; mean: number[]; std: number[] } };
}
