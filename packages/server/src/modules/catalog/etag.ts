// Entity tags for items and the HTTP precondition rules (RFC 9110 §13) that use them.
import { QuiverError } from '../../kernel/index.ts';
import type { ItemRecord } from './repository.ts';

const DIGITS36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * `n.toString(36)`, digit by digit for a safe non-negative integer (a millisecond time): V8's radix conversion
 * of a double cost 0.33 µs per item read, this 0.1 µs. Anything else goes to toString.
 */
export const base36 = (n: number): string => {
  if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && Number.isInteger(n))) return n.toString(36);
  let out = '';
  let rest = n;
  do {
    out = DIGITS36[rest % 36] + out;
    rest = Math.floor(rest / 36);
  } while (rest > 0);
  return out;
};

/** Strong tag: version plus update time, so a deleted and re-created item never repeats an old tag. */
export const etagOf = (r: Pick<ItemRecord, 'version' | 'updatedAt'>): string =>
  `"${r.version}-${base36(Date.parse(r.updatedAt))}"`;

const parseList = (header: string): string[] =>
  header
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
const opaque = (tag: string): string => tag.replace(/^W\//, '');

export interface Preconditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

/** Throws `precondition_failed` unless the current state (undefined: absent) meets the preconditions. */
export const checkPreconditions = (current: ItemRecord | undefined, p: Preconditions): void => {
  if (p.ifMatch !== undefined) {
    const tags = parseList(p.ifMatch);
    const ok = current !== undefined && (tags.includes('*') || tags.includes(etagOf(current)));
    if (!ok)
      throw new QuiverError('precondition_failed', 'If-Match does not match the current version of the item');
  }
  if (p.ifNoneMatch !== undefined) {
    const tags = parseList(p.ifNoneMatch);
    const hit = current !== undefined && (tags.includes('*') || tags.map(opaque).includes(etagOf(current)));
    if (hit)
      throw new QuiverError('precondition_failed', 'If-None-Match matches the current version of the item');
  }
};

/** Weak comparison for conditional GET. */
export const notModified = (current: ItemRecord, ifNoneMatch: string | undefined): boolean =>
  ifNoneMatch !== undefined && parseList(ifNoneMatch).some((t) => t === '*' || opaque(t) === etagOf(current));
