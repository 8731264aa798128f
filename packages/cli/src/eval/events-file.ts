// Reads an event file (any import format: Online Retail CSV, REES46, OTTO, JSONL) as events, in file order,
// for offline evaluation and benchmarks: the importer's own format mapping, without a server.
import type { BatchItem, QuiverEvent } from '@quiver/contracts';
import type { FormatName } from '../formats/index.ts';
import { readRecords } from '../records.ts';
import { openSource } from '../source.ts';

/** `onItem`: each catalog item the records describe (an id may come several times; the first is the import's). */
export async function* readEventsFile(
  path: string,
  format?: FormatName,
  onItem?: (item: BatchItem) => void,
): AsyncGenerator<QuiverEvent> {
  const source = await openSource(path, format);
  const quoted = source.format.kind === 'csv';
  for await (const record of readRecords(source.file, {
    start: source.dataStart,
    line: source.dataLine,
    quoted,
  })) {
    const mapped = source.map(record);
    if (onItem) for (const item of mapped.items) onItem(item);
    yield* mapped.events;
  }
}
