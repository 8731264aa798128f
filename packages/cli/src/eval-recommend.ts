// `quiver eval recommend`: trains popularity, co-occurrence and matrix factorization on an event file's events
// before a split time and prints HR@10, NDCG@10, Recall@20 and coverage on the events after it, offline.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  COMPARED_KINDS,
  type ComparedKind,
  type Comparison,
  compareTrainers,
  createInteractionsBuilder,
  DEFAULT_VALIDATION_DAYS,
  type Interactions,
  type ParamsByKind,
  tune,
} from '@quiver/server/training';
import { CliError, EXIT } from './errors.ts';
import { readEventsFile } from './eval/events-file.ts';
import { FORMAT_NAMES, type FormatName } from './formats/index.ts';
import type { ImportCommandIo } from './import-command.ts';

export const EVAL_RECOMMEND_USAGE = `Usage: quiver eval recommend --events <file> --split <date> [options]

Offline, without a server: reads the events (any import format, e.g. the Online Retail CSV), trains each
recommender on the events before --split and measures it on the events from --split on. For each user with
history before the split: the items they bought after it that they had not bought before, against the top of
what the model recommends from their history (items they had are not recommended). Reports HR@10, NDCG@10,
Recall@20 and catalog coverage, next to decayed popularity.

Options:
  --events <file>        event file (CSV or JSONL; format detected from its first line)
  --format <name>        ${FORMAT_NAMES.join(' | ')} (default: detected)
  --split <date>         ISO date or time: train before, test from (e.g. 2011-11-01)
  --model <kind>         popularity | cooccurrence | als; repeat for several (default: all three)
  --tune                 pick each model's parameters on the ${DEFAULT_VALIDATION_DAYS} days before --split first
                         (train before that window, validate on it; the test period is not read)
  --validation-days <n>  length of the tuning window (default ${DEFAULT_VALIDATION_DAYS})
`;

const LABEL: Record<ComparedKind, string> = {
  popularity: 'popularity (decayed)',
  cooccurrence: 'co-occurrence',
  als: 'matrix factorization (ALS)',
};

const f4 = (x: number) => x.toFixed(4);

const table = (rows: readonly Comparison[]): string => {
  const base = rows.find((r) => r.kind === 'popularity')?.metrics['ndcg@10'];
  const lines = [
    '| model | users | HR@10 | NDCG@10 | Recall@20 | coverage | NDCG@10 vs popularity | train s | params |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const m = r.metrics;
      const ratio = base ? `${(m['ndcg@10'] / base).toFixed(2)}×` : '–';
      return `| ${LABEL[r.kind]} | ${m.users} | ${f4(m['hr@10'])} | ${f4(m['ndcg@10'])} | ${f4(m['recall@20'])} | ${f4(m.coverage)} | ${ratio} | ${(r.trainMs / 1000).toFixed(1)} | \`${JSON.stringify(r.params)}\` |`;
    }),
  ];
  return `${lines.join('\n')}\n`;
};

export const readInteractions = async (file: string, format?: FormatName): Promise<Interactions> => {
  const builder = createInteractionsBuilder();
  for await (const event of readEventsFile(file, format)) builder.add(event);
  return builder.build();
};

export const evalRecommend = async (argv: string[], io: ImportCommandIo): Promise<number> => {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string' },
      format: { type: 'string' },
      split: { type: 'string' },
      model: { type: 'string', multiple: true },
      tune: { type: 'boolean' },
      'validation-days': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(EVAL_RECOMMEND_USAGE);
    return 0;
  }
  if (!values.events || !values.split)
    throw new CliError(`Give --events and --split.\n\n${EVAL_RECOMMEND_USAGE}`, EXIT.usage);
  const split = Date.parse(values.split);
  if (!Number.isFinite(split)) throw new CliError(`--split ${values.split} is not a date`, EXIT.usage);
  if (values.format && !FORMAT_NAMES.includes(values.format as FormatName))
    throw new CliError(`Unknown --format ${values.format}; one of ${FORMAT_NAMES.join(', ')}`, EXIT.usage);
  const kinds = (values.model ?? [...COMPARED_KINDS]) as ComparedKind[];
  for (const k of kinds)
    if (!COMPARED_KINDS.includes(k))
      throw new CliError(`Unknown --model ${k}; one of ${COMPARED_KINDS.join(', ')}`, EXIT.usage);
  const days = Number(values['validation-days'] ?? DEFAULT_VALIDATION_DAYS);
  if (!(days > 0)) throw new CliError('--validation-days must be a positive number', EXIT.usage);

  const started = performance.now();
  const x = await readInteractions(resolve(io.cwd, values.events), values.format as FormatName | undefined);
  io.stderr.write(
    `read ${x.length} item events (${x.items.length} items, ${x.users.length} users) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  const firstTest = x.time.findIndex((t) => t >= split);
  if (firstTest <= 0)
    throw new CliError(`--split ${values.split} leaves no events on one side of it`, EXIT.input);

  // Popularity is always measured: it is the baseline every row is compared to.
  const measured: ComparedKind[] = ['popularity', ...kinds.filter((k) => k !== 'popularity')];
  let params: ParamsByKind = {};
  if (values.tune) {
    const tuned = tune(x, split, days, measured, (t) =>
      io.stderr.write(`  tune ${t.kind} ${JSON.stringify(t.params)}: NDCG@10 ${f4(t.metrics['ndcg@10'])}\n`),
    );
    params = tuned.params;
    io.stderr.write(`chosen on the validation window: ${JSON.stringify(params)}\n`);
  }
  const rows = compareTrainers(x, split, params, measured, (r) =>
    io.stderr.write(`  ${r.kind}: trained in ${(r.trainMs / 1000).toFixed(1)} s\n`),
  );
  io.stdout.write(table(rows));
  return 0;
};
