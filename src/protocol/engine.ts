/**
 * The typed JSON-RPC protocol between a client (the extension host, or the `dl-lab` CLI) and the engine
 * child process. Both sides import their method names and payload types from here and nowhere else.
 *
 * This module must stay free of runtime dependencies on TensorFlow.js and on `vscode`: it is bundled
 * into the extension, the CLI and the engine alike.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';

/** Backends in the order `auto` tries them. */
export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = BackendName | 'auto';

export function isBackendChoice(value: unknown): value is BackendChoice {
  return value === 'auto' || (BACKENDS as readonly unknown[]).includes(value);
}

export const RUN_STATUSES = ['running', 'completed', 'stopped', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export type LossReduction = 'mean' | 'sum' | 'batchmean';

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
}

/** Training hyper-parameters: model-file defaults, overridden by the caller. */
export interface TrainingConfig {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  /** SGD and RMSprop momentum. */
  momentum: number;
  /** A loss name, or a name with options (see src/engine/training/losses.ts). */
  loss: string | LossSpec;
  metrics: string[];
  validationSplit: number;
  seed: number;
}

/** Where the backend came from: what was asked for, what was picked, and why. */
export interface BackendReport {
  requested: BackendChoice;
  name: BackendName;
  reason: string;
}

export interface BackendAvailability {
  name: BackendName;
  available: boolean;
  detail: string;
}

export interface EngineInfo {
  engineVersion: string;
  tfjsVersion: string;
  pid: number;
  node: string;
  /** Set once a backend has been initialised in this engine process. */
  backend: BackendReport | null;
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

/** Metrics of one epoch (training averages over the epoch, validation on the held-out split). */
export interface EpochMetrics {
  loss: number;
  acc?: number;
  val_loss?: number;
  val_acc?: number;
}

export interface TrainProgressParams {
  runId: string;
  kind: 'batch' | 'epoch';
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

export interface BenchParams {
  /** Backends to measure; default: every backend that can be initialised here. */
  backends?: BackendName[];
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

export interface BenchReport {
  model: string;
  batchSize: number;
  threads: number;
  results: BenchResultEntry[];
  /** Backends or references that could not be measured, and why. */
  skipped: { name: string; reason: string }[];
  /** Per-kernel milliseconds per training step of the wasm backend, most expensive first. */
  wasmProfile?: { kernel: string; msPerStep: number }[];
  /** Load-and-decode throughput of datasets, when asked for. */
  data?: DataBenchReport;
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
}

export interface DataPreviewParams {
  data: string;
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

export const EngineInfoRequest = new RequestType0<EngineInfo, void>('engine/info');
export const TrainStartRequest = new RequestType<TrainStartParams, TrainStartResult, void>('train/start');
export const TrainStopRequest = new RequestType<TrainStopParams, TrainStopResult, void>('train/stop');
export const BenchRequest = new RequestType<BenchParams, BenchReport, void>('bench/run');
/** Reads a dataset and reports what it holds (in the engine: decoding can take seconds). */
export const DataDescribeRequest = new RequestType<DataDescribeParams, DatasetSummary, void>('data/describe');
/** Sample images per class and augmented versions of one, for the dataset preview. */
export const DataPreviewRequest = new RequestType<DataPreviewParams, DataPreviewResult, void>('data/preview');
/** Asks the engine to finish what it is doing and exit; running runs are stopped, not interrupted. */
/** Builds a model file and reports its layers, parameters and MACs (the model is disposed). */
export const ModelSummaryRequest = new RequestType<ModelSummaryParams, ModelSummary, void>('model/summary');
export const ShutdownRequest = new RequestType0<void, void>('engine/shutdown');

export const TrainStartedNotification = new NotificationType<TrainStartedParams>('train/started');
export const TrainProgressNotification = new NotificationType<TrainProgressParams>('train/progress');
export const TrainFinishedNotification = new NotificationType<TrainFinishedParams>('train/finished');
export const LogNotification = new NotificationType<LogParams>('log');
