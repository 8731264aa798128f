// Chooses the KV implementation from a URL: redis:// or rediss:// → Redis, none → in process.
import type { Clock } from '../../kernel/index.ts';
import { type Adapter, openAdapter } from '../open.ts';
import { MemoryKv } from './memory.ts';
import type { KvStore } from './port.ts';
import { RedisKv } from './redis.ts';

export { DEFAULT_SWEEP_INTERVAL_MS, MemoryKv, type MemoryKvOptions } from './memory.ts';
export type {
  AvailabilityListener,
  KvKind,
  KvStore,
  KvWrite,
  TokenBucketSpec,
  TokenBucketState,
  TtlOption,
} from './port.ts';
export { takeToken } from './port.ts';
export { DEFAULT_MAX_RETRIES_PER_REQUEST, RedisKv, type RedisKvOptions } from './redis.ts';

export interface OpenKvOptions {
  /** Redis only: prepended to every key. */
  keyPrefix?: string;
  /** In process only: restored on open when present, written on close. */
  snapshotFile?: string;
  /** In process only: the clock TTLs are measured by. */
  clock?: Clock;
}

/** `redis://…` or `rediss://…` → Redis; none → in process. */
export const kvAdapter: Adapter<KvStore> = {
  variable: 'REDIS_URL',
  schemes: {
    redis: (url, { keyPrefix }) => new RedisKv(url, { keyPrefix }),
    rediss: (url, { keyPrefix }) => new RedisKv(url, { keyPrefix }),
  },
  embedded: ({ clock, snapshotFile }) => new MemoryKv({ clock }, { snapshotFile }),
};

/** Opens the KV store `url` names (see kvAdapter). Any other scheme is a configuration error. */
export const openKv = (url: string | undefined, options: OpenKvOptions = {}): KvStore =>
  openAdapter(kvAdapter, url, { dataDir: '', ...options });
