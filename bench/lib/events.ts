// Helpers of the events benchmark, exported for benchmarks that build on it (feature freshness): generated
// event batches, HTTP ingestion, a bare stream publish, and a Quiver server in a child process.
import type { QuiverEvent, StoredEvent } from '@quiver/contracts';
import type { Stream } from '../../packages/server/src/adapters/stream/index.ts';
import { demoCatalog } from '../../packages/server/src/modules/demo/index.ts';
import { eventsTopic } from '../../packages/server/src/modules/events/index.ts';
import { startChild } from './child.ts';

export const BATCH = 500;
export const BATCHES = Number(process.env.BENCH_EVENT_BATCHES ?? 200);
/** Batches in flight at once, over HTTP and in the bare publish alike. */
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
/** The tenant bench/servers/quiver.ts creates. */
export const BENCH_TENANT = 'bench';
const SERVERS = new URL('../servers/', import.meta.url).pathname;
const TYPES = ['view', 'view', 'view', 'view', 'view', 'view', 'click', 'click', 'add_to_cart', 'purchase'];

export interface EventsServer {
  name: string;
  streamUrl?: string;
  port: number;
  key: string;
  tenantId: string;
  /** CPU seconds the server process has used so far (NaN where /proc is missing). */
  cpuSeconds(): number;
}

/** `count` batches of `size` plausible events (views, clicks, carts, purchases, searches) with unique ids. */
export const eventBatches = (runId: string, count = BATCHES, size = BATCH): QuiverEvent[][] => {
  const items = demoCatalog().map((i) => i.id);
  const now = new Date().toISOString();
  return Array.from({ length: count }, (_, b) =>
    Array.from({ length: size }, (_, i) => {
      const n = b * size + i;
      const id = `${runId}-${n}`;
      const userId = `u-${(n * 7919) % 5000}`;
      if (n % 20 === 19) return { id, type: 'search', userId, query: 'oak lamp', timestamp: now };
      const type = TYPES[n % TYPES.length];
      const event: QuiverEvent = { id, type, userId, itemId: items[(n * 31) % items.length], timestamp: now };
      if (type === 'purchase') Object.assign(event, { quantity: 1 + (n % 3), value: 10 + (n % 90) });
      return { ...event, sessionId: `s-${userId}-${Math.floor(b / 10)}` };
    }),
  );
};

/** Runs `work` over the batches with `concurrency` in flight; answers events/s. */
const pump = async (
  batches: readonly unknown[][],
  concurrency: number,
  work: (i: number) => Promise<void>,
) => {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < batches.length) await work(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const events = batches.reduce((n, b) => n + b.length, 0);
  return events / ((performance.now() - started) / 1000);
};

/** Sends the batches through POST /v1/events; every event must be accepted. Answers events/s. */
export const ingest = async (server: EventsServer, batches: QuiverEvent[][], concurrency = CONCURRENCY) => {
  const bodies = batches.map((events) => JSON.stringify({ events }));
  const headers = { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' };
  return pump(batches, concurrency, async (i) => {
    const res = await fetch(`http://127.0.0.1:${server.port}/v1/events`, {
      method: 'POST',
      headers,
      body: bodies[i],
    });
    const body = (await res.json()) as { accepted: number };
    if (res.status !== 202 || body.accepted !== batches[i].length)
      throw new Error(`batch ${i}: ${res.status} ${JSON.stringify(body)}`);
  });
};

/** Publishes the batches as the events module does (key = id, event + receivedAt), straight to a stream. */
export const barePublish = async (stream: Stream, batches: QuiverEvent[][], concurrency = CONCURRENCY) => {
  const topic = eventsTopic(BENCH_TENANT);
  return pump(batches, concurrency, async (i) => {
    const receivedAt = new Date().toISOString();
    const messages = batches[i].map((e) => ({ key: e.id, data: { ...e, receivedAt } as StoredEvent }));
    await stream.publish(topic, messages);
  });
};

/** Starts Quiver in a child process on a temporary SQLite database, with the given stream (none: the SQL log). */
export const startEventsServer = async (name: string, streamUrl?: string) => {
  const child = await startChild<{ port: number; key: string }>(`${SERVERS}quiver.ts`, {
    DATABASE_URL: '',
    STREAM_URL: streamUrl ?? '',
  });
  const server: EventsServer = {
    name,
    streamUrl,
    ...child.info,
    tenantId: BENCH_TENANT,
    cpuSeconds: child.cpuSeconds,
  };
  return { server, stop: () => child.stop() };
};
