// Coalesced lookups: every key asked for during one turn of the event loop is fetched together, in one call
// per `maxBatch` keys, once the turn's I/O callbacks have run (setImmediate). Under load, requests parsed in
// the same turn share one database round trip; alone, a lookup waits only for the rest of its turn.

export interface Coalescer<V> {
  /** The value for `key` (undefined when the fetch found none), fetched with the other keys of this turn. */
  load(key: string): Promise<V | undefined>;
}

/**
 * `fetch` gets distinct keys and answers the values it found by key; a rejection fails every lookup of that
 * call. `onBatch` sees each call's size (for metrics).
 */
export const createCoalescer = <V>(
  fetch: (keys: readonly string[]) => Promise<ReadonlyMap<string, V>>,
  options: { maxBatch: number; onBatch?: (size: number) => void },
): Coalescer<V> => {
  type Waiter = { resolve(value: V | undefined): void; reject(error: unknown): void };
  let pending = new Map<string, Waiter[]>();
  let scheduled = false;

  const run = async (keys: string[], waiters: Map<string, Waiter[]>) => {
    options.onBatch?.(keys.length);
    try {
      const found = await fetch(keys);
      for (const key of keys) for (const w of waiters.get(key)!) w.resolve(found.get(key));
    } catch (error) {
      for (const key of keys) for (const w of waiters.get(key)!) w.reject(error);
    }
  };

  const flush = () => {
    scheduled = false;
    const waiters = pending;
    pending = new Map();
    const keys = [...waiters.keys()];
    for (let i = 0; i < keys.length; i += options.maxBatch)
      void run(keys.slice(i, i + options.maxBatch), waiters);
  };

  return {
    load(key) {
      return new Promise<V | undefined>((resolve, reject) => {
        const waiting = pending.get(key);
        if (waiting) waiting.push({ resolve, reject });
        else pending.set(key, [{ resolve, reject }]);
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
};
