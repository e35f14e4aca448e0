/**
 * The requests and notifications of the engine protocol: each one's method name and the types of its
 * parameters and result, declared once with vscode-jsonrpc for the client (src/client/engineClient.ts) and
 * the engine (src/engine/main.ts). Nothing else lives here: the types and constants are in ./engineTypes.ts,
 * which modules that only need a type or a list import without loading vscode-jsonrpc.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type {
  AnomalyParams,
  AnomalyReport,
  BenchParams,
  BenchReport,
  DataDescribeParams,
  DataPreviewParams,
  DataPreviewResult,
  DatasetSummary,
  EngineInfo,
  EngineRestartParams,
  EquivarianceParams,
  EquivarianceResult,
  EvalParams,
  EvalReport,
  ExportParams,
  ExportResult,
  FeatureMapsParams,
  FeatureMapsResult,
  FiltersParams,
  FiltersResult,
  LogParams,
  ModelSummary,
  ModelSummaryParams,
  TrainEventParams,
  TrainFinishedParams,
  TrainProgressParams,
  TrainStartParams,
  TrainStartResult,
  TrainStartedParams,
  TrainStopParams,
  TrainStopResult,
} from './engineTypes';

// Client -> engine.
export const EngineInfoRequest = new RequestType0<EngineInfo, void>('engine/info');
export const TrainStartRequest = new RequestType<TrainStartParams, TrainStartResult, void>('train/start');
export const TrainStopRequest = new RequestType<TrainStopParams, TrainStopResult, void>('train/stop');
export const BenchRequest = new RequestType<BenchParams, BenchReport, void>('bench/run');
/** Reads a dataset and reports what it holds (in the engine: decoding can take seconds). */
export const DataDescribeRequest = new RequestType<DataDescribeParams, DatasetSummary, void>('data/describe');
/** Sample images per class and augmented versions of one, for the dataset preview. */
export const DataPreviewRequest = new RequestType<DataPreviewParams, DataPreviewResult, void>('data/preview');
/** Builds a model file and reports its layers, parameters and MACs (the model is disposed). */
export const ModelSummaryRequest = new RequestType<ModelSummaryParams, ModelSummary, void>('model/summary');
/** Per-layer outputs of a model for one sample (errors: ResponseError with ModelErrorData). */
export const FeatureMapsRequest = new RequestType<FeatureMapsParams, FeatureMapsResult, void>('inspect/featureMaps');
/** The kernels of every convolution, with weight histograms. */
export const FiltersRequest = new RequestType<FiltersParams, FiltersResult, void>('inspect/filters');
/** How far each layer's output is from shifting with the input. */
export const EquivarianceRequest = new RequestType<EquivarianceParams, EquivarianceResult, void>('inspect/equivariance');
/** Evaluates a run's checkpoint on a split; the report is also saved as runs/<id>/eval/<split>-<checkpoint>.json. */
export const EvalRequest = new RequestType<EvalParams, EvalReport, void>('eval/run');
/** Scores a split's samples by how anomalous a run's model finds them, with AUROC, AUPRC and FPR95. */
export const AnomalyRequest = new RequestType<AnomalyParams, AnomalyReport, void>('eval/anomaly');
/** Writes a run's checkpoint as an ONNX file or a TensorFlow.js folder (keras: an error saying how to convert). */
export const ExportRequest = new RequestType<ExportParams, ExportResult, void>('export/run');
/** Asks the engine to finish what it is doing and exit; running runs are stopped, not interrupted. */
export const ShutdownRequest = new RequestType0<void, void>('engine/shutdown');

// Engine -> client.
export const TrainStartedNotification = new NotificationType<TrainStartedParams>('train/started');
export const TrainProgressNotification = new NotificationType<TrainProgressParams>('train/progress');
export const TrainFinishedNotification = new NotificationType<TrainFinishedParams>('train/finished');
/** A callback acted (best checkpoint, learning rate reduced, early stop, ...). */
export const TrainEventNotification = new NotificationType<TrainEventParams>('train/event');
export const LogNotification = new NotificationType<LogParams>('log');
/** The engine is about to exit so as to be restarted (see EngineRestartParams). */
export const EngineRestartNotification = new NotificationType<EngineRestartParams>('engine/restart');
