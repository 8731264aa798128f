// JSON read straight from an infer body's bytes, with no string of the whole body: the value parseExactJson
// gives for the same bytes decoded as UTF-8, for the bodies the tensor fast path takes (tensor-json.ts), each
// input's `data` array read by the caller's reader, the containers walked by json-walk.ts as for the text.
// Whatever it does not take (malformed text, nesting past MAX_JSON_DEPTH, `data` that is not an array) throws,
// and body.ts parses the decoded text as before, so every error keeps its message. A string is decoded from its
// own byte range: it ends at an ASCII quote, which no UTF-8 sequence (well formed or not) spans, so it decodes
// to the same characters as in the whole text.
import { LITERALS } from './exact-json.ts';
import { walkJson } from './json-walk.ts';

/**
 * Reads the `data` array of an input at `bytes[start]` (a `[`): the value and the index after it. `input` is
 * the input object as read so far (the keys before `data`, e.g. its `datatype`).
 */
export type ByteDataReader = (
  bytes: Buffer,
  start: number,
  input: Record<string, unknown>,
) => { value: unknown; end: number };

/** Thrown for anything this reader leaves to the text parsers: one object, no stack captured per refusal. */
export const NOT_READ = new Error('left to the text parsers');

const refuse = (): never => {
  throw NOT_READ;
};

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

const LITERAL_CODES = LITERALS.map(([word, value]) => ({
  codes: Array.from(word, (ch) => ch.charCodeAt(0)),
  value,
}));

/** Parses `bytes` as parseExactJson parses their UTF-8 text, reading each `inputs[i].data` with `readData`. */
export const parseJsonBytes = (bytes: Buffer, readData: ByteDataReader): unknown => {
  let i = 0;
  const n = bytes.length;
  return walkJson({
    skipSpace() {
      while (i < n) {
        const c = bytes[i];
        if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
        i++;
      }
    },
    peek: () => bytes[i],
    advance() {
      i++;
    },
    atEnd: () => i >= n,
    readString() {
      const start = i; // at the opening quote
      let ascii = true;
      let escaped = false;
      for (let k = start + 1; ; k++) {
        if (k >= n) refuse();
        const c = bytes[k];
        if (c === 0x22) {
          i = k + 1;
          break;
        }
        if (c === 0x5c) {
          escaped = true;
          k++;
        } else if (c < 0x20) refuse();
        else if (c >= 0x80) ascii = false;
      }
      if (escaped) return JSON.parse(bytes.toString('utf8', start, i)) as string;
      return bytes.toString(ascii ? 'latin1' : 'utf8', start + 1, i - 1);
    },
    readScalar() {
      for (const { codes, value } of LITERAL_CODES) {
        let k = 0;
        while (k < codes.length && bytes[i + k] === codes[k]) k++;
        if (k === codes.length) {
          i += k;
          return value;
        }
      }
      // A JSON number, as the text parser's NUMBER pattern and Number() read it (never in tensor data here).
      const start = i;
      if (bytes[i] === 0x2d) i++;
      if (bytes[i] === 0x30) i++;
      else if (isDigit(bytes[i])) while (isDigit(bytes[i])) i++;
      else refuse();
      // `1.` or `1e` is an error in the text too, wherever it is.
      if (bytes[i] === 0x2e) {
        i++;
        if (!isDigit(bytes[i])) refuse();
        while (isDigit(bytes[i])) i++;
      }
      if (bytes[i] === 0x65 || bytes[i] === 0x45) {
        i++;
        if (bytes[i] === 0x2b || bytes[i] === 0x2d) i++;
        if (!isDigit(bytes[i])) refuse();
        while (isDigit(bytes[i])) i++;
      }
      return Number(bytes.toString('latin1', start, i));
    },
    readData(input) {
      if (bytes[i] !== 0x5b) refuse();
      const read = readData(bytes, i, input.container as Record<string, unknown>);
      i = read.end;
      return read.value;
    },
    fail: refuse,
  });
};
