/** Inspection of a model for one sample: feature maps, filters, equivariance (the inspect/* requests). */
export { equivariance } from './equivariance';
export { featureMaps } from './featureMaps';
export { filters } from './filters';
export { clearInspectCache, InspectError, InspectQueue } from './source';
export { decodeTensor, dequantize, encodeFloat32, encodeUint8, quantizePerChannel } from './encode';
