// Blob key rules, shared by every implementation so a key valid in one store is valid in all.
import { QuiverError } from '../../kernel/index.ts';

export const MAX_KEY_BYTES = 1024;
// A segment starts with no dot (so no `.`, `..` or hidden names) and uses only characters safe in both
// file names and S3 keys.
const SEGMENT = /^[\w\-=+@,~][\w.\-=+@,~]*$/;

const isValidKey = (key: string): boolean =>
  typeof key === 'string' &&
  key.length > 0 &&
  Buffer.byteLength(key) <= MAX_KEY_BYTES &&
  key.split('/').every((segment) => SEGMENT.test(segment));

/** Throws `validation_failed` unless `key` is a relative `/`-separated path of valid segments. */
export const assertKey = (key: string): void => {
  if (!isValidKey(key)) throw new QuiverError('validation_failed', `invalid blob key '${String(key)}'`);
};

/** A list prefix is empty, a valid key, or a valid key followed by `/`. */
export const assertPrefix = (prefix: string): void => {
  const body = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (prefix !== '' && !isValidKey(body)) {
    throw new QuiverError('validation_failed', `invalid blob prefix '${String(prefix)}'`);
  }
};
