// The recent items of each session: a stream consumer over every tenant's item events that keeps, per
// session, its last SESSION_ITEMS_N item ids (newest first) in the KV store for SESSION_TTL_MS. It is the
// context of a visitor without history (for-user with a sessionId). The KV keeps a marker: a tracker starting
// on a store without it (a restarted in-process store, a Redis restarted empty) replays the log; events older
// than the TTL are skipped, so only the last 30 minutes are written again. A store emptied under a running
// tracker is rebuilt at its next start only (sessions are short-lived).
import { createHash, randomUUID } from 'node:crypto';
import type { StoredEvent } from '@quiver/contracts';
import type { KvStore, KvWrite } from '../../adapters/kv/index.ts';
import type { Consumer, Stream, StreamMessage } from '../../adapters/stream/index.ts';
import { type Clock, isQuiverError } from '../../kernel/index.ts';
import { ALL_EVENTS_FILTER, EVENTS_TOPIC_FAMILY } from '../events/index.ts';

export const SESSION_ITEMS_N = 20;
export const SESSION_TTL_MS = 30 * 60_000;
const CONSUMER_PREFIX = 'recommend-sessions';
const BATCH_SIZE = 500;
const ITEM_EVENTS = new Set(['view', 'click', 'add_to_cart', 'purchase']);

/** Written when the tracker starts on a store; its absence says the sessions were lost (never expires). */
const markerOf = (consumer: string) => `recs:session-marker:${consumer}`;

const keyOf = (tenantId: string, sessionId: string) =>
  `recs:session:${tenantId}:${encodeURIComponent(sessionId)}`;

/** One consumer per KV namespace (the Redis key prefix), like the feature store's. */
const consumerName = (namespace?: string) =>
  namespace
    ? `${CONSUMER_PREFIX}-${createHash('sha256').update(namespace).digest('hex').slice(0, 12)}`
    : CONSUMER_PREFIX;

export interface SessionItems {
  /** The session's recent item ids, newest first, each once. */
  recent(tenantId: string, sessionId: string): Promise<string[]>;
}

/** The tracker: a stream consumer keeping each session's recent items in the KV store. */
export interface SessionTracker extends SessionItems {
  /** Replays the log into a store that lost its sessions, then starts the consumer. */
  start(): Promise<void>;
  /** Stops the consumer. */
  stop(): Promise<void>;
}

export const createSessionTracker = (
  deps: { stream: Stream; kv: KvStore; clock: Clock; onError(error: unknown): void },
  options: { namespace?: string } = {},
): SessionTracker => {
  const name = consumerName(options.namespace);
  let consumer: Consumer | undefined;

  const writeOf = (m: StreamMessage): KvWrite | null => {
    let e: Partial<StoredEvent>;
    try {
      e = m.json<Partial<StoredEvent>>();
    } catch {
      return null;
    }
    if (!e.sessionId || !e.itemId || !ITEM_EVENTS.has(String(e.type))) return null;
    const at = Date.parse(e.timestamp ?? '');
    if (!(deps.clock.now() - (Number.isNaN(at) ? m.timestamp : at) < SESSION_TTL_MS)) return null;
    const tenantId = m.topic.slice(EVENTS_TOPIC_FAMILY.length + 1);
    return {
      op: 'lpushTrim',
      key: keyOf(tenantId, e.sessionId),
      values: [e.itemId],
      maxLen: SESSION_ITEMS_N * 2,
      ttlMs: SESSION_TTL_MS,
    };
  };

  /**
   * A store without the marker is not the one this consumer filled: the consumer (when it exists, its
   * position past what the store lost) is moved back to the log's start. The KV down at start: no check
   * (best effort; the sessions come back as events arrive).
   */
  const rebuildIfLost = async (): Promise<void> => {
    const marker = markerOf(name);
    try {
      if ((await deps.kv.get(marker)) !== null) return;
    } catch (error) {
      if (isQuiverError(error) && error.code === 'unavailable') return;
      throw error;
    }
    try {
      if ((await deps.stream.position(name)) > 0) await deps.stream.seek(name, 1);
    } catch (error) {
      // A consumer that does not exist yet starts at the beginning anyway.
      if (!isQuiverError(error) || error.code !== 'not_found') throw error;
    }
    await deps.kv.set(marker, randomUUID());
  };

  return {
    async start(): Promise<void> {
      await rebuildIfLost();
      consumer = await deps.stream.consume(
        name,
        ALL_EVENTS_FILTER,
        async (batch) => {
          const writes = batch.map(writeOf).filter((w): w is KvWrite => w !== null);
          if (writes.length > 0) await deps.kv.writeMany(writes);
        },
        { batchSize: BATCH_SIZE, onError: deps.onError },
      );
    },
    async stop(): Promise<void> {
      await consumer?.stop();
      consumer = undefined;
    },
    async recent(tenantId: string, sessionId: string): Promise<string[]> {
      const ids = await deps.kv.lrange(keyOf(tenantId, sessionId), 0, SESSION_ITEMS_N * 2 - 1);
      return [...new Set(ids)].slice(0, SESSION_ITEMS_N);
    },
  };
};
