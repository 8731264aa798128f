// Spans of a batch in each of its requests' traces: `inference.batch` (enqueue → answer: queue wait, batch id
// and size) with the worker thread's `session.run()` as its child `inference.worker.run`, recorded from the
// times the worker sends back. A batch mixes requests of several traces, so each trace gets its own pair.
import { recordSpan, type SpanAttributes, type TraceContext } from '../../kernel/index.ts';
import type { ModelLabels } from './observer.ts';
import type { RunResult } from './pool.ts';

/** What the tracing needs of a queued request. */
export interface TracedRequest {
  tenant: string;
  rows: number;
  /** `performance.now()` at arrival. */
  enqueuedAt: number;
  /** The caller's context, captured at enqueue (undefined while tracing is off). */
  trace?: TraceContext;
}

let nextBatch = 0;

/** A process-wide batch id, shared by the spans of every request in the batch. */
export const newBatchId = (): number => ++nextBatch;

const epochOf = (performanceNow: number): number => performance.timeOrigin + performanceNow;

export const traceBatch = (
  labels: ModelLabels,
  batch: readonly TracedRequest[],
  batchId: number,
  result: RunResult | undefined,
  error?: string,
): void => {
  const batchRows = batch.reduce((n, p) => n + p.rows, 0);
  const endTime = Date.now();
  for (const p of batch) {
    if (!p.trace) continue;
    const attributes: SpanAttributes = {
      'quiver.tenant': p.tenant,
      'quiver.model': labels.model,
      'quiver.model.version': labels.version,
      'quiver.batch.id': batchId,
      'quiver.batch.size': batchRows,
      'quiver.batch.requests': batch.length,
      'quiver.request.rows': p.rows,
      ...(error ? { 'quiver.error': error } : {}),
    };
    recordSpan(
      'inference.batch',
      attributes,
      { startTime: epochOf(p.enqueuedAt), endTime },
      p.trace,
      (ctx) => {
        if (result)
          recordSpan(
            'inference.worker.run',
            {
              'quiver.worker': result.worker,
              'quiver.batch.id': batchId,
              'quiver.compute_ms': result.computeMs,
            },
            { startTime: result.startedAt, endTime: result.startedAt + result.computeMs },
            ctx,
          );
      },
    );
  }
};
