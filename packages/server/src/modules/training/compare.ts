// Offline comparison of the trainers on one split (the `quiver eval recommend` table and the training
// benchmark), and honest tuning: parameters chosen on a validation split that reads nothing of the test part.
import type { RecommenderKind } from '@quiver/contracts';
import type { ItemVectors } from './content.ts';
import {
  type EvaluateOptions,
  evaluateUsers,
  type OfflineMetrics,
  type PerUser,
  type SkipReason,
} from './evaluate.ts';
import type { Interactions } from './interactions.ts';
import { type Split, type SplitSpec, splitOf, validationOf } from './split.ts';
import { EVALUATION, fit, onItems } from './trainers.ts';

export const COMPARED_KINDS = ['popularity', 'cooccurrence', 'als', 'content', 'userknn'] as const;
export type ComparedKind = (typeof COMPARED_KINDS)[number];
export type ParamsByKind = Partial<Record<ComparedKind, Record<string, unknown>>>;

export interface Comparison {
  kind: ComparedKind;
  params: Record<string, unknown>;
  metrics: OfflineMetrics;
  perUser: PerUser;
  skipped: Record<SkipReason, number>;
  relevantPairs: number;
  /** Fitting on the train side of the split, in milliseconds (evaluation not included). */
  trainMs: number;
}

export interface CompareOptions {
  onRow?: (row: Comparison) => void;
  /** Item vectors for the content kind. */
  vectors?: ItemVectors;
  target?: EvaluateOptions['target'];
}

/** Fits each kind on the split's train part and evaluates it on its test part. */
export const compareOnSplit = (
  split: Split,
  params: ParamsByKind = {},
  kinds: readonly ComparedKind[] = COMPARED_KINDS,
  { onRow = () => {}, vectors, target }: CompareOptions = {},
): Comparison[] => {
  const { train, test, asOf } = split;
  return kinds.map((kind) => {
    const p = params[kind] ?? {};
    const started = performance.now();
    const fitted = fit(kind as RecommenderKind, train, p, vectors);
    const trainMs = performance.now() - started;
    const evaluation = evaluateUsers(train, test, onItems(fitted, train), { ...EVALUATION, asOf, target });
    const row = { kind, params: p, ...evaluation, trainMs };
    onRow(row);
    return row;
  });
};

/** Fits each kind on the events before `splitTime` and evaluates it on those after. */
export const compareTrainers = (
  x: Interactions,
  splitTime: number,
  params: ParamsByKind = {},
  kinds: readonly ComparedKind[] = COMPARED_KINDS,
  onRow: (row: Comparison) => void = () => {},
): Comparison[] =>
  compareOnSplit(splitOf(x, { kind: 'time', at: splitTime, validationDays: 0 }), params, kinds, { onRow });

/** What `--tune` tries per kind (each trial overrides the defaults). */
export const TUNING_GRID: Record<ComparedKind, Record<string, unknown>[]> = {
  // From a quarter of an hour (session data) to ten years: a long memory is a much stronger baseline on data
  // where customers rebuy the same lines.
  popularity: [0.01, 1 / 24, 0.25, 0.5, 1, 3, 7, 14, 30, 60, 90, 180, 365, 3650].map((halfLifeDays) => ({
    halfLifeDays,
  })),
  content: [...[1, 0.3, 0.1].map((coldWeight) => ({ method: 'projected', coldWeight })), { method: 'text' }],
  cooccurrence: [
    ...[0, 10, 50].flatMap((shrinkage) =>
      [0, 30, 90].map((halfLifeDays) => ({ method: 'cosine', shrinkage, halfLifeDays })),
    ),
    ...[7, 15, 30].flatMap((halfLifeDays) =>
      [50, 100, 200, 400].map((regularization) => ({ method: 'ease', halfLifeDays, regularization })),
    ),
  ],
  userknn: [200, 600].flatMap((neighbours) =>
    [7, 15].flatMap((halfLifeDays) => [0.5, 0.8].map((exponent) => ({ neighbours, halfLifeDays, exponent }))),
  ),
  als: [30, 60].flatMap((halfLifeDays) =>
    [0.1, 10].flatMap((regularization) =>
      [0, 0.01].map((popularityWeight) => ({ halfLifeDays, regularization, popularityWeight })),
    ),
  ),
};

/**
 * What `quiver eval recommend` always chooses on validation, without `--tune`: the baseline's half-life, the
 * weight of co-occurrence's "buy next" table (0: co-occurrence alone; on Online Retail's validation windows
 * 3 lost 30%; REES46 sessions gain) and content's method.
 */
export const ALWAYS_TUNED: Partial<Record<ComparedKind, Record<string, unknown>[]>> = {
  popularity: TUNING_GRID.popularity,
  cooccurrence: [0, 0.03, 0.1, 0.3, 1].map((sequenceWeight) => ({ sequenceWeight })),
  content: [{ method: 'projected' }, { method: 'text' }],
};

export const DEFAULT_VALIDATION_DAYS = 30;

export interface TuneOptions extends CompareOptions {
  /** The trials per kind (default `TUNING_GRID`); a kind without trials keeps its `fixed` parameters. */
  grids?: Partial<Record<ComparedKind, Record<string, unknown>[]>>;
  /** Parameters set by the caller: every trial of the kind uses them, and they are not tuned. */
  fixed?: ParamsByKind;
}

/**
 * Picks each kind's parameters by NDCG@10 on the spec's validation split (`validationOf`: the window before T,
 * or each user's last train baskets), training on what came before it; nothing of the test part is read.
 */
export const tune = (
  x: Interactions,
  spec: SplitSpec,
  kinds: readonly ComparedKind[] = COMPARED_KINDS,
  { onRow: onTrial = () => {}, grids = TUNING_GRID, fixed = {}, ...options }: TuneOptions = {},
): { params: ParamsByKind; trials: Comparison[]; validation: Split } => {
  const validation = validationOf(x, spec);
  const params: ParamsByKind = { ...fixed };
  const trials: Comparison[] = [];
  for (const kind of kinds) {
    const given = fixed[kind] ?? {};
    // Trials that differ only in what the caller fixed are one trial.
    const grid = (grids[kind] ?? []).filter((p) => Object.keys(p).some((k) => !(k in given)));
    let best: Comparison | undefined;
    for (const p of grid) {
      const [row] = compareOnSplit(validation, { [kind]: { ...p, ...given } }, [kind], options);
      trials.push(row);
      onTrial(row);
      if (!best || row.metrics['ndcg@10'] > best.metrics['ndcg@10']) best = row;
    }
    if (best) params[kind] = best.params;
  }
  return { params, trials, validation };
};
