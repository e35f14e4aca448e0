/**
 * The messages between the extension and its webviews, one schema each (valibot): the types and the checks
 * both derive from it, so a field cannot be typed and left unchecked.
 *
 * - Page -> extension (`*Action`): strict. A webview is a web page; the extension acts only on a message
 *   whose every field is known and has the right type and range (`parse*Action`, one line naming the field
 *   that is wrong otherwise).
 * - Extension -> page (`*Update`): typed from the same schemas. Only the extension can post to its pages,
 *   so the pages take these types with `import type` and valibot never lands in a page bundle; the
 *   `parse*Update` checks hold the extension's messages to the schema in the tests.
 *
 * The extension imports this module; the engine, the CLI and the pages (types only) never load it.
 */
import * as v from 'valibot';
import {
  ANOMALY_METHODS,
  CHECKPOINT_CHOICES,
  EVAL_CHECKPOINTS,
  EVAL_SPLITS,
  MAX_PROBE_SHIFT,
  POINT_KINDS,
  RUN_STATUSES,
  SHIFT_AXES,
  SHIFT_MODES,
  TRAIN_EVENT_KINDS,
  type DataPreviewResult,
  type EncodedTensor,
  type EvaluatedSample,
  type EquivarianceResult,
  type FeatureMapsResult,
  type FiltersResult,
  type MetricPoint,
  type ModelSummary,
  type SampleChoice,
  type SweepTag,
  type TrainEventParams,
} from './engineTypes';

// ---------------------------------------------------------------------------------------------------
// Building blocks

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
/** A 1-based line of the model file. */
const line = v.pipe(v.number(), v.integer(), v.minValue(1));
const lineOrNull = v.nullable(line);
const finite = v.pipe(v.number(), v.finite());
/** Any number, NaN included: a layer's values are whatever the model computes. */
const anyNumber = v.custom<number>((x) => typeof x === 'number', 'Invalid type: Expected number');
/** A number, or null (JSON's NaN and ±Infinity). */
const numberOrNull = v.nullable(anyNumber);
const numbers = v.array(anyNumber);
const strings = v.array(v.string());
const shortString = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));
const MAX_ID = 500;
const runId = v.pipe(shortString, v.maxLength(MAX_ID));
/** Base64, nothing else (it goes into a data: URL or is decoded into an array). */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const base64 = (maxLength: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(maxLength), v.regex(BASE64, 'Invalid format: Expected base64'));
const checkpoint = v.picklist(CHECKPOINT_CHOICES);

/** The first issue as one line: where (the field's path) and what is wrong, cut short for a log. */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const where = v.getDotPath(issue);
  const what = issue.expected === 'never' && where ? `unknown field "${where}"` : where ? `${where}: ${issue.message}` : issue.message;
  return what.length > 300 ? `${what.slice(0, 300)}…` : what;
}

/**
 * A parser for one schema: the message (a new object holding only what the schema knows), or undefined when
 * it is not one; `problem` hears why, naming the field.
 */
function parser<S extends v.GenericSchema>(schema: S) {
  return (message: unknown, problem?: (why: string) => void): v.InferOutput<S> | undefined => {
    const result = v.safeParse(schema, message, { abortEarly: true });
    if (result.success) return result.output;
    problem?.(describeIssue(result.issues[0]));
    return undefined;
  };
}

/** A message without fields: `{ type }` and nothing else. */
const bare = <T extends string>(type: T) => v.strictObject({ type: v.literal(type) });
const ready = bare('ready');
const refresh = bare('refresh');
const pickData = bare('pickData');
/** Show this line of the model file in the editor. */
const reveal = v.strictObject({ type: v.literal('reveal'), line });

/**
 * An engine result inside a message: the schema checks what a page relies on (shapes, lengths, the bytes of
 * each tensor), and the type is the engine protocol's.
 */
const engineResult = <T>(schema: v.GenericSchema) => schema as unknown as v.GenericSchema<T>;

/** True when A and B are the same type: a schema that restates a protocol type is checked against it. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// ---------------------------------------------------------------------------------------------------
// Dataset preview (src/extension/datasets/datasetPreview.ts <-> webviews/datasetPreview/)

const previewImage = v.looseObject({ index: count, width: count, height: count, png: base64(4_000_000 - 1) });

const datasetPreview = engineResult<DataPreviewResult>(
  v.looseObject({
    summary: v.pipe(
      v.looseObject({
        source: v.string(),
        format: v.string(),
        count,
        splits: v.record(v.string(), count),
        classes: strings,
        classCounts: v.array(count),
        shape: numbers,
        mean: numbers,
        std: numbers,
        warnings: strings,
      }),
      v.check((s) => s.classes.length === s.classCounts.length, 'classes and classCounts differ in length'),
    ),
    seed: count,
    classes: v.array(v.looseObject({ index: count, name: v.string(), count, samples: v.array(previewImage) })),
    note: v.optional(v.string()),
    augmentation: v.optional(
      v.looseObject({
        description: v.string(),
        origin: v.picklist(['dataset', 'default']),
        classIndex: count,
        original: previewImage,
        augmented: v.array(previewImage),
      }),
    ),
  }),
);

const datasetPreviewUpdate = v.variant('type', [
  /** Reading the dataset (first load, or Shuffle). */
  v.object({ type: v.literal('loading'), name: v.string(), seed: count }),
  v.object({ type: v.literal('preview'), name: v.string(), spec: v.string(), preview: datasetPreview }),
  v.object({ type: v.literal('error'), name: v.string(), message: v.string() }),
]);
/** Extension -> dataset preview. */
export type DatasetPreviewUpdate = v.InferOutput<typeof datasetPreviewUpdate>;
/** A message from the extension to the dataset preview, or undefined when it is not one. */
export const parseDatasetPreviewUpdate = parser(datasetPreviewUpdate);

const datasetPreviewAction = v.variant('type', [
  /** The page has loaded and listens: send it the preview. */
  ready,
  /** Other samples (a new seed). */
  bare('shuffle'),
  /** Train a Model on This Dataset. */
  bare('train'),
  bare('copySpec'),
]);
/** Dataset preview -> extension. */
export type DatasetPreviewAction = v.InferOutput<typeof datasetPreviewAction>;
/** A message from the dataset preview, or undefined when it is not one (to be ignored). */
export const parseDatasetPreviewAction = parser(datasetPreviewAction);

// ---------------------------------------------------------------------------------------------------
// Training dashboard (src/extension/dashboard/ <-> webviews/dashboard/)

/** run.json's `sweep`: the sweep a run belongs to and the settings it gave the run (the sweep chart's axes). */
const sweepTag = v.object({ id: runId, params: v.record(v.string(), v.union([finite, v.string(), v.boolean()])) });
true satisfies Same<v.InferOutput<typeof sweepTag>, SweepTag>;

/** One run as the dashboard's header shows it. */
const dashboardRun = v.object({
  runId,
  runDir: shortString,
  /** The model file's name, e.g. `lenet.model.ts`. */
  model: v.string(),
  data: v.string(),
  status: v.picklist(RUN_STATUSES),
  backend: v.optional(v.string()),
  /** The epoch being trained (running) or the last one completed. */
  epoch: v.optional(count),
  epochs: v.optional(count),
  batchesPerEpoch: v.optional(count),
  samplesPerSec: v.optional(finite),
  /** Estimated seconds left, while it runs and once there is an estimate. */
  timeLeftSec: v.optional(finite),
  learningRate: v.optional(finite),
  error: v.optional(v.string()),
  /** Milliseconds since the Unix epoch. */
  startTime: finite,
  /** The Stop button can reach it from this window. */
  stoppable: v.boolean(),
  sweep: v.optional(sweepTag),
});
export type DashboardRun = v.InferOutput<typeof dashboardRun>;

/** One line of metrics.jsonl (kind batch or epoch), non-finite values left out. */
const dashboardPoint = v.object({
  kind: v.picklist(POINT_KINDS),
  epoch: count,
  step: count,
  time: finite,
  loss: finite,
  acc: v.optional(finite),
  val_loss: v.optional(finite),
  val_acc: v.optional(finite),
});
/** A point of the charts is a MetricPoint (engineTypes.ts), the one declaration of a metric point. */
export type DashboardPoint = MetricPoint;
true satisfies Same<v.InferOutput<typeof dashboardPoint>, DashboardPoint>;

/** Where a callback acted (a metrics.jsonl record of kind 'event'). */
const dashboardMarker = v.object({
  kind: v.picklist(TRAIN_EVENT_KINDS),
  epoch: count,
  step: count,
  time: finite,
  message: v.string(),
  metric: v.optional(v.string()),
  value: v.optional(finite),
});
/** A train/event notification without the run (the marker is drawn on its run's chart) or the learning rate. */
export type DashboardMarker = Omit<TrainEventParams, 'runId' | 'learningRate'>;
true satisfies Same<v.InferOutput<typeof dashboardMarker>, DashboardMarker>;

/** Extension -> dashboard. Points only ever arrive as appends of what the page has not seen yet. */
const dashboardUpdate = v.variant('type', [
  /** The runs shown, in colour order: sent first, and when the set changes. */
  v.object({ type: v.literal('runs'), runs: v.array(dashboardRun) }),
  /** One run's header changed (status, epoch, samples/s, time left). */
  v.object({ type: v.literal('run'), run: dashboardRun }),
  /** The points and markers of a run since the last append. */
  v.object({ type: v.literal('append'), runId: shortString, points: v.array(dashboardPoint), markers: v.array(dashboardMarker) }),
  /** The run's metrics file was rewritten from the start: drop its points (appends follow). */
  v.object({ type: v.literal('reset'), runId: shortString }),
]);
export type DashboardUpdate = v.InferOutput<typeof dashboardUpdate>;
/** A message from the extension to the dashboard, or undefined when it is not one. */
export const parseDashboardUpdate = parser(dashboardUpdate);

const dashboardAction = v.variant('type', [
  /** The page has loaded and listens: send it everything (it has nothing). */
  ready,
  v.strictObject({ type: v.literal('stop'), runId }),
  /** The charts as one PNG (base64), to save where the user says. */
  v.strictObject({ type: v.literal('exportPng'), png: base64(40_000_000 - 1) }),
  /** The runs' metrics as CSV, to save where the user says (the extension writes it from metrics.jsonl). */
  bare('exportCsv'),
  /** Evaluate Run on this run (the Evaluation view). */
  v.strictObject({ type: v.literal('evaluate'), runId }),
]);
/** Dashboard -> extension. */
export type DashboardAction = v.InferOutput<typeof dashboardAction>;
/** A message from the dashboard, or undefined when it is not one (to be ignored). */
export const parseDashboardAction = parser(dashboardAction);

const xAxis = v.picklist(['step', 'epoch', 'time']);
export type DashboardXAxis = v.InferOutput<typeof xAxis>;
/** An option of the saved state: a value that is not one is dropped (the page's default applies). */
const option = <S extends v.GenericSchema>(schema: S) => v.fallback(v.optional(schema), undefined);

/** What the page keeps with vscode.setState, and the panel serializer gets back after a window reload. */
const dashboardState = v.object({
  runDirs: v.pipe(v.array(shortString), v.minLength(1)),
  xAxis: option(xAxis),
  logScale: option(v.boolean()),
  smoothing: option(v.pipe(v.number(), v.minValue(0), v.ltValue(1))),
  showBatches: option(v.boolean()),
});
export type DashboardState = v.InferOutput<typeof dashboardState>;
const parseState = parser(dashboardState);

/** The dashboard's saved state, or undefined when it is not one (a panel restored from it shows nothing). */
export function parseDashboardState(state: unknown): DashboardState | undefined {
  const parsed = parseState(state);
  // The options that were not valid are left out, not kept as undefined.
  return parsed && (Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined)) as DashboardState);
}

// ---------------------------------------------------------------------------------------------------
// Inspection pages (src/extension/inspection/*Panel.ts <-> webviews/inspection/): model summary, feature
// maps, filters, equivariance probe. Tensors stay base64 of uint8/float32 bytes (EncodedTensor); the
// schemas check that each one's bytes match its shape, so a page never reads past an array.

/** Tensors are at most 256 MiB of base64 (a VGG-16's feature maps at 224×224 come to about 20 MiB). */
const MAX_BASE64 = 256 * 1024 * 1024;

function base64Bytes(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length / 4) * 3 - padding;
}

/** A tensor whose base64 decodes to exactly the bytes its shape and dtype need. */
const encodedTensor = v.pipe(
  v.looseObject({ dtype: v.picklist(['uint8', 'float32']), shape: v.array(count), data: v.pipe(v.string(), v.maxLength(MAX_BASE64)) }),
  v.check((t) => {
    if (t.data.length % 4 !== 0) return false;
    const bytes = t.shape.reduce((a, b) => a * b, 1) * (t.dtype === 'float32' ? 4 : 1);
    return base64Bytes(t.data) === bytes && (bytes === 0 || BASE64.test(t.data));
  }, 'the tensor bytes do not match its shape'),
);
const sameShape = (a: readonly number[], b: readonly number[]) => a.join() === b.join();

/** What an inspection page can choose from: the model, its run (if any), the dataset and its classes. */
const inspectContext = v.object({
  /** The model file's name as shown, e.g. "lenet.model.ts". */
  title: v.string(),
  modelFile: v.string(),
  /** The run inspected (the model file's latest); absent: no run, untrained weights only. */
  run: v.optional(v.object({ runDir: v.string(), label: v.string(), status: v.string(), hasBest: v.boolean() })),
  data: v.string(),
  /** Samples in the dataset, when known. */
  count: v.optional(count),
  classes: strings,
  checkpoint,
  /** Feature maps: refreshing at each epoch end of the model's running run. */
  following: v.optional(v.boolean()),
});
export type InspectContext = v.InferOutput<typeof inspectContext>;

const dims = v.array(v.nullable(count));
const layerSummary = v.looseObject({
  name: v.string(),
  type: v.string(),
  outputShape: v.union([dims, v.array(dims)]),
  params: count,
  trainableParams: count,
  macs: v.pipe(v.number(), v.minValue(0)),
  line: lineOrNull,
  receptiveField: v.nullish(count),
  jump: v.nullish(count),
});
const modelSummary = engineResult<ModelSummary>(
  v.looseObject({
    modelFile: v.string(),
    data: v.optional(v.string()),
    name: v.string(),
    inputShape: numbers,
    numClasses: count,
    layers: v.array(layerSummary),
    totalParams: count,
    trainableParams: count,
    nonTrainableParams: count,
    totalMacs: v.pipe(v.number(), v.minValue(0)),
    macsConvention: v.string(),
  }),
);

const inspectedSample = v.looseObject({
  index: v.nullable(count),
  label: v.nullable(count),
  className: v.nullable(v.string()),
  file: v.optional(v.string()),
  /** What the model sees, for display: uint8 [H, W, C] (before normalisation). */
  image: v.pipe(
    encodedTensor,
    v.check((t) => t.dtype === 'uint8' && t.shape.length === 3 && [1, 3, 4].includes(t.shape[2]), 'an image is uint8 [H, W, 1, 3 or 4]'),
  ),
});

const prediction = v.pipe(
  v.looseObject({ classes: strings, probabilities: v.array(numberOrNull), predicted: count }),
  v.check((p) => p.probabilities.length === p.classes.length, 'one probability per class'),
);

const layerFeatureMap = v.pipe(
  v.looseObject({ layer: v.string(), type: v.string(), line: lineOrNull, shape: v.array(count), data: encodedTensor, min: v.array(numberOrNull), max: v.array(numberOrNull) }),
  v.check((l) => {
    const channels = l.shape[l.shape.length - 1] ?? 1;
    const perChannel = (a: unknown[]) => a.length === channels || a.length === 1;
    return l.data.dtype === 'uint8' && sameShape(l.data.shape, l.shape) && perChannel(l.min) && perChannel(l.max) && l.min.length === l.max.length;
  }, 'a feature map is uint8 in its shape, with a min and max per channel'),
);
const featureMapsResult = engineResult<FeatureMapsResult>(
  v.looseObject({
    modelFile: v.string(),
    runDir: v.optional(v.string()),
    checkpoint,
    data: v.string(),
    sample: inspectedSample,
    layers: v.array(layerFeatureMap),
    // null: an image output (reconstruction, FPI) predicts no class.
    prediction: v.nullable(prediction),
    ms: anyNumber,
  }),
);

const layerFilters = v.pipe(
  v.looseObject({
    layer: v.string(),
    type: v.string(),
    line: lineOrNull,
    kernelShape: v.pipe(v.array(count), v.length(4)),
    kernel: encodedTensor,
    histogram: v.looseObject({ min: numberOrNull, max: numberOrNull, counts: v.array(count) }),
    mean: numberOrNull,
    std: numberOrNull,
  }),
  v.check((l) => l.kernel.dtype === 'float32' && sameShape(l.kernel.shape, l.kernelShape), 'a kernel is float32 in its kernelShape'),
);
const filtersResult = engineResult<FiltersResult>(
  v.looseObject({ modelFile: v.string(), runDir: v.optional(v.string()), checkpoint, layers: v.array(layerFilters) }),
);

const layerEquivariance = v.looseObject({
  layer: v.string(),
  type: v.string(),
  line: lineOrNull,
  jump: v.nullable(count),
  errors: v.array(numberOrNull),
  exact: v.array(v.boolean()),
});
const equivarianceResult = engineResult<EquivarianceResult>(
  v.pipe(
    v.looseObject({
      modelFile: v.string(),
      runDir: v.optional(v.string()),
      checkpoint,
      sample: inspectedSample,
      shifts: numbers,
      axis: v.picklist(SHIFT_AXES),
      mode: v.picklist(SHIFT_MODES),
      layers: v.array(layerEquivariance),
      predictions: v.array(prediction),
      probabilityChange: v.array(numberOrNull),
    }),
    v.check((r) => {
      const n = r.shifts.length;
      return r.predictions.length === n && r.probabilityChange.length === n && r.layers.every((l) => l.errors.length === n && l.exact.length === n);
    }, 'one value per shift'),
  ),
);

/** The inspection pages' own updates: context, loading and error. */
const contextUpdate = v.object({ type: v.literal('context'), context: inspectContext });
const loadingUpdate = v.object({ type: v.literal('loading'), message: v.string() });
const errorUpdate = v.object({ type: v.literal('error'), message: v.string(), line: v.optional(line) });

/** Extension -> model summary. */
const modelSummaryUpdate = v.variant('type', [
  v.object({ type: v.literal('loading'), title: v.string() }),
  v.object({ type: v.literal('summary'), title: v.string(), summary: modelSummary }),
  v.object({ ...errorUpdate.entries, title: v.string() }),
]);
export type ModelSummaryUpdate = v.InferOutput<typeof modelSummaryUpdate>;
export const parseModelSummaryUpdate = parser(modelSummaryUpdate);

/** Model summary -> extension. */
const modelSummaryAction = v.variant('type', [ready, refresh, reveal]);
export type ModelSummaryAction = v.InferOutput<typeof modelSummaryAction>;
export const parseModelSummaryAction = parser(modelSummaryAction);

/** Extension -> feature maps. */
const featureMapsUpdate = v.variant('type', [contextUpdate, loadingUpdate, v.object({ type: v.literal('result'), result: featureMapsResult }), errorUpdate]);
export type FeatureMapsUpdate = v.InferOutput<typeof featureMapsUpdate>;
export const parseFeatureMapsUpdate = parser(featureMapsUpdate);

/** A sample a page may ask for: never an image file (the extension asks the user for one: pickImage). */
const pageSample = v.variant('kind', [
  v.strictObject({ kind: v.literal('index'), index: count }),
  v.strictObject({ kind: v.literal('class'), classIndex: count, seed: v.optional(count) }),
  v.strictObject({ kind: v.literal('random'), seed: count }),
]);
export type PageSampleChoice = v.InferOutput<typeof pageSample>;
true satisfies Same<PageSampleChoice, Exclude<SampleChoice, { kind: 'image' }>>;

/** Feature maps -> extension. */
const featureMapsAction = v.variant('type', [
  ready,
  v.strictObject({ type: v.literal('request'), sample: pageSample, checkpoint }),
  /** Open an image file (a dialog in the extension) and show its maps. */
  v.strictObject({ type: v.literal('pickImage'), checkpoint }),
  /** Choose another dataset (a quick pick in the extension). */
  pickData,
  v.strictObject({ type: v.literal('follow'), on: v.boolean() }),
  reveal,
]);
export type FeatureMapsAction = v.InferOutput<typeof featureMapsAction>;
export const parseFeatureMapsAction = parser(featureMapsAction);

/** Extension -> filters. `right`: the second checkpoint, side by side. */
const filtersUpdate = v.variant('type', [
  contextUpdate,
  loadingUpdate,
  v.object({ type: v.literal('filters'), left: filtersResult, right: v.optional(filtersResult) }),
  errorUpdate,
]);
export type FiltersUpdate = v.InferOutput<typeof filtersUpdate>;
export const parseFiltersUpdate = parser(filtersUpdate);

/** Filters -> extension. */
const filtersAction = v.variant('type', [ready, v.strictObject({ type: v.literal('compare'), left: checkpoint, right: v.nullable(checkpoint) }), reveal]);
export type FiltersAction = v.InferOutput<typeof filtersAction>;
export const parseFiltersAction = parser(filtersAction);

/** Extension -> equivariance probe. */
const equivarianceUpdate = v.variant('type', [contextUpdate, loadingUpdate, v.object({ type: v.literal('result'), result: equivarianceResult }), errorUpdate]);
export type EquivarianceUpdate = v.InferOutput<typeof equivarianceUpdate>;
export const parseEquivarianceUpdate = parser(equivarianceUpdate);

/** Equivariance probe -> extension. */
const equivarianceAction = v.variant('type', [
  ready,
  v.strictObject({
    type: v.literal('probe'),
    sample: pageSample,
    checkpoint,
    /** Shifts 0..maxShift. */
    maxShift: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_PROBE_SHIFT)),
    axis: v.picklist(SHIFT_AXES),
    mode: v.picklist(SHIFT_MODES),
  }),
  pickData,
  reveal,
]);
export type EquivarianceAction = v.InferOutput<typeof equivarianceAction>;
export const parseEquivarianceAction = parser(equivarianceAction);

// ---------------------------------------------------------------------------------------------------
// Evaluation view (src/extension/evaluation/ <-> webviews/evaluation/): a run's saved or fresh eval report
// (EvalReport without its per-sample list: the extension keeps that and sends the samples a view asks for).

const evalSplit = v.picklist(EVAL_SPLITS);
const evalCheckpoint = v.picklist(EVAL_CHECKPOINTS);

/** One evaluated sample (dataset index, true and predicted class, their probabilities). */
const evaluatedSample = v.object({ index: count, label: count, predicted: count, confidence: finite, trueProbability: finite });
true satisfies Same<v.InferOutput<typeof evaluatedSample>, EvaluatedSample>;

/** The run evaluated and the choices the page offers. */
const evaluationContext = v.object({
  runId,
  runDir: v.string(),
  /** The model file's name, e.g. "lenet.model.ts". */
  model: v.string(),
  status: v.string(),
  /** The run kept a best checkpoint (else only last). */
  hasBest: v.boolean(),
  /** The reports saved in the run folder, as "<split>-<checkpoint>". */
  saved: strings,
});
export type EvaluationContext = v.InferOutput<typeof evaluationContext>;

/** What the view draws of a report: everything but the per-sample list, plus the most confident mistakes. */
const evaluationSummary = v.pipe(
  v.object({
    split: evalSplit,
    checkpoint: evalCheckpoint,
    data: v.string(),
    file: v.string(),
    /** Read from the saved file (true) or just computed by the engine. */
    fromFile: v.boolean(),
    normalClasses: v.optional(v.array(count)),
    count,
    loss: numberOrNull,
    accuracy: finite,
    topK: v.nullable(v.object({ k: count, accuracy: finite })),
    classes: strings,
    confusion: v.array(v.array(count)),
    perClass: v.array(v.object({ class: v.string(), precision: finite, recall: finite, f1: finite, support: count })),
    macroF1: finite,
    weightedF1: finite,
    ece: finite,
    reliability: v.array(v.object({ lower: finite, upper: finite, count, accuracy: v.nullable(finite), confidence: v.nullable(finite) })),
    mistakes: v.array(evaluatedSample),
  }),
  v.check((r) => r.confusion.length === r.classes.length && r.confusion.every((row) => row.length === r.classes.length), 'confusion is classes × classes'),
  v.check((r) => r.perClass.length === r.classes.length, 'one perClass entry per class'),
);
export type EvaluationSummary = v.InferOutput<typeof evaluationSummary>;

/** A sample's picture and the model's probabilities for it (from inspect/featureMaps). */
const sampleImage = v.object({
  index: count,
  image: engineResult<EncodedTensor>(inspectedSample.entries.image),
  probabilities: v.array(numberOrNull),
});
export type EvaluationImage = v.InferOutput<typeof sampleImage>;

/** Extension -> evaluation view. */
const evaluationUpdate = v.variant('type', [
  v.object({ type: v.literal('context'), context: evaluationContext }),
  loadingUpdate,
  v.object({ type: v.literal('error'), message: v.string() }),
  v.object({ type: v.literal('report'), report: evaluationSummary }),
  /** The samples of one cell of the matrix (true class `label`, predicted `predicted`), most confident first. */
  v.object({ type: v.literal('gallery'), label: count, predicted: count, total: count, samples: v.array(evaluatedSample) }),
  /** Pictures of samples shown (gallery or mistakes), as they arrive. */
  v.object({ type: v.literal('images'), images: v.array(sampleImage) }),
]);
export type EvaluationUpdate = v.InferOutput<typeof evaluationUpdate>;
export const parseEvaluationUpdate = parser(evaluationUpdate);

/** Evaluation view -> extension. */
const evaluationAction = v.variant('type', [
  ready,
  /** Show this split and checkpoint: the saved report, else the engine's. */
  v.strictObject({ type: v.literal('show'), split: evalSplit, checkpoint: evalCheckpoint }),
  /** Evaluate again with the engine (and save over the report). */
  v.strictObject({ type: v.literal('rerun'), split: evalSplit, checkpoint: evalCheckpoint }),
  /** A cell of the confusion matrix was clicked: its samples. */
  v.strictObject({ type: v.literal('cell'), label: count, predicted: count }),
  /** Open this dataset sample in the Feature Maps view. */
  v.strictObject({ type: v.literal('openSample'), index: count }),
]);
export type EvaluationAction = v.InferOutput<typeof evaluationAction>;
export const parseEvaluationAction = parser(evaluationAction);

// ---------------------------------------------------------------------------------------------------
// Anomaly view (src/extension/anomaly/ <-> webviews/anomaly/): a run's anomaly report as the page draws it
// (histograms, ROC curve and the extreme samples computed by src/extension/anomaly/anomalyModel.ts), then
// the extreme samples' images and, for recon and fpi, their per-pixel maps.

/** A scored sample: dataset index, class, score (higher = more anomalous), whether its class is anomalous. */
const scoredSample = v.object({ index: count, label: count, score: finite, anomalous: v.boolean() });
export type ScoredSample = v.InferOutput<typeof scoredSample>;

const anomalyView = v.object({
  runId,
  method: v.picklist(ANOMALY_METHODS),
  /** The feature layer (mahalanobis, knn), and knn's k. */
  layer: v.optional(v.string()),
  k: v.optional(count),
  split: v.picklist(EVAL_SPLITS),
  checkpoint: v.picklist(EVAL_CHECKPOINTS),
  data: v.string(),
  /** The report's file in the run folder. */
  file: v.string(),
  /** Read from that file (true), or scored by the engine now. */
  saved: v.boolean(),
  auroc: finite,
  auprc: finite,
  fpr95: finite,
  normal: count,
  anomalous: count,
  normalClasses: v.array(count),
  anomalyClasses: v.array(count),
  /** Both groups' counts on the same bins (edges: one more than the counts). */
  histogram: v.pipe(
    v.object({ edges: numbers, normal: v.array(count), anomalous: v.array(count) }),
    v.check((h) => h.normal.length === h.anomalous.length && h.edges.length === (h.normal.length ? h.normal.length + 1 : 0), 'one count per bin of each group, one edge more'),
  ),
  roc: v.pipe(v.object({ fpr: numbers, tpr: numbers }), v.check((r) => r.fpr.length === r.tpr.length, 'one tpr per fpr')),
  /** Highest score first; lowest first. */
  most: v.array(scoredSample),
  least: v.array(scoredSample),
  /** Per-pixel maps follow with the images (recon, fpi). */
  maps: v.boolean(),
});
export type AnomalyView = v.InferOutput<typeof anomalyView>;

/** A shown sample's image (uint8 [H, W, C]) and class name, and its per-pixel map (float32 [H, W]) for recon and fpi. */
const anomalySample = v.object({
  index: count,
  className: v.nullable(v.string()),
  image: engineResult<EncodedTensor>(inspectedSample.entries.image),
  map: v.optional(engineResult<EncodedTensor>(v.pipe(encodedTensor, v.check((t) => t.dtype === 'float32' && t.shape.length === 2, 'a map is float32 [H, W]')))),
});
export type AnomalySample = v.InferOutput<typeof anomalySample>;

/** Extension -> anomaly view. `loading` and `error` are the status line's; a report stays drawn under them. */
const anomalyUpdate = v.variant('type', [
  loadingUpdate,
  v.object({ type: v.literal('error'), message: v.string() }),
  v.object({ type: v.literal('report'), view: anomalyView }),
  v.object({ type: v.literal('samples'), samples: v.array(anomalySample) }),
]);
export type AnomalyUpdate = v.InferOutput<typeof anomalyUpdate>;
export const parseAnomalyUpdate = parser(anomalyUpdate);

/** Anomaly view -> extension. */
const anomalyAction = v.variant('type', [
  ready,
  /** Score again with the engine (saving over the report). */
  bare('rerun'),
]);
export type AnomalyAction = v.InferOutput<typeof anomalyAction>;
export const parseAnomalyAction = parser(anomalyAction);

/** Each page's messages to the extension: its bundle (dist/webviews/<page>.js) -> the kinds it may send. */
export const PAGE_ACTION_KINDS = {
  datasetPreview: kinds(datasetPreviewAction),
  dashboard: kinds(dashboardAction),
  modelSummary: kinds(modelSummaryAction),
  featureMaps: kinds(featureMapsAction),
  filters: kinds(filtersAction),
  equivariance: kinds(equivarianceAction),
  evaluation: kinds(evaluationAction),
  anomaly: kinds(anomalyAction),
} as const;

function kinds(schema: { options: readonly { entries: { type: v.LiteralSchema<string, undefined> } }[] }): string[] {
  return schema.options.map((o) => o.entries.type.literal);
}
