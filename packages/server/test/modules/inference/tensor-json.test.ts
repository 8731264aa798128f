// The fast reader of infer tensor data (tensor-json.ts): the same doubles JSON.parse gives, nothing it would
// refuse accepted, everything outside its fast path left to the ordinary parsers; and through body.ts and
// decode.ts, the same tensors and the same errors (with the failing field) as before it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isQuiverError } from '../../../src/kernel/index.ts';
import { parseInferBody } from '../../../src/modules/inference/body.ts';
import { decodeInputs } from '../../../src/modules/inference/decode.ts';
import { parseExactJson } from '../../../src/modules/inference/exact-json.ts';
import { numericData, parseTensorJson, readNumberArray } from '../../../src/modules/inference/tensor-json.ts';

/** A deterministic pseudo-random generator (mulberry32). */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** Literals of every form the fast path takes: signs, up to 15 digits, exponents within ±22. */
const literals = (count: number, seed: number): string[] => {
  const r = random(seed);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
  return Array.from({ length: count }, () => {
    const sign = r() < 0.4 ? '-' : '';
    const intPart = r() < 0.5 ? '0' : String(1 + Math.floor(r() * 9)) + digits(Math.floor(r() * 5));
    const frac = r() < 0.8 ? `.${digits(1 + Math.floor(r() * (14 - intPart.length)))}` : '';
    const exp =
      r() < 0.3
        ? `${r() < 0.5 ? 'e' : 'E'}${r() < 0.5 ? '-' : r() < 0.5 ? '+' : ''}${Math.floor(r() * 8)}`
        : '';
    return `${sign}${intPart}${frac}${exp}`;
  });
};

const read = (text: string) => readNumberArray(Buffer.from(text), 0);

describe('readNumberArray', () => {
  test('every literal reads as the double JSON.parse gives, bit for bit', () => {
    const all = literals(20_000, 7);
    const got = read(`[${all.join(',')}]`);
    assert.ok(got, 'the fast path took the array');
    const want = JSON.parse(`[${all.join(',')}]`) as number[];
    assert.equal(got.values.length, want.length);
    for (let i = 0; i < want.length; i++)
      assert.ok(Object.is(got.values[i], want[i]), `${all[i]}: ${got.values[i]} ≠ ${want[i]}`);
  });

  test('edge literals: zero signs, significands up to 2^53, the exponent bounds', () => {
    const edges = [
      '0',
      '-0',
      '-0.0',
      '0e5',
      '123456789012345',
      '-999999999999999',
      '9007199254740991',
      '0.1234567890123456',
      '0.123456789012345',
      '1e22',
      '1e-22',
      '9.99999999999999e22',
      '0.1',
      '3.4e-7',
    ];
    const text = `[ ${edges.join(' ,\n\t')} ]`;
    const got = read(text);
    assert.ok(got);
    assert.equal(got.end, text.length);
    const want = JSON.parse(text) as number[];
    for (const [i, v] of want.entries())
      assert.ok(Object.is(got.values[i], v), `${edges[i]}: ${got.values[i]} ≠ ${v}`);
  });

  test('float32: every literal reads as Math.fround of the double JSON.parse gives, bit for bit', () => {
    // The literals above, and the shortest texts of random float32 bit patterns (what float32 clients send).
    const r = random(11);
    const bits = new Uint32Array(20_000).map(() => Math.floor(r() * 2 ** 32));
    const shortest = [...new Float32Array(bits.buffer)]
      .filter((v) => Number.isFinite(v) && Math.abs(v) < 1e20 && (v === 0 || Math.abs(v) > 1e-20))
      .map((v) => {
        for (let p = 1; ; p++) if (Math.fround(Number(v.toPrecision(p))) === v) return v.toPrecision(p);
      })
      .filter((t) => readNumberArray(Buffer.from(`[${t}]`), 0) !== undefined);
    assert.ok(shortest.length > 5_000, `${shortest.length} float32 texts take the fast path`);
    for (const all of [literals(20_000, 9), shortest]) {
      const text = `[${all.join(',')}]`;
      const got = readNumberArray(Buffer.from(text), 0, true);
      assert.ok(got, 'the fast path took the array');
      assert.ok(got.values instanceof Float32Array);
      const want = (JSON.parse(text) as number[]).map(Math.fround);
      assert.equal(got.values.length, want.length);
      for (let i = 0; i < want.length; i++)
        assert.ok(Object.is(got.values[i], want[i]), `${all[i]}: ${got.values[i]} ≠ ${want[i]}`);
    }
  });

  test('FP32 arrays read one after another keep their own values (small ones share a slab)', () => {
    // Enough arrays of sizes around a slab's room to fill several slabs, and ones too large for a slab.
    const sizes = Array.from({ length: 120 }, (_, i) => [1, 7, 384, 1024, 4096, 4097, 9000][i % 7]);
    const texts = sizes.map((n, k) => `[${literals(n, 100 + k).join(',')}]`);
    const got = texts.map((text) => readNumberArray(Buffer.from(text), 0, true));
    texts.forEach((text, k) => {
      const values = got[k]?.values;
      assert.ok(values instanceof Float32Array);
      const want = (JSON.parse(text) as number[]).map(Math.fround);
      assert.deepEqual([...values], want, `array ${k} of ${sizes[k]} values`);
    });
  });

  test('ends after its ] and reads from any start', () => {
    const text = '{"data":[1.5, -2],"x":1}';
    const got = readNumberArray(Buffer.from(text), text.indexOf('['));
    assert.deepEqual([...(got?.values ?? [])], [1.5, -2]);
    assert.equal(text[got?.end ?? 0], ',');
  });

  test('grows past its first guess of room', () => {
    const n = 5_000;
    const got = read(`[${Array.from({ length: n }, (_, i) => i / 4).join(',')}]`);
    assert.equal(got?.values.length, n);
    assert.equal(got?.values[n - 1], (n - 1) / 4);
  });

  test('leaves everything outside its fast path to the ordinary parsers', () => {
    for (const text of [
      '[]',
      '[[1,2],[3,4]]',
      '["a"]',
      '[true]',
      '[null]',
      '[NaN]',
      '[Infinity]',
      '[9007199254740993]', // beyond 2^53: an INT64 value the exact parser keeps
      '[0.10000000149011612]', // 17 significant digits
      '[1e23]',
      '[3.4028234e38]', // 10^31 is not exact: JSON.parse rounds it
      '[5e-324]',
      '[1e400]',
    ])
      assert.equal(read(text), undefined, text);
  });

  test('refuses malformed numbers and arrays, so JSON.parse can name the error', () => {
    for (const text of [
      '[01]',
      '[-01.5]',
      '[1.]',
      '[.5]',
      '[1e]',
      '[1e+]',
      '[+1]',
      '[--1]',
      '[-]',
      '[1,]',
      '[1 2]',
      '[1,2',
      '[1;2]',
      '[0x10]',
    ])
      assert.equal(read(text), undefined, text);
  });
});

const body = (data: string, datatype = 'FP32', shape = '[1, 3]') =>
  `{"inputs":[{"name":"x","datatype":"${datatype}","shape":${shape},"data":${data}}]}`;

/** An infer body as the route reads it: its UTF-8 bytes. */
const parseInferText = (text: string) => parseInferBody(Buffer.from(text));

const failure = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    assert.ok(isQuiverError(error), String(error));
    return error;
  }
  assert.fail('no error');
};

describe('parsing and decoding infer bodies with the fast reader', () => {
  test('a flat numeric data array becomes a placeholder the decoder reads typed', () => {
    const parsed = parseTensorJson(Buffer.from(body('[0.5, -1, 2e1]'))) as { inputs: { data: unknown[] }[] };
    assert.deepEqual(parsed.inputs[0].data, []);
    assert.deepEqual([...(numericData(parsed.inputs[0].data) ?? [])], [0.5, -1, 20]);
    const tensors = decodeInputs((parseInferText(body('[0.5, -1, 2e1]')) as { inputs: never }).inputs);
    assert.deepEqual(tensors.x.shape, [1, 3]);
    assert.ok(tensors.x.data instanceof Float32Array);
    assert.deepEqual([...tensors.x.data], [0.5, -1, 20]);
  });

  test('FP32 data is read as the Float32Array the engine gets: no second array', () => {
    const parsed = parseInferText(body('[0.1, -2.5, 3]')) as { inputs: { data: unknown[] }[] };
    const read = numericData(parsed.inputs[0].data);
    assert.ok(read instanceof Float32Array);
    const tensors = decodeInputs(parsed.inputs as never);
    assert.equal(tensors.x.data, read);
    assert.deepEqual([...tensors.x.data], [0.1, -2.5, 3].map(Math.fround));
  });

  test('data before its datatype is read as doubles and decoded as before', () => {
    for (const datatype of ['FP32', 'FP64']) {
      const text = `{"inputs":[{"name":"x","shape":[1,2],"data":[0.1,-2.5],"datatype":"${datatype}"}]}`;
      const parsed = parseInferText(text) as { inputs: { data: unknown[] }[] };
      assert.ok(numericData(parsed.inputs[0].data) instanceof Float64Array, datatype);
      const plain = decodeInputs((JSON.parse(text) as { inputs: never }).inputs);
      assert.deepEqual(decodeInputs(parsed.inputs as never), plain, datatype);
    }
  });

  test('datatype FP32 then FP64 around data (the last key wins): the data is read again as doubles', () => {
    const text =
      '{"inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[0.1,-2.5],"datatype":"FP64"}]}';
    const tensors = decodeInputs((parseInferText(text) as { inputs: never }).inputs);
    assert.equal(tensors.x.datatype, 'FP64');
    assert.ok(tensors.x.data instanceof Float64Array);
    assert.deepEqual([...tensors.x.data], [0.1, -2.5]);
  });

  test('the same tensors as JSON.parse for every datatype the fast path can feed', () => {
    for (const [datatype, data] of [
      ['FP32', '[0.1, -2.5, 3]'],
      ['FP64', '[0.1, -2.5, 3]'],
      ['FP16', '[0.1, -2.5, 3]'],
      ['INT32', '[1, -2, 3]'],
      ['INT64', '[1, -2, 3]'],
      ['UINT8', '[0, 255, 3]'],
    ]) {
      const fast = decodeInputs((parseInferText(body(data, datatype)) as { inputs: never }).inputs);
      const plain = decodeInputs((JSON.parse(body(data, datatype)) as { inputs: never }).inputs);
      assert.deepEqual(fast, plain, datatype);
    }
  });

  test('wrong lengths are refused with the field and both counts', () => {
    const error = failure(() => decodeInputs((parseInferText(body('[1, 2]')) as { inputs: never }).inputs));
    assert.equal(error.code, 'validation_failed');
    assert.deepEqual(error.errors, [
      { path: '/inputs/0/data', message: "input 'x' has 2 elements; shape [1, 3] needs 3" },
    ]);
  });

  test('a value the datatype cannot hold names its element, as before', () => {
    const cases: [string, string, string][] = [
      ['FP32', '[1, 4e38, 2]', '/inputs/0/data/1'], // beyond FP32's range
      ['INT8', '[1, 2, 300]', '/inputs/0/data/2'],
      ['INT32', '[1, 2.5, 3]', '/inputs/0/data/1'],
      ['BOOL', '[1, 0, 2]', '/inputs/0/data/2'],
      ['BYTES', '[1, 2, 3]', '/inputs/0/data/0'],
    ];
    for (const [datatype, data, path] of cases) {
      const error = failure(() =>
        decodeInputs((parseInferText(body(data, datatype)) as { inputs: never }).inputs),
      );
      assert.equal(error.code, 'validation_failed', datatype);
      assert.equal(error.errors?.[0].path, path, datatype);
    }
  });

  test('malformed numbers are malformed_json with JSON.parse`s own message', () => {
    for (const data of ['[1, 01, 2]', '[1, 2., 3]', '[1, 2,, 3]', '[1, 2, 3', '[1, -, 3]']) {
      const text = body(data);
      const error = failure(() => parseInferText(text));
      assert.equal(error.code, 'malformed_json', data);
      let native = '';
      try {
        JSON.parse(text);
      } catch (e) {
        native = (e as Error).message;
      }
      assert.equal(error.message, `The body is not valid JSON: ${native}`, data);
    }
  });

  test('NaN and Infinity tokens are still read, and only in tensor data of a float type', () => {
    const parsed = parseInferText(body('[NaN, Infinity, -Infinity]')) as { inputs: never };
    assert.deepEqual([...decodeInputs(parsed.inputs).x.data], [Number.NaN, Infinity, -Infinity]);
    const error = failure(() =>
      decodeInputs((parseInferText(body('[NaN, 1, 2]', 'INT32')) as { inputs: never }).inputs),
    );
    assert.equal(error.errors?.[0].path, '/inputs/0/data/0');
  });

  test('INT64 beyond 2^53 keeps every digit (the exact parser, not the fast reader)', () => {
    const parsed = parseInferText(body('[9007199254740993, -9223372036854775808, 1]', 'INT64')) as {
      inputs: never;
    };
    assert.deepEqual([...decodeInputs(parsed.inputs).x.data], [9007199254740993n, -(2n ** 63n), 1n]);
  });

  test('nested data is still checked against the shape', () => {
    const parsed = parseInferText(body('[[1, 2], [3, 4]]', 'FP32', '[2, 2]')) as { inputs: never };
    assert.deepEqual([...decodeInputs(parsed.inputs).x.data], [1, 2, 3, 4]);
    const error = failure(() =>
      decodeInputs((parseInferText(body('[[1, 2], [3]]', 'FP32', '[2, 2]')) as { inputs: never }).inputs),
    );
    assert.equal(error.errors?.[0].path, '/inputs/0/data');
  });

  test('data given twice: the last one counts, as with JSON.parse', () => {
    const text = '{"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[1],"data":[2]}]}';
    assert.deepEqual([...decodeInputs((parseInferText(text) as { inputs: never }).inputs).x.data], [2]);
  });

  test('a root that is not an object is left to JSON.parse', () => {
    assert.equal(parseTensorJson(Buffer.from('[1, 2]')), undefined);
    assert.equal(parseTensorJson(Buffer.from('NaN')), undefined);
    assert.equal(failure(() => parseInferText('NaN')).code, 'malformed_json');
  });
});

/** What the text path gives for the same bytes (JSON.parse, or the exact parser for a long integer or NaN). */
const textValue = (bytes: Buffer) => {
  const text = bytes.toString('utf8');
  return /[[,:\s]-?(?:\d{16}|NaN|Inf)/.test(text) ? parseExactJson(text) : JSON.parse(text);
};

/** The parsed body with each placeholder `data` replaced by its values as a plain array. */
const withData = (body: unknown) => {
  const inputs = (body as { inputs: { data: unknown[] }[] }).inputs;
  for (const input of inputs) {
    const values = numericData(input.data);
    if (values) input.data = [...values];
  }
  return body;
};

describe('reading the body from its bytes (byte-json.ts)', () => {
  const envelope = (extra: string) =>
    `{"id":"r1",${extra}"inputs":[{"name":"x","datatype":"FP64","shape":[1,3],"data":[0.5,-1,3]}]}`;

  test('strings and keys with multi-byte UTF-8, escapes and ill-formed bytes decode as in the whole text', () => {
    const bodies = [
      Buffer.from(envelope('"parameters":{"é":"naïve ✓ 😀","k":"a\\"b\\u00e9\\n😀"},')),
      Buffer.from(envelope('"parameters":{"ключ":["значение",1,true,null,{"z":-2.5e-3}]},')),
      Buffer.concat([
        Buffer.from('{"parameters":{"bad":"'),
        Buffer.from([0xe2, 0x82, 0xff, 0x80, 0x41, 0xf0, 0x9f]),
        Buffer.from(`"},${envelope('').slice(1)}`),
      ]),
    ];
    for (const bytes of bodies) {
      const fast = parseTensorJson(bytes);
      assert.ok(fast !== undefined, bytes.toString('utf8'));
      assert.deepEqual(withData(fast), textValue(bytes));
    }
  });

  test('every way of cutting a body gives the text path`s answer or its error', () => {
    const whole = Buffer.from(
      '{"id":"é😀","parameters":{"n":[1,-0.5e2,123456789012345678901]},"inputs":[{"name":"x","datatype":"FP32",' +
        '"shape":[1,2],"data":[0.1, -2]}],"outputs":[{"name":"y"}]}',
    );
    for (let cut = 0; cut <= whole.length; cut++) {
      const bytes = whole.subarray(0, cut);
      let want: unknown;
      let error: string | undefined;
      try {
        want = textValue(bytes);
      } catch (e) {
        error = (e as Error).message;
      }
      if (error !== undefined) {
        assert.equal(parseTensorJson(bytes), undefined, `cut at ${cut}`);
        assert.equal(failure(() => parseInferBody(bytes)).message, `The body is not valid JSON: ${error}`);
      } else {
        const got = withData(parseInferBody(bytes)) as { inputs: { data: number[] }[] };
        got.inputs[0].data = got.inputs[0].data.map(Number);
        (want as { inputs: { data: number[] }[] }).inputs[0].data = [0.1, -2].map(Math.fround);
        assert.deepEqual(got, want, `cut at ${cut}`);
      }
    }
  });

  test('a binary-framed header is read from its own bytes, not past them', () => {
    const header = Buffer.from(envelope(''));
    const bytes = Buffer.concat([header, Buffer.from(' [9]"')]);
    assert.deepEqual(
      withData(parseTensorJson(bytes.subarray(0, header.length))),
      JSON.parse(header.toString()),
    );
  });

  test('what the byte reader leaves goes to the text path: same values, same errors', () => {
    for (const text of [
      '\ufeff{"inputs":[]}', // a byte order mark
      '{"inputs":[{"name":"x","datatype":"INT64","shape":[1],"data":9007199254740993}]}',
      '{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":{"a":1}}]}',
      '{"a":1.}',
      '{"a":"\t"}',
      '{"a":1}x',
    ]) {
      const bytes = Buffer.from(text);
      assert.equal(parseTensorJson(bytes), undefined, text);
      let want: unknown;
      try {
        want = textValue(bytes);
      } catch (e) {
        assert.equal(
          failure(() => parseInferBody(bytes)).message,
          `The body is not valid JSON: ${(e as Error).message}`,
        );
        continue;
      }
      assert.deepEqual(parseInferBody(bytes), want, text);
    }
  });
});
