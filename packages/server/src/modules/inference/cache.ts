// The response cache of one model version: LRU with TTL over a canonical hash of the inputs, single flight.
import { createHash } from 'node:crypto';
import type { Clock } from '../../kernel/index.ts';
import type { Tensors } from '../engine/index.ts';

export const DEFAULT_CACHE_TTL_S = 60;
export const DEFAULT_CACHE_MAX_ENTRIES = 1000;

/**
 * A digest of the inputs that ignores how they were sent (flat or nested data, input order): names sorted,
 * then each tensor's datatype, shape and element bytes. Must run before the tensors go to the engine, which
 * may take their buffers.
 */
export const inputsHash = (inputs: Tensors): string => {
  const h = createHash('sha256');
  for (const name of Object.keys(inputs).sort()) {
    const t = inputs[name];
    h.update(JSON.stringify([name, t.datatype, t.shape]));
    const d = t.data;
    if (Array.isArray(d)) h.update(JSON.stringify(d));
    else h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  return h.digest('base64url');
};

/** Own copies of the outputs: the engine's are views into a whole batch's buffers. */
const detached = (outputs: Tensors): Tensors => {
  const out: Tensors = {};
  for (const [name, t] of Object.entries(outputs)) out[name] = { ...t, data: t.data.slice() };
  return out;
};

export interface CacheOptions {
  ttlSeconds?: number;
  maxEntries?: number;
}

export interface ResponseCache {
  /**
   * The cached outputs for `key`, or those of an identical request already running, or `compute()`'s
   * (cached only when it succeeds). When the running one fails (its own deadline, say), this call computes
   * for itself rather than take on that failure. `hit` is false for the calls that computed.
   */
  get(key: string, compute: () => Promise<Tensors>): Promise<{ outputs: Tensors; hit: boolean }>;
  readonly size: number;
}

export const createResponseCache = (deps: { clock: Clock }, options: CacheOptions = {}): ResponseCache => {
  const ttlMs = (options.ttlSeconds ?? DEFAULT_CACHE_TTL_S) * 1000;
  const maxEntries = options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
  // A Map iterates in insertion order: re-inserting on a hit keeps the least recently used first.
  const entries = new Map<string, { outputs: Tensors; expiresAt: number }>();
  const running = new Map<string, Promise<Tensors>>();

  const fresh = (key: string): Tensors | undefined => {
    const e = entries.get(key);
    if (!e) return undefined;
    entries.delete(key);
    if (e.expiresAt <= deps.clock.now()) return undefined;
    entries.set(key, e);
    return e.outputs;
  };

  return {
    async get(key, compute) {
      const cached = fresh(key);
      if (cached) return { outputs: cached, hit: true };
      const pending = running.get(key);
      if (pending) {
        try {
          return { outputs: await pending, hit: true };
        } catch {
          // Another identical request may have taken over meanwhile: share its run.
          const retry = running.get(key);
          if (retry && retry !== pending) return { outputs: await retry, hit: true };
        }
      }
      const computing = compute().then(detached);
      running.set(key, computing);
      try {
        const outputs = await computing;
        entries.set(key, { outputs, expiresAt: deps.clock.now() + ttlMs });
        if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
        return { outputs, hit: false };
      } finally {
        running.delete(key);
      }
    },
    get size() {
      return entries.size;
    },
  };
};
