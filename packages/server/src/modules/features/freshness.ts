// The freshness benchmark's hook: when each event's features became readable, read from the marks the
// consumer leaves in the KV store (exact times, no polling error).
import type { KvStore } from '../../adapters/kv/index.ts';
import { featureKeys } from './keys.ts';

export const DEFAULT_WAIT_TIMEOUT_MS = 60_000;
const POLL_MS = 5;

/** For each event id, when its features became readable (epoch ms), or null if not applied yet. */
export const featureVisibleTimes = async (
  kv: KvStore,
  tenantId: string,
  eventIds: readonly string[],
): Promise<(number | null)[]> =>
  (await kv.mget(eventIds.map((id) => featureKeys.seen(tenantId, id)))).map((v) =>
    v === null ? null : Number(v),
  );

/**
 * Waits until every event is applied and returns the times; throws after `timeoutMs` naming how many are
 * missing. Poll granularity does not matter: the times are the consumer's own.
 */
export const waitForFeatures = async (
  kv: KvStore,
  tenantId: string,
  eventIds: readonly string[],
  timeoutMs = DEFAULT_WAIT_TIMEOUT_MS,
): Promise<number[]> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const times = await featureVisibleTimes(kv, tenantId, eventIds);
    const missing = times.filter((t) => t === null).length;
    if (missing === 0) return times as number[];
    if (Date.now() > deadline)
      throw new Error(`${missing} of ${eventIds.length} events have no features yet`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
};
