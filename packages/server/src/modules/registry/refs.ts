// The one grammar of version refs in paths (/v1/models/{name}/versions/{ref}, /v2 …/versions/{version}).
import { ALIAS_PATTERN } from '@quiver/contracts';
import { QuiverError } from '../../kernel/index.ts';

/** The largest version number: versions are INTEGER columns (32-bit in PostgreSQL). */
export const MAX_VERSION = 2 ** 31 - 1;

/** A version number is written in canonical decimal: no sign, no leading zero, no exponent, no point. */
const VERSION_NUMBER = /^[1-9][0-9]{0,9}$/;
const ALIAS = new RegExp(ALIAS_PATTERN);

export type VersionRef = { kind: 'version'; version: number } | { kind: 'alias'; alias: string };

const GRAMMAR = `a version number (1 to ${MAX_VERSION}, plain decimal) or an alias name (${ALIAS_PATTERN})`;

/** True for a version number the registry can hold. */
export const isVersionNumber = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= MAX_VERSION;

/**
 * Reads a ref: canonical decimal within range is a version number, a name matching the alias grammar is an
 * alias (aliases start with a letter, so the two never overlap); anything else is `validation_failed`.
 * `0x1`, `1e3`, `01`, `+1`, ` 1`, `1.0` and numbers past MAX_VERSION are therefore neither.
 */
export const parseVersionRef = (ref: string, path = '/params/ref'): VersionRef => {
  if (VERSION_NUMBER.test(ref) && isVersionNumber(Number(ref)))
    return { kind: 'version', version: Number(ref) };
  if (ALIAS.test(ref)) return { kind: 'alias', alias: ref };
  const shown = JSON.stringify(ref.length > 60 ? `${ref.slice(0, 60)}…` : ref);
  throw new QuiverError('validation_failed', `The version ref ${shown} is not ${GRAMMAR}`, {
    errors: [{ path, message: `must be ${GRAMMAR}` }],
  });
};

/** Checks a version number given in a body (e.g. an alias target); `validation_failed` when out of range. */
export const checkVersionNumber = (version: number, path = '/version'): number => {
  if (isVersionNumber(version)) return version;
  throw new QuiverError('validation_failed', `The version ${version} is not between 1 and ${MAX_VERSION}`, {
    errors: [{ path, message: `must be an integer from 1 to ${MAX_VERSION}` }],
  });
};
