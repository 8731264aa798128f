// Test fixtures of the training module (also used by the recommend module's end-to-end test).

let seq = 0;

/** One purchase event per item of a basket; event ids are unique within the test process. */
export const basket = (userId: string, sessionId: string, itemIds: readonly string[], timestamp: string) =>
  itemIds.map((itemId) => ({ id: `e${++seq}`, type: 'purchase', userId, sessionId, itemId, timestamp }));

export const DAY = 86_400_000;

/** Midnight UTC of 1 January 2024 plus `day` days (fractions allowed), as an ISO timestamp. */
export const at = (day: number) => new Date(Date.UTC(2024, 0, 1) + day * DAY).toISOString();

/** A purchase event (no id) on `day` (see `at`). */
export const buy = (userId: string, sessionId: string, itemId: string, day: number) => ({
  type: 'purchase',
  userId,
  sessionId,
  itemId,
  timestamp: at(day),
});

/**
 * Event `n` of a synthetic log, as published on the events topic: one a minute from `at(0)`, every fifth a
 * purchase, spread over `users` customers and `items` items.
 */
export const loggedEvent = (n: number, users: number, items: number) => {
  const timestamp = new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString();
  const event = {
    id: `e${n}`,
    type: n % 5 === 0 ? 'purchase' : 'view',
    userId: `u${(n * 7919) % users}`,
    itemId: `i${(n * 104729) % items}`,
    timestamp,
    receivedAt: timestamp,
  };
  return { key: event.id, data: event };
};

/** Row `i` of a neighbour table (m slots per item, -1 for an empty one) as [neighbour, weight] pairs. */
export const row = (t: { m: number; neighbours: Int32Array; weights: Float32Array }, i: number) =>
  Array.from({ length: t.m }, (_, r) => [t.neighbours[i * t.m + r], t.weights[i * t.m + r]] as const).filter(
    ([j]) => j >= 0,
  );
