// Keeps a failure that repeats (a dependency that is down) from flooding the log: the first failure of a run
// is reported, then at most one per interval with the count; a success or a quiet interval ends the run.

/** How often a failure that keeps repeating is reported again. */
export const DEFAULT_FAILURE_REPORT_MS = 60_000;

export interface FailureRun {
  /** Counts a failure; calls `report` with the run's count for its first failure, then at most once per interval. */
  fail(report: (failures: number) => void): void;
  /** Ends the run; calls `report` with its count when there was one. */
  recover(report?: (failures: number) => void): void;
}

export const createFailureRun = (
  reportEveryMs: number = DEFAULT_FAILURE_REPORT_MS,
  now: () => number = Date.now,
): FailureRun => {
  let failures = 0;
  let reportedAt = 0;
  let lastAt = 0;
  return {
    fail(report) {
      const at = now();
      // Nothing failed for a whole interval: this is a new outage, not more of the old one.
      if (failures > 0 && at - lastAt >= reportEveryMs) failures = 0;
      failures++;
      lastAt = at;
      if (failures === 1 || at - reportedAt >= reportEveryMs) {
        reportedAt = at;
        report(failures);
      }
    },
    recover(report) {
      if (failures > 0) report?.(failures);
      failures = 0;
    },
  };
};

/** Distinct failures followed at once by `createFailureRuns`; past this many the oldest are forgotten. */
const MAX_FAILURE_KEYS = 100;

/** A failure run per key (a message, a consumer's name): `runs(key)` answers that key's run. */
export const createFailureRuns = (reportEveryMs?: number): ((key: string) => FailureRun) => {
  const runs = new Map<string, FailureRun>();
  return (key) => {
    let run = runs.get(key);
    if (!run) {
      if (runs.size >= MAX_FAILURE_KEYS) runs.delete(runs.keys().next().value as string);
      run = createFailureRun(reportEveryMs);
      runs.set(key, run);
    }
    return run;
  };
};

/** The logger modules report background failures to (consumers, timers): the app's, or a quieted one. */
export interface BackgroundLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * Background consumers retry every few seconds while the stream or Redis is down: each warning (by its
 * message) is logged when its run starts, then at most once per interval with the count.
 */
export const quietBackgroundLog = (log: BackgroundLog, reportEveryMs?: number): BackgroundLog => {
  const runs = createFailureRuns(reportEveryMs);
  return {
    warn: (obj, msg) => runs(msg).fail((failures) => log.warn({ ...obj, failures }, msg)),
    info: (obj, msg) => log.info(obj, msg),
  };
};
