// Follows the catalog change feed (`catalog.<tenant>` on the stream port) with this process's own durable
// consumer: each replica keeps its own in-process indexes, so each has its own position, starting where its
// saved indexes left off.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Consumer, Stream, StreamMessage } from '../../adapters/stream/index.ts';
import { isQuiverError } from '../../kernel/index.ts';
import { CATALOG_TOPIC_FAMILY } from '../catalog/index.ts';

export const CONSUMER_PREFIX = 'vectors';
const FILTER = `${CATALOG_TOPIC_FAMILY}.>`;
const BATCH_SIZE = 500;

interface ChangeMessage {
  tenantId: string;
  itemId: string;
}

export interface FeedDeps {
  stream: Stream;
  /** Holds this instance's id (so a restart resumes the same consumer); absent: a new one per process. */
  dir?: string;
  /** Changed item ids by tenant, and the last position of the batch. Throwing redelivers the batch. */
  handle(changes: ReadonlyMap<string, readonly string[]>, lastPosition: number): Promise<void>;
  onError(error: unknown): void;
}

export interface FeedConsumer {
  /** Starts at `from` when given (where the saved indexes need it), else where this consumer stopped. */
  start(from?: number): Promise<void>;
  /** The last position handled by this process (0 before any). */
  lastSeen(): number;
  stop(): Promise<void>;
}

const instanceId = async (dir: string | undefined): Promise<string> => {
  if (!dir) return randomUUID().slice(0, 8);
  const file = join(dir, 'instance-id');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const id = randomUUID().slice(0, 8);
    await mkdir(dir, { recursive: true });
    await writeFile(file, id);
    return id;
  }
};

const grouped = (batch: readonly StreamMessage[]) => {
  const changes = new Map<string, string[]>();
  for (const m of batch) {
    const c = m.json<ChangeMessage>();
    if (typeof c.tenantId !== 'string' || typeof c.itemId !== 'string') continue;
    const ids = changes.get(c.tenantId) ?? [];
    changes.set(c.tenantId, ids);
    if (!ids.includes(c.itemId)) ids.push(c.itemId);
  }
  return changes;
};

export const createFeedConsumer = (deps: FeedDeps): FeedConsumer => {
  let consumer: Consumer | undefined;
  let last = 0;
  return {
    async start(from) {
      const name = `${CONSUMER_PREFIX}-${await instanceId(deps.dir)}`;
      let exists = true;
      try {
        await deps.stream.position(name);
      } catch (error) {
        if (!(isQuiverError(error) && error.code === 'not_found')) throw error;
        exists = false;
      }
      if (exists && from !== undefined) await deps.stream.seek(name, from);
      consumer = await deps.stream.consume(
        name,
        FILTER,
        async (batch) => {
          const position = batch[batch.length - 1].position;
          await deps.handle(grouped(batch), position);
          last = Math.max(last, position);
        },
        { fromPosition: from ?? 1, batchSize: BATCH_SIZE, onError: deps.onError },
      );
    },
    lastSeen: () => last,
    async stop() {
      await consumer?.stop();
    },
  };
};
