// Shaping feature values the same way for online reads and historical computation.
import type { FeatureStatus, Item } from '@quiver/contracts';

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Counts as an object ordered by count (highest first), then key; the first `limit` only when given. */
export const rankCounts = (counts: ReadonlyMap<string, number>, limit?: number): Record<string, number> => {
  const ranked = [...counts]
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(limit === undefined ? ranked : ranked.slice(0, limit));
};

/** A view's status for an entity whose newest event is at `ts` (undefined: none), read as of `asOfMs`. */
export const statusOf = (ts: number | undefined, ttlSeconds: number, asOfMs: number): FeatureStatus => {
  if (ts === undefined) return 'NOT_FOUND';
  if (ttlSeconds > 0 && asOfMs - ts > ttlSeconds * 1000) return 'OUTSIDE_TTL';
  return 'PRESENT';
};

/** The value at a dotted path of an item (`price.amount`, `attributes.colour`). */
export const itemField = (item: Item, path: string): unknown => {
  let value: unknown = item;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
};

/** A catalog field as a feature: NOT_FOUND for a missing item or field; its time is the item's last change. */
export const catalogValue = (
  item: Item | null | undefined,
  field: string,
  ttlSeconds: number,
  asOfMs: number,
): { value: unknown; status: FeatureStatus; ts: string | null } => {
  const value = item ? itemField(item, field) : undefined;
  if (!item || value === undefined) return { value: null, status: 'NOT_FOUND', ts: null };
  const status = statusOf(Date.parse(item.updatedAt), ttlSeconds, asOfMs);
  return { value: status === 'PRESENT' ? value : null, status, ts: item.updatedAt };
};
