// A small model's session on the calling thread: each batch runs there, with no worker round trip. For models
// whose compute (tens of microseconds a batch) is smaller than a round trip's cost; the engine chooses it per
// load (placement.ts). Requests still go through the model's batcher (one batch at a time: rows arriving in
// one event-loop turn run as one batch), so metrics, deadlines, fairness, drain and spans are the workers'.
// Answers are the worker's: the same session options and the same run (session.ts). The engine imports this
// file only when an inline model loads, so onnxruntime enters the main thread only then.
import type * as ort from 'onnxruntime-node';
import type { RunResult } from './pool.ts';
import { failureErrorOf } from './protocol.ts';
import { createSession, runSession, SessionFailure } from './session.ts';
import type { ModelSource, Signature, Tensors } from './types.ts';

/** Marks the spans of an inline run (no worker slot). */
const INLINE_WORKER = -1;

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

/** Runs one batch on the session in this thread, failing as a worker's run fails. */
export const runInline = async (session: ort.InferenceSession, feeds: Tensors): Promise<RunResult> => {
  try {
    const r = await runSession(session, feeds);
    return { ...r, worker: INLINE_WORKER, receivedAt: r.startedAt, finishedAt: Date.now() };
  } catch (e) {
    throw e instanceof SessionFailure ? failureErrorOf(e.failure, e.message) : e;
  }
};
