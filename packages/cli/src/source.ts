// An input file opened for import: its format (given or detected), where its data starts, and record mapping.
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCsvRecord } from './csv.ts';
import { CliError, EXIT } from './errors.ts';
import {
  columnIndexes,
  detectFormat,
  FORMAT_NAMES,
  FORMATS,
  type Format,
  type FormatName,
  type Mapped,
} from './formats/index.ts';
import { type FileRecord, readRecords } from './records.ts';

export interface Source {
  file: string;
  size: number;
  format: Format;
  /** Byte offset and line number of the first data record (after a CSV header). */
  dataStart: number;
  dataLine: number;
  /** Maps one data record; a record that cannot be read maps to `skipped`. */
  map(record: FileRecord): Mapped;
}

const firstRecord = async (file: string): Promise<FileRecord | undefined> => {
  for await (const record of readRecords(file, { quoted: true })) return record;
  return undefined;
};

/** The file's size; an exit-65 CliError naming it when it cannot be read. */
export const readableSize = (path: string): number => {
  try {
    const file = resolve(path);
    accessSync(file, constants.R_OK);
    return statSync(file).size;
  } catch (error) {
    throw new CliError(`Cannot read ${path}: ${(error as Error).message}`, EXIT.input, { cause: error });
  }
};

/** `custom` is a format built from options (products with a --map); it wins over `formatName`. */
export const openSource = async (path: string, formatName?: FormatName, custom?: Format): Promise<Source> => {
  const file = resolve(path);
  const size = readableSize(path);
  const first = await firstRecord(file);
  if (!first) throw new CliError(`${path} is empty`, EXIT.input);
  if (!custom && formatName === 'products')
    throw new CliError('--format products needs --map id=<field>,title=<field>,…', EXIT.usage);
  const format =
    custom ?? (formatName && formatName !== 'products' ? FORMATS[formatName] : detectFormat(first.text));
  if (!format) {
    throw new CliError(
      `Cannot tell the format of ${path} from its first line; pass --format (${FORMAT_NAMES.join('|')})`,
      EXIT.usage,
    );
  }
  if (format.kind === 'jsonl') {
    return {
      file,
      size,
      format,
      dataStart: first.start,
      dataLine: first.line,
      map(record) {
        let value: unknown;
        try {
          value = JSON.parse(record.text);
        } catch {
          return { events: [], items: [], skipped: 'invalid JSON' };
        }
        return format.map(value, record.line);
      },
    };
  }
  let indexes: number[];
  try {
    indexes = columnIndexes(format, first.text);
  } catch (error) {
    throw new CliError(`${path}: ${(error as Error).message}`, EXIT.input);
  }
  return {
    file,
    size,
    format,
    dataStart: first.end,
    dataLine: first.nextLine,
    map(record) {
      const fields = parseCsvRecord(record.text);
      return format.map(
        indexes.map((i) => fields[i] ?? ''),
        record.line,
      );
    },
  };
};
