// The `quiver eval recommend` report: per model its means with paired-bootstrap 95% intervals, its NDCG@10
// ratio to the tuned popularity with its interval, and who was evaluated; as Markdown or as JSON.
import {
  type ComparedKind,
  type Comparison,
  type Interval,
  pairedBootstrap,
  SKIP_REASONS,
  type SkipReason,
} from '@quiver/server/training';

export const LABEL: Record<ComparedKind, string> = {
  popularity: 'popularity (tuned)',
  cooccurrence: 'co-occurrence',
  als: 'matrix factorization (ALS)',
  content: 'content (ALS factors; cold items: title, categories, brand projected)',
  userknn: "user-kNN (the most similar customers' recent items)",
};

const CONTENT_TEXT_LABEL = 'content (title, categories, brand)';

const METRICS = ['hr@10', 'ndcg@10', 'recall@20'] as const;
type Metric = (typeof METRICS)[number];

export interface ModelReport {
  kind: ComparedKind;
  label: string;
  params: Record<string, unknown>;
  trainMs: number;
  coverage: number;
  metrics: Record<Metric, Interval>;
  /** NDCG@10 / the baseline's, with its interval (paired over users). */
  ratio: Interval;
}

export interface Trial {
  params: unknown;
  'ndcg@10': number;
}

export interface Report {
  split: string;
  validation: string;
  target: 'purchase' | 'any';
  users: number;
  skipped: Record<string, number>;
  relevantPairs: number;
  bootstrapSamples: number;
  /** The baseline's parameters as tuned on the validation split, with each candidate's validation NDCG@10. */
  baseline: {
    kind: 'popularity';
    params: Record<string, unknown>;
    validation: Trial[];
  };
  /** Other models' parameters tried on the validation split (none when only the defaults ran). */
  tuning: Partial<Record<ComparedKind, Trial[]>>;
  models: ModelReport[];
}

/** Rows (the baseline first) → the report, bootstrapping every metric and the NDCG@10 ratio. */
export const buildReport = (
  rows: readonly Comparison[],
  context: Omit<Report, 'users' | 'skipped' | 'relevantPairs' | 'models'> & {
    extraSkipped?: Record<string, number>;
  },
): Report => {
  const { extraSkipped, ...rest } = context;
  const first = rows[0];
  const boot = Object.fromEntries(
    METRICS.map((m) => [
      m,
      pairedBootstrap(
        rows.map((r) => r.perUser[m]),
        0,
        { samples: context.bootstrapSamples },
      ),
    ]),
  ) as Record<Metric, ReturnType<typeof pairedBootstrap>>;
  const skipped: Record<string, number> = {};
  for (const reason of SKIP_REASONS) skipped[reason] = first.skipped[reason as SkipReason];
  Object.assign(skipped, extraSkipped);
  return {
    ...rest,
    users: first.metrics.users,
    skipped,
    relevantPairs: first.relevantPairs,
    models: rows.map((r, k) => ({
      kind: r.kind,
      label: r.kind === 'content' && r.params.method === 'text' ? CONTENT_TEXT_LABEL : LABEL[r.kind],
      params: r.params,
      trainMs: Math.round(r.trainMs),
      coverage: r.metrics.coverage,
      metrics: Object.fromEntries(METRICS.map((m) => [m, boot[m].metric[k]])) as Record<Metric, Interval>,
      ratio: boot['ndcg@10'].ratio[k],
    })),
  };
};

const f4 = (x: number) => x.toFixed(4);
const withInterval = (i: Interval, f: (x: number) => string = f4) =>
  `${f(i.mean)} (${f(i.low)}–${f(i.high)})`;
const times = (x: number) => `${x.toFixed(2)}×`;
const ratioCell = (i: Interval) =>
  Number.isFinite(i.mean) ? `${times(i.mean)} (${times(i.low)}–${times(i.high)})` : '– (popularity scores 0)';

export const markdown = (r: Report): string => {
  const skipped = Object.entries(r.skipped)
    .filter(([, n]) => n > 0)
    .map(([why, n]) => `${n} ${why}`)
    .join(', ');
  const lines = [
    `split: ${r.split}; validation: ${r.validation}; relevant: ${r.target === 'any' ? 'any item event' : 'purchases'} of items new to the user`,
    `users evaluated: ${r.users}; skipped: ${skipped || 'none'}; relevant (user, item) pairs: ${r.relevantPairs}`,
    `popularity baseline tuned on validation: ${JSON.stringify(r.baseline.params)} (${r.baseline.validation
      .map((v) => `${JSON.stringify(v.params)} ${f4(v['ndcg@10'])}`)
      .join(', ')})`,
    ...Object.entries(r.tuning)
      .filter(([, trials]) => trials.length > 0)
      .map(
        ([kind, trials]) =>
          `${LABEL[kind as ComparedKind]} tuned on validation: ${trials
            .map((v) => `${JSON.stringify(v.params)} ${f4(v['ndcg@10'])}`)
            .join(', ')}`,
      ),
    `intervals: 95%, paired bootstrap over users (${r.bootstrapSamples} samples)`,
    '',
    '| model | users | HR@10 | NDCG@10 | Recall@20 | coverage | NDCG@10 vs popularity | train s | params |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.models.map(
      (m) =>
        `| ${m.label} | ${r.users} | ${withInterval(m.metrics['hr@10'])} | ${withInterval(m.metrics['ndcg@10'])} | ${withInterval(m.metrics['recall@20'])} | ${f4(m.coverage)} | ${ratioCell(m.ratio)} | ${(m.trainMs / 1000).toFixed(1)} | \`${JSON.stringify(m.params)}\` |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
};
