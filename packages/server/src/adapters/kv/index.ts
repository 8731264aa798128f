// Chooses the KV implementation from a URL: redis:// or rediss:// → Redis, none → in process.
import type { Clock } from '../../kernel/index.ts';
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

/** `redis://…` or `rediss://…` → Redis; none → in process. Any other scheme is a configuration error. */
export const openKv = (url: string | undefined, options: OpenKvOptions = {}): KvStore => {
  if (!url) return new MemoryKv({ clock: options.clock }, { snapshotFile: options.snapshotFile });
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    return new RedisKv(url, { keyPrefix: options.keyPrefix });
  }
  throw new Error(`unsupported REDIS_URL scheme in '${url.split(':')[0]}:'`);
};
