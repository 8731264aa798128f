// Messages between a training run (main thread) and its worker thread.
import type { TrainerKind } from '@quiver/contracts';
import type { ItemVectors } from './content.ts';
import type { Interactions } from './interactions.ts';
import type { OfflineRun } from './trainers.ts';

export interface TrainRequest {
  kind: TrainerKind;
  interactions: Interactions;
  params: Record<string, unknown>;
  splitTime: number;
  vectors?: ItemVectors;
}

export type TrainReply =
  | { type: 'progress'; phase: string; fraction: number }
  | { type: 'done'; run: OfflineRun }
  | { type: 'failed'; message: string };
