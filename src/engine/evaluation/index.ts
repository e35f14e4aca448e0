/** Evaluation and anomaly detection on a run's checkpoint (the engine's `eval/*` requests). */
export { detectAnomalies } from './anomaly';
export { evaluateRun } from './evaluate';
