// A dependency's availability as the gauge `quiver_dependency_up{dependency}` and one log line per change.
import type { Metrics } from './registry.ts';

/** What reports its own availability (the KV store does). */
export interface AvailabilitySource {
  available(): boolean;
  onAvailabilityChange(listener: (available: boolean, cause?: unknown) => void): void;
}

export interface DependencyLog {
  info(message: string): void;
  warn(object: object, message: string): void;
}

export const trackDependency = (
  dependency: string,
  source: AvailabilitySource,
  deps: { metrics: Metrics; log: DependencyLog; whenDown: string },
): void => {
  const up = deps.metrics.gauge('dependency_up', 'Whether a dependency answers (1) or not (0)', [
    'dependency',
  ]);
  up.set({ dependency }, source.available() ? 1 : 0);
  source.onAvailabilityChange((available, cause) => {
    up.set({ dependency }, available ? 1 : 0);
    if (available) deps.log.info(`${dependency} is available`);
    else deps.log.warn({ err: cause }, `${dependency} is unavailable: ${deps.whenDown}`);
  });
};
