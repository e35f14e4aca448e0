/**
 * The typed messages between the extension and its webviews, one module for all of them. Each side
 * validates what it receives with the parsers here: a webview is a web page, and a message that does not
 * have the expected shape is dropped, never acted on.
 *
 * Free of runtime dependencies on `vscode` and on TensorFlow.js: bundled into the extension and into the
 * webview scripts alike.
 */
import type { DataPreviewResult, PreviewImage } from './engine';

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
