/** The export request's parameters and answer (moved to the protocol once its split lands). */
export const EXPORT_FORMATS = ['onnx', 'tfjs', 'keras'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const EXPORT_CHECKPOINTS = ['last', 'best'] as const;
export type ExportCheckpoint = (typeof EXPORT_CHECKPOINTS)[number];

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
