// The import loop: read records, create the items they reference, send events in batches, checkpoint each.
import { createHash } from 'node:crypto';
import { type BatchItem, MAX_BATCH_ITEMS, MAX_EVENT_BATCH, type QuiverEvent } from '@quiver/contracts';
import type { ApiClient } from './client.ts';
import { CliError, EXIT } from './errors.ts';
import type { Format, FormatName } from './formats/index.ts';
import { readRecords } from './records.ts';
import { type ErrorSample, type EventSums, postEvents, postItems } from './send.ts';
import { openSource } from './source.ts';
import {
  appendItemJournal,
  clearState,
  emptyTotals,
  type ImportState,
  loadItemJournal,
  loadState,
  saveState,
} from './state.ts';

export const DEFAULT_BATCH_EVENTS = 500;
export const DEFAULT_CONCURRENCY = 1;
export const MAX_ERROR_SAMPLES = 10;

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  /** Rows read in all runs of this import (acknowledged ones from earlier runs included). */
  rows: number;
  /** Events the server has acknowledged, in all runs. */
  eventsSent: number;
  eventsThisRun: number;
}

export interface ImportOptions {
  file: string;
  statePath: string;
  /** Recorded in the state, so that a state is never resumed against another server or tenant. */
  url: string;
  key: string;
  format?: FormatName;
  /** A format built from options (products with a --map); wins over `format`. */
  customFormat?: Format;
  /**
   * Added to every event's timestamp (--shift-to-now). A resumed import keeps the shift its state records,
   * so the events of one file move together.
   */
  shiftMs?: number;
  batchSize?: number;
  /** Event batches in flight at once; checkpoints still advance in file order. */
  concurrency?: number;
  /** Ignore (and replace) any saved state. */
  restart?: boolean;
  /** Stops reading; batches already sent are awaited and checkpointed. */
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  onCheckpoint?: (state: ImportState) => void;
}

export interface ImportResult {
  state: ImportState;
  /** Line the run started at, when it continued an earlier run. */
  resumedAtLine?: number;
  alreadyDone: boolean;
  interrupted: boolean;
  eventsThisRun: number;
  /** Catalog items created or updated by this run. */
  itemsThisRun: number;
  errors: ErrorSample[];
}

interface Batch {
  events: QuiverEvent[];
  items: BatchItem[];
  rows: number;
  skipped: Record<string, number>;
  /** Where the next run starts once this batch is acknowledged. */
  end: number;
  nextLine: number;
}

const newBatch = (end: number, nextLine: number): Batch => ({
  events: [],
  items: [],
  rows: 0,
  skipped: {},
  end,
  nextLine,
});

export const keyFingerprint = (key: string): string =>
  createHash('sha256').update(key).digest('hex').slice(0, 12);

/** Why a saved state cannot be continued with this file and target, if it cannot. */
const mismatch = (state: ImportState, file: string, size: number, url: string, fingerprint: string) =>
  state.file !== file
    ? `belongs to ${state.file}`
    : state.size !== size
      ? `was made when the file had ${state.size} bytes (now ${size})`
      : state.url !== url || state.keyFingerprint !== fingerprint
        ? `records an import to ${state.url} with another key`
        : undefined;

export const runImport = async (
  deps: { client: ApiClient },
  options: ImportOptions,
): Promise<ImportResult> => {
  const { client } = deps;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_EVENTS;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_EVENT_BATCH) {
    throw new CliError(`--batch must be an integer from 1 to ${MAX_EVENT_BATCH}`, EXIT.usage);
  }
  const source = await openSource(options.file, options.format, options.customFormat);
  const fingerprint = keyFingerprint(options.key);
  let saved = options.restart ? undefined : loadState(options.statePath);
  const problem = saved && mismatch(saved, source.file, source.size, options.url, fingerprint);
  // A state with nothing acknowledged (say, from a run that met a wrong key) is simply replaced.
  if (problem && saved?.totals.batches === 0) saved = undefined;
  if (problem && saved) {
    throw new CliError(
      `The state file ${problem}; pass --restart to start over, or --state for a separate import`,
      EXIT.usage,
    );
  }
  if (saved && options.format && saved.format !== options.format) {
    throw new CliError(
      `The state file records format ${saved.format}; pass --restart to change it`,
      EXIT.usage,
    );
  }
  // The item journal belongs to its state: without one, items are sent again (an upsert, harmless).
  if (!saved) clearState(options.statePath);
  const state: ImportState = saved ?? {
    version: 1,
    file: source.file,
    size: source.size,
    format: source.format.name,
    url: options.url,
    keyFingerprint: fingerprint,
    offset: source.dataStart,
    line: source.dataLine,
    done: false,
    totals: emptyTotals(),
    updatedAt: new Date().toISOString(),
    ...(options.shiftMs ? { shiftMs: options.shiftMs } : {}),
  };
  const shiftMs = state.shiftMs ?? 0;
  const shift = (events: QuiverEvent[]): QuiverEvent[] =>
    shiftMs === 0
      ? events
      : events.map((e) => ({ ...e, timestamp: new Date(Date.parse(e.timestamp) + shiftMs).toISOString() }));
  const result: ImportResult = {
    state,
    resumedAtLine: saved && !saved.done ? saved.line : undefined,
    alreadyDone: saved?.done ?? false,
    interrupted: false,
    eventsThisRun: 0,
    itemsThisRun: 0,
    errors: [],
  };
  if (state.done) return result;

  const totals = state.totals;
  const known = loadItemJournal(options.statePath);
  const sample = (s: ErrorSample) => {
    if (result.errors.length < MAX_ERROR_SAMPLES) result.errors.push(s);
  };
  let bytesRead = state.offset;
  let rowsRead = 0;
  const progress = () =>
    options.onProgress?.({
      bytesRead,
      totalBytes: source.size,
      rows: totals.rows + rowsRead,
      eventsSent: totals.events,
      eventsThisRun: result.eventsThisRun,
    });

  /** Items are created before the events that reference them, one request at a time. */
  const createItems = async (items: BatchItem[]) => {
    const written = await postItems(client, items, sample);
    totals.itemsCreated += written.created;
    totals.itemsUpdated += written.updated;
    totals.itemsFailed += written.failed;
    result.itemsThisRun += written.created + written.updated;
    appendItemJournal(options.statePath, written.ids);
  };

  type Outcome = { ok: EventSums } | { error: unknown };
  const inFlight: { batch: Batch; outcome: Promise<Outcome> }[] = [];

  const checkpoint = async () => {
    const head = inFlight.shift()!;
    const outcome = await head.outcome;
    if ('error' in outcome) throw outcome.error;
    const { batch } = head;
    totals.rows += batch.rows;
    rowsRead -= batch.rows;
    totals.batches += 1;
    totals.events += batch.events.length;
    totals.accepted += outcome.ok.accepted;
    totals.duplicates += outcome.ok.duplicates;
    totals.rejected += outcome.ok.rejected;
    for (const [reason, n] of Object.entries(batch.skipped))
      totals.skipped[reason] = (totals.skipped[reason] ?? 0) + n;
    result.eventsThisRun += batch.events.length;
    state.offset = batch.end;
    state.line = batch.nextLine;
    state.updatedAt = new Date().toISOString();
    saveState(options.statePath, state);
    options.onCheckpoint?.(state);
    progress();
  };

  const dispatch = async (batch: Batch) => {
    if (batch.items.length > 0) await createItems(batch.items);
    const outcome = postEvents(client, batch.events, batchSize, sample).then(
      (ok): Outcome => ({ ok }),
      (error: unknown): Outcome => ({ error }),
    );
    inFlight.push({ batch, outcome });
    while (inFlight.length >= concurrency) await checkpoint();
  };

  saveState(options.statePath, state);
  let batch = newBatch(state.offset, state.line);
  let finished = true;
  const records = readRecords(source.file, {
    start: state.offset,
    line: state.line,
    quoted: source.format.kind === 'csv',
  });
  for await (const record of records) {
    const mapped = source.map(record);
    if (batch.events.length > 0 && batch.events.length + mapped.events.length > batchSize) {
      await dispatch(batch);
      batch = newBatch(batch.end, batch.nextLine);
    }
    rowsRead++;
    batch.rows++;
    if (mapped.skipped) batch.skipped[mapped.skipped] = (batch.skipped[mapped.skipped] ?? 0) + 1;
    batch.events.push(...shift(mapped.events));
    for (const item of mapped.items) {
      if (known.has(item.id)) continue;
      known.add(item.id);
      batch.items.push(item);
    }
    batch.end = bytesRead = record.end;
    batch.nextLine = record.nextLine;
    progress();
    // Item-only formats (a catalog file) fill batches with items instead of events.
    if (batch.events.length >= batchSize || batch.items.length >= MAX_BATCH_ITEMS) {
      await dispatch(batch);
      batch = newBatch(batch.end, batch.nextLine);
    }
    if (options.signal?.aborted) {
      finished = false;
      break;
    }
  }
  // A batch with only skipped rows still moves the checkpoint; sending no events costs no request.
  if (finished && batch.rows > 0) {
    if (batch.events.length > 0 || batch.items.length > 0) await dispatch(batch);
    else
      inFlight.push({ batch, outcome: Promise.resolve({ ok: { accepted: 0, duplicates: 0, rejected: 0 } }) });
  }
  while (inFlight.length > 0) await checkpoint();
  if (finished) {
    state.done = true;
    state.offset = source.size;
    saveState(options.statePath, state);
  }
  result.interrupted = !finished;
  return result;
};
