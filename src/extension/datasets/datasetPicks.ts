/**
 * The dataset quick pick's entries. Pure (no `vscode`), tested in test/extension/pickEntries.test.ts;
 * src/extension/models/pickers.ts does the UI.
 */

/** Synthetic datasets the engine generates in memory, with what the pick says about them. */
export const SYNTHETIC_DATASETS: { id: string; detail: string }[] = [
  { id: 'synthetic:shapes', detail: 'Generated 28×28 images of shapes; nothing to download' },
];

export const BROWSE_DATASET = 'browse';

export interface DatasetPickEntry {
  label: string;
  description?: string;
  detail?: string;
  /** The `data` argument of train/start, or BROWSE_DATASET for "Choose a File or Folder…". */
  value: string;
}

/**
 * The configured default first (marked as such), then the other synthetic datasets, then the entry that
 * opens a file dialog.
 */
export function datasetPickEntries(defaultDataset: string | undefined): DatasetPickEntry[] {
  const entries: DatasetPickEntry[] = [];
  const preferred = defaultDataset?.trim() || SYNTHETIC_DATASETS[0].id;
  const known = SYNTHETIC_DATASETS.find((d) => d.id === preferred);
  entries.push({ label: preferred, description: 'default (dlLab.defaultDataset)', detail: known?.detail, value: preferred });
  for (const dataset of SYNTHETIC_DATASETS) {
    if (dataset.id !== preferred) entries.push({ label: dataset.id, detail: dataset.detail, value: dataset.id });
  }
  entries.push({
    label: '$(folder-opened) Choose a File or Folder…',
    detail: 'A dataset file or folder on disk',
    value: BROWSE_DATASET,
  });
  return entries;
}
