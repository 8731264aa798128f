// Batching options of a model version: defaults with units, validated once, then frozen.
import { QuiverError } from '../../kernel/errors.ts';

/** Rows per batch; 1 turns batching off. */
export const DEFAULT_MAX_BATCH_SIZE = 1;
/**
 * How long the oldest request may wait for a batch to fill while a worker is free. 0 sends at once; batches
 * still form under load, from requests that queue while every replica is busy.
 */
export const DEFAULT_MAX_QUEUE_DELAY_MS = 0;
/** Requests waiting per model version before new ones are refused. */
export const DEFAULT_MAX_QUEUE_SIZE = 1024;
/** Deadline of a request that names none, from its arrival. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface BatchingOptions {
  maxBatchSize: number;
  maxQueueDelayMs: number;
  maxQueueSize: number;
  defaultTimeoutMs: number;
}

const LIMITS: Record<keyof BatchingOptions, [min: number, integer: boolean]> = {
  maxBatchSize: [1, true],
  maxQueueDelayMs: [0, false],
  maxQueueSize: [1, true],
  defaultTimeoutMs: [1, false],
};

/** Fills defaults and checks every field; throws `validation_failed` naming each bad one. */
export const resolveBatching = (given: Partial<BatchingOptions> = {}): Readonly<BatchingOptions> => {
  const o: BatchingOptions = {
    maxBatchSize: given.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
    maxQueueDelayMs: given.maxQueueDelayMs ?? DEFAULT_MAX_QUEUE_DELAY_MS,
    maxQueueSize: given.maxQueueSize ?? DEFAULT_MAX_QUEUE_SIZE,
    defaultTimeoutMs: given.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  const errors = (Object.keys(LIMITS) as (keyof BatchingOptions)[]).flatMap((k) => {
    const [min, integer] = LIMITS[k];
    const v = o[k];
    const ok = typeof v === 'number' && Number.isFinite(v) && v >= min && (!integer || Number.isInteger(v));
    return ok ? [] : [{ path: k, message: `${k} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}` }];
  });
  if (errors.length > 0) {
    throw new QuiverError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
  }
  return Object.freeze(o);
};
