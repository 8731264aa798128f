// Whether Redis answers: a circuit fed by the client's connection events and by failed commands, so calls
// fail at once while Redis is down instead of queueing, and a probe closes it again when Redis answers.
import type { Redis } from 'ioredis';
import { ReplyError } from 'ioredis';
import { QuiverError } from '../../kernel/errors.ts';
import type { AvailabilityListener } from './port.ts';

/** How often a circuit opened by failed commands (the connection still open) pings Redis. */
export const PROBE_INTERVAL_MS = 1_000;
/** What a caller of an unavailable store is told to wait (seconds). */
export const RETRY_AFTER_S = 1;

/** A Redis reply (WRONGTYPE, a script error) or a bad argument: Redis answered, so it is not down. */
const answered = (error: unknown): boolean => error instanceof ReplyError || error instanceof RangeError;

export class RedisCircuit {
  private up: boolean | undefined;
  private connections = 0;
  private readonly listeners: AvailabilityListener[] = [];
  private probe: NodeJS.Timeout | undefined;
  private firstWait: NodeJS.Timeout | undefined;
  private readonly first: Promise<void>;
  private closed = false;

  constructor(
    private readonly client: Redis,
    connectTimeoutMs: number,
  ) {
    let settle = () => {};
    this.first = new Promise((resolve) => {
      settle = resolve;
    });
    // The first connection is awaited (up to the connect timeout); later outages fail calls at once.
    this.firstWait = setTimeout(() => {
      this.set(false, new Error(`Redis did not answer within ${connectTimeoutMs} ms`));
      settle();
    }, connectTimeoutMs);
    this.firstWait.unref();
    client.on('ready', () => {
      this.connections++;
      clearTimeout(this.firstWait);
      this.set(true);
      settle();
    });
    client.on('close', () => this.set(false, new Error('the connection to Redis closed')));
  }

  get connection(): number {
    return this.connections;
  }

  available(): boolean {
    return this.up === true;
  }

  onChange(listener: AvailabilityListener): void {
    this.listeners.push(listener);
  }

  /** Runs a command when Redis is up; a failure that is not Redis's own answer opens the circuit. */
  async run<T>(command: () => Promise<T>): Promise<T> {
    if (this.up === undefined) await this.first;
    if (!this.up) throw this.unavailable();
    try {
      return await command();
    } catch (error) {
      throw this.failed(error);
    }
  }

  /** The error to throw for a command's failure (the `unavailable` code unless Redis answered it). */
  failed(error: unknown): unknown {
    if (answered(error)) return error;
    this.set(false, error);
    return this.unavailable(error);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.firstWait);
    clearInterval(this.probe);
  }

  private unavailable(cause?: unknown): QuiverError {
    return new QuiverError('unavailable', 'Redis is not available; retry shortly', {
      retryAfterS: RETRY_AFTER_S,
      cause,
    });
  }

  private set(up: boolean, cause?: unknown): void {
    if (this.closed || this.up === up) return;
    this.up = up;
    clearInterval(this.probe);
    this.probe = undefined;
    // Closed by the client's events when the connection drops; opened by a failed command on a live
    // connection (a stalled server), it needs a probe to close again.
    if (!up && this.client.status === 'ready') {
      this.probe = setInterval(() => {
        this.client.ping().then(
          () => this.set(true),
          () => {},
        );
      }, PROBE_INTERVAL_MS);
      this.probe.unref();
    }
    for (const listener of this.listeners) listener(up, cause);
  }
}
