// The distributed stream: NATS JetStream. One stream holds every topic as a subject under a prefix
// (`quiver.events.<tenantId>`); consumers are durable pull consumers; a position is the stream sequence.
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  connect,
  DeliverPolicy,
  Events,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  type NatsError,
  nanos,
} from 'nats';
import { notFound, QuiverError } from '../../kernel/errors.ts';
import { LocalConsumers } from './local.ts';
import { type BatchSource, runConsumer } from './loop.ts';
import { AckedPublisher, DEFAULT_PUBLISH_TIMEOUT_MS } from './nats-publish.ts';
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
import { tracedPublish } from './trace.ts';

export const DEFAULT_STREAM_NAME = 'QUIVER';
export const DEFAULT_SUBJECT_PREFIX = 'quiver';
/** How long a delivered, unacknowledged message waits before redelivery (after a crash). */
export const DEFAULT_ACK_WAIT_MS = 30_000;
/** How long one pull waits for a first message; also bounds how long `stop()` takes. */
export const DEFAULT_FETCH_WAIT_MS = 500;
/** How long JetStream remembers a message key to drop a repeat of it. */
export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
/** Bounds every JetStream API call (consumer info, seek, lag): a stalled server answers 503, not a hang. */
export const DEFAULT_API_TIMEOUT_MS = 2_000;
/** Bounds the readiness ping, so /readyz answers within a second. */
export const PING_TIMEOUT_MS = 500;
/** Connection options: reconnect forever (an outage must not end the stream for good), notice a dead server. */
const CONNECTION = {
  maxReconnectAttempts: -1,
  reconnectTimeWait: 1_000,
  pingInterval: 10_000,
  maxPingOut: 3,
};

export interface JetStreamOptions {
  streamName?: string;
  subjectPrefix?: string;
  ackWaitMs?: number;
  fetchWaitMs?: number;
  duplicateWindowMs?: number;
  publishTimeoutMs?: number;
  apiTimeoutMs?: number;
  /** Messages older than this are dropped by the server (none: kept until deleted). */
  maxAgeMs?: number;
}

interface Fetched {
  messages: StreamMessage[];
  raw: JsMsg[];
  heartbeat: NodeJS.Timeout;
}

/** The headers a publisher carried (every one but NATS's own `Nats-*`), or undefined when none. */
const carriedHeaders = (m: JsMsg): Record<string, string> | undefined => {
  if (!m.headers) return undefined;
  const out: Record<string, string> = {};
  for (const [name, values] of m.headers)
    if (!/^nats-/i.test(name) && values.length > 0) out[name.toLowerCase()] = values[0];
  return Object.keys(out).length > 0 ? out : undefined;
};

const isNotFound = (error: unknown): boolean => (error as NatsError)?.api_error?.code === 404;

export const unavailable = (why: string, cause?: unknown) =>
  new QuiverError('unavailable', `The event stream (NATS JetStream) is not available: ${why}`, { cause });

/** Connects, creates the stream if it is missing, and returns the stream port over it. */
export const openJetStream = async (url: string, options: JetStreamOptions = {}): Promise<Stream> => {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: url, name: 'quiver', ...CONNECTION });
  } catch (error) {
    throw new QuiverError('unavailable', `NATS is not reachable at ${new URL(url).host}`, { cause: error });
  }
  try {
    const timeout = options.apiTimeoutMs ?? DEFAULT_API_TIMEOUT_MS;
    const managers = {
      api: await nc.jetstreamManager({ timeout }),
      ping: await nc.jetstreamManager({ timeout: Math.min(timeout, PING_TIMEOUT_MS), checkAPI: false }),
    };
    const stream = new JetStreamStream(nc, managers, options);
    await stream.ensureStream();
    return stream;
  } catch (error) {
    await nc.close();
    throw error;
  }
};

export class JetStreamStream implements Stream {
  readonly kind = 'jetstream' as const;
  private readonly js: JetStreamClient;
  private readonly publisher: AckedPublisher;
  private readonly local = new LocalConsumers();
  private readonly name: string;
  private readonly prefix: string;
  private readonly ackWaitMs: number;
  private readonly fetchWaitMs: number;
  private readonly jsm: JetStreamManager;
  private readonly pingJsm: JetStreamManager;
  /** False from a disconnect until the client has reconnected: calls then fail at once instead of queueing. */
  private connected = true;

  constructor(
    private readonly nc: NatsConnection,
    managers: { api: JetStreamManager; ping: JetStreamManager },
    private readonly options: JetStreamOptions = {},
  ) {
    this.jsm = managers.api;
    this.pingJsm = managers.ping;
    this.js = nc.jetstream({ timeout: options.apiTimeoutMs ?? DEFAULT_API_TIMEOUT_MS });
    void this.watch();
    this.publisher = new AckedPublisher(nc, options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS);
    this.name = options.streamName ?? DEFAULT_STREAM_NAME;
    this.prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
    this.ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
    this.fetchWaitMs = options.fetchWaitMs ?? DEFAULT_FETCH_WAIT_MS;
  }

  private async watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === Events.Disconnect) {
        this.connected = false;
        // Publishes in flight would wait out their timeout for acks that cannot come now.
        this.publisher.abandon(unavailable('the connection to NATS was lost'));
      } else if (status.type === Events.Reconnect) this.connected = true;
    }
  }

  /** Fails at once while disconnected; JetStream's own errors (but not-found) become `unavailable`. */
  private async api<T>(what: string, call: () => Promise<T>): Promise<T> {
    if (!this.connected || this.nc.isClosed()) throw unavailable('not connected to NATS');
    try {
      return await call();
    } catch (error) {
      if (isNotFound(error) || error instanceof QuiverError) throw error;
      throw unavailable(`${what} failed (${(error as Error)?.message ?? error})`, error);
    }
  }

  isOpen(): boolean {
    return true;
  }

  async whenOpen(): Promise<boolean> {
    return true;
  }

  async ping(): Promise<void> {
    await this.api('ping', () => this.pingJsm.streams.info(this.name));
  }

  async ensureStream(): Promise<void> {
    try {
      await this.jsm.streams.info(this.name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      const window = this.options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
      await this.jsm.streams.add({
        name: this.name,
        subjects: [`${this.prefix}.>`],
        duplicate_window: nanos(window),
        ...(this.options.maxAgeMs ? { max_age: nanos(this.options.maxAgeMs) } : {}),
      });
    }
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<number[]> {
    checkTopic(topic);
    if (messages.length === 0) return [];
    return tracedPublish('nats', topic, messages, (traced) => {
      const outgoing = traced.map((m) => ({
        data: encodeData(m.data),
        // Keys deduplicate within a topic, JetStream's ids within the stream: scope them by topic.
        msgId: m.key === undefined ? undefined : `${topic}:${m.key}`,
        headers: m.headers,
      }));
      return this.api('publish', () => this.publisher.publish(`${this.prefix}.${topic}`, outgoing));
    });
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
    const subject = `${this.prefix}.${filter}`;
    const existing = await this.info(name).catch((error) => {
      if (isNotFound(error)) return null;
      throw error;
    });
    if (!existing)
      await this.api('creating a consumer', () =>
        this.jsm.consumers.add(this.name, this.config(name, subject, options.fromPosition)),
      );
    else if (existing.config.filter_subject !== subject) {
      throw new QuiverError('conflict', `consumer '${name}' exists with another filter, not '${filter}'`);
    }
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    return this.local.start(name, () =>
      runConsumer(name, this.source(name, batchSize), handler, options.onError),
    );
  }

  private config(name: string, subject: string, from = 1): Partial<ConsumerConfig> {
    const start =
      from > 1
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from }
        : { deliver_policy: DeliverPolicy.All };
    return {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.ackWaitMs),
      max_deliver: -1,
      filter_subject: subject,
      ...start,
    };
  }

  private source(name: string, batchSize: number): BatchSource<Fetched> {
    const topicOf = (subject: string) => subject.slice(this.prefix.length + 1);
    const keyOf = (m: JsMsg, topic: string) =>
      m.headers?.get('Nats-Msg-Id')?.slice(topic.length + 1) || undefined;
    return {
      fetch: async () => {
        if (!this.connected) throw unavailable('not connected to NATS');
        const raw: JsMsg[] = [];
        // no_wait with expires: waits up to `expires` for a first message, then returns what is there.
        const pull = this.js.fetch(this.name, name, {
          batch: batchSize,
          no_wait: true,
          expires: this.fetchWaitMs,
        });
        for await (const m of pull) raw.push(m);
        if (raw.length === 0) return null;
        const messages = raw.map((m) => {
          const topic = topicOf(m.subject);
          return streamMessage(
            topic,
            m.seq,
            keyOf(m, topic),
            m.data,
            Math.floor(m.info.timestampNanos / 1e6),
            carriedHeaders(m),
          );
        });
        // A handler that runs (or retries) long keeps its batch from being redelivered elsewhere.
        const heartbeat = setInterval(() => {
          for (const m of raw) m.working();
        }, this.ackWaitMs / 3);
        return { messages, raw, heartbeat };
      },
      commit: async ({ raw, heartbeat }) => {
        clearInterval(heartbeat);
        for (let i = 0; i < raw.length - 1; i++) raw[i].ack();
        // Acks travel in order on one connection: once the last is confirmed, all are.
        await raw[raw.length - 1].ackAck();
      },
      release: async ({ raw, heartbeat }) => {
        clearInterval(heartbeat);
        for (const m of raw) m.nak();
        await this.nc.flush();
      },
    };
  }

  private async info(name: string): Promise<ConsumerInfo> {
    return this.api('consumer info', () => this.jsm.consumers.info(this.name, name));
  }

  private async known(name: string): Promise<ConsumerInfo> {
    checkConsumerName(name);
    try {
      return await this.info(name);
    } catch (error) {
      throw isNotFound(error) ? notFound('consumer', name) : error;
    }
  }

  async position(name: string): Promise<number> {
    const info = await this.known(name);
    // The ack floor skips non-matching sequences only once something was acked; with nothing in flight,
    // the delivered sequence is the better answer (it is the start − 1 of a consumer made at a position).
    if (info.num_ack_pending > 0) return info.ack_floor.stream_seq;
    return Math.max(info.ack_floor.stream_seq, info.delivered.stream_seq);
  }

  async lag(name: string): Promise<number> {
    const info = await this.known(name);
    return info.num_pending + info.num_ack_pending;
  }

  async seek(name: string, position: number): Promise<void> {
    await this.local.whileStopped(name, async () => {
      const info = await this.known(name);
      await this.api('seek', async () => {
        await this.jsm.consumers.delete(this.name, name);
        await this.jsm.consumers.add(
          this.name,
          this.config(name, info.config.filter_subject ?? '', position),
        );
      });
    });
  }

  async close(): Promise<void> {
    await this.local.stopAll();
    this.publisher.close();
    // Draining needs the server; without it, close at once (nothing unacknowledged was promised).
    if (this.nc.isClosed()) return;
    if (this.connected) await this.nc.drain();
    else await this.nc.close();
  }
}
