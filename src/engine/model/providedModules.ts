/**
 * The modules a model file gets from the engine rather than from disk (modelFile.ts gives their values) and
 * whose types the TypeScript server plugin supplies (src/tsPlugin/plugin.ts). No imports: the plugin loads
 * this inside tsserver, where TensorFlow.js must not be.
 */
export const PROVIDED_MODULES = ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', 'dl-lab'] as const;
export type ProvidedModule = (typeof PROVIDED_MODULES)[number];
