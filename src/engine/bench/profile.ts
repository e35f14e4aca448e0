/**
 * Per-kernel time of a training step, from tf.profile. Other processes share the CPU, so each kernel
 * invocation is taken at its minimum over several profiled steps (a step runs the same kernels in the
 * same order every time), which is what the kernel costs rather than what the scheduler did to it.
 */
import * as tf from '@tensorflow/tfjs';

export interface KernelTime {
  kernel: string;
  msPerStep: number;
  /** Calls per step (0 for the time outside kernels). */
  calls: number;
}

/** Name of the entry that holds the step's time outside any kernel (engine, tape, JS glue). */
export const OUTSIDE_KERNELS = '(outside kernels: tfjs engine, tape, JS)';

async function kernelMs(k: { kernelTimeMs: unknown }): Promise<number> {
  const v = await (k.kernelTimeMs as number | { error: string } | Promise<number | { error: string }>);
  return typeof v === 'number' ? v : 0;
}

/**
 * Profiles `steps` calls of `step` (after the caller's warm-up) and returns milliseconds per step by
 * kernel, most expensive first, plus the time outside kernels (best unprofiled step minus the kernels).
 */
export async function profileStep(step: () => void | Promise<void>, steps: number): Promise<KernelTime[]> {
  let names: string[] | null = null;
  let best: number[] = [];
  let aligned = true;
  for (let s = 0; s < steps; s++) {
    const info = await tf.profile(async () => {
      await step();
    });
    // Ops built from other ops (customGrad wrappers such as fusedConv2d__op) include their kernels' time.
    const kernels = info.kernels.filter((k) => !k.name.endsWith('__op'));
    const times = await Promise.all(kernels.map(kernelMs));
    const seq = kernels.map((k) => k.name);
    if (names === null) {
      names = seq;
      best = times;
    } else if (seq.length === names.length && seq.every((n, i) => n === names![i])) {
      for (let i = 0; i < times.length; i++) best[i] = Math.min(best[i], times[i]);
    } else {
      aligned = false;
    }
  }
  let wall = Infinity;
  for (let s = 0; s < Math.max(3, steps); s++) {
    const t = performance.now();
    await step();
    wall = Math.min(wall, performance.now() - t);
  }
  const byKernel = new Map<string, { ms: number; calls: number }>();
  (names ?? []).forEach((n, i) => {
    const k = byKernel.get(n) ?? { ms: 0, calls: 0 };
    byKernel.set(n, { ms: k.ms + best[i], calls: k.calls + 1 });
  });
  const out = [...byKernel].map(([kernel, k]) => ({ kernel, msPerStep: k.ms, calls: k.calls })).sort((a, b) => b.msPerStep - a.msPerStep);
  const inKernels = out.reduce((s, k) => s + k.msPerStep, 0);
  if (aligned && Number.isFinite(wall)) out.push({ kernel: OUTSIDE_KERNELS, msPerStep: Math.max(0, wall - inKernels), calls: 0 });
  return out.map((k) => ({ ...k, msPerStep: Math.round(k.msPerStep * 1000) / 1000 }));
}
