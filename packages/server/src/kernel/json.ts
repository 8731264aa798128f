// JSON helpers: a depth bound for JSON from clients, stable stringification (for hashing request bodies)
// and RFC 7386 merge patch.
import { QuiverError } from './errors.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The deepest nesting of arrays and objects accepted from clients. Every recursive walk over client JSON
 * (body hashing, merge patch, schema checks, sample inputs) relies on it to stay far from the stack limit.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether JSON text nests deeper than `max`; one pass without recursion, brackets in strings ignored. */
export const jsonTooDeep = (text: string, max = MAX_JSON_DEPTH): boolean => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
};

/** The error for JSON nested too deep; `where` names the part (a JSON pointer such as `/` or `/metadata`). */
export const jsonTooDeepError = (where = '/') =>
  new QuiverError(
    'validation_failed',
    `The JSON ${where === '/' ? 'body' : where.slice(1)} is nested deeper than ${MAX_JSON_DEPTH} levels`,
    { errors: [{ path: where, message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }] },
  );

/** JSON with object keys sorted, so equal values hash equally whatever the key order. */
export const stableStringify = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
};

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Applies a JSON merge patch (RFC 7386): null removes a member, objects merge, anything else replaces. */
export const mergePatch = (target: unknown, patch: unknown): unknown => {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
};
