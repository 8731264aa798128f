// The consumer loop both implementations share: fetch a batch, hand it over until the handler succeeds,
// then record it; failures back off and retry, never skip.
import type { BatchHandler, Consumer, StreamMessage } from './port.ts';
import { tracedHandle } from './trace.ts';

export const RETRY_MIN_MS = 50;
export const RETRY_MAX_MS = 5_000;

export interface Fetched {
  messages: StreamMessage[];
}

export interface BatchSource<B extends Fetched> {
  /** The next batch, or null after waiting a short while with nothing new; returns soon after `signal` aborts. */
  fetch(signal: AbortSignal): Promise<B | null>;
  /** Records the batch as handled (advances the stored position). */
  commit(batch: B): Promise<void>;
  /** Gives back a fetched batch that will not be handled now (the consumer is stopping). */
  release(batch: B): Promise<void>;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });

const backoff = (attempt: number): number => Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** attempt);

export const runConsumer = <B extends Fetched>(
  name: string,
  source: BatchSource<B>,
  handler: BatchHandler,
  onError: (error: unknown) => void = () => {},
): Consumer => {
  const stopping = new AbortController();
  const signal = stopping.signal;
  const report = (error: unknown) => {
    try {
      onError(error);
    } catch {
      // A failing error callback must not end the loop.
    }
  };

  const handle = async (batch: B): Promise<boolean> => {
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) return false;
      try {
        await tracedHandle(name, batch.messages, handler);
        return true;
      } catch (error) {
        report(error);
        await pause(backoff(attempt), signal);
      }
    }
  };

  const loop = async (): Promise<void> => {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const batch = await source.fetch(signal);
        if (!batch) continue;
        if (await handle(batch)) await source.commit(batch);
        else await source.release(batch);
        failures = 0;
      } catch (error) {
        report(error);
        await pause(backoff(failures++), signal);
      }
    }
  };
  const done = loop();

  return {
    name,
    async stop() {
      stopping.abort();
      await done;
    },
  };
};
