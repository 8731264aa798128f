// A lookup-table model that fails on some inputs: y = table[idx], and an index past the table is a run error.
import { encodeModel, floatTensor, node, randomFloats, valueInfo } from '../../../src/kernel/onnx/graph.ts';

/**
 * Input `idx` INT64 [-1, 1], output `y` FP32 [-1, 1, width] = rows of a random table of `rows` rows.
 * onnxruntime refuses an index ≥ rows at run time, so a small table makes a version that fails on those inputs
 * while another version with a larger table answers them.
 */
export const lookupModel = (rows: number, width = 3, seed = 1): Buffer =>
  encodeModel({
    name: 'lookup',
    inputs: [valueInfo('idx', 'INT64', ['batch', 1])],
    outputs: [valueInfo('y', 'FP32', ['batch', 1, width])],
    initializers: [floatTensor('table', [rows, width], randomFloats(rows * width, seed))],
    nodes: [node('Gather', ['table', 'idx'], ['y'], { axis: 0 })],
  });
