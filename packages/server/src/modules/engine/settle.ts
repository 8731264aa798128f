// Hands a finished batch back to its requests (split by rows) and reports each one to the metrics hooks.
import { isQuiverError, QuiverError } from '../../kernel/errors.ts';
import type { Queued } from './fair-queue.ts';
import type { InferenceObserver, ModelLabels } from './observer.ts';
import type { RunResult } from './pool.ts';
import { splitRows } from './tensors.ts';
import type { TracedRequest } from './trace.ts';
import type { InferResult, Tensors } from './types.ts';

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
