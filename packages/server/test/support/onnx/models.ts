// Dense test models built in code: a linear layer, an MLP, a deep tunable-cost stack, and a two-input model.
import { encodeModel, floatTensor, node, randomFloats, valueInfo } from '../../../src/kernel/onnx/graph.ts';

export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  /** Row-major [inFeatures, outFeatures]; random from `seed` when absent. */
  weights?: Float32Array;
  /** [outFeatures]; random from `seed + 1` when absent. */
  bias?: Float32Array;
  seed?: number;
}

export interface LinearModel {
  bytes: Buffer;
  weights: Float32Array;
  bias: Float32Array;
}

/** Input `x` FP32 [-1, in], output `y` FP32 [-1, out] = x·W + b. */
export const linearModel = (o: LinearOptions): LinearModel => {
  const seed = o.seed ?? 1;
  const weights = o.weights ?? randomFloats(o.inFeatures * o.outFeatures, seed);
  const bias = o.bias ?? randomFloats(o.outFeatures, seed + 1);
  if (weights.length !== o.inFeatures * o.outFeatures) throw new Error('weights must hold in × out floats');
  if (bias.length !== o.outFeatures) throw new Error('bias must hold out floats');
  const bytes = encodeModel({
    name: 'linear',
    inputs: [valueInfo('x', 'FP32', ['batch', o.inFeatures])],
    outputs: [valueInfo('y', 'FP32', ['batch', o.outFeatures])],
    initializers: [
      floatTensor('W', [o.inFeatures, o.outFeatures], weights),
      floatTensor('b', [o.outFeatures], bias),
    ],
    nodes: [node('MatMul', ['x', 'W'], ['xw']), node('Add', ['xw', 'b'], ['y'])],
  });
  return { bytes, weights, bias };
};

export interface MlpModel {
  bytes: Buffer;
  /** One entry per layer: weights row-major [dims[i], dims[i+1]] and bias [dims[i+1]]. */
  layers: { weights: Float32Array; bias: Float32Array }[];
}

/**
 * Input `x` FP32 [-1, dims[0]], output `y` FP32 [-1, dims.at(-1)]; ReLU between layers, none after the last.
 * Weights are uniform in ±1/√fan-in so activations stay near unit scale at any depth.
 */
export const mlpModel = (dims: readonly number[], seed = 1): MlpModel => {
  if (dims.length < 2) throw new Error('an MLP needs at least an input and an output size');
  const layers: MlpModel['layers'] = [];
  const initializers = [];
  const nodes = [];
  let prev = 'x';
  for (let i = 0; i + 1 < dims.length; i++) {
    const [fanIn, fanOut] = [dims[i], dims[i + 1]];
    const weights = randomFloats(fanIn * fanOut, seed * 1000 + 2 * i, 1 / Math.sqrt(fanIn));
    const bias = randomFloats(fanOut, seed * 1000 + 2 * i + 1, 0.1);
    layers.push({ weights, bias });
    initializers.push(floatTensor(`W${i}`, [fanIn, fanOut], weights), floatTensor(`b${i}`, [fanOut], bias));
    const last = i + 2 === dims.length;
    const out = last ? 'y' : `h${i}`;
    nodes.push(node('MatMul', [prev, `W${i}`], [`mm${i}`]));
    if (last) nodes.push(node('Add', [`mm${i}`, `b${i}`], [out]));
    else nodes.push(node('Add', [`mm${i}`, `b${i}`], [`z${i}`]), node('Relu', [`z${i}`], [out]));
    prev = out;
  }
  const bytes = encodeModel({
    name: 'mlp',
    inputs: [valueInfo('x', 'FP32', ['batch', dims[0]])],
    outputs: [valueInfo('y', 'FP32', ['batch', dims[dims.length - 1]])],
    initializers,
    nodes,
  });
  return { bytes, layers };
};

/**
 * Input `x` FP32 [-1, dim], output `y` FP32 [-1, dim] = tanh(…tanh(x·W)·W…) with one shared W, `depth` times.
 * A tiny artifact whose cost per row grows with `depth`: the way to make a run last long without big files.
 */
export const deepModel = (o: { dim: number; depth: number; seed?: number }): Buffer => {
  const weights = randomFloats(o.dim * o.dim, o.seed ?? 7, 1 / Math.sqrt(o.dim));
  const nodes = [];
  let prev = 'x';
  for (let i = 0; i < o.depth; i++) {
    const out = i + 1 === o.depth ? 'y' : `h${i}`;
    nodes.push(node('MatMul', [prev, 'W'], [`m${i}`]), node('Tanh', [`m${i}`], [out]));
    prev = out;
  }
  return encodeModel({
    name: 'deep',
    inputs: [valueInfo('x', 'FP32', ['batch', o.dim])],
    outputs: [valueInfo('y', 'FP32', ['batch', o.dim])],
    initializers: [floatTensor('W', [o.dim, o.dim], weights)],
    nodes,
  });
};

/** Inputs `a`, `b` FP32 [-1, 4]; outputs `sum` = a + b and `prod` = a * b. */
export const twoInputModel = (): Buffer =>
  encodeModel({
    name: 'two_input',
    inputs: [valueInfo('a', 'FP32', ['batch', 4]), valueInfo('b', 'FP32', ['batch', 4])],
    outputs: [valueInfo('sum', 'FP32', ['batch', 4]), valueInfo('prod', 'FP32', ['batch', 4])],
    nodes: [node('Add', ['a', 'b'], ['sum']), node('Mul', ['a', 'b'], ['prod'])],
  });
