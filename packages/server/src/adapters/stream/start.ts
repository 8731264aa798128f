// Starts what consumes the stream: at once when the stream is open, otherwise (JetStream opened while NATS
// was down) in the background once it opens, each step retried with backoff until it succeeds.
import { pause } from './loop.ts';
import type { Stream } from './port.ts';

export const START_RETRY_MIN_MS = 250;
export const START_RETRY_MAX_MS = 5_000;

export interface StreamStarts {
  /** True once every step has run: the replica is ready as far as the stream goes. */
  started(): boolean;
  /** Stops waiting and retrying; what the steps started is closed by its owners. */
  stop(): Promise<void>;
}

/**
 * With the stream open the steps run now, in order, and a failure throws (as any start-up failure does).
 * Otherwise this returns at once; `onError` is told about each failed step before its retry.
 */
export const startOnStream = async (
  stream: Stream,
  steps: readonly (() => Promise<void>)[],
  onError: (error: unknown) => void,
): Promise<StreamStarts> => {
  if (stream.isOpen()) {
    for (const step of steps) await step();
    return { started: () => true, stop: async () => {} };
  }
  const stopping = new AbortController();
  const { signal } = stopping;
  const stopped = new Promise<false>((resolve) => signal.addEventListener('abort', () => resolve(false)));
  let started = false;
  const run = async () => {
    if (!(await Promise.race([stream.whenOpen(), stopped]))) return;
    for (const step of steps) {
      for (let failed = 0; ; failed++) {
        if (signal.aborted) return;
        try {
          await step();
          break;
        } catch (error) {
          onError(error);
          await pause(Math.min(START_RETRY_MAX_MS, START_RETRY_MIN_MS * 2 ** failed), signal);
        }
      }
    }
    started = true;
  };
  const running = run();
  return {
    started: () => started,
    async stop() {
      stopping.abort();
      await running;
    },
  };
};
