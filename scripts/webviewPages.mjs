// The webview pages: dist/webviews/<name>.js (and .css) is bundled from each entry. The extension loads
// them by these names; the protocol's tests read the entries to find what each page posts.
export const WEBVIEW_PAGES = {
  datasetPreview: 'webviews/datasetPreview/main.ts',
  dashboard: 'webviews/dashboard/main.ts',
  modelSummary: 'webviews/inspection/modelSummary.ts',
  featureMaps: 'webviews/inspection/featureMaps.ts',
  filters: 'webviews/inspection/filters.ts',
  equivariance: 'webviews/inspection/equivariance.ts',
  evaluation: 'webviews/evaluation/main.ts',
  anomaly: 'webviews/anomaly/main.ts',
};
