// The resumable part of an import: a state file rewritten after each acknowledged batch, and an item journal.
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FormatName } from './formats/index.ts';

export const STATE_SUFFIX = '.quiver-import.json';
const JOURNAL_SUFFIX = '.items';

export interface ImportTotals {
  /** Records read and acknowledged (header excluded), whether they carried events or were skipped. */
  rows: number;
  batches: number;
  events: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  itemsCreated: number;
  itemsUpdated: number;
  itemsFailed: number;
  /** Records that carried nothing to import, by reason. */
  skipped: Record<string, number>;
}

export interface ImportState {
  version: 1;
  /** The file, its size when the import began, its format and where it goes (URL and a key fingerprint). */
  file: string;
  size: number;
  format: FormatName;
  url: string;
  keyFingerprint: string;
  /** Byte offset and line number of the first record not yet acknowledged by the server. */
  offset: number;
  line: number;
  done: boolean;
  totals: ImportTotals;
  updatedAt: string;
  /** Milliseconds added to every event's timestamp (--shift-to-now), fixed when the import began. */
  shiftMs?: number;
}

export const emptyTotals = (): ImportTotals => ({
  rows: 0,
  batches: 0,
  events: 0,
  accepted: 0,
  duplicates: 0,
  rejected: 0,
  itemsCreated: 0,
  itemsUpdated: 0,
  itemsFailed: 0,
  skipped: {},
});

/** `<dataDir>/<file name>.quiver-import.json` when the data dir exists, else the same name in `cwd`. */
export const defaultStatePath = (file: string, dataDir: string, cwd: string): string =>
  join(existsSync(dataDir) ? dataDir : cwd, `${basename(file)}${STATE_SUFFIX}`);

const journalPath = (statePath: string) => `${statePath.replace(/\.json$/, '')}${JOURNAL_SUFFIX}`;

export const loadState = (path: string): ImportState | undefined => {
  if (!existsSync(path)) return undefined;
  const state = JSON.parse(readFileSync(path, 'utf8')) as ImportState;
  if (state.version !== 1) throw new Error(`${path}: unknown state version ${state.version}`);
  return state;
};

/** Written to a temporary file and renamed, so a crash leaves the old state or the new one, never half. */
export const saveState = (path: string, state: ImportState): void => {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
};

export const clearState = (path: string): void => {
  rmSync(path, { force: true });
  rmSync(journalPath(path), { force: true });
};

/** Ids of the catalog items this import has already written (one per line; a torn last line is ignored). */
export const loadItemJournal = (statePath: string): Set<string> => {
  const path = journalPath(statePath);
  if (!existsSync(path)) return new Set();
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.pop(); // empty after the final newline, or a line torn by a crash
  return new Set(lines);
};

export const appendItemJournal = (statePath: string, ids: readonly string[]): void => {
  if (ids.length > 0) appendFileSync(journalPath(statePath), `${ids.join('\n')}\n`);
};
