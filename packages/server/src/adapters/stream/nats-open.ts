// JetStream opened in the background: a replica starts while NATS is down, every call answers `unavailable`
// (503 + Retry-After) until the first connection and the stream are up; after that the client reconnects itself.
import { pause } from './loop.ts';
import { type JetStreamOptions, openJetStream, unavailable } from './nats.ts';
import type { BatchHandler, ConsumeOptions, Consumer, OutgoingMessage, Stream } from './port.ts';

/** Waits between attempts to open JetStream: doubling from the first to the last, then the last. */
export const CONNECT_RETRY_MIN_MS = 250;
export const CONNECT_RETRY_MAX_MS = 5_000;

export interface RetryingJetStreamOptions extends JetStreamOptions {
  /** Told about failed attempts: the first, then every tenth (with how many failed so far). */
  onOpenError?: (error: unknown, attempts: number) => void;
  /** Told once when the stream is open after failed attempts. */
  onOpen?: (attempts: number) => void;
}

const REPORT_EVERY = 10;

export class RetryingJetStream implements Stream {
  readonly kind = 'jetstream' as const;
  private inner: Stream | undefined;
  private readonly closing = new AbortController();
  private readonly opening: Promise<boolean>;
  /** Settles after the first attempt, whatever its outcome. */
  readonly firstAttempt: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly options: RetryingJetStreamOptions = {},
  ) {
    let attempted = () => {};
    this.firstAttempt = new Promise((resolve) => {
      attempted = resolve;
    });
    this.opening = this.open(attempted);
  }

  private async open(attempted: () => void): Promise<boolean> {
    const signal = this.closing.signal;
    for (let failed = 0; !signal.aborted; ) {
      try {
        const stream = await openJetStream(this.url, this.options);
        if (signal.aborted) {
          await stream.close();
          return false;
        }
        this.inner = stream;
        if (failed > 0) this.options.onOpen?.(failed);
        return true;
      } catch (error) {
        failed++;
        if (failed === 1 || failed % REPORT_EVERY === 0) this.options.onOpenError?.(error, failed);
      } finally {
        attempted();
      }
      await pause(Math.min(CONNECT_RETRY_MAX_MS, CONNECT_RETRY_MIN_MS * 2 ** (failed - 1)), signal);
    }
    return false;
  }

  private current(): Stream {
    if (this.inner) return this.inner;
    throw unavailable(`not connected to NATS at ${new URL(this.url).host} yet`);
  }

  isOpen(): boolean {
    return this.inner !== undefined;
  }

  whenOpen(): Promise<boolean> {
    return this.opening;
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<number[]> {
    return this.current().publish(topic, messages);
  }

  async consume(
    name: string,
    filter: string,
    handler: BatchHandler,
    options?: ConsumeOptions,
  ): Promise<Consumer> {
    return this.current().consume(name, filter, handler, options);
  }

  async position(name: string): Promise<number> {
    return this.current().position(name);
  }

  async lag(name: string): Promise<number> {
    return this.current().lag(name);
  }

  async seek(name: string, position: number): Promise<void> {
    return this.current().seek(name, position);
  }

  async ping(): Promise<void> {
    return this.current().ping();
  }

  async close(): Promise<void> {
    this.closing.abort();
    // An attempt in flight finishes (a refused connection fails at once) and closes what it opened.
    await this.opening;
    await this.inner?.close();
  }
}

/** Makes the first attempt before resolving, so with NATS up the stream is open as soon as this returns. */
export const openRetryingJetStream = async (
  url: string,
  options: RetryingJetStreamOptions = {},
): Promise<RetryingJetStream> => {
  const stream = new RetryingJetStream(url, options);
  await stream.firstAttempt;
  return stream;
};
