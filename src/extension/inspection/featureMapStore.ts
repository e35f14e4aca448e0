/**
 * The last feature maps computed for each model file (by the Feature Maps view), so that hovering a layer
 * line can show that layer's maps for the sample the user chose last. No `vscode`: a plain store with a
 * change event.
 */
import type { FeatureMapsResult } from '../../protocol/engineTypes';

type Listener = (modelFile: string) => void;

export class FeatureMapStore {
  private readonly byModel = new Map<string, FeatureMapsResult>();
  private readonly listeners = new Set<Listener>();

  /** Keyed by the model file's absolute path (result.modelFile). */
  set(result: FeatureMapsResult): void {
    this.byModel.set(result.modelFile, result);
    for (const listener of [...this.listeners]) listener(result.modelFile);
  }

  get(modelFile: string): FeatureMapsResult | undefined {
    return this.byModel.get(modelFile);
  }

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}
