/**
 * Training kernels for the TensorFlow.js wasm backend: the gradient kernels it lacks, and faster
 * replacements for the slow ones it has. `registerWasmTrainingKernels()` is idempotent; call it after the
 * wasm backend is registered (importing @tensorflow/tfjs-backend-wasm does that).
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilter, conv2DBackpropInput } from './conv2d';
import { depthwiseConv2dNativeBackpropFilter, depthwiseConv2dNativeBackpropInput } from './depthwise';
import { batchMatMul } from './matmul';
import { identity, sum, tanh } from './elementwise';
import { avgPoolGrad, maxPoolGrad } from './pool';
import { registerWasmKernel } from './util';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD, batchNormTraining, batchNormTrainingGrad, batchNormTrainingGradConfig } from './batchNorm';
import { installFusedBatchNorm } from './batchNormLayer';

/** Kernels this module registers, by name: the ones wasm lacks, then the ones it replaces. */
export const WASM_ADDED_KERNELS = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  BATCH_NORM_TRAINING,
  BATCH_NORM_TRAINING_GRAD,
] as const;
export const WASM_REPLACED_KERNELS = [
  'Conv2DBackpropInput',
  'MaxPoolGrad',
  'AvgPoolGrad',
  'BatchMatMul',
  'Tanh',
  'Identity',
  'Sum',
] as const;

export { withInputGradientSkipped } from './hints';

let registered = false;

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  const kernels: Record<string, tf.KernelFunc> = {
    Conv2DBackpropFilter: conv2DBackpropFilter as unknown as tf.KernelFunc,
    Conv2DBackpropInput: conv2DBackpropInput as unknown as tf.KernelFunc,
    DepthwiseConv2dNativeBackpropFilter: depthwiseConv2dNativeBackpropFilter as unknown as tf.KernelFunc,
    DepthwiseConv2dNativeBackpropInput: depthwiseConv2dNativeBackpropInput as unknown as tf.KernelFunc,
    MaxPoolGrad: maxPoolGrad as unknown as tf.KernelFunc,
    AvgPoolGrad: avgPoolGrad as unknown as tf.KernelFunc,
    BatchMatMul: batchMatMul as unknown as tf.KernelFunc,
    Tanh: tanh as unknown as tf.KernelFunc,
    Identity: identity as unknown as tf.KernelFunc,
    Sum: sum as unknown as tf.KernelFunc,
    [BATCH_NORM_TRAINING]: batchNormTraining as unknown as tf.KernelFunc,
    [BATCH_NORM_TRAINING_GRAD]: batchNormTrainingGrad as unknown as tf.KernelFunc,
  };
  for (const [name, fn] of Object.entries(kernels)) registerWasmKernel(name, fn);
  tf.registerGradient(batchNormTrainingGradConfig);
  // BatchNormalization layers in training use the two kernels above (on wasm only).
  installFusedBatchNorm();
  registered = true;
}
