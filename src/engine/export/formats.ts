/**
 * The export request's checks and the Keras advice, without TensorFlow.js, so that the CLI checks a request
 * before any engine starts (the extension, which imports nothing from the engine, uses KERAS_CONVERSION).
 */
import { EXPORT_CHECKPOINTS, EXPORT_FORMATS, KERAS_CONVERSION } from '../../protocol/engineTypes';

/** One line: how to get a Keras file from the TensorFlow.js folder (no maintained Keras writer exists for Node.js). */
export function kerasAdvice(run = 'RUN'): string {
  return (
    'no maintained writer of Keras files (.keras, H5) exists for Node.js: export the TensorFlow.js folder and convert it with Python, ' +
    `dl-lab export ${run} --format tfjs --out model-tfjs && ${KERAS_CONVERSION} ` +
    '(pip install tensorflowjs; layers of the dl-lab library have no Keras class)'
  );
}

/** What is wrong with a request's format and checkpoint, in one line, or undefined. */
export function checkExportParams(params: { format?: unknown; checkpoint?: unknown }): string | undefined {
  if (!(EXPORT_FORMATS as readonly unknown[]).includes(params.format)) return `format must be ${EXPORT_FORMATS.join(', ')}, got ${JSON.stringify(params.format)}`;
  if (params.checkpoint !== undefined && !(EXPORT_CHECKPOINTS as readonly unknown[]).includes(params.checkpoint)) {
    return `checkpoint must be ${EXPORT_CHECKPOINTS.join(' or ')}, got ${JSON.stringify(params.checkpoint)}`;
  }
  return undefined;
}
