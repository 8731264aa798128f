// A full garbage collection before a measured pass, and a wait until the process is idle again.
// `gc()` (node --expose-gc) marks and compacts on the calling thread, but V8 sweeps and frees what it found on
// helper threads after it returns; `process.cpuUsage()` counts every thread, so without the wait that work is
// charged to whatever the pass measures next, in proportion to the heap, not to the pass. Measured on the
// search bench (50k items, `MODES=bare,keyword,hybrid`): the bare route's CPU per request was 130-185 µs
// measured straight after gc() and 84-116 µs after the wait, against 75-93 µs with no hybrid in the process.

/** The process's CPU (all threads) under which a 50 ms window counts as idle: 5 % of one core. */
const IDLE_US_PER_WINDOW = 2_500;
const WINDOW_MS = 50;

/** Collects garbage (when exposed) and resolves once a 50 ms window used < 5 % of a core, or after `maxMs`. */
export const collectGarbage = async (maxMs = 3_000): Promise<void> => {
  (globalThis as { gc?: () => void }).gc?.();
  const started = performance.now();
  for (;;) {
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const used = process.cpuUsage(before);
    if (used.user + used.system < IDLE_US_PER_WINDOW || performance.now() - started > maxMs) return;
  }
};
