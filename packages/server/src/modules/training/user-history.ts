// Each user's newest distinct items with their last event time, from a run's interactions: the long-term
// history for-user reads for customers the recent-items view no longer holds (recommend's user-history table).
import type { UserHistoryRow } from '../recommend/index.ts';
import { groupBy, type Interactions } from './interactions.ts';

/** Distinct items kept per user, newest first. */
export const USER_HISTORY_ITEMS = 200;

export const userHistories = (x: Interactions, maxItems = USER_HISTORY_ITEMS): UserHistoryRow[] => {
  const byUser = groupBy(x.user, x.users.length);
  const rows: UserHistoryRow[] = [];
  const seen = new Set<number>();
  for (let u = 0; u < x.users.length; u++) {
    const items: [string, number][] = [];
    seen.clear();
    // Positions within a user are in time order: walk them newest first.
    for (let p = byUser.offsets[u + 1] - 1; p >= byUser.offsets[u] && items.length < maxItems; p--) {
      const e = byUser.order[p];
      if (seen.has(x.item[e])) continue;
      seen.add(x.item[e]);
      items.push([x.items[x.item[e]], x.time[e]]);
    }
    if (items.length > 0) rows.push({ userId: x.users[u], items });
  }
  return rows;
};
