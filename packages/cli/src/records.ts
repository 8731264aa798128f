// Streams a file as records (lines, or CSV records whose quoted fields may span lines) with byte offsets.
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';

export const DEFAULT_READ_CHUNK_BYTES = 1024 * 1024;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const startsWithBom = (path: string): boolean => {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(BOM.length);
    return readSync(fd, head, 0, BOM.length, 0) === BOM.length && head.equals(BOM);
  } finally {
    closeSync(fd);
  }
};

export interface FileRecord {
  text: string;
  /** Byte offset of the record's first byte, and of the byte after its line end. */
  start: number;
  end: number;
  /** 1-based line number where the record starts, and of the line after it (quoted fields may span lines). */
  line: number;
  nextLine: number;
}

export interface ReadOptions {
  /** Byte offset to start at; must be the start of a record. */
  start?: number;
  /** Line number of the record at `start`. */
  line?: number;
  /** Track double quotes so that a newline inside a quoted CSV field does not end the record. */
  quoted?: boolean;
  chunkBytes?: number;
}

/**
 * Yields the non-empty records of a file in order, holding only one chunk (plus one partial record) in
 * memory. Offsets are in bytes, so a record's `end` is a valid `start` for a later resume; LF is never
 * part of a multi-byte UTF-8 sequence, so splitting bytes on it is safe.
 */
export async function* readRecords(path: string, options: ReadOptions = {}): AsyncGenerator<FileRecord> {
  let base = options.start ?? 0;
  if (base === 0 && startsWithBom(path)) base = BOM.length;
  let line = options.line ?? 1;
  const quoted = options.quoted ?? false;
  const input = createReadStream(path, {
    start: base,
    highWaterMark: options.chunkBytes ?? DEFAULT_READ_CHUNK_BYTES,
  });
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of input as AsyncIterable<Buffer>) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let from = 0; // start of the current record in buf
    let scan = 0; // where to look for the next LF
    let quotes = 0; // quote count in the current record so far (odd = inside a quoted field)
    let lines = 0; // LFs inside the current record so far
    for (;;) {
      const lf = buf.indexOf(LF, scan);
      if (lf < 0) break;
      if (quoted) {
        for (let q = buf.indexOf(QUOTE, scan); q >= 0 && q < lf; q = buf.indexOf(QUOTE, q + 1)) quotes++;
        if (quotes % 2 === 1) {
          scan = lf + 1;
          lines++;
          continue;
        }
      }
      const stop = lf > from && buf[lf - 1] === CR ? lf - 1 : lf;
      if (stop > from) {
        const text = buf.toString('utf8', from, stop);
        yield { text, start: base + from, end: base + lf + 1, line, nextLine: line + lines + 1 };
      }
      line += lines + 1;
      lines = 0;
      quotes = 0;
      from = scan = lf + 1;
    }
    carry = buf.subarray(from);
    base += from;
  }
  const tail = carry.length > 0 && carry[carry.length - 1] === CR ? carry.length - 1 : carry.length;
  if (tail > 0) {
    const text = carry.toString('utf8', 0, tail);
    yield { text, start: base, end: base + carry.length, line, nextLine: line + 1 };
  }
}
