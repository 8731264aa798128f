// Start-up work a replica finishes before it reports ready (a module's indexes, its models): named in
// /readyz's `warming` while it runs, awaited by tests so they start from a warm replica.

export interface WarmUp {
  /** Its name in /readyz's `warming` list (e.g. `search-indexes`). */
  readonly name: string;
  /** True from `run` until the work settles. */
  running(): boolean;
  /** Resolves once no run is going (at once when none began). */
  settled(): Promise<void>;
  /**
   * Runs `work` in the background. A failure ends the warm-up too (reported to `onError`): the replica then
   * turns ready and builds what is missing on first use, rather than staying out of service.
   */
  run(work: () => Promise<void>, onError: (error: unknown) => void): void;
}

export const createWarmUp = (name: string): WarmUp => {
  let current: Promise<void> | undefined;
  return {
    name,
    running: () => current !== undefined,
    settled: async () => {
      while (current) await current;
    },
    run(work, onError) {
      const previous = current ?? Promise.resolve();
      const next: Promise<void> = previous
        .then(work)
        .catch(onError)
        .finally(() => {
          if (current === next) current = undefined;
        });
      current = next;
    },
  };
};
