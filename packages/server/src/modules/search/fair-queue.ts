// A fair share of the event loop for heavy searches: each tenant runs at most HEAVY_PER_TENANT of them at a
// time, the rest wait in that tenant's own queue, so one tenant's burst queues behind itself, not in front
// of every other tenant's requests.

/**
 * Heavy searches (facets, a sort, personalization: every match is visited) one tenant may have running at
 * once. One: a heavy search is CPU on the one event loop, so running two of a tenant's together only makes
 * both later and lengthens the block other tenants see.
 */
export const HEAVY_PER_TENANT = 1;

/** Lets timers, I/O and other tenants' requests run before the next step. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface FairQueue {
  /**
   * Runs `work` when fewer than the limit of the tenant's heavy searches are running, starting on a fresh
   * turn of the event loop (so requests that arrived meanwhile, other tenants' included, go first).
   */
  run<T>(tenantId: string, work: () => Promise<T>): Promise<T>;
  /** Heavy searches running or waiting, per tenant (tests and metrics). */
  pending(tenantId: string): number;
}

export const createFairQueue = (perTenant = HEAVY_PER_TENANT): FairQueue => {
  const tenants = new Map<string, { running: number; waiting: Array<() => void> }>();

  const release = (tenantId: string) => {
    const t = tenants.get(tenantId)!;
    const next = t.waiting.shift();
    if (next) next();
    else if (--t.running === 0) tenants.delete(tenantId);
  };

  return {
    async run(tenantId, work) {
      let t = tenants.get(tenantId);
      if (!t) {
        t = { running: 0, waiting: [] };
        tenants.set(tenantId, t);
      }
      // A released slot passes straight to the next waiter (running stays counted), so none can jump it.
      if (t.running < perTenant) t.running++;
      else {
        const queue = t.waiting;
        await new Promise<void>((resolve) => queue.push(resolve));
      }
      try {
        await nextTurn();
        return await work();
      } finally {
        release(tenantId);
      }
    },
    pending(tenantId) {
      const t = tenants.get(tenantId);
      return t ? t.running + t.waiting.length : 0;
    },
  };
};
