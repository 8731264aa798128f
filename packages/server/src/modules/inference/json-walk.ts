// The container walk that the infer body's two JSON readers share: parseExactJson over text (exact-json.ts) and
// parseJsonBytes over a body's bytes (byte-json.ts). Each brings its tokens (white space, strings, scalars,
// where it fails); the walk closes `]`/`}`, reads `,`, keys and `:`, opens containers up to MAX_JSON_DEPTH and
// sets each value. Iterative, so no body can overflow the stack.

/** Deeper bodies are refused: a tensor nests at most 32 levels (its shape's rank) under a few of the request. */
export const MAX_JSON_DEPTH = 64;

/** Where a container sits: `data` arrays of `inputs[i]` (and arrays inside them) are tensor data. */
export type Role = 'root' | 'inputs' | 'input' | 'data' | 'other';

export interface Frame {
  container: unknown[] | Record<string, unknown>;
  role: Role;
  key?: string;
}

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

/** A reader's tokens at its own position; codes are its text's UTF-16 units or its bytes (alike for ASCII). */
export interface JsonTokens {
  skipSpace(): void;
  /** The code at the position; past the end, one that is no JSON punctuation. */
  peek(): number | undefined;
  /** Steps over the one-code punctuation at the position. */
  advance(): void;
  atEnd(): boolean;
  /** The string whose opening quote is at the position. */
  readString(): string;
  /** A value that is neither a container nor a string, going to `key` of `frame` (undefined at the root). */
  readScalar(frame: Frame | undefined, key: string | undefined): unknown;
  /** When present, reads every `inputs[i].data` value whole (`input` is that input's frame). */
  readData?(input: Frame): unknown;
  /** Throws: `what` names the error, for the reader that names one. */
  fail(what: string): never;
}

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const QUOTE = 0x22;

/** The JSON value the tokens hold, which must be all of them (white space aside). */
export const walkJson = (tokens: JsonTokens): unknown => {
  const stack: Frame[] = [];
  const readValue = (
    frame: Frame | undefined,
    key: string | undefined,
  ): { value: unknown; open: boolean } => {
    tokens.skipSpace();
    if (tokens.readData && frame?.role === 'input' && key === 'data')
      return { value: tokens.readData(frame), open: false };
    const c = tokens.peek();
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (stack.length >= MAX_JSON_DEPTH) tokens.fail(`Nesting deeper than ${MAX_JSON_DEPTH} levels`);
      tokens.advance();
      const container = c === OPEN_OBJECT ? ({} as Record<string, unknown>) : ([] as unknown[]);
      stack.push({ container, role: roleOf(frame, key), key: undefined });
      return { value: container, open: true };
    }
    if (c === QUOTE) return { value: tokens.readString(), open: false };
    return { value: tokens.readScalar(frame, key), open: false };
  };

  let root = readValue(undefined, undefined);
  const result = root.value;
  // After a value: close containers, or read the next key/element.
  let afterValue = !root.open;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    const isArray = Array.isArray(frame.container);
    tokens.skipSpace();
    const empty = isArray ? (frame.container as unknown[]).length === 0 : frame.key === undefined;
    const c = tokens.peek();
    if (c === (isArray ? 0x5d : 0x7d) && (afterValue || empty)) {
      tokens.advance();
      stack.pop();
      afterValue = true;
      continue;
    }
    if (afterValue) {
      if (c !== 0x2c)
        tokens.fail(
          tokens.atEnd() ? 'Unexpected end of JSON input' : `Expected ',' or '${isArray ? ']' : '}'}'`,
        );
      tokens.advance();
      tokens.skipSpace();
    } else if (!empty) tokens.fail('Expected a value');
    let key: string | undefined;
    if (!isArray) {
      if (tokens.peek() !== QUOTE) tokens.fail('Expected a property name');
      key = tokens.readString();
      frame.key = key;
      tokens.skipSpace();
      if (tokens.peek() !== 0x3a) tokens.fail("Expected ':'");
      tokens.advance();
    }
    root = readValue(frame, key);
    if (isArray) (frame.container as unknown[]).push(root.value);
    else setKey(frame.container as Record<string, unknown>, key!, root.value);
    afterValue = !root.open;
  }
  tokens.skipSpace();
  if (!tokens.atEnd()) tokens.fail('Unexpected data after JSON');
  return result;
};
