// The stream port: an append-only log of topics with durable, at-least-once consumers, provided by the
// embedded SQL log and by NATS JetStream alike.
import { QuiverError } from '../../kernel/errors.ts';

/** What a publisher hands in: bytes as they are, any other object as JSON. */
export interface OutgoingMessage {
  /** Deduplication id within its topic: a message whose key was already published is not appended again. */
  key?: string;
  data: Uint8Array | object;
  /** Carried with the message (W3C trace context: added by the stream itself when tracing is on). */
  headers?: Readonly<Record<string, string>>;
}

export interface StreamMessage {
  readonly topic: string;
  /** Monotonic across the whole stream (not dense: filtered consumers and deduplication leave gaps). */
  readonly position: number;
  readonly key?: string;
  readonly data: Uint8Array;
  /** When it was appended, epoch milliseconds. */
  readonly timestamp: number;
  /** What the publisher carried along (`traceparent`, `tracestate`); undefined when nothing. */
  readonly headers?: Readonly<Record<string, string>>;
  /** `data` parsed as JSON (what publishing an object produces). */
  json<T = unknown>(): T;
}

/** Resolves when the batch is handled; throwing (or rejecting) makes the same batch be delivered again. */
export type BatchHandler = (batch: readonly StreamMessage[]) => Promise<void>;

export interface ConsumeOptions {
  /** Where a consumer that does not exist yet starts (inclusive); default the beginning. Ignored on resume. */
  fromPosition?: number;
  /** Most messages handed to one handler call. */
  batchSize?: number;
  /** Told about each failed handler call (and failed fetch or commit) before the retry. */
  onError?: (error: unknown) => void;
}

export interface Consumer {
  readonly name: string;
  /** Lets the current handler call finish (and records it), then stops; undelivered messages stay for later. */
  stop(): Promise<void>;
}

/**
 * Topics are dot-separated tokens (`events.<tenantId>`). A filter is a topic, or a prefix ending in `.>`
 * (every topic under it), or `>` (all). Delivery is at-least-once: a consumer's position is stored only
 * after its handler resolves, so a crash or stop between the two can deliver the last batch again; handlers
 * must be idempotent. Run one instance of a named consumer at a time.
 */
export interface Stream {
  readonly kind: 'sql' | 'jetstream';
  /** Appends in order; resolves with each message's position once the whole batch is durable. */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<number[]>;
  /** Starts (or resumes) the named durable consumer. A name keeps the filter it was created with. */
  consume(name: string, filter: string, handler: BatchHandler, options?: ConsumeOptions): Promise<Consumer>;
  /** Every matching message at or below it has been handled; 0 before any. */
  position(name: string): Promise<number>;
  /** How many matching messages are after the consumer's position. */
  lag(name: string): Promise<number>;
  /** Moves the consumer so it next gets the first matching message at or after `position` (replay or skip). */
  seek(name: string, position: number): Promise<void>;
  /**
   * False only for JetStream opened while NATS was down, until it first connects (and has its stream):
   * until then every other call fails with `unavailable`.
   */
  isOpen(): boolean;
  /** Resolves true once `isOpen()`; false if closed first. */
  whenOpen(): Promise<boolean>;
  /** Resolves when the stream can take writes; throws `unavailable` promptly (well under a second) when not. */
  ping(): Promise<void>;
  /** Stops this instance's consumers and releases its connections (not a database it was given). */
  close(): Promise<void>;
}

export const DEFAULT_BATCH_SIZE = 256;

const TOKEN = '[A-Za-z0-9_-]+';
const TOPIC = new RegExp(`^${TOKEN}(\\.${TOKEN})*$`);
const FILTER = new RegExp(`^(>|${TOKEN}(\\.${TOKEN})*(\\.>)?)$`);
const NAME = new RegExp(`^${TOKEN}$`);
const MAX_NAME_LENGTH = 200;

const check = (ok: boolean, what: string, value: string): void => {
  if (!ok || value.length > MAX_NAME_LENGTH)
    throw new QuiverError('validation_failed', `invalid stream ${what} '${value}'`);
};
export const checkTopic = (topic: string): void => check(TOPIC.test(topic), 'topic', topic);
export const checkFilter = (filter: string): void => check(FILTER.test(filter), 'filter', filter);
export const checkConsumerName = (name: string): void => check(NAME.test(name), 'consumer name', name);

/** The topic of one tenant's family of messages, e.g. `tenantTopic('events', 't_1')` → `events.t_1`. */
export const tenantTopic = (family: string, tenantId: string): string => {
  const topic = `${family}.${tenantId}`;
  checkTopic(topic);
  return topic;
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const encodeData = (data: Uint8Array | object): Uint8Array =>
  data instanceof Uint8Array ? data : encoder.encode(JSON.stringify(data));

class Delivered implements StreamMessage {
  constructor(
    readonly topic: string,
    readonly position: number,
    readonly key: string | undefined,
    readonly data: Uint8Array,
    readonly timestamp: number,
    readonly headers: Readonly<Record<string, string>> | undefined,
  ) {}

  json<T = unknown>(): T {
    return JSON.parse(decoder.decode(this.data)) as T;
  }
}

export const streamMessage = (
  topic: string,
  position: number,
  key: string | undefined,
  data: Uint8Array,
  timestamp: number,
  headers?: Readonly<Record<string, string>>,
): StreamMessage => new Delivered(topic, position, key, data, timestamp, headers);
