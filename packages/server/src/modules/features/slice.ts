// Time slicing for the feature consumer: it shares the event loop with HTTP ingestion, so long stretches of
// its work give way (a macrotask turn, where pending I/O runs) once a slice is used up.

/** Longest stretch the consumer runs before letting the event loop serve requests, while it keeps up. */
export const DEFAULT_SLICE_MS = 5;
/** The longer stretch it takes while behind, so a sustained load cannot starve it (features go stale). */
export const DEFAULT_CATCH_UP_SLICE_MS = 25;
/** Behind: the batch's oldest event was appended longer ago than this. */
export const DEFAULT_CATCH_UP_AFTER_MS = 50;

export interface SliceOptions {
  sliceMs?: number;
  catchUpSliceMs?: number;
  catchUpAfterMs?: number;
}

export interface Slicer {
  /** Whether the current slice is used up (cheap: call it per item, pause when it says so). */
  due(): boolean;
  /** Gives way to the event loop if the slice is used up, then starts a new slice. */
  pause(): Promise<void>;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export const createSlicer = (sliceMs = DEFAULT_SLICE_MS): Slicer => {
  let started = performance.now();
  const due = () => performance.now() - started >= sliceMs;
  return {
    due,
    async pause() {
      if (!due()) return;
      await nextTurn();
      started = performance.now();
    },
  };
};

/** The slicer for a batch whose oldest event was appended at `appendedAtMs`. */
export const batchSlicer = (appendedAtMs: number, nowMs: number, options: SliceOptions = {}): Slicer =>
  createSlicer(
    nowMs - appendedAtMs > (options.catchUpAfterMs ?? DEFAULT_CATCH_UP_AFTER_MS)
      ? (options.catchUpSliceMs ?? DEFAULT_CATCH_UP_SLICE_MS)
      : (options.sliceMs ?? DEFAULT_SLICE_MS),
  );
