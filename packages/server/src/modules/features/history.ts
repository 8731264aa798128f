// Reads a tenant's whole event log back from the stream, for point-in-time computation. The stream port has
// no plain read, so a per-tenant durable consumer is moved to the start, drained to the end it had when the
// read began, and stopped; reads of one tenant in this process take turns.
import { type Stream, type StreamMessage, tenantTopic } from '../../adapters/stream/index.ts';
import { isQuiverError, QuiverError } from '../../kernel/index.ts';
import { decodeEvent, EVENTS_FAMILY, type FeatureEvent } from './event.ts';

export const HISTORY_CONSUMER_PREFIX = 'features-history-';
export const DEFAULT_HISTORY_BATCH_SIZE = 1000;
/** A read that receives nothing for this long gives up (the stream promised more than it delivers). */
export const DEFAULT_HISTORY_IDLE_MS = 30_000;

export interface HistoryOptions {
  batchSize?: number;
  idleMs?: number;
}

const seekIfExists = async (stream: Stream, name: string): Promise<void> => {
  try {
    await stream.seek(name, 1);
  } catch (error) {
    if (!(isQuiverError(error) && error.code === 'not_found')) throw error;
  }
};

export const createHistoryReader = (stream: Stream, options: HistoryOptions = {}) => {
  const turns = new Map<string, Promise<unknown>>();
  const batchSize = options.batchSize ?? DEFAULT_HISTORY_BATCH_SIZE;
  const idleMs = options.idleMs ?? DEFAULT_HISTORY_IDLE_MS;

  /** Every event of the tenant that `keep` accepts, each id once (its first position), in log order. */
  const readAll = async (tenantId: string, keep: (e: FeatureEvent) => boolean): Promise<FeatureEvent[]> => {
    const name = `${HISTORY_CONSUMER_PREFIX}${tenantId}`;
    await seekIfExists(stream, name);
    const events: FeatureEvent[] = [];
    const ids = new Set<string>();
    let received = 0;
    let target = Number.POSITIVE_INFINITY;
    let open!: () => void;
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    let finish!: () => void;
    let lastProgress = Date.now();
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const consumer = await stream.consume(
      name,
      tenantTopic(EVENTS_FAMILY, tenantId),
      async (batch: readonly StreamMessage[]) => {
        await opened; // nothing is committed before the target is known
        for (const m of batch) {
          const e = decodeEvent(m);
          if (e && !ids.has(e.id) && keep(e)) events.push(e);
          if (e) ids.add(e.id);
        }
        received += batch.length;
        lastProgress = Date.now();
        if (received >= target) finish();
      },
      { fromPosition: 1, batchSize },
    );
    let watchdog: NodeJS.Timeout | undefined;
    try {
      target = await stream.lag(name);
      open();
      if (received >= target) finish();
      const stalled = new Promise<never>((_, reject) => {
        watchdog = setInterval(
          () => {
            if (Date.now() - lastProgress > idleMs)
              reject(new QuiverError('unavailable', 'The event stream stopped delivering the history'));
          },
          Math.min(1_000, idleMs),
        );
      });
      await Promise.race([finished, stalled]);
      return events;
    } finally {
      clearInterval(watchdog);
      open();
      await consumer.stop();
    }
  };

  return (tenantId: string, keep: (e: FeatureEvent) => boolean): Promise<FeatureEvent[]> => {
    const run = (turns.get(tenantId) ?? Promise.resolve()).then(
      () => readAll(tenantId, keep),
      () => readAll(tenantId, keep),
    );
    const settled = run.catch(() => {});
    turns.set(tenantId, settled);
    void settled.then(() => {
      if (turns.get(tenantId) === settled) turns.delete(tenantId);
    });
    return run;
  };
};

export type HistoryReader = ReturnType<typeof createHistoryReader>;
