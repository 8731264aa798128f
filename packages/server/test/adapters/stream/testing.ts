// Test support for the stream contract: the kinds every implementation is run as, and a recording consumer.
import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import { openSqlDatabase, type SqlDatabase } from '../../../src/adapters/sql/index.ts';
import { SqliteDatabase } from '../../../src/adapters/sql/sqlite.ts';
import {
  type ConsumeOptions,
  type Consumer,
  openStream,
  type Stream,
  type StreamMessage,
  streamMigrations,
} from '../../../src/adapters/stream/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

/** The server tests use; CI starts it. Tests that need it fail (never skip) when it is down. */
export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export interface StreamKind {
  name: string;
  /** Prepares an empty backing store; `open` then makes a new stream instance on it each call. */
  create(): Promise<{ open(): Promise<Stream>; cleanup(): Promise<void> }>;
}

const sqlKinds: StreamKind[] = STORAGE_KINDS.map((storage) => ({
  name: `sql log on ${storage.name}`,
  async create() {
    const { url, cleanup } = await storage.create();
    const opened: { db: SqlDatabase; stream: Stream }[] = [];
    return {
      async open() {
        const db = openSqlDatabase(url, '/nonexistent');
        await db.migrate(streamMigrations);
        // A short poll keeps the suite quick when a consumer waits for messages from another instance.
        const stream = await openStream(undefined, { db }, { sql: { pollIntervalMs: 20 } });
        opened.push({ db, stream });
        return stream;
      },
      async cleanup() {
        for (const { db, stream } of opened) {
          await stream.close();
          await db.close();
        }
        await cleanup();
      },
    };
  },
}));

const natsKind: StreamKind = {
  name: 'NATS JetStream',
  async create() {
    const id = randomBytes(5).toString('hex');
    const options = { streamName: `QUIVER_TEST_${id}`, subjectPrefix: `quivertest${id}`, fetchWaitMs: 100 };
    const opened: Stream[] = [];
    const unused = new SqliteDatabase(':memory:');
    return {
      async open() {
        const stream = await openStream(TEST_NATS_URL, { db: unused }, { jetstream: options });
        opened.push(stream);
        return stream;
      },
      async cleanup() {
        for (const stream of opened) await stream.close();
        const nc = await connect({ servers: TEST_NATS_URL });
        const jsm = await nc.jetstreamManager();
        await jsm.streams.delete(options.streamName).catch(() => false);
        await nc.close();
        await unused.close();
      },
    };
  },
};

export const STREAM_KINDS: StreamKind[] = [...sqlKinds, natsKind];

/** A unique suffix so tests sharing one backing store never see each other's topics or consumers. */
export const unique = (): string => randomBytes(4).toString('hex');

/** Polls until `cond` holds; a guard against hanging, not a timing assertion. */
export const eventually = async (cond: () => boolean | Promise<boolean>, what: string): Promise<void> => {
  const deadline = Date.now() + 30_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

export interface Recorder {
  consumer: Consumer;
  /** Messages of every batch the handler accepted, in order of acceptance. */
  seen: StreamMessage[];
}

/** Starts a consumer that records what it handles; `before` may throw to refuse a batch. */
export const record = async (
  stream: Stream,
  name: string,
  filter: string,
  options: ConsumeOptions & { before?: (batch: readonly StreamMessage[]) => void } = {},
): Promise<Recorder> => {
  const seen: StreamMessage[] = [];
  const consumer = await stream.consume(
    name,
    filter,
    async (batch) => {
      options.before?.(batch);
      seen.push(...batch);
    },
    options,
  );
  return { consumer, seen };
};
