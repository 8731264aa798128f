// Cross-replica invalidation of the auth caches (PostgreSQL mode). Every change authentication depends on
// (a key revoked, a tenant's limits, a scoped-key secret rotated) bumps one counter, `auth_epoch`, in the
// change's own transaction. Each replica polls it and drops its caches when it moves; while no poll has
// succeeded recently the caches are bypassed, so a revocation takes effect everywhere within `staleMs`.
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import { tenancyRepository as repo } from './repository.ts';

export const AUTH_EPOCH_POLL_MS = 200;
/** A revoked key stops working on every replica within this bound (plus one database read). */
export const AUTH_EPOCH_STALE_MS = 600;

export interface AuthEpochWatch {
  /** Whether cached credentials may be used: the last successful poll started less than `staleMs` ago. */
  fresh(): boolean;
  /** Polls now and then every `pollMs`. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface AuthEpochDeps {
  db: SqlDatabase;
  /** The epoch moved: another replica (or this one) changed something cached. */
  onChange(): void;
  onError?(error: unknown): void;
  /** Monotonic milliseconds (tests leave it alone: freshness is about real time, not the app's clock). */
  now?: () => number;
}

export const watchAuthEpoch = (
  deps: AuthEpochDeps,
  options: { pollMs?: number; staleMs?: number } = {},
): AuthEpochWatch => {
  const now = deps.now ?? (() => performance.now());
  const pollMs = options.pollMs ?? AUTH_EPOCH_POLL_MS;
  const staleMs = options.staleMs ?? AUTH_EPOCH_STALE_MS;
  let seen: number | undefined;
  let freshSince = Number.NEGATIVE_INFINITY;
  let current: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const poll = (): Promise<void> => {
    // A poll still waiting (a slow or locked database) is not stacked on: freshness simply runs out.
    if (current) return current;
    const startedAt = now();
    current = (async () => {
      try {
        const epoch = await repo.readAuthEpoch(deps.db);
        // The first poll drops too: entries stored before it (caches bypassed, but refreshed) predate it.
        if (epoch !== seen) deps.onChange();
        seen = epoch;
        // Every change committed before this poll started is now reflected in the caches.
        freshSince = startedAt;
      } catch (error) {
        deps.onError?.(error);
      } finally {
        current = undefined;
      }
    })();
    return current;
  };

  return {
    fresh: () => now() - freshSince < staleMs,
    async start() {
      if (timer) return;
      timer = setInterval(() => void poll(), pollMs);
      timer.unref();
      await poll();
    },
    async close() {
      clearInterval(timer);
      await current;
    },
  };
};
