// A JSON parser that keeps integer literals of infer tensor data exact (BigInt beyond ±2^53), where JSON.parse
// would round them. The container walk (depth bound, keys, commas) is json-walk.ts's, shared with byte-json.ts.
import { roleOf, walkJson } from './json-walk.ts';

export class JsonSyntaxError extends SyntaxError {}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: raw control characters end a JSON string in error.
const STRING_END = /"|\\|[\u0000-\u001f]/g;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/**
 * Triton's JSON reader (rapidjson with kParseNanAndInfFlag) also takes `NaN`, `Infinity`, `Inf` and their
 * negatives as bare tokens; they are read here as the strings the float decoders accept ("NaN", "Infinity",
 * "-Infinity"), so that a literal like 1e400, which JSON.parse turns into Infinity, can still be refused.
 */
export const LITERALS = [
  ['true', true],
  ['false', false],
  ['null', null],
  ['NaN', 'NaN'],
  ['-NaN', 'NaN'],
  ['Infinity', 'Infinity'],
  ['-Infinity', '-Infinity'],
  ['Inf', 'Infinity'],
  ['-Inf', '-Infinity'],
] as const;

/**
 * Parses `text` as JSON.parse does, except that integer literals in infer tensor data (`inputs[i].data`)
 * beyond ±2^53 become BigInts holding exactly the digits sent, and the non-finite tokens above are read.
 * (byte-json.ts reads the same grammar from a body's bytes for the tensor fast path.)
 */
export const parseExactJson = (text: string): unknown => {
  let i = 0;
  const n = text.length;
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at position ${i}`);
  };
  return walkJson({
    skipSpace() {
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
        i++;
      }
    },
    peek: () => text.charCodeAt(i),
    advance() {
      i++;
    },
    atEnd: () => i >= n,
    readString() {
      const start = i; // at the opening quote
      STRING_END.lastIndex = i + 1;
      for (;;) {
        const m = STRING_END.exec(text);
        if (!m) return fail('Unterminated string');
        if (m[0] === '"') {
          i = m.index + 1;
          break;
        }
        if (m[0] === '\\') STRING_END.lastIndex = m.index + 2;
        else {
          i = m.index;
          fail('Bad control character in string');
        }
      }
      const raw = text.slice(start, i);
      return raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
    },
    readScalar(frame, key) {
      for (const [word, value] of LITERALS) {
        if (text.startsWith(word, i)) {
          i += word.length;
          return value;
        }
      }
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m)
        return fail(i >= n ? 'Unexpected end of JSON input' : `Unexpected token ${JSON.stringify(text[i])}`);
      i = NUMBER.lastIndex;
      const literal = m[0];
      const value = Number(literal);
      const exact = frame?.role === 'data' || (frame && roleOf(frame, key) === 'data');
      if (exact && m[1] === undefined && m[2] === undefined && (value > MAX_SAFE || value < -MAX_SAFE))
        return BigInt(literal);
      return value;
    },
    fail,
  });
};
