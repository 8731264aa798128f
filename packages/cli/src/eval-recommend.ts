// `quiver eval recommend`: trains the recommenders on an event file's train part (a global time split or each
// user's last baskets held out) and prints HR@10, NDCG@10, Recall@20 and coverage on the test part, with
// paired-bootstrap intervals and each model's ratio to a popularity baseline tuned on validation, offline.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BatchItem } from '@quiver/contracts';
import {
  ALWAYS_TUNED,
  COMPARED_KINDS,
  type ComparedKind,
  type Comparison,
  compareOnSplit,
  createInteractionsBuilder,
  DEFAULT_BOOTSTRAP_SAMPLES,
  DEFAULT_PARAMS,
  DEFAULT_VALIDATION_DAYS,
  type Interactions,
  type ItemVectors,
  type ParamsByKind,
  type SplitSpec,
  splitOf,
  TUNING_GRID,
  textVectors,
  tune,
} from '@quiver/server/training';
import { CliError, EXIT } from './errors.ts';
import { readEventsFile } from './eval/events-file.ts';
import { buildReport, markdown } from './eval/recommend-report.ts';
import { FORMAT_NAMES, type FormatName } from './formats/index.ts';
import type { ImportCommandIo } from './import-command.ts';

export const EVAL_RECOMMEND_USAGE = `Usage: quiver eval recommend --events <file> (--split <date> | --per-user <last-k | fraction>) [options]

Offline, without a server: reads the events (any import format, e.g. the Online Retail CSV), trains each
recommender on the train part and measures it on the test part. For each user with history in the train part:
the items they bought in the test part that they had not had before, against the top of what the model
recommends from their history (items they had are not recommended). Reports HR@10, NDCG@10, Recall@20 and
catalog coverage with 95% intervals (paired bootstrap over users), users evaluated and skipped (and why),
relevant pairs, and each model's NDCG@10 ratio to popularity, whose half-life is always tuned on validation.

Options:
  --events <file>        event file (CSV or JSONL; format detected from its first line)
  --format <name>        ${FORMAT_NAMES.join(' | ')} (default: detected)
  --split <date>         global time split: train before, test from (e.g. 2011-11-01); validation is the
                         --validation-days before it
  --per-user <spec>      leave-last-out: last-<k> holds out each user's last k baskets (sessions; invoices
                         in Online Retail), a fraction in (0, 1) the last share of them (at least one); users
                         with one basket are not evaluated; validation holds out the same of the train part
  --model <kind>         ${COMPARED_KINDS.join(' | ')}; repeat for several (default: all but content)
  --tune                 pick every model's parameters on validation too (popularity's half-life,
                         co-occurrence's "buy next" sequenceWeight and content's method always are)
  --params <k=v,...>     trainer parameters, e.g. sequenceWeight=0.3,cooccurrence.halfLifeDays=7: a bare
                         key sets it for every model that has it; set parameters are not tuned
  --validation-days <n>  length of the time split's validation window (default ${DEFAULT_VALIDATION_DAYS})
  --samples <n>          bootstrap samples (default ${DEFAULT_BOOTSTRAP_SAMPLES})
  --target <t>           purchase: the test part's purchases are relevant (all its item events when it has
                         none; default) | any: every item event (views, carts) counts
  --json                 print the report as JSON
`;

const f4 = (x: number) => x.toFixed(4);

export const readInteractions = async (
  file: string,
  format?: FormatName,
  onItem?: (item: BatchItem) => void,
): Promise<Interactions> => {
  const builder = createInteractionsBuilder();
  for await (const event of readEventsFile(file, format, onItem)) builder.add(event);
  return builder.build();
};

const PER_USER = /^last-([1-9][0-9]*)$/;

const splitSpec = (values: { split?: string; 'per-user'?: string }, days: number): SplitSpec => {
  if ((values.split === undefined) === (values['per-user'] === undefined))
    throw new CliError(`Give one of --split and --per-user.\n\n${EVAL_RECOMMEND_USAGE}`, EXIT.usage);
  if (values.split !== undefined) {
    const at = Date.parse(values.split);
    if (!Number.isFinite(at)) throw new CliError(`--split ${values.split} is not a date`, EXIT.usage);
    return { kind: 'time', at, validationDays: days };
  }
  const spec = values['per-user']!;
  const k = PER_USER.exec(spec);
  if (k) return { kind: 'per-user', lastK: Number(k[1]) };
  const fraction = Number(spec);
  if (!(fraction > 0 && fraction < 1))
    throw new CliError(`--per-user ${spec}: give last-<k> (k ≥ 1) or a fraction in (0, 1)`, EXIT.usage);
  return { kind: 'per-user', fraction };
};

/** `--params`: `kind.key=value` or `key=value` (every measured kind with that parameter), comma-separated. */
export const parseParams = (specs: readonly string[], kinds: readonly ComparedKind[]): ParamsByKind => {
  const out: ParamsByKind = {};
  for (const pair of specs.flatMap((s) => s.split(',')).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--params ${pair}: give key=value`, EXIT.usage);
    const [kind, key] = pair.slice(0, eq).includes('.')
      ? pair.slice(0, eq).split('.', 2)
      : [undefined, pair.slice(0, eq)];
    const raw = pair.slice(eq + 1);
    const value = raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    const targets = kinds.filter((k) => (kind === undefined || k === kind) && key in DEFAULT_PARAMS[k]);
    if (targets.length === 0)
      throw new CliError(
        `--params ${pair}: no model measured here has a parameter ${key}${kind ? ` (${kind})` : ''}`,
        EXIT.usage,
      );
    for (const k of targets) out[k] = { ...out[k], [key]: value };
  }
  return out;
};

const trialsOf = (trials: readonly Comparison[], kind: ComparedKind) =>
  trials.filter((t) => t.kind === kind).map((t) => ({ params: t.params, 'ndcg@10': t.metrics['ndcg@10'] }));

const describe = (spec: SplitSpec): { split: string; validation: string } => {
  if (spec.kind === 'time') {
    const at = new Date(spec.at).toISOString();
    return {
      split: `global time split at ${at}`,
      validation: `the ${spec.validationDays} days before it (train before them)`,
    };
  }
  const held =
    spec.lastK !== undefined ? `last ${spec.lastK} basket(s)` : `last ${spec.fraction} of the baskets`;
  return {
    split: `per user, each user's ${held} held out`,
    validation: `the same held out of each user's train part`,
  };
};

/** Item text for the content model, the first description of each id (as the importer keeps it). */
const collectItems = () => {
  const items = new Map<string, BatchItem>();
  return {
    add: (item: BatchItem) => {
      if (!items.has(item.id)) items.set(item.id, item);
    },
    vectors: (): ItemVectors => textVectors([...items.values()]),
  };
};

export const evalRecommend = async (argv: string[], io: ImportCommandIo): Promise<number> => {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string' },
      format: { type: 'string' },
      split: { type: 'string' },
      'per-user': { type: 'string' },
      model: { type: 'string', multiple: true },
      tune: { type: 'boolean' },
      'validation-days': { type: 'string' },
      samples: { type: 'string' },
      json: { type: 'boolean' },
      target: { type: 'string' },
      params: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(EVAL_RECOMMEND_USAGE);
    return 0;
  }
  if (!values.events) throw new CliError(`Give --events.\n\n${EVAL_RECOMMEND_USAGE}`, EXIT.usage);
  const days = Number(values['validation-days'] ?? DEFAULT_VALIDATION_DAYS);
  if (!(days > 0)) throw new CliError('--validation-days must be a positive number', EXIT.usage);
  const samples = Number(values.samples ?? DEFAULT_BOOTSTRAP_SAMPLES);
  if (!Number.isInteger(samples) || samples < 1)
    throw new CliError('--samples must be a positive integer', EXIT.usage);
  const spec = splitSpec(values, days);
  const target = (values.target ?? 'purchase') as 'purchase' | 'any';
  if (target !== 'purchase' && target !== 'any')
    throw new CliError(`--target ${values.target}: purchase or any`, EXIT.usage);
  if (values.format && !FORMAT_NAMES.includes(values.format as FormatName))
    throw new CliError(`Unknown --format ${values.format}; one of ${FORMAT_NAMES.join(', ')}`, EXIT.usage);
  const kinds = (values.model ?? COMPARED_KINDS.filter((k) => k !== 'content')) as ComparedKind[];
  for (const k of kinds)
    if (!COMPARED_KINDS.includes(k))
      throw new CliError(`Unknown --model ${k}; one of ${COMPARED_KINDS.join(', ')}`, EXIT.usage);

  const started = performance.now();
  const catalog = collectItems();
  const x = await readInteractions(
    resolve(io.cwd, values.events),
    values.format as FormatName | undefined,
    kinds.includes('content') ? catalog.add : undefined,
  );
  io.stderr.write(
    `read ${x.length} item events (${x.items.length} items, ${x.users.length} users) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  const split = splitOf(x, spec);
  if (split.train.length === 0 || split.test.length === 0)
    throw new CliError(`the split leaves no events on one side of it`, EXIT.input);
  const vectors = kinds.includes('content') ? catalog.vectors() : undefined;

  // Popularity is always measured, and always tuned: it is the baseline every row is compared to.
  const measured: ComparedKind[] = ['popularity', ...kinds.filter((k) => k !== 'popularity')];
  const fixed = parseParams(values.params ?? [], measured);
  const grids = values.tune
    ? { ...TUNING_GRID, cooccurrence: [...TUNING_GRID.cooccurrence, ...(ALWAYS_TUNED.cooccurrence ?? [])] }
    : ALWAYS_TUNED;
  const tuned = tune(x, spec, measured, {
    onRow: (t) =>
      io.stderr.write(`  tune ${t.kind} ${JSON.stringify(t.params)}: NDCG@10 ${f4(t.metrics['ndcg@10'])}\n`),
    vectors,
    target,
    grids,
    fixed,
  });
  const params: ParamsByKind = tuned.params;
  io.stderr.write(`chosen on validation: ${JSON.stringify(params)}\n`);
  const rows = compareOnSplit(split, params, measured, {
    onRow: (r) => io.stderr.write(`  ${r.kind}: trained in ${(r.trainMs / 1000).toFixed(1)} s\n`),
    vectors,
    target,
  });
  const report = buildReport(rows, {
    ...describe(spec),
    target,
    bootstrapSamples: samples,
    baseline: {
      kind: 'popularity',
      params: params.popularity ?? {},
      validation: trialsOf(tuned.trials, 'popularity'),
    },
    tuning: Object.fromEntries(
      measured.filter((k) => k !== 'popularity').map((k) => [k, trialsOf(tuned.trials, k)]),
    ),
    extraSkipped:
      split.singleBasketUsers !== undefined ? { 'one basket only (not split)': split.singleBasketUsers } : {},
  });
  io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : markdown(report));
  return 0;
};
