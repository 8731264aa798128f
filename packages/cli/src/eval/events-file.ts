// Reads an event file (any import format: Online Retail CSV, REES46, OTTO, JSONL) as events, in file order,
// for offline evaluation and benchmarks: the importer's own format mapping, without a server.
import type { QuiverEvent } from '@quiver/contracts';
import type { FormatName } from '../formats/index.ts';
import { readRecords } from '../records.ts';
import { openSource } from '../source.ts';

export async function* readEventsFile(path: string, format?: FormatName): AsyncGenerator<QuiverEvent> {
  const source = await openSource(path, format);
  const quoted = source.format.kind === 'csv';
  for await (const record of readRecords(source.file, {
    start: source.dataStart,
    line: source.dataLine,
    quoted,
  })) {
    yield* source.map(record).events;
  }
}
