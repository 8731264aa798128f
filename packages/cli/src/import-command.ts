// `quiver import <file>`: options, the API key, Ctrl-C, the progress bar and the final summary.
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkReachable } from './api.ts';
import { createClient } from './client.ts';
import { CliError, EXIT } from './errors.ts';
import {
  FORMAT_NAMES,
  type Format,
  type FormatName,
  parseMapping,
  productsCsv,
  productsJsonl,
} from './formats/index.ts';
import { DEFAULT_BATCH_EVENTS, DEFAULT_CONCURRENCY, type ImportResult, runImport } from './importer.ts';
import { resolveTarget } from './profile.ts';
import { createProgressBar } from './progress.ts';
import { shiftToNow } from './shift.ts';
import { readableSize } from './source.ts';
import { defaultStatePath, loadState } from './state.ts';

export const DEFAULT_URL = 'http://localhost:8080';
export const DEFAULT_DATA_DIR = './data';

export const IMPORT_USAGE = `Usage: quiver import <file> [options]

Loads a CSV or JSONL file into Quiver: events (creating the catalog items they reference first) or, with
--map, products. Sends in batches; resumable: rerun the same command after Ctrl-C or a crash to continue.
Stops at once (exit 69) when no server answers at the URL.

Options:
  --format <name>      ${FORMAT_NAMES.join(' | ')} (default: detected from the first line)
  --map <fields>       products: target=source pairs, e.g. id=StockCode,title=Description,
                       categories=Category,price=UnitPrice,brand=Brand,attributes.colour=Colour
                       (targets: id, title, description, brand, categories, price, currency, available,
                       attributes.<name>; categories: several separated by |, levels by / or >; CSV
                       columns by header name, JSONL keys by name, a.b for nested keys)
  --currency <code>    products: the prices' currency when no currency field is mapped (default EUR)
  --shift-to-now       move every event's timestamp by one offset so the file's latest event is now (a
                       historical file replayed as recent; needs one extra pass over the file)
  --url <url>          server (default: $QUIVER_URL or ${DEFAULT_URL})
  --key <key>          API key with catalog:write and events:write (default: $QUIVER_KEY, else the demo
                       key in $QUIVER_DATA_DIR/credentials.json, data dir ${DEFAULT_DATA_DIR})
  --batch <n>          events per request, 1-1000 (default ${DEFAULT_BATCH_EVENTS})
  --concurrency <n>    event requests in flight (default ${DEFAULT_CONCURRENCY})
  --state <file>       progress file (default <data dir or cwd>/<file name>.quiver-import.json)
  --restart            ignore saved progress and start from the first line
`;

export interface ImportCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborts the import (as Ctrl-C does); the CLI wires SIGINT to it. */
  signal?: AbortSignal;
}

const positiveInt = (name: string, text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a positive integer`, EXIT.usage);
  return n;
};

export const resolveKey = (given: string | undefined, io: ImportCommandIo): string => {
  const key = given ?? io.env.QUIVER_KEY;
  if (key) return key;
  const file = resolve(io.cwd, io.env.QUIVER_DATA_DIR ?? DEFAULT_DATA_DIR, 'credentials.json');
  if (existsSync(file)) {
    const demoKey = (JSON.parse(readFileSync(file, 'utf8')) as { demoKey?: string }).demoKey;
    if (demoKey) return demoKey;
  }
  throw new CliError(
    `No API key: pass --key, set QUIVER_KEY, or run where the server wrote ${relative(io.cwd, file)}`,
    EXIT.usage,
  );
};

const n = (x: number) => x.toLocaleString('en-US');

const summary = (result: ImportResult, statePath: string, seconds: number): string => {
  const { state } = result;
  const t = state.totals;
  const rate = (count: number) => `${n(Math.round(count / Math.max(seconds, 0.001)))}`;
  const skipped = Object.values(t.skipped).reduce((a, b) => a + b, 0);
  const reasons = Object.entries(t.skipped).map(([reason, count]) => `${reason} ${n(count)}`);
  const status = result.alreadyDone
    ? 'already complete (nothing sent; pass --restart to import again)'
    : result.interrupted
      ? `stopped at line ${n(state.line)}; run the same command again to continue`
      : 'complete';
  const lines = [
    `Import of ${state.file} (${state.format}) into ${state.url}: ${status}`,
    result.resumedAtLine ? `  resumed at   line ${n(result.resumedAtLine)}` : '',
    `  rows         ${n(t.rows)}${skipped > 0 ? ` (skipped ${n(skipped)}: ${reasons.join(', ')})` : ''}`,
    `  events       ${n(t.events)}: accepted ${n(t.accepted)}, duplicates ${n(t.duplicates)}, rejected ${n(t.rejected)}`,
    `  items        created ${n(t.itemsCreated)}, updated ${n(t.itemsUpdated)}, failed ${n(t.itemsFailed)}`,
    state.shiftMs ? `  shifted      +${(state.shiftMs / 86_400_000).toFixed(1)} days (--shift-to-now)` : '',
    result.alreadyDone
      ? ''
      : `  this run     ${seconds.toFixed(1)} s: ${n(result.eventsThisRun)} events (${rate(result.eventsThisRun)} ` +
        `events/s), ${n(result.itemsThisRun)} items (${rate(result.itemsThisRun)} items/s)`,
    `  state        ${statePath}`,
    ...(result.errors.length > 0 ? ['  first errors:'] : []),
    ...result.errors.map((e) => `    ${e.what} ${e.id ?? '(no id)'}: ${e.detail}`),
  ];
  return `${lines.filter(Boolean).join('\n')}\n`;
};

/** Runs the command; returns the process exit code (CliErrors are thrown to the caller). */
export const importCommand = async (argv: string[], io: ImportCommandIo): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      url: { type: 'string' },
      key: { type: 'string' },
      batch: { type: 'string' },
      concurrency: { type: 'string' },
      state: { type: 'string' },
      restart: { type: 'boolean' },
      map: { type: 'string' },
      currency: { type: 'string' },
      'shift-to-now': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(IMPORT_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new CliError(`Give one file to import.\n\n${IMPORT_USAGE}`, EXIT.usage);
  const format = values.format as FormatName | undefined;
  if (format && !FORMAT_NAMES.includes(format)) {
    throw new CliError(`Unknown --format ${format}; one of ${FORMAT_NAMES.join(', ')}`, EXIT.usage);
  }
  if (format === 'products' && !values.map) throw new CliError('--format products needs --map', EXIT.usage);
  const file = resolve(io.cwd, positionals[0]);
  // Flags, QUIVER_URL/QUIVER_KEY, a profile, then the demo key (profile.ts).
  const target = resolveTarget(io, { url: values.url, key: values.key });
  const url = target.url;
  const key = target.key ?? resolveKey(undefined, io);
  // What needs no server is checked first: a missing file or a bad option is the user's first problem.
  readableSize(file);
  let customFormat: Format | undefined;
  if (values.map) {
    const mapping = parseMapping(values.map, values.currency ?? 'EUR');
    customFormat = /\.jsonl?$/i.test(file) ? productsJsonl(mapping) : productsCsv(mapping);
  }
  const batchSize = positiveInt('batch', values.batch, DEFAULT_BATCH_EVENTS);
  const concurrency = positiveInt('concurrency', values.concurrency, DEFAULT_CONCURRENCY);
  await checkReachable(url);
  const dataDir = resolve(io.cwd, io.env.QUIVER_DATA_DIR ?? DEFAULT_DATA_DIR);
  const statePath = values.state ? resolve(io.cwd, values.state) : defaultStatePath(file, dataDir, io.cwd);
  const bar = createProgressBar(io.stderr, { tty: io.stderr.isTTY === true });
  const client = createClient({
    url,
    key,
    onRetry: (r) =>
      bar.note(`POST ${r.path}: ${r.reason}; retry ${r.attempt} in ${(r.delayMs / 1000).toFixed(1)} s`),
  });
  // The shift is fixed when an import begins; a resumed one keeps its state's.
  const resuming = !values.restart && loadState(statePath)?.done === false;
  const shiftMs =
    values['shift-to-now'] && !resuming
      ? await shiftToNow(file, Date.now(), format, customFormat)
      : undefined;
  const started = Date.now();
  const result = await runImport(
    { client },
    {
      file,
      statePath,
      url,
      key,
      format: customFormat ? 'products' : format,
      customFormat,
      shiftMs,
      batchSize,
      concurrency,
      restart: values.restart,
      signal: io.signal,
      onProgress: bar.update,
    },
  ).finally(() => bar.done());
  io.stdout.write(summary(result, relative(io.cwd, statePath) || statePath, (Date.now() - started) / 1000));
  return result.interrupted ? EXIT.interrupted : 0;
};
