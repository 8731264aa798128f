// Metrics hooks: what the engine reports so a metrics layer can record it, labelled by tenant, model and version.
import type { ErrorCode } from '../../kernel/errors.ts';

export interface ModelLabels {
  model: string;
  version: string;
}

/** One request that ran, or failed while running, as part of a batch. */
export interface RequestEvent extends ModelLabels {
  tenant: string;
  rows: number;
  /** From enqueue to the start of its batch. */
  queueSeconds: number;
  /** Wall time of its batch in the worker (`session.run()`). */
  computeSeconds: number;
  /** This request's part of the batch's compute, by rows: the basis for per-tenant cost. */
  computeShareSeconds: number;
  /** Rows in the batch it ran in. */
  batchRows: number;
  /** 'ok', or the error code it failed with. */
  outcome: 'ok' | ErrorCode;
}

export interface BatchEvent extends ModelLabels {
  /** Rows in the batch (the batch size). */
  rows: number;
  requests: number;
  computeSeconds: number;
}

export interface QueueDepthEvent extends ModelLabels {
  /** Requests waiting for a batch. */
  depth: number;
}

/** A request refused or dropped before it ran. */
export interface RejectEvent extends ModelLabels {
  tenant: string;
  code: ErrorCode;
  reason: 'deadline' | 'queue_full' | 'evicted' | 'closed';
}

export interface InferenceObserver {
  onRequest(e: RequestEvent): void;
  onBatch(e: BatchEvent): void;
  onQueueDepth(e: QueueDepthEvent): void;
  onReject(e: RejectEvent): void;
}

const noop = () => {};

export const noopObserver: InferenceObserver = {
  onRequest: noop,
  onBatch: noop,
  onQueueDepth: noop,
  onReject: noop,
};

/** A full observer from the hooks given; the rest do nothing. */
export const observerOf = (hooks: Partial<InferenceObserver> = {}): InferenceObserver => ({
  ...noopObserver,
  ...hooks,
});

/** One observer calling each of `observers` in turn (metrics and metering both see every event). */
export const combineObservers = (...observers: Partial<InferenceObserver>[]): InferenceObserver => {
  const all = observers.map((o) => observerOf(o));
  return {
    onRequest: (e) => {
      for (const o of all) o.onRequest(e);
    },
    onBatch: (e) => {
      for (const o of all) o.onBatch(e);
    },
    onQueueDepth: (e) => {
      for (const o of all) o.onQueueDepth(e);
    },
    onReject: (e) => {
      for (const o of all) o.onReject(e);
    },
  };
};
