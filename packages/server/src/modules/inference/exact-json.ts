// A JSON parser that keeps integer literals of infer tensor data exact (BigInt beyond ±2^53), where JSON.parse
// would round them. Iterative, with a depth bound, so no body can overflow the stack.

/** Deeper bodies are refused: a tensor nests at most 32 levels (its shape's rank) under a few of the request. */
export const MAX_JSON_DEPTH = 64;

export class JsonSyntaxError extends SyntaxError {}

/** Where a container sits: `data` arrays of `inputs[i]` (and arrays inside them) are tensor data. */
export type Role = 'root' | 'inputs' | 'input' | 'data' | 'other';

export interface Frame {
  container: unknown[] | Record<string, unknown>;
  role: Role;
  key?: string;
}

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

export const roleOf = (parent: Frame | undefined, key: string | undefined): Role => {
  if (!parent) return 'root';
  if (parent.role === 'data') return 'data';
  if (parent.role === 'root' && key === 'inputs') return 'inputs';
  if (parent.role === 'inputs') return 'input';
  if (parent.role === 'input' && key === 'data') return 'data';
  return 'other';
};

export const setKey = (target: Record<string, unknown>, key: string, value: unknown) => {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
};

/**
 * Parses `text` as JSON.parse does, except that integer literals in infer tensor data (`inputs[i].data`)
 * beyond ±2^53 become BigInts holding exactly the digits sent, and the non-finite tokens above are read.
 * (byte-json.ts reads the same grammar from a body's bytes for the tensor fast path.)
 */
export const parseExactJson = (text: string): unknown => {
  let i = 0;
  const n = text.length;
  const stack: Frame[] = [];
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at position ${i}`);
  };
  const skipSpace = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
  };
  const readString = (): string => {
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
  };
  const readValue = (
    frame: Frame | undefined,
    key: string | undefined,
  ): { value: unknown; open: boolean } => {
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      if (stack.length >= MAX_JSON_DEPTH) fail(`Nesting deeper than ${MAX_JSON_DEPTH} levels`);
      i++;
      const container = c === '{' ? ({} as Record<string, unknown>) : ([] as unknown[]);
      stack.push({ container, role: roleOf(frame, key), key: undefined });
      return { value: container, open: true };
    }
    if (c === '"') return { value: readString(), open: false };
    for (const [word, value] of LITERALS) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return { value, open: false };
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail(i >= n ? 'Unexpected end of JSON input' : `Unexpected token ${JSON.stringify(c)}`);
    i = NUMBER.lastIndex;
    const literal = m[0];
    const value = Number(literal);
    const exact = frame?.role === 'data' || (frame && roleOf(frame, key) === 'data');
    if (exact && m[1] === undefined && m[2] === undefined && (value > MAX_SAFE || value < -MAX_SAFE))
      return { value: BigInt(literal), open: false };
    return { value, open: false };
  };

  let root = readValue(undefined, undefined);
  const result = root.value;
  // After a value: close containers, or read the next key/element.
  let afterValue = !root.open;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    const isArray = Array.isArray(frame.container);
    skipSpace();
    const empty = isArray ? (frame.container as unknown[]).length === 0 : frame.key === undefined;
    const c = text[i];
    if (c === (isArray ? ']' : '}') && (afterValue || empty)) {
      i++;
      stack.pop();
      afterValue = true;
      continue;
    }
    if (afterValue) {
      if (c !== ',')
        fail(i >= n ? 'Unexpected end of JSON input' : `Expected ',' or '${isArray ? ']' : '}'}'`);
      i++;
      skipSpace();
    } else if (!empty) fail('Expected a value');
    let key: string | undefined;
    if (!isArray) {
      if (text[i] !== '"') fail('Expected a property name');
      key = readString();
      frame.key = key;
      skipSpace();
      if (text[i] !== ':') fail("Expected ':'");
      i++;
    }
    root = readValue(frame, key);
    if (isArray) (frame.container as unknown[]).push(root.value);
    else setKey(frame.container as Record<string, unknown>, key!, root.value);
    afterValue = !root.open;
  }
  skipSpace();
  if (i < n) fail('Unexpected data after JSON');
  return result;
};
