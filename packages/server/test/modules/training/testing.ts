// Test fixtures of the training module (also used by the recommend module's end-to-end test).

let seq = 0;

/** One purchase event per item of a basket; event ids are unique within the test process. */
export const basket = (userId: string, sessionId: string, itemIds: readonly string[], timestamp: string) =>
  itemIds.map((itemId) => ({ id: `e${++seq}`, type: 'purchase', userId, sessionId, itemId, timestamp }));
