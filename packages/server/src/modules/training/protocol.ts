// Messages between a training run (main thread) and its worker thread.
import type { RecommenderKind } from '@quiver/contracts';
import type { ItemVectors } from './content.ts';
import type { Interactions } from './interactions.ts';
import type { CurrentRanker, LtrQuery } from './ltr.ts';
import type { OfflineRun } from './trainers.ts';

export interface TrainRequest {
  kind: RecommenderKind;
  interactions: Interactions;
  params: Record<string, unknown>;
  splitTime: number;
  vectors?: ItemVectors;
}

/** The search-ranker trainer's fit: judged queries split in two, the model to fit, and the current ranker. */
export interface RankerRequest {
  kind: 'search-ranker';
  model: 'trees' | 'linear';
  train: LtrQuery[];
  test: LtrQuery[];
  current: CurrentRanker;
}

export type TrainReply<R = OfflineRun> =
  | { type: 'progress'; phase: string; fraction: number }
  | { type: 'done'; run: R }
  | { type: 'failed'; message: string };
