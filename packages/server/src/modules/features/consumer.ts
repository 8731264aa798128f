// The feature store's stream consumer: one durable consumer per KV namespace over every tenant's events.
// The KV keeps the position its state reflects, so a store that lost its state (the in-process one after a
// restart, a flushed Redis) is rebuilt by replaying the log from there, and reads say so meanwhile.
import { createHash } from 'node:crypto';
import type { KvStore } from '../../adapters/kv/index.ts';
import type { Consumer, Stream, StreamMessage } from '../../adapters/stream/index.ts';
import { isQuiverError, QuiverError } from '../../kernel/index.ts';
import type { Metrics } from '../../metrics/index.ts';
import { EVENTS_FILTER } from './event.ts';
import { featureKeys } from './keys.ts';
import type { BatchOutcome } from './pipeline.ts';

export const CONSUMER_PREFIX = 'features';
export const DEFAULT_CONSUMER_BATCH_SIZE = 1000;
/** How often the lag gauge is refreshed (and a finished rebuild noticed when nothing arrives). */
export const DEFAULT_LAG_POLL_MS = 5_000;

/** Freshness buckets in seconds: the goal is well under a second, a backlog shows up to minutes. */
const FRESHNESS_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export interface ConsumerDeps {
  stream: Stream;
  kv: KvStore;
  metrics: Metrics;
  handle(batch: readonly StreamMessage[]): Promise<BatchOutcome>;
  onError(error: unknown): void;
}

export interface ConsumerOptions {
  /** Tells this feature state apart from others on the same stream (the Redis key prefix); none in process. */
  namespace?: string;
  batchSize?: number;
  lagPollMs?: number;
}

export interface ConsumerStatus {
  consumer: string;
  lag: number;
  /** Set while lost state is being rebuilt from the log: the position the rebuild must reach. */
  rebuildingUntil: number | null;
}

/** `features` in process; `features-<hash of the namespace>` for a shared store, one consumer per store. */
export const consumerName = (namespace?: string): string =>
  namespace
    ? `${CONSUMER_PREFIX}-${createHash('sha256').update(namespace).digest('hex').slice(0, 12)}`
    : CONSUMER_PREFIX;

const storedPosition = async (stream: Stream, name: string): Promise<number | null> => {
  try {
    return await stream.position(name);
  } catch (error) {
    if (isQuiverError(error) && error.code === 'not_found') return null;
    throw error;
  }
};

export const createFeatureConsumer = (deps: ConsumerDeps, options: ConsumerOptions = {}) => {
  const { stream, kv, metrics } = deps;
  const name = consumerName(options.namespace);
  const lagGauge = metrics.gauge('feature_consumer_lag', 'Events not yet applied to features', ['consumer']);
  const freshness = metrics.histogram(
    'feature_freshness_seconds',
    'From an event being accepted to its features being readable',
    [],
    FRESHNESS_BUCKETS_S,
  );
  const events = metrics.counter('feature_events_total', 'Events seen by the feature consumer', ['outcome']);
  let consumer: Consumer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let rebuildingUntil: number | null = null;
  const batchSize = options.batchSize ?? DEFAULT_CONSUMER_BATCH_SIZE;

  const lag = async (): Promise<number> => {
    const n = await stream.lag(name);
    lagGauge.set({ consumer: name }, n);
    if (n === 0) rebuildingUntil = null;
    return n;
  };

  const handler = async (batch: readonly StreamMessage[]) => {
    const outcome = await deps.handle(batch);
    await kv.set(featureKeys.position(name), String(outcome.lastPosition));
    events.inc({ outcome: 'applied' }, outcome.applied.length);
    if (outcome.duplicates > 0) events.inc({ outcome: 'duplicate' }, outcome.duplicates);
    if (outcome.invalid > 0) events.inc({ outcome: 'invalid' }, outcome.invalid);
    // A replay's events are old news: only live ones say how fresh features are.
    if (rebuildingUntil === null)
      for (const e of outcome.applied)
        freshness.observe(Math.max(0, outcome.visibleAt - e.receivedAt) / 1000);
    if (rebuildingUntil !== null && outcome.lastPosition >= rebuildingUntil) rebuildingUntil = null;
    // A short batch says the replay is catching up; asking for the lag only then keeps a long replay cheap.
    if (rebuildingUntil !== null && batch.length < batchSize) await lag();
  };

  return {
    name,

    async start(): Promise<void> {
      const kvPosition = Number((await kv.get(featureKeys.position(name))) ?? 0);
      const stored = await storedPosition(stream, name);
      // The KV behind the stream's record means lost state: replay from what the KV still reflects.
      // (The KV ahead is normal after a crash before the commit: the marks skip what is redelivered.)
      if (stored !== null && kvPosition < stored) {
        await stream.seek(name, kvPosition + 1);
        rebuildingUntil = stored;
      }
      consumer = await stream.consume(name, EVENTS_FILTER, handler, {
        fromPosition: kvPosition + 1,
        batchSize,
        onError: deps.onError,
      });
      const poll = () => void lag().catch(deps.onError);
      poll();
      timer = setInterval(poll, options.lagPollMs ?? DEFAULT_LAG_POLL_MS);
      timer.unref();
    },

    async stop(): Promise<void> {
      clearInterval(timer);
      await consumer?.stop();
      consumer = undefined;
    },

    /** Throws `unavailable` while lost state is being rebuilt: features would read as silently missing. */
    assertServing(): void {
      if (rebuildingUntil !== null) {
        throw new QuiverError(
          'unavailable',
          'Features are being rebuilt from the event log after a restart; retry shortly',
          { headers: { 'retry-after': '1' } },
        );
      }
    },

    async status(): Promise<ConsumerStatus> {
      return { consumer: name, lag: await lag(), rebuildingUntil };
    },
  };
};

export type FeatureConsumer = ReturnType<typeof createFeatureConsumer>;
