// Events benchmark: ingestion events/s through POST /v1/events (batches of 500) with the embedded SQL log
// and with NATS JetStream, each next to a bare stream publish of the same batches in the same run.
// `main({ duringIngest })` runs a probe beside each HTTP ingestion run and prints the rows it returns; by
// default the feature freshness probe (event accepted → its features readable, under that load).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QuiverEvent } from '@quiver/contracts';
import { connect } from 'nats';
import { openSqlDatabase } from '../packages/server/src/adapters/sql/index.ts';
import { openStream, streamMigrations } from '../packages/server/src/adapters/stream/index.ts';
import { eventsTopic } from '../packages/server/src/modules/events/index.ts';
import { probeFreshness } from '../packages/server/src/modules/features/index.ts';
import {
  BATCH,
  BENCH_TENANT,
  barePublish,
  CONCURRENCY,
  type EventsServer,
  eventBatches,
  ingest,
  startEventsServer,
} from './lib/events.ts';
import { fmt, table } from './lib/report.ts';

const WARMUP_BATCHES = 10;
const NATS_URL = process.env.STREAM_URL || 'nats://127.0.0.1:4222';

export type Row = Record<string, string | number>;
/** Runs beside an HTTP ingestion run (`ingestion` resolves with its events/s); returns rows to print. */
export type DuringIngest = (server: EventsServer, ingestion: Promise<number>) => Promise<Row[]>;

/** Feature freshness under the load: probe events over HTTP, and the server's histogram of every event. */
export const freshnessDuringIngest: DuringIngest = async (server, ingestion) => {
  const r = await probeFreshness({ baseUrl: `http://127.0.0.1:${server.port}`, key: server.key }, ingestion);
  return [
    {
      'freshness under load': server.name,
      probes: `${r.probes}`,
      'probe p50 ms': r.p50Ms,
      'probe p99 ms': r.p99Ms,
      'server events': r.server.events,
      'server p50 ms': r.server.p50Ms,
      'server p99 ms': r.server.p99Ms,
    },
  ];
};

const warmup = (batches: QuiverEvent[][]) =>
  batches.slice(0, WARMUP_BATCHES).map((b) => b.map((e) => ({ ...e, id: `w${e.id}` })));

/** The embedded baseline: the SQL log on its own SQLite file in this process. */
const bareEmbedded = async (batches: QuiverEvent[][]) => {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-bench-log-'));
  const db = openSqlDatabase(`sqlite://${join(dir, 'log.db')}`, dir);
  await db.migrate(streamMigrations);
  const stream = await openStream(undefined, { db });
  try {
    await barePublish(stream, warmup(batches));
    return await barePublish(stream, batches);
  } finally {
    await stream.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

/** The NATS baseline: a throwaway JetStream stream, deleted afterwards. */
const bareNats = async (batches: QuiverEvent[][]) => {
  const id = randomBytes(4).toString('hex');
  const jetstream = { streamName: `QUIVER_BENCH_${id}`, subjectPrefix: `quiverbench${id}` };
  const unused = openSqlDatabase('sqlite://:memory:', tmpdir());
  const stream = await openStream(NATS_URL, { db: unused }, { jetstream });
  try {
    await barePublish(stream, warmup(batches));
    return await barePublish(stream, batches);
  } finally {
    await stream.close();
    await unused.close();
    const nc = await connect({ servers: NATS_URL });
    await (await nc.jetstreamManager()).streams.delete(jetstream.streamName).catch(() => false);
    await nc.close();
  }
};

/** One HTTP run: a fresh server, a warm-up, then the measured batches (with the probe beside them). */
const httpRun = async (
  name: string,
  streamUrl: string | undefined,
  batches: QuiverEvent[][],
  probe?: DuringIngest,
) => {
  const { server, stop } = await startEventsServer(name, streamUrl);
  try {
    await ingest(server, warmup(batches));
    const cpuBefore = server.cpuSeconds();
    const ingestion = ingest(server, batches);
    const [rate, rows] = await Promise.all([ingestion, probe ? probe(server, ingestion) : []]);
    const events = batches.length * BATCH;
    return { rate, perCpuS: events / (server.cpuSeconds() - cpuBefore), rows };
  } finally {
    await stop();
  }
};

/** The server on NATS writes to the shared default stream: drop the bench tenant's events afterwards. */
const purgeBenchEvents = async () => {
  const nc = await connect({ servers: NATS_URL });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.purge('QUIVER', { filter: `quiver.${eventsTopic(BENCH_TENANT)}` }).catch(() => undefined);
  await nc.close();
};

export const main = async (options: { duringIngest?: DuringIngest } = {}) => {
  const duringIngest = options.duringIngest ?? freshnessDuringIngest;
  const run = randomBytes(4).toString('hex');
  const batches = eventBatches(run);
  console.log(
    `events benchmark: ${batches.length} batches of ${BATCH} (${fmt(batches.length * BATCH)} events), ${CONCURRENCY} in flight\n`,
  );
  const embeddedBare = await bareEmbedded(batches);
  const embedded = await httpRun('embedded (SQLite log)', undefined, batches, duringIngest);
  const natsBare = await bareNats(batches);
  const nats = await httpRun('NATS JetStream', NATS_URL, eventBatches(`${run}n`), duringIngest);
  await purgeBenchEvents();

  const cpu = (n: number) => (Number.isNaN(n) ? '-' : n);
  console.log(
    table([
      {
        run: 'bare SQL-log publish (baseline)',
        'events/s': embeddedBare,
        ratio: 1,
        'events/server-CPU-s': '-',
      },
      {
        run: 'POST /v1/events, embedded',
        'events/s': embedded.rate,
        ratio: embedded.rate / embeddedBare,
        'events/server-CPU-s': cpu(embedded.perCpuS),
      },
      {
        run: 'bare JetStream publish (baseline)',
        'events/s': natsBare,
        ratio: 1,
        'events/server-CPU-s': '-',
      },
      {
        run: 'POST /v1/events, NATS',
        'events/s': nats.rate,
        ratio: nats.rate / natsBare,
        'events/server-CPU-s': cpu(nats.perCpuS),
      },
    ]),
  );
  console.log(
    `\nembedded: ${fmt(embedded.rate)} events/s (goal ≥ 50,000), ${fmt(embedded.rate / embeddedBare, 2)} × bare`,
  );
  console.log(`NATS: ${fmt(nats.rate)} events/s (goal ≥ 20,000), ${fmt(nats.rate / natsBare, 2)} × bare`);
  const probeRows = [...embedded.rows, ...nats.rows];
  if (probeRows.length > 0) console.log(`\n${table(probeRows)}`);
  if (duringIngest === freshnessDuringIngest) {
    const worst = Math.max(...probeRows.map((r) => Number(r['probe p99 ms'])));
    console.log(`freshness: probe p99 ${fmt(worst)} ms at worst (goal < 1,000 ms)`);
  }
};
