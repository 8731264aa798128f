// Chooses the stream implementation from a URL: nats:// → NATS JetStream, none → the log in the SQL database.
import type { Clock } from '../../kernel/clock.ts';
import type { Adapter, AdapterContext } from '../open.ts';
import type { SqlDatabase } from '../sql/index.ts';
import { openRetryingJetStream, type RetryingJetStreamOptions } from './nats-open.ts';
import type { Stream } from './port.ts';
import { SqlStream, type SqlStreamOptions } from './sql.ts';

export type { JetStreamOptions } from './nats.ts';
export type { RetryingJetStreamOptions } from './nats-open.ts';
export type {
  BatchHandler,
  ConsumeOptions,
  Consumer,
  OutgoingMessage,
  Stream,
  StreamMessage,
} from './port.ts';
export { DEFAULT_BATCH_SIZE, tenantTopic } from './port.ts';
export type { SqlStreamOptions } from './sql.ts';
export { streamMigrations } from './sql-migrations.ts';
export { type StreamStarts, startOnStream } from './start.ts';

export interface StreamDeps {
  /** Holds the embedded log; its schema comes from `streamMigrations`, applied by the caller. */
  db: SqlDatabase;
  clock?: Clock;
}

export interface StreamOptions {
  sql?: SqlStreamOptions;
  jetstream?: RetryingJetStreamOptions;
}

/**
 * JetStream settings a URL may carry in its query: `stream` (name), `subjects` (subject prefix) and
 * `maxAgeS` (and `duplicateWindowMs`, for a new stream), e.g. `nats://host:4222?stream=QUIVER_STAGING&subjects=staging`.
 */
const jetStreamFromUrl = (
  url: string,
  base: RetryingJetStreamOptions = {},
): { server: string; options: RetryingJetStreamOptions } => {
  const parsed = new URL(url);
  const q = parsed.searchParams;
  const options: RetryingJetStreamOptions = { ...base };
  if (q.get('stream')) options.streamName = q.get('stream')!;
  if (q.get('subjects')) options.subjectPrefix = q.get('subjects')!;
  if (q.get('maxAgeS')) options.maxAgeMs = Number(q.get('maxAgeS')) * 1000;
  if (q.get('duplicateWindowMs')) options.duplicateWindowMs = Number(q.get('duplicateWindowMs'));
  parsed.search = '';
  return { server: parsed.toString(), options };
};

/**
 * `nats://…` (or `tls://…`) → JetStream; none → the durable log in `deps.db`. JetStream that cannot be
 * opened now (NATS down) is still returned, and opens in the background: see `Stream.whenOpen`.
 */
export const openStream = async (
  url: string | undefined,
  deps: StreamDeps,
  options: StreamOptions = {},
): Promise<Stream> => {
  if (!url) return new SqlStream(deps, options.sql);
  if (url.startsWith('nats://') || url.startsWith('tls://')) {
    const { server, options: jetstream } = jetStreamFromUrl(url, options.jetstream);
    return openRetryingJetStream(server, jetstream);
  }
  throw new Error(`unsupported STREAM_URL scheme in '${url.split(':')[0]}:'`);
};

const streamDeps = ({ db, clock }: AdapterContext): StreamDeps => {
  if (!db) throw new Error('the stream opens after the SQL database: its context needs `db`');
  return { db, clock };
};

/** NATS down at start: the stream opens later, and says so in the context's log. */
const openNats = (url: string, context: AdapterContext) =>
  openStream(url, streamDeps(context), {
    jetstream: {
      onOpenError: (err, attempts) =>
        context.log?.warn({ err, attempts }, 'the event stream (NATS) is not available yet; retrying'),
      onOpen: (attempts) => context.log?.info({ attempts }, 'the event stream (NATS) is open'),
    },
  });

/** The stream in the adapter table (see openStream): `nats://` or `tls://` → JetStream; none → the SQL log. */
export const streamAdapter: Adapter<Promise<Stream>> = {
  variable: 'STREAM_URL',
  schemes: { nats: openNats, tls: openNats },
  embedded: (context) => openStream(undefined, streamDeps(context)),
};
