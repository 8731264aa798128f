// What every ranker version's metadata carries, whatever its kind: where it came from, a sample of its input
// (`features` FP32 [1, n], n = its columns), `execution: 'inline'` and `ranker` (its kind's own fields, and the run that made it).
import type { VersionMetadata } from '../registry/index.ts';
import { RANKER_INPUT } from './ranker-graph.ts';

export interface RankerVersionOptions {
  framework: string;
  description: string;
  runId?: string;
  metrics?: Record<string, number>;
}

export const rankerVersionMetadata = (
  features: readonly string[],
  o: RankerVersionOptions,
  ranker: Record<string, unknown>,
): VersionMetadata => ({
  framework: o.framework,
  description: o.description,
  // Rankers are tiny and called once per hybrid search: run on the serving thread (the engine's inline
  // size cap still applies), where one call costs tens of microseconds instead of a worker round trip.
  execution: 'inline',
  ...(o.metrics ? { metrics: o.metrics } : {}),
  sampleInput: [
    { name: RANKER_INPUT, datatype: 'FP32', shape: [1, features.length], data: features.map(() => 0) },
  ],
  ranker: { ...ranker, ...(o.runId ? { runId: o.runId } : {}) },
});
