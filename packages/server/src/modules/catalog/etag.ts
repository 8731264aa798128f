// Entity tags for items and the HTTP precondition rules (RFC 9110 §13) that use them.
import { QuiverError } from '../../kernel/index.ts';
import type { ItemRecord } from './repository.ts';

/** Strong tag: version plus update time, so a deleted and re-created item never repeats an old tag. */
export const etagOf = (r: Pick<ItemRecord, 'version' | 'updatedAt'>): string =>
  `"${r.version}-${Date.parse(r.updatedAt).toString(36)}"`;

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
