// The file formats the importer reads, and how one is chosen from a file's first record.
import { parseCsvRecord } from '../csv.ts';
import { icecat } from './icecat.ts';
import { jsonl } from './jsonl.ts';
import { onlineRetail } from './online-retail.ts';
import { otto } from './otto.ts';
import { rees46 } from './rees46.ts';
import type { CsvFormat, Format, FormatName } from './types.ts';

export { CANCELLATION_TYPE } from './online-retail.ts';
export { type ProductMapping, parseMapping, productsCsv, productsJsonl } from './products.ts';
export type { CsvFormat, Format, FormatName, JsonlFormat, Mapped } from './types.ts';

/** The fixed formats; `products` is built from a --map (products.ts). */
export const FORMATS: Record<Exclude<FormatName, 'products'>, Format> = {
  'online-retail': onlineRetail,
  rees46,
  otto,
  jsonl,
  icecat,
};
export const FORMAT_NAMES = [...Object.keys(FORMATS), 'products'] as FormatName[];

const CSV_FORMATS = [onlineRetail, rees46];

/** Picks the format whose needs the first record meets (a CSV header, or a JSON line); undefined if none. */
export const detectFormat = (firstRecord: string): Format | undefined => {
  const text = firstRecord.trim();
  if (text.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(text);
      return otto.sniff(value) ? otto : jsonl.sniff(value) ? jsonl : icecat.sniff(value) ? icecat : undefined;
    } catch {
      return undefined;
    }
  }
  const header = parseCsvRecord(text).map((c) => c.trim());
  return CSV_FORMATS.find((f) => f.columns.every((c) => header.includes(c)));
};

/** Where each of a CSV format's columns sits in this file's header; throws naming any that are missing. */
export const columnIndexes = (format: CsvFormat, headerRecord: string): number[] => {
  const header = parseCsvRecord(headerRecord).map((c) => c.trim());
  const missing = format.columns.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new Error(`the header lacks ${format.name} column(s): ${missing.join(', ')}`);
  }
  return format.columns.map((c) => header.indexOf(c));
};
