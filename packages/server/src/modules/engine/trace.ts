// Spans of a batch in each of its requests' traces: `inference.batch` (enqueue → answer: queue wait, batch id
// and size), its child `inference.worker.run` (the worker thread's time: message taken → reply ready) and
// that one's child `onnx.session.run`, recorded from the times the worker thread sends back with its reply.
// A batch mixes requests of several traces, so the thread cannot hold one trace's context: each trace gets
// its own copy of the batch's spans, tied by the batch id.
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
            { 'quiver.worker': result.worker, 'quiver.batch.id': batchId },
            { startTime: result.receivedAt, endTime: result.finishedAt },
            ctx,
            (workerCtx) =>
              recordSpan(
                'onnx.session.run',
                { 'quiver.compute_ms': result.computeMs },
                { startTime: result.startedAt, endTime: result.startedAt + result.computeMs },
                workerCtx,
              ),
          );
      },
    );
  }
};
