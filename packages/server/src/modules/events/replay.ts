// Reads a tenant's events back from the stream after a position, through a per-tenant durable consumer that
// is moved (`seek`) to the position, handed one batch, and stopped: the stream port has no plain read.
import type { EventPage, StoredEvent } from '@quiver/contracts';
import type { Stream, StreamMessage } from '../../adapters/stream/index.ts';
import { isQuiverError, QuiverError } from '../../kernel/index.ts';
import { eventsTopic } from './topic.ts';

export const REPLAY_CONSUMER_PREFIX = 'events-replay-';
/** A guard against a consumer that never delivers what `lag` promised; not expected to be reached. */
export const FIRST_BATCH_TIMEOUT_MS = 10_000;

/** Where each of a tenant's event ids is on record (the copy that counts); ids not on record are absent. */
export type RecordedPositions = (tenantId: string, ids: readonly string[]) => Promise<Map<string, number>>;

/** Moves the consumer to `position`; false when it does not exist yet. */
const seekIfExists = async (stream: Stream, name: string, position: number): Promise<boolean> => {
  try {
    await stream.seek(name, position);
    return true;
  } catch (error) {
    if (isQuiverError(error) && error.code === 'not_found') return false;
    throw error;
  }
};

/**
 * Starts the consumer at `from`, takes the first batch it delivers (at most `limit`), and stops it. The handler
 * holds the batch until we are done, so the consumer fetches nothing more. `lag` 0 means there is nothing to
 * wait for (messages held by the handler still count as lag, so it cannot miss a delivered batch).
 */
const firstBatch = async (
  stream: Stream,
  name: string,
  filter: string,
  from: number,
  limit: number,
): Promise<readonly StreamMessage[]> => {
  let deliver!: (batch: readonly StreamMessage[]) => void;
  const delivered = new Promise<readonly StreamMessage[]>((resolve) => {
    deliver = resolve;
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const consumer = await stream.consume(
    name,
    filter,
    async (batch) => {
      deliver(batch);
      await released;
    },
    { fromPosition: from, batchSize: limit },
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    const nothing = stream.lag(name).then((n) => (n === 0 ? [] : delivered));
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new QuiverError('unavailable', 'The event stream did not deliver in time')),
        FIRST_BATCH_TIMEOUT_MS,
      );
    });
    return await Promise.race([delivered, nothing, timeout]);
  } finally {
    clearTimeout(timer);
    release();
    await consumer.stop();
  }
};

/**
 * One consumer per tenant (`events-replay-<tenantId>`), so replays in this process are serialized per tenant.
 * Replicas replaying the same tenant at the same moment would move each other's consumer: a debugging and
 * rebuilding surface, not a hot path.
 */
export const createReplayer = (stream: Stream, recorded: RecordedPositions) => {
  const queues = new Map<string, Promise<unknown>>();
  const serialized = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const run = (queues.get(key) ?? Promise.resolve()).then(fn, fn);
    const settled = run.catch(() => {});
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return run;
  };

  /** The tenant's messages after `after`, at most `limit`, as the stream has them (repeats included). */
  const read = async (tenantId: string, after: number, limit: number): Promise<readonly StreamMessage[]> => {
    const name = `${REPLAY_CONSUMER_PREFIX}${tenantId}`;
    const from = after + 1;
    // No separate `lag` check here: firstBatch asks it once (an embedded stream's lag is a COUNT over every
    // later message, and asking twice a page doubled a training read's longest blocks).
    await seekIfExists(stream, name, from);
    return firstBatch(stream, name, eventsTopic(tenantId), from, limit);
  };

  /**
   * A copy of an event that is not the one on record is a repeat (a retry published after JetStream's duplicate
   * window): skipped. An event not on record yet (its request is between publish and record) is shown. A page
   * whose every message was a repeat reads on, so an empty page still means the end.
   */
  return (tenantId: string, after: number, limit: number): Promise<EventPage> =>
    serialized(tenantId, async () => {
      let position = after;
      for (;;) {
        const batch = await read(tenantId, position, limit);
        if (batch.length === 0) return { events: [], lastPosition: position };
        const events = batch.map((m) => ({ position: m.position, event: m.json<StoredEvent>() }));
        const onRecord = await recorded(
          tenantId,
          events.map((e) => e.event.id),
        );
        const kept = events.filter((e) => (onRecord.get(e.event.id) ?? e.position) === e.position);
        position = batch[batch.length - 1].position;
        if (kept.length > 0) return { events: kept, lastPosition: position };
      }
    });
};
