// A request's life in a runner (batcher or inline): taken in, refused, expired, or handed its rows of a finished
// batch, each outcome reported to the metrics hooks.
import { type ErrorCode, isQuiverError, QuiverError } from '../../kernel/errors.ts';
import { activeTraceContext } from '../../kernel/tracing.ts';
import type { Queued } from './fair-queue.ts';
import type { InferenceObserver, ModelLabels, RejectEvent } from './observer.ts';
import type { RunResult } from './pool.ts';
import { rowsOf, splitRows } from './tensors.ts';
import type { TracedRequest } from './trace.ts';
import type { InferRequest, InferResult, Tensors } from './types.ts';

/** A request waiting in, or taken from, a batcher's queue. */
export interface Pending extends Queued, TracedRequest {
  inputs: Tensors;
  /** Epoch milliseconds on the engine's clock. */
  deadline: number;
  /** `performance.now()` at arrival. */
  enqueuedAt: number;
  timer?: NodeJS.Timeout;
  resolve(r: InferResult): void;
  reject(e: Error): void;
}

/**
 * The runner's record of `request` arriving at `now` (the engine's clock): its deadline is the request's, else
 * now + its timeout, else now + `defaultTimeoutMs`.
 */
export const pendingOf = (
  request: InferRequest,
  now: number,
  defaultTimeoutMs: number,
  shapeKey: string,
  resolve: (r: InferResult) => void,
  reject: (e: Error) => void,
): Pending => ({
  tenant: request.tenant,
  inputs: request.inputs,
  shapeKey,
  rows: rowsOf(request.inputs),
  deadline: request.deadline ?? now + (request.timeoutMs ?? defaultTimeoutMs),
  enqueuedAt: performance.now(),
  trace: activeTraceContext(),
  queued: false,
  resolve,
  reject,
});

/** Rejects a request that never ran with `e`, reported as a refusal for `reason`. */
export const refuse = (
  observer: InferenceObserver,
  labels: ModelLabels,
  p: Pick<Pending, 'tenant' | 'reject'>,
  code: ErrorCode,
  reason: RejectEvent['reason'],
  e: QuiverError,
): void => {
  observer.onReject({ ...labels, tenant: p.tenant, code, reason });
  p.reject(e);
};

/** Rejects a request whose deadline passed before it ran (`deadline_exceeded`), clearing its timer. */
export const expire = (observer: InferenceObserver, labels: ModelLabels, p: Pending): void => {
  clearTimeout(p.timer);
  const e = new QuiverError(
    'deadline_exceeded',
    `the request's deadline passed while it waited for model '${labels.model}'`,
  );
  refuse(observer, labels, p, 'deadline_exceeded', 'deadline', e);
};

/**
 * Refuses a request arriving at a closed runner (`unavailable`, `closed` the reason it closed) or already past
 * its deadline at `now`; true when it was refused.
 */
export const refuseOnArrival = (
  observer: InferenceObserver,
  labels: ModelLabels,
  p: Pending,
  closed: string | undefined,
  now: number,
): boolean => {
  if (closed !== undefined) {
    refuse(observer, labels, p, 'unavailable', 'closed', new QuiverError('unavailable', closed));
    return true;
  }
  if (p.deadline > now) return false;
  expire(observer, labels, p);
  return true;
};

/** Resolves every request of `batch` with its rows of `result`; throws (resolving none) if they do not split. */
export const settleBatch = (
  observer: InferenceObserver,
  labels: ModelLabels,
  batch: readonly Pending[],
  startedAt: number,
  result: RunResult,
): void => {
  const rows = batch.map((p) => p.rows);
  const batchRows = rows.reduce((a, b) => a + b, 0);
  const parts = batch.length === 1 ? [result.outputs] : splitRows(result.outputs, rows);
  const computeSeconds = result.computeMs / 1000;
  observer.onBatch({ ...labels, rows: batchRows, requests: batch.length, computeSeconds });
  batch.forEach((p, i) => {
    const queueMs = startedAt - p.enqueuedAt;
    observer.onRequest({
      ...labels,
      tenant: p.tenant,
      rows: p.rows,
      queueSeconds: queueMs / 1000,
      computeSeconds,
      computeShareSeconds: batchRows === 0 ? 0 : (computeSeconds * p.rows) / batchRows,
      batchRows,
      outcome: 'ok',
    });
    p.resolve({ outputs: parts[i], queueMs, computeMs: result.computeMs, batchRows });
  });
};

/** Rejects a request that failed while running; errors from outside are wrapped as `internal`. */
export const failPending = (
  observer: InferenceObserver,
  labels: ModelLabels,
  p: Pending,
  e: unknown,
  startedAt: number,
): void => {
  const error = isQuiverError(e) ? e : new QuiverError('internal', 'inference failed', { cause: e });
  observer.onRequest({
    ...labels,
    tenant: p.tenant,
    rows: p.rows,
    queueSeconds: (startedAt - p.enqueuedAt) / 1000,
    computeSeconds: 0,
    computeShareSeconds: 0,
    batchRows: p.rows,
    outcome: error.code,
  });
  p.reject(error);
};
