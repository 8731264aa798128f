// Measures how late a short timer fires: a check that the event loop stays free while a test loads it.

/** Milliseconds a `ms` timer fired after it was due (0 when on time). */
export const timerLateness = (ms = 10): Promise<number> => {
  const started = performance.now();
  return new Promise((resolve) =>
    setTimeout(() => resolve(Math.max(0, performance.now() - started - ms)), ms),
  );
};

/** Generous bound for "on time" on a noisy machine; the bugs these tests catch made it seconds. */
export const ON_TIME_MS = 250;
