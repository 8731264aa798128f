// A tiny model's runner on the calling thread: one onnxruntime session in this thread, each request run at once
// as its own batch (no queue, no worker round trip). For models whose compute (tens of microseconds) is
// smaller than a worker's round trip; the engine chooses it per load (`LoadOptions.inline`). Answers are the
// worker's: the same session options and the same run (session.ts). Metrics, deadlines, drain and spans
// behave as the batcher's, with no queue wait. The engine imports this file only when an inline model loads,
// so onnxruntime enters the main thread only then.
import type * as ort from 'onnxruntime-node';
import type { Clock } from '../../kernel/clock.ts';
import type { Batcher } from './batcher.ts';
import type { InferenceObserver, ModelLabels } from './observer.ts';
import type { BatchingOptions } from './options.ts';
import { failureErrorOf } from './protocol.ts';
import { createSession, runSession, SessionFailure } from './session.ts';
import { failPending, type Pending, pendingOf, refuseOnArrival, settleBatch } from './settle.ts';
import { newBatchId, traceBatch } from './trace.ts';
import type { InferResult, ModelSource, Signature } from './types.ts';

/** Marks the spans of an inline run (no worker slot). */
const INLINE_WORKER = -1;

export interface InlineRunnerDeps {
  clock: Clock;
  observer: InferenceObserver;
  labels: ModelLabels;
}

/** Loads the artifact in this thread; `unprocessable` when it does not load (as a worker's load). */
export const loadInline = async (
  source: ModelSource,
): Promise<{ session: ort.InferenceSession; signature: Signature }> => {
  try {
    return await createSession(source);
  } catch (e) {
    if (e instanceof SessionFailure) throw failureErrorOf(e.failure, e.message);
    throw e;
  }
};

export const createInlineRunner = (
  deps: InlineRunnerDeps,
  session: ort.InferenceSession,
  options: Readonly<BatchingOptions>,
): Batcher => {
  const { clock, observer, labels } = deps;
  let closed: string | undefined;
  let inFlight = 0;
  let drained: Array<() => void> = [];
  let released: Promise<void> | undefined;

  const settled = () => {
    inFlight--;
    if (closed === undefined || inFlight > 0) return;
    for (const done of drained) done();
    drained = [];
  };

  const run = async (p: Pending) => {
    const startedAt = performance.now();
    const batchId = newBatchId();
    try {
      const r = await runSession(session, p.inputs);
      const result = { ...r, worker: INLINE_WORKER, receivedAt: r.startedAt, finishedAt: Date.now() };
      settleBatch(observer, labels, [p], startedAt, result);
      traceBatch(labels, [p], batchId, result);
    } catch (e) {
      const error = e instanceof SessionFailure ? failureErrorOf(e.failure, e.message) : e;
      failPending(observer, labels, p, error, startedAt);
      traceBatch(labels, [p], batchId, undefined, error instanceof Error ? error.message : String(error));
    }
  };

  return {
    infer(request) {
      return new Promise<InferResult>((resolve, reject) => {
        const now = clock.now();
        const p = pendingOf(request, now, options.defaultTimeoutMs, '', resolve, reject);
        if (refuseOnArrival(observer, labels, p, closed, now)) return;
        inFlight++;
        run(p).finally(settled);
      });
    },

    drain() {
      closed ??= `model '${labels.model}' is being unloaded`;
      const idle = inFlight === 0 ? Promise.resolve() : new Promise<void>((done) => drained.push(done));
      released ??= idle.then(() => session.release());
      return released;
    },

    abort(why) {
      closed ??= why;
    },

    get depth() {
      return 0;
    },
  };
};
