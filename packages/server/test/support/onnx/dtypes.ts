// Test models for datatypes other than FP32: an identity for any type, and one that computes on INT32/FP64/BOOL.
import { type ElemName, encodeModel, node, valueInfo } from '../../../src/kernel/onnx/graph.ts';

/** Input `x` of `datatype` [-1, width], output `y` = x (BYTES is an ONNX string tensor). */
export const identityModel = (datatype: ElemName, width = 3): Buffer =>
  encodeModel({
    name: `identity_${datatype.toLowerCase()}`,
    inputs: [valueInfo('x', datatype, ['batch', width])],
    outputs: [valueInfo('y', datatype, ['batch', width])],
    nodes: [node('Identity', ['x'], ['y'])],
  });

/**
 * Inputs `i32` INT32 [-1, 3], `f64` FP64 [-1, 2], `flag` BOOL [-1, 1];
 * outputs `i32_twice` = i32 + i32, `f64_squared` = f64 · f64, `flag_not` = ¬flag.
 */
export const mixedTypesModel = (): Buffer =>
  encodeModel({
    name: 'mixed_types',
    inputs: [
      valueInfo('i32', 'INT32', ['batch', 3]),
      valueInfo('f64', 'FP64', ['batch', 2]),
      valueInfo('flag', 'BOOL', ['batch', 1]),
    ],
    outputs: [
      valueInfo('i32_twice', 'INT32', ['batch', 3]),
      valueInfo('f64_squared', 'FP64', ['batch', 2]),
      valueInfo('flag_not', 'BOOL', ['batch', 1]),
    ],
    nodes: [
      node('Add', ['i32', 'i32'], ['i32_twice']),
      node('Mul', ['f64', 'f64'], ['f64_squared']),
      node('Not', ['flag'], ['flag_not']),
    ],
  });

/** A model with a fixed batch dimension (no -1 on dim 0): the engine must not batch it. */
export const fixedBatchModel = (): Buffer =>
  encodeModel({
    name: 'fixed_batch',
    inputs: [valueInfo('x', 'FP32', [2, 2])],
    outputs: [valueInfo('y', 'FP32', [2, 2])],
    nodes: [node('Neg', ['x'], ['y'])],
  });
