// Offline comparison of the trainers on one time split (the `quiver eval recommend` table and the training
// benchmark), and honest tuning: parameters chosen on a validation window that ends at the split.
import type { TrainerKind } from '@quiver/contracts';
import { evaluate, type OfflineMetrics } from './evaluate.ts';
import { before, type Interactions, splitAt } from './interactions.ts';
import { EVALUATION, fit } from './trainers.ts';

export const COMPARED_KINDS = ['popularity', 'cooccurrence', 'als'] as const;
export type ComparedKind = (typeof COMPARED_KINDS)[number];
export type ParamsByKind = Partial<Record<ComparedKind, Record<string, unknown>>>;

export interface Comparison {
  kind: ComparedKind;
  params: Record<string, unknown>;
  metrics: OfflineMetrics;
  /** Fitting on the train side of the split, in milliseconds (evaluation not included). */
  trainMs: number;
}

/** Fits each kind on the events before `splitTime` and evaluates it on those after. */
export const compareTrainers = (
  x: Interactions,
  splitTime: number,
  params: ParamsByKind = {},
  kinds: readonly ComparedKind[] = COMPARED_KINDS,
  onRow: (row: Comparison) => void = () => {},
): Comparison[] => {
  const { train, test } = splitAt(x, splitTime);
  return kinds.map((kind) => {
    const p = params[kind] ?? {};
    const started = performance.now();
    const { model } = fit(kind as TrainerKind, train, p, undefined);
    const trainMs = performance.now() - started;
    const row = { kind, params: p, metrics: evaluate(train, test, model, EVALUATION), trainMs };
    onRow(row);
    return row;
  });
};

/** What `--tune` tries per kind (each trial overrides the defaults). */
export const TUNING_GRID: Record<ComparedKind, Record<string, unknown>[]> = {
  popularity: [1, 3, 7, 14, 30].map((halfLifeDays) => ({ halfLifeDays })),
  cooccurrence: [
    ...[0, 10, 50].flatMap((shrinkage) =>
      [0, 30, 90].map((halfLifeDays) => ({ method: 'cosine', shrinkage, halfLifeDays })),
    ),
    ...[7, 15, 30].flatMap((halfLifeDays) =>
      [50, 100, 200, 400].map((regularization) => ({ method: 'ease', halfLifeDays, regularization })),
    ),
  ],
  als: [30, 60].flatMap((halfLifeDays) =>
    [0.1, 10].flatMap((regularization) =>
      [0, 0.01].map((popularityWeight) => ({ halfLifeDays, regularization, popularityWeight })),
    ),
  ),
};

export const DEFAULT_VALIDATION_DAYS = 30;
const DAY_MS = 86_400_000;

export interface Trial extends Comparison {
  best: boolean;
}

/**
 * Picks each kind's parameters by NDCG@10 on the validation window [splitTime − days, splitTime), training on
 * what came before it; nothing from the test period (at or after splitTime) is read.
 */
export const tune = (
  x: Interactions,
  splitTime: number,
  validationDays = DEFAULT_VALIDATION_DAYS,
  kinds: readonly ComparedKind[] = COMPARED_KINDS,
  onTrial: (trial: Comparison) => void = () => {},
): { params: ParamsByKind; trials: Comparison[] } => {
  const seen = before(x, splitTime);
  const params: ParamsByKind = {};
  const trials: Comparison[] = [];
  for (const kind of kinds) {
    let best: Comparison | undefined;
    for (const p of TUNING_GRID[kind]) {
      const [row] = compareTrainers(seen, splitTime - validationDays * DAY_MS, { [kind]: p }, [kind]);
      trials.push(row);
      onTrial(row);
      if (!best || row.metrics['ndcg@10'] > best.metrics['ndcg@10']) best = row;
    }
    if (best) params[kind] = best.params;
  }
  return { params, trials };
};
