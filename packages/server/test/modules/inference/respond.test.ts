// The answer's text (respond.ts), written in one buffer, against the same answer composed from strings as the
// writer did before: JSON.stringify for the envelope and every non-FP32 array, float32ArrayText for FP32 data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float32ArrayText } from '../../../src/modules/inference/float-text.ts';
import { stringifyInferResponse } from '../../../src/modules/inference/respond.ts';
import type { InferViewsBody, ViewOutput } from '../../../src/modules/inference/schemas.ts';
import { randomFloats } from '../../support/onnx/index.ts';

const floatText = (v: number): string =>
  Number.isFinite(v) ? JSON.stringify(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';

/** The text of one output as strings make it (the writer before this one). */
const reference = ({ data, ...rest }: ViewOutput): string => {
  const head = JSON.stringify(rest);
  if (data === undefined) return head;
  const values =
    Array.isArray(data) || (rest.datatype === 'FP32' && data instanceof Float32Array)
      ? data
      : Array.from(data);
  let text: string;
  if (rest.datatype === 'FP32' && (values instanceof Float32Array || typeof values[0] === 'number'))
    text = float32ArrayText(values as ArrayLike<number>);
  else if (values.length === 0) text = '[]';
  else if (typeof values[0] === 'bigint') text = `[${(values as bigint[]).join(',')}]`;
  else if (typeof values[0] !== 'number') text = JSON.stringify(values);
  else {
    text = JSON.stringify(values);
    if (text.includes('null')) text = `[${(values as number[]).map(floatText).join(',')}]`;
  }
  return `${head.slice(0, -1)},"data":${text}}`;
};

const referenceAnswer = ({ outputs, ...rest }: InferViewsBody): string =>
  `${JSON.stringify(rest).slice(0, -1)},"outputs":[${outputs.map(reference).join(',')}]}`;

test('answers are the text the string-built writer made, for every kind of output and id', () => {
  const ids = [undefined, 'req-1', 'é€😀 naïve', 'quote " and \\ and \n', '\ud800 lone'];
  const outputs: ViewOutput[] = [
    { name: 'y', datatype: 'FP32', shape: [2, 3], data: randomFloats(6, 1) },
    { name: 'y', datatype: 'FP32', shape: [1, 3], data: [0.5, -0, 1e-45] },
    {
      name: 'nan',
      datatype: 'FP32',
      shape: [3],
      data: Float32Array.from([Number.NaN, Number.POSITIVE_INFINITY, -1]),
    },
    { name: 'empty', datatype: 'FP32', shape: [0, 4], data: [] },
    { name: 'big', datatype: 'FP32', shape: [1, 5_000], data: randomFloats(5_000, 2) },
    { name: 'i64', datatype: 'INT64', shape: [2], data: BigInt64Array.from([2n ** 62n, -5n]) },
    { name: 'f64', datatype: 'FP64', shape: [2], data: [0.1 + 0.2, Number.NaN] },
    { name: 'i32', datatype: 'INT32', shape: [3], data: Int32Array.from([1, -2, 3]) },
    { name: 'bytes', datatype: 'BYTES', shape: [2], data: ['a', 'ü "x"'] },
    { name: 'bool', datatype: 'BOOL', shape: [2], data: [true, false] },
    { name: 'nodata', datatype: 'FP32', shape: [1], parameters: { binary_data_size: 4 } },
    { name: 'ñame', datatype: 'FP16', shape: [1], data: Uint16Array.from([15360]) },
  ];
  for (const id of ids)
    for (let i = 0; i < outputs.length; i++) {
      const body = {
        model_name: 'mødel',
        model_version: '3',
        ...(id === undefined ? {} : { id }),
        outputs: [outputs[i], outputs[(i + 5) % outputs.length]],
      } as InferViewsBody;
      assert.equal(stringifyInferResponse(body), referenceAnswer(body), `${id} ${outputs[i].name}`);
    }
});

test('an answer larger than the kept scratch buffer is written whole, and the next one is still right', () => {
  const big = {
    model_name: 'm',
    model_version: '1',
    outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 100_000], data: randomFloats(100_000, 4) }],
  } as InferViewsBody;
  const small = {
    model_name: 'm',
    model_version: '1',
    outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 2], data: Float32Array.from([1, 2]) }],
  } as InferViewsBody;
  assert.equal(stringifyInferResponse(big), referenceAnswer(big));
  assert.equal(
    stringifyInferResponse(small),
    '{"model_name":"m","model_version":"1","outputs":[{"name":"y","datatype":"FP32","shape":[1,2],"data":[1,2]}]}',
  );
  assert.deepEqual(
    Float32Array.from(JSON.parse(stringifyInferResponse(big)).outputs[0].data),
    big.outputs[0].data,
  );
});
