/**
 * The `dl-lab` module that model files import (`import { layers as dl, losses } from 'dl-lab'`); the engine
 * hands it to them as it hands them its own TensorFlow.js (src/engine/model/modelFile.ts).
 */
import { losses } from '../training/losses';
import { layers } from './index';

export const dlLabModule = { layers, losses };
