// What a file format is to the importer: how to recognise it and how one record becomes events and items.
import type { BatchItem, QuiverEvent } from '@quiver/contracts';

export type FormatName = 'online-retail' | 'rees46' | 'otto' | 'jsonl' | 'icecat' | 'products';

/** What one record maps to; `skipped` names why a record carries nothing to import. */
export interface Mapped {
  events: QuiverEvent[];
  /** Catalog items the events reference; the importer creates each id once, the first description wins. */
  items: BatchItem[];
  skipped?: string;
}

export interface CsvFormat {
  name: FormatName;
  kind: 'csv';
  /** Header columns the mapper needs, in the order `map` receives their values. */
  columns: readonly string[];
  map(values: readonly string[], line: number): Mapped;
}

export interface JsonlFormat {
  name: FormatName;
  kind: 'jsonl';
  /** True when a parsed line looks like this format (used to pick a format when none is given). */
  sniff(value: unknown): boolean;
  map(value: unknown, line: number): Mapped;
}

export type Format = CsvFormat | JsonlFormat;

export const skip = (reason: string): Mapped => ({ events: [], items: [], skipped: reason });

/** Makes a string a valid Quiver id (letters, digits, `._:~-`, starting with a letter or digit). */
export const toId = (raw: string): string => {
  const id = raw
    .trim()
    .replace(/[^A-Za-z0-9._:~-]/g, '_')
    .slice(0, 200);
  return /^[A-Za-z0-9]/.test(id) ? id : `x${id}`.slice(0, 200);
};

/** Rounds money to cents, so that 3 × 2.1 is 6.3 and not 6.300000000000001. */
export const money = (amount: number): number => Math.round(amount * 100) / 100;
