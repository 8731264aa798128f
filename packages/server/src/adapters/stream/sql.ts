// The embedded stream: a durable log in the SQL database (SQLite or PostgreSQL). Consumers poll, and are
// woken at once by publishes made through any stream on the same database object in this process.
import { type Clock, systemClock } from '../../kernel/clock.ts';
import { notFound, QuiverError } from '../../kernel/errors.ts';
import type { SqlDatabase, SqlValue } from '../sql/index.ts';
import { LocalConsumers } from './local.ts';
import { type BatchSource, runConsumer } from './loop.ts';
import {
  type BatchHandler,
  type ConsumeOptions,
  type Consumer,
  checkConsumerName,
  checkFilter,
  checkTopic,
  DEFAULT_BATCH_SIZE,
  encodeData,
  type OutgoingMessage,
  type Stream,
  type StreamMessage,
  streamMessage,
} from './port.ts';
import { appendMessages } from './sql-append.ts';
import { tracedPublish } from './trace.ts';

export const DEFAULT_POLL_INTERVAL_MS = 200;
/** Serializes publishers on PostgreSQL so positions become visible in order (no gap a reader could pass). */
const PUBLISH_LOCK_KEY = 7_316_500;

export interface SqlStreamDeps {
  db: SqlDatabase;
  clock?: Clock;
}

export interface SqlStreamOptions {
  pollIntervalMs?: number;
}

interface MessageRow {
  position: number;
  topic: string;
  msg_key: string | null;
  data: Uint8Array;
  created_at: number;
  headers: string | null;
}

interface ConsumerRow {
  filter: string;
  position: number;
}

const wakersByDb = new WeakMap<SqlDatabase, Set<() => void>>();

/** `WHERE` text and parameters selecting a filter's topics, parameters numbered from `n`. */
const match = (filter: string, n: number): { sql: string; params: SqlValue[] } => {
  if (filter === '>') return { sql: '1 = 1', params: [] };
  if (filter.endsWith('.>')) {
    const prefix = filter.slice(0, -1);
    return { sql: `substr(topic, 1, $${n}) = $${n + 1}`, params: [prefix.length, prefix] };
  }
  return { sql: `topic = $${n}`, params: [filter] };
};

const toBuffer = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

export class SqlStream implements Stream {
  readonly kind = 'sql' as const;
  private readonly db: SqlDatabase;
  private readonly clock: Clock;
  private readonly pollMs: number;
  private readonly wakers: Set<() => void>;
  private readonly local = new LocalConsumers();

  constructor(deps: SqlStreamDeps, options: SqlStreamOptions = {}) {
    this.db = deps.db;
    this.clock = deps.clock ?? systemClock;
    this.pollMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    const wakers = wakersByDb.get(this.db) ?? new Set();
    wakersByDb.set(this.db, wakers);
    this.wakers = wakers;
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<number[]> {
    checkTopic(topic);
    if (messages.length === 0) return [];
    const data = messages.map((m) => toBuffer(encodeData(m.data)));
    const positions = await tracedPublish('quiver_log', topic, messages, (traced) =>
      this.db.transaction(async (tx) => {
        if (this.db.dialect === 'postgres')
          await tx.query('SELECT pg_advisory_xact_lock($1)', [PUBLISH_LOCK_KEY]);
        return appendMessages(tx, topic, traced, data, this.clock.now());
      }),
    );
    for (const wake of this.wakers) wake();
    return positions;
  }

  async consume(
    name: string,
    filter: string,
    handler: BatchHandler,
    options: ConsumeOptions = {},
  ): Promise<Consumer> {
    checkConsumerName(name);
    checkFilter(filter);
    this.local.claim(name);
    const start = Math.max(0, (options.fromPosition ?? 1) - 1);
    await this.db.execute(
      'INSERT INTO stream_consumers (name, filter, position, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING',
      [name, filter, start, this.clock.now()],
    );
    const stored = await this.consumerRow(name);
    if (stored.filter !== filter) {
      throw new QuiverError(
        'conflict',
        `consumer '${name}' exists with filter '${stored.filter}', not '${filter}'`,
      );
    }
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    return this.local.start(name, () =>
      runConsumer(name, this.source(name, filter, batchSize), handler, options.onError),
    );
  }

  /** Reads from the stored position each time it starts, so a restart after `seek` picks up the new one. */
  private source(
    name: string,
    filter: string,
    batchSize: number,
  ): BatchSource<{ messages: StreamMessage[] }> {
    let cursor: number | undefined;
    const where = match(filter, 3);
    const select = `SELECT position, topic, msg_key, data, created_at, headers FROM stream_messages WHERE position > $1 AND ${where.sql} ORDER BY position LIMIT $2`;
    return {
      fetch: async (signal) => {
        cursor ??= (await this.consumerRow(name)).position;
        let woken = false;
        let wakeNow = () => {
          woken = true;
        };
        const wake = () => wakeNow();
        this.wakers.add(wake);
        try {
          // The log's end, read before the batch: positions become visible in order, so when nothing past
          // the cursor matches, nothing up to `end` ever will, and the next poll starts there rather than
          // rescanning other topics' messages (a consumer of a quiet topic never commits, so its stored
          // position stays behind them).
          const [last] = await this.db.query<{ last_position: number | null }>(
            'SELECT MAX(position) AS last_position FROM stream_messages',
          );
          const end = Number(last?.last_position ?? 0);
          const rows = await this.db.query<MessageRow>(select, [cursor, batchSize, ...where.params]);
          if (rows.length === 0 && end > cursor) cursor = end;
          if (rows.length > 0) {
            return {
              messages: rows.map((r) =>
                streamMessage(
                  r.topic,
                  Number(r.position),
                  r.msg_key ?? undefined,
                  r.data,
                  Number(r.created_at),
                  r.headers ? (JSON.parse(r.headers) as Record<string, string>) : undefined,
                ),
              ),
            };
          }
          if (!woken && !signal.aborted) await this.waitForWake(signal, (fn) => (wakeNow = fn));
          return null;
        } finally {
          this.wakers.delete(wake);
        }
      },
      commit: async (batch) => {
        const last = batch.messages[batch.messages.length - 1].position;
        await this.db.execute('UPDATE stream_consumers SET position = $1, updated_at = $2 WHERE name = $3', [
          last,
          this.clock.now(),
          name,
        ]);
        cursor = last;
      },
      release: async () => {},
    };
  }

  private waitForWake(signal: AbortSignal, onWake: (wake: () => void) => void): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      signal.addEventListener('abort', done);
      onWake(done);
    });
  }

  private async consumerRow(name: string): Promise<ConsumerRow> {
    const [row] = await this.db.query<ConsumerRow>(
      'SELECT filter, position FROM stream_consumers WHERE name = $1',
      [name],
    );
    if (!row) throw notFound('consumer', name);
    return { filter: row.filter, position: Number(row.position) };
  }

  async position(name: string): Promise<number> {
    return (await this.consumerRow(name)).position;
  }

  async lag(name: string): Promise<number> {
    const { filter, position } = await this.consumerRow(name);
    const where = match(filter, 2);
    const [row] = await this.db.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM stream_messages WHERE position > $1 AND ${where.sql}`,
      [position, ...where.params],
    );
    return Number(row?.n ?? 0);
  }

  async seek(name: string, position: number): Promise<void> {
    checkConsumerName(name);
    await this.local.whileStopped(name, async () => {
      const changed = await this.db.execute(
        'UPDATE stream_consumers SET position = $1, updated_at = $2 WHERE name = $3',
        [Math.max(0, position - 1), this.clock.now(), name],
      );
      if (changed === 0) throw notFound('consumer', name);
    });
  }

  /** The log is the database: it takes writes while the database answers. */
  isOpen(): boolean {
    return true;
  }

  async whenOpen(): Promise<boolean> {
    return true;
  }

  async ping(): Promise<void> {
    await this.db.ping();
  }

  async close(): Promise<void> {
    await this.local.stopAll();
  }
}
