// The dynamic batcher of one model version: fair per-tenant queues, deadlines, and batches run on the pool.

import type { Clock } from '../../kernel/clock.ts';
import { QuiverError } from '../../kernel/errors.ts';
import { FairQueue } from './fair-queue.ts';
import type { InferenceObserver, ModelLabels } from './observer.ts';
import type { BatchingOptions } from './options.ts';
import type { RunResult } from './pool.ts';
import {
  expire,
  failPending,
  type Pending,
  pendingOf,
  refuse,
  refuseOnArrival,
  settleBatch,
} from './settle.ts';
import { concatRows, shapeKey } from './tensors.ts';
import { newBatchId, traceBatch } from './trace.ts';
import type { InferRequest, InferResult, Tensors } from './types.ts';

/** Retry-After never says less than this. */
const MIN_RETRY_AFTER_S = 1;
/** Weight of the newest batch in the running mean of batch compute time (used for Retry-After). */
const EWMA_WEIGHT = 0.2;
/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface BatcherDeps {
  run(feeds: Tensors): Promise<RunResult>;
  /** Batches that may run at once: the live workers holding the model. */
  concurrency(): number;
  clock: Clock;
  observer: InferenceObserver;
  labels: ModelLabels;
}

export interface Batcher {
  infer(request: InferRequest): Promise<InferResult>;
  /** Refuses new requests and resolves once every accepted one has finished. */
  drain(): Promise<void>;
  /** Refuses new requests and rejects the queued ones with `unavailable`. */
  abort(why: string): void;
  readonly depth: number;
}

export const createBatcher = (
  deps: BatcherDeps,
  options: Readonly<BatchingOptions> & { batchable: boolean },
): Batcher => {
  const { clock, observer, labels } = deps;
  const maxRows = options.batchable ? options.maxBatchSize : 1;
  const queue = new FairQueue<Pending>();
  let inFlight = 0;
  let closed: string | undefined;
  let delayTimer: NodeJS.Timeout | undefined;
  let batchMsAvg: number | undefined;
  let lastDepth = -1;
  const drained: (() => void)[] = [];

  /** Seconds until the queue ahead has drained, at the recent batch time: the refusal's Retry-After. */
  const queueWaitS = (): number => {
    const batches = Math.ceil(queue.rows / maxRows);
    const seconds = (batches * (batchMsAvg ?? 0)) / Math.max(1, deps.concurrency()) / 1000;
    return Math.max(MIN_RETRY_AFTER_S, Math.ceil(seconds));
  };

  const reportDepth = () => {
    if (queue.size === lastDepth) return;
    lastDepth = queue.size;
    observer.onQueueDepth({ ...labels, depth: lastDepth });
  };

  /** Drops a request whose deadline has passed, before it can join a batch. */
  const dropIfExpired = (p: Pending): boolean => {
    if (clock.now() < p.deadline) return false;
    expire(observer, labels, p);
    return true;
  };

  /** Rows of the batches running now (inFlight of them). */
  let rowsInFlight = 0;
  const rowsIn = (batch: readonly Pending[]) => {
    let rows = 0;
    for (const p of batch) rows += p.rows;
    return rows;
  };

  /** Runs one batch. When a batch of several fails, each request runs alone, so one bad input fails only itself. */
  const runBatch = async (batch: Pending[]) => {
    const startedAt = performance.now();
    for (const p of batch) clearTimeout(p.timer);
    const feeds = batch.length === 1 ? batch[0].inputs : concatRows(batch.map((p) => p.inputs));
    const batchId = newBatchId();
    try {
      const result = await deps.run(feeds);
      settleBatch(observer, labels, batch, startedAt, result);
      traceBatch(labels, batch, batchId, result);
      batchMsAvg =
        batchMsAvg === undefined
          ? result.computeMs
          : batchMsAvg + EWMA_WEIGHT * (result.computeMs - batchMsAvg);
    } catch (e) {
      if (batch.length === 1) {
        traceBatch(labels, batch, batchId, undefined, e instanceof Error ? e.message : String(e));
        return failPending(observer, labels, batch[0], e, startedAt);
      }
      await Promise.all(batch.map((p) => runBatch([p])));
    }
  };

  /**
   * Forms and sends batches while replicas are free. Rows are spread over the free replicas (a queue of 64
   * rows and two idle workers makes two batches of 32). With no batch running, whatever waits goes at once
   * (a lone request is never held back). While batches run, a free replica waits until the queue holds as
   * many rows as a running batch has on average (fillTarget): under a deep queue, batches fill instead of a second
   * worker taking each request as it arrives, which on a loaded machine costs the workers more per row and
   * leaves the main thread less CPU. The wait ends at the latest when a running batch finishes (its end
   * schedules again), so a request waits at most the rest of one batch; the cores meanwhile are busy.
   */
  const schedule = (): void => {
    clearTimeout(delayTimer);
    delayTimer = undefined;
    // Batches started by earlier passes; those this pass starts share out the queue evenly among themselves.
    const fillTarget =
      inFlight === 0 ? 0 : Math.max(1, Math.min(maxRows, Math.floor(rowsInFlight / inFlight)));
    for (let free = Math.max(1, deps.concurrency()) - inFlight; queue.size > 0 && free > 0; ) {
      const waited = performance.now() - queue.oldest()!.enqueuedAt;
      if (maxRows > 1 && queue.rows < maxRows && waited < options.maxQueueDelayMs) {
        delayTimer = setTimeout(schedule, options.maxQueueDelayMs - waited);
        break;
      }
      if (maxRows > 1 && queue.rows < fillTarget) break;
      // At least one row's worth even when only zero-row requests wait (queue.rows is then 0).
      const share = Math.max(1, Math.ceil(queue.rows / free));
      const batch = queue.takeBatch(Math.min(maxRows, share), dropIfExpired);
      // takeBatch always takes its lead unless it expired, so an empty batch means requests were dropped: the
      // queue shrank and this loop still ends.
      if (batch.length === 0) continue;
      const rows = rowsIn(batch);
      inFlight++;
      rowsInFlight += rows;
      free--;
      runBatch(batch).finally(() => {
        inFlight--;
        rowsInFlight -= rows;
        kick();
      });
    }
    reportDepth();
    notifyIfDrained();
  };

  /**
   * Scheduling waits for the end of the current event-loop turn: requests that arrive together (the sockets
   * read in one poll, the clients a finished batch releases) are queued before any batch is formed, instead of
   * the first one leaving alone.
   */
  let kicked = false;
  const kick = () => {
    if (kicked) return;
    kicked = true;
    setImmediate(() => {
      kicked = false;
      schedule();
    });
  };

  const notifyIfDrained = () => {
    if (queue.size === 0 && inFlight === 0) for (const done of drained.splice(0)) done();
  };

  const admit = (p: Pending) => {
    if (queue.size < options.maxQueueSize) return true;
    const full = `the queue of model '${labels.model}' is full`;
    const big = queue.largest();
    // Longest-queue drop: a tenant holding more than its share gives up its newest request to a lighter one.
    if (big && big.tenant !== p.tenant && big.count > queue.countOf(p.tenant) + 1) {
      queue.remove(big.newest);
      clearTimeout(big.newest.timer);
      const e = new QuiverError('rate_limited', `${full}; this tenant holds the largest share`, {
        retryAfterS: queueWaitS(),
      });
      refuse(observer, labels, big.newest, 'rate_limited', 'evicted', e);
      return true;
    }
    refuse(
      observer,
      labels,
      p,
      'rate_limited',
      'queue_full',
      new QuiverError('rate_limited', full, { retryAfterS: queueWaitS() }),
    );
    return false;
  };

  return {
    infer(request) {
      return new Promise<InferResult>((resolve, reject) => {
        const now = clock.now();
        const p = pendingOf(
          request,
          now,
          options.defaultTimeoutMs,
          shapeKey(request.inputs),
          resolve,
          reject,
        );
        if (refuseOnArrival(observer, labels, p, closed, now)) return;
        if (!admit(p)) return;
        queue.push(p);
        const onDeadline = () => {
          if (!queue.remove(p)) return;
          expire(observer, labels, p);
          reportDepth();
          notifyIfDrained();
        };
        p.timer = setTimeout(onDeadline, Math.min(p.deadline - now, MAX_TIMER_MS));
        p.timer.unref();
        reportDepth();
        kick();
      });
    },

    drain() {
      closed ??= `model '${labels.model}' is being unloaded`;
      if (queue.size === 0 && inFlight === 0) return Promise.resolve();
      return new Promise<void>((done) => drained.push(done));
    },

    abort(why) {
      closed ??= why;
      clearTimeout(delayTimer);
      for (let p = queue.oldest(); p; p = queue.oldest()) {
        queue.remove(p);
        clearTimeout(p.timer);
        refuse(observer, labels, p, 'unavailable', 'closed', new QuiverError('unavailable', why));
      }
      reportDepth();
      notifyIfDrained();
    },

    get depth() {
      return queue.size;
    },
  };
};
