// The feature store's stream consumer: one durable consumer per KV namespace over every tenant's events.
// The KV keeps the position its state reflects and an epoch marker, so a store that lost its state (the
// in-process one after a restart, a Redis restarted empty, even under a running app) is rebuilt by replaying
// the log, and reads answer 503 meanwhile rather than silently undercount.
import { createHash, randomUUID } from 'node:crypto';
import type { KvStore } from '../../adapters/kv/index.ts';
import type { Consumer, Stream, StreamMessage } from '../../adapters/stream/index.ts';
import { isQuiverError, QuiverError } from '../../kernel/index.ts';
import type { Metrics } from '../../metrics/index.ts';
import { EVENTS_FILTER } from './event.ts';
import { featureKeys } from './keys.ts';
import type { BatchOutcome } from './pipeline.ts';

export const CONSUMER_PREFIX = 'features';
export const DEFAULT_CONSUMER_BATCH_SIZE = 1000;
/**
 * How often the lag gauge is refreshed and the epoch marker checked (a finished rebuild, or lost state,
 * noticed when nothing arrives). Batches check the marker too, and reads after the KV reconnects.
 */
export const DEFAULT_LAG_POLL_MS = 5_000;
/** Wait before trying again to open the consumer when the KV or the stream is unavailable. */
export const REOPEN_RETRY_MS = 1_000;

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

const isUnavailable = (error: unknown): boolean => isQuiverError(error) && error.code === 'unavailable';

const notServing = (detail: string) => new QuiverError('unavailable', detail);

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
  const epochKey = featureKeys.epoch(name);
  const lagGauge = metrics.gauge('feature_consumer_lag', 'Events not yet applied to features', ['consumer']);
  const freshness = metrics.histogram(
    'feature_freshness_seconds',
    'From an event being accepted to its features being readable',
    [],
    FRESHNESS_BUCKETS_S,
  );
  const events = metrics.counter('feature_events_total', 'Events seen by the feature consumer', ['outcome']);
  const rebuilds = metrics.counter(
    'feature_rebuilds_total',
    'Times the feature state was found lost from the KV store under a running consumer and replayed',
    ['consumer'],
  );
  let consumer: Consumer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let rebuildingUntil: number | null = null;
  /** True from the moment the state is found lost (or the consumer could not open) until it runs again. */
  let reopening = false;
  /** Until `start` (which waits for the stream when NATS was down at start-up) and after `stop`. */
  let stopped = true;
  /** The marker this consumer's state carries, and the KV connection it was last checked on. */
  let epoch: string | undefined;
  let checkedConnection = -1;
  let checking: Promise<void> | undefined;
  let lastApplied = 0;
  const batchSize = options.batchSize ?? DEFAULT_CONSUMER_BATCH_SIZE;
  // While the KV is known down its failures are already reported (once, as an outage), and a loss once
  // when found: not every retry.
  const report = (error: unknown) => {
    if (!(isUnavailable(error) && (!kv.available() || reopening))) deps.onError(error);
  };

  const lag = async (): Promise<number> => {
    const n = await stream.lag(name);
    lagGauge.set({ consumer: name }, n);
    if (n === 0 && !reopening) rebuildingUntil = null;
    return n;
  };

  const handler = async (batch: readonly StreamMessage[]) => {
    // Applying a batch onto a store that lost the rest would undercount for good: rebuild instead.
    if ((await kv.get(epochKey)) !== epoch) {
      lost();
      throw notServing('The feature state was lost from the KV store; rebuilding from the event log');
    }
    const outcome = await deps.handle(batch);
    await kv.set(featureKeys.position(name), String(outcome.lastPosition));
    lastApplied = outcome.lastPosition;
    events.inc({ outcome: 'applied' }, outcome.applied.length);
    if (outcome.duplicates > 0) events.inc({ outcome: 'duplicate' }, outcome.duplicates);
    if (outcome.invalid > 0) events.inc({ outcome: 'invalid' }, outcome.invalid);
    // A replay's events are old news: only live ones say how fresh features are.
    if (rebuildingUntil === null)
      for (const e of outcome.applied)
        freshness.observe(Math.max(0, outcome.visibleAt - e.receivedAt) / 1000);
    if (rebuildingUntil !== null && !reopening && outcome.lastPosition >= rebuildingUntil)
      rebuildingUntil = null;
    // A short batch says the replay is catching up; asking for the lag only then keeps a long replay cheap.
    if (rebuildingUntil !== null && batch.length < batchSize) await lag();
  };

  /**
   * Opens the consumer on the state the KV holds: whatever the KV is behind the stream's record is replayed
   * (everything, for an empty store; the tail, after a crash before the position was written). After a
   * loss found at run time the position may have been written again onto the emptied store, so without
   * the epoch marker everything is replayed. Replayed events already marked applied are skipped, so a
   * replay never counts twice.
   */
  const open = async (afterLoss = false): Promise<void> => {
    const connection = kv.connection;
    const marker = await kv.get(epochKey);
    const kvPosition =
      marker === null && afterLoss ? 0 : Number((await kv.get(featureKeys.position(name))) ?? 0);
    const stored = await storedPosition(stream, name);
    // (The KV ahead is normal after a crash before the commit: the marks skip what is redelivered.)
    if (stored !== null && kvPosition < stored) {
      await stream.seek(name, kvPosition + 1);
      rebuildingUntil = stored;
    } else rebuildingUntil = null;
    epoch = marker ?? randomUUID();
    if (marker === null) await kv.set(epochKey, epoch);
    checkedConnection = connection;
    lastApplied = Math.max(kvPosition, stored ?? 0);
    const opened = await stream.consume(name, EVENTS_FILTER, handler, {
      fromPosition: kvPosition + 1,
      batchSize,
      onError: report,
    });
    if (stopped) return opened.stop();
    consumer = opened;
    reopening = false;
  };

  /** Opens the consumer, retrying while the KV (or the stream) is unavailable; reads answer 503 meanwhile. */
  const reopen = async (afterLoss: boolean): Promise<void> => {
    while (!stopped) {
      try {
        await open(afterLoss);
        return;
      } catch (error) {
        report(error);
        await new Promise((r) => setTimeout(r, REOPEN_RETRY_MS).unref());
      }
    }
  };

  /** The state is gone from the KV: stop applying onto it, and replay the log into the empty store. */
  const lost = (): void => {
    if (reopening || stopped) return;
    reopening = true;
    rebuildingUntil = lastApplied;
    rebuilds.inc({ consumer: name });
    deps.onError(
      new Error(
        `feature state of '${name}' lost from the KV store (emptied?); rebuilding from the event log`,
      ),
    );
    // Not awaited: the handler that noticed the loss must return before its consumer can stop.
    void (async () => {
      await consumer?.stop();
      consumer = undefined;
      await reopen(true);
    })().catch(deps.onError);
  };

  /** Compares the KV's epoch marker with ours; calls concurrent with one in flight share it. */
  const checkEpoch = (): Promise<void> => {
    checking ??= (async () => {
      const connection = kv.connection;
      try {
        if (!reopening && (await kv.get(epochKey)) !== epoch) lost();
        else checkedConnection = connection;
      } finally {
        checking = undefined;
      }
    })();
    return checking;
  };

  return {
    name,

    async start(): Promise<void> {
      stopped = false;
      reopening = true;
      try {
        await open();
      } catch (error) {
        // The KV (Redis) is down at start: serve the rest, and open once it answers.
        if (!isUnavailable(error)) throw error;
        report(error);
        void reopen(false).catch(deps.onError);
      }
      const poll = () => void Promise.all([lag(), reopening ? undefined : checkEpoch()]).catch(report);
      poll();
      timer = setInterval(poll, options.lagPollMs ?? DEFAULT_LAG_POLL_MS);
      timer.unref();
    },

    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await consumer?.stop();
      consumer = undefined;
    },

    /**
     * Throws `unavailable` while lost state is being rebuilt (features would read as silently missing), and
     * after the KV reconnects until its state is known to be the one this consumer built.
     */
    async assertServing(): Promise<void> {
      if (stopped) throw notServing('The feature store has not started yet (it waits for the event stream)');
      if (!reopening && kv.connection !== checkedConnection) await checkEpoch();
      if (reopening && !kv.available()) throw notServing('The feature store is not available; retry shortly');
      if (reopening || rebuildingUntil !== null) {
        throw notServing('Features are being rebuilt from the event log; retry shortly');
      }
    },

    async status(): Promise<ConsumerStatus> {
      return { consumer: name, lag: await lag(), rebuildingUntil };
    },
  };
};

export type FeatureConsumer = ReturnType<typeof createFeatureConsumer>;
