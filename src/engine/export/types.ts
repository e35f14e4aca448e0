/** The export request's parameters and answer (moved to the protocol once its split lands). */
export type ExportFormat = 'onnx' | 'tfjs' | 'keras';

export interface ExportParams {
  runDir: string;
  format: ExportFormat;
  /** Default 'last'. */
  checkpoint?: 'last' | 'best';
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
  checkpoint: 'last' | 'best';
  /** The checkpoint's epoch, when its state.json says. */
  epoch: number | null;
  modelFile: string;
  out: string;
  files: string[];
  bytes: number;
  onnx?: { opset: number; nodes: number; inputs: ExportTensorInfo[]; outputs: ExportTensorInfo[]; normalization: { scale: number; mean: number[]; std: number[] } };
}
