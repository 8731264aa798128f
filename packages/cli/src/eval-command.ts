// `quiver eval search`: runs every judged query against POST /v1/search in each mode and prints NDCG@10,
// MRR@10, Recall@10 and the judged share of the top 10 as a Markdown table, then NDCG@10 per query class.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ApiClient, createClient } from './client.ts';
import { CliError, EXIT } from './errors.ts';
import { QUERY_CLASS_ORDER } from './eval/classes.ts';
import { readJudgedSet } from './eval/judgments.ts';
import { evaluate, type MeanMetrics, metricsByClass } from './eval/metrics.ts';
import { EVAL_RECOMMEND_USAGE, evalRecommend } from './eval-recommend.ts';
import { DEFAULT_URL, type ImportCommandIo, resolveKey } from './import-command.ts';

const MODES = ['keyword', 'vector', 'hybrid'] as const;
type Mode = (typeof MODES)[number];

export const EVAL_USAGE = `Usage: quiver eval search --queries <file> --judgments <file> [options]
       quiver eval recommend --events <file> --split <date> [options]   (see quiver eval recommend --help)

Runs each judged query through POST /v1/search (top 10) and reports, over queries with judgments:
NDCG@10 (gain = grade; unjudged = 0; ideal from all the query's grades), the same over only the queries
with a grade above 0, MRR@10 and Recall@10 (relevant = grade 3), and the share of the top 10 judged.
Then NDCG@10 per query class, from the query text: model number (a word with a digit), one word,
two words, long tail (3+ words).

Files (tab-separated, '#' lines ignored; the chorus-icecat layout):
  queries     qid<TAB>query text
  judgments   qid<TAB>docid<TAB>grade[<TAB>…]   grade 0-3; a 'qid' header line is skipped

Options:
  --mode <m>     keyword | vector | hybrid; repeat for several (default: all three; a mode the server
                 cannot serve, e.g. vector without a vector index, is reported as unavailable)
  --url <url>    server (default: $QUIVER_URL or ${DEFAULT_URL})
  --key <key>    API key with the search scope (default: $QUIVER_KEY or the demo key)
`;

const rankWith = (client: ApiClient, mode: Mode) => async (query: string) => {
  const r = await client.post<{ hits: Array<{ item: { id: string } }> }>(
    '/v1/search',
    { query, mode, limit: 10 },
    { read: true },
  );
  return r.hits.map((h) => h.item.id);
};

export const evalCommand = async (argv: string[], io: ImportCommandIo): Promise<number> => {
  const [what, ...rest] = argv;
  if (what === '--help' || what === '-h' || what === undefined) {
    io.stdout.write(EVAL_USAGE);
    return what === undefined ? EXIT.usage : 0;
  }
  if (what === 'recommend') {
    if (rest.length === 0) {
      io.stdout.write(EVAL_RECOMMEND_USAGE);
      return EXIT.usage;
    }
    return evalRecommend(rest, io);
  }
  if (what !== 'search') throw new CliError(`Unknown eval target ${what}\n\n${EVAL_USAGE}`, EXIT.usage);
  const { values } = parseArgs({
    args: rest,
    options: {
      queries: { type: 'string' },
      judgments: { type: 'string' },
      mode: { type: 'string', multiple: true },
      url: { type: 'string' },
      key: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(EVAL_USAGE);
    return 0;
  }
  if (!values.queries || !values.judgments)
    throw new CliError(`Give --queries and --judgments.\n\n${EVAL_USAGE}`, EXIT.usage);
  const modes = (values.mode ?? [...MODES]) as Mode[];
  for (const m of modes)
    if (!MODES.includes(m)) throw new CliError(`Unknown --mode ${m}; one of ${MODES.join(', ')}`, EXIT.usage);
  let set: ReturnType<typeof readJudgedSet>;
  try {
    set = readJudgedSet(resolve(io.cwd, values.queries), resolve(io.cwd, values.judgments));
  } catch (error) {
    throw new CliError(`Cannot read the query set: ${(error as Error).message}`, EXIT.input, {
      cause: error,
    });
  }
  const url = values.url ?? io.env.QUIVER_URL ?? DEFAULT_URL;
  const key = resolveKey(values.key, io);
  const client = createClient({ url, key });
  const probe = createClient({ url, key, maxAttempts: 1 });
  const lines = [
    '| mode | queries | NDCG@10 | NDCG@10 (graded > 0) | MRR@10 | Recall@10 | judged@10 |',
    '|---|---|---|---|---|---|---|',
  ];
  const f = (x: number) => x.toFixed(4);
  const byClass = new Map<Mode, Map<string, MeanMetrics>>();
  for (const mode of modes) {
    try {
      await rankWith(probe, mode)('probe');
    } catch (error) {
      // The client turns a 503 it may not retry into an error naming the last status.
      if (error instanceof CliError && /last: 503\b/.test(error.message)) {
        lines.push(`| ${mode} | unavailable (503 from the server) | | | | | |`);
        continue;
      }
      throw error;
    }
    const m = await evaluate(set, rankWith(client, mode));
    byClass.set(mode, metricsByClass(m.perQuery));
    lines.push(
      `| ${mode} | ${m.queries} | ${f(m.ndcg)} | ${f(m.ndcgGained)} (${m.gainedQueries}) | ${f(m.mrr)} | ${f(m.recall)} | ${f(m.judgedShare)} |`,
    );
  }
  const measured = [...byClass.keys()];
  if (measured.length > 0) {
    lines.push('', `| NDCG@10 by query class | queries | ${measured.join(' | ')} |`);
    lines.push(`|---|---|${measured.map(() => '---|').join('')}`);
    for (const c of QUERY_CLASS_ORDER) {
      const first = byClass.get(measured[0])!.get(c);
      if (!first) continue;
      const cells = measured.map((mode) => f(byClass.get(mode)!.get(c)!.ndcg));
      lines.push(`| ${c} | ${first.queries} | ${cells.join(' | ')} |`);
    }
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
};
