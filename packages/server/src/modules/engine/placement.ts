// Where a model version runs: on the serving thread (inline.ts) when its artifact is small and a full batch of
// it, measured in a worker at load time, costs little; otherwise in the worker pool. A caller's explicit
// choice overrides the measure both ways (inline only within the size cap). The decision is in engine.ts.
import { stat } from 'node:fs/promises';
import { allocate } from './dtypes.ts';
import { elementCount } from './tensors.ts';
import type { ModelSource, Signature, Tensors } from './types.ts';

export type Execution = 'inline' | 'workers';

export interface InlinePolicy {
  /** Largest artifact, in bytes, that may run inline. */
  maxBytes: number;
  /**
   * Largest measured compute of one full batch (`probeRows`), in microseconds, that may run inline: the most
   * an inline batch blocks the event loop. A worker round trip (postMessage both ways, the reply's turn)
   * costs the serving thread about this much anyway. 0: never chosen by measure (only when asked for).
   */
  maxBatchUs: number;
}

export const DEFAULT_INLINE_POLICY: Readonly<InlinePolicy> = Object.freeze({
  maxBytes: 256 * 1024,
  maxBatchUs: 100,
});

/** Timed runs of the probe batch; the median counts (the first run of a session allocates its buffers). */
export const PROBE_RUNS = 5;
/** Rows of the probe batch of a batchable model: its largest batch, up to this. */
export const PROBE_MAX_ROWS = 64;

/** Rows a full batch of the model holds: what an inline batch may block the thread for. */
export const probeRows = (batchable: boolean, maxBatchSize: number): number =>
  batchable ? Math.max(1, Math.min(maxBatchSize, PROBE_MAX_ROWS)) : 1;

/**
 * Zero-filled inputs of `rows` rows (a dynamic dim 0 takes `rows`; other dynamic dims are 1; fixed dims stay):
 * the warm-up and probe input when a version has no sample.
 */
export const zeroInputs = (signature: Signature, rows: number): Tensors => {
  const out: Tensors = {};
  for (const input of signature.inputs) {
    const shape = input.shape.map((d, i) => (d >= 0 ? d : i === 0 ? rows : 1));
    out[input.name] = {
      datatype: input.datatype,
      shape,
      data: allocate(input.datatype, elementCount(shape)),
    };
  }
  return out;
};

/** The artifact's size in bytes (a path is stat'ed); Infinity when a path cannot be read (the load then says why). */
export const sourceBytes = async (source: ModelSource): Promise<number> =>
  typeof source === 'string'
    ? stat(source).then(
        (s) => s.size,
        () => Infinity,
      )
    : source.byteLength;

/**
 * Median compute of PROBE_RUNS runs, in microseconds, after one untimed run (a session's first runs allocate
 * its buffers and pick its kernels: timed, they made the choice flip between loads of one model); each run
 * gets fresh inputs (a run may take them).
 */
export const measureBatchUs = async (
  run: (feeds: Tensors) => Promise<{ computeMs: number }>,
  feeds: () => Tensors,
): Promise<number> => {
  await run(feeds());
  const us: number[] = [];
  for (let i = 0; i < PROBE_RUNS; i++) us.push((await run(feeds())).computeMs * 1000);
  us.sort((a, b) => a - b);
  return us[Math.floor(us.length / 2)];
};
