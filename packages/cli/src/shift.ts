// --shift-to-now: how far to move a historical file's events so that its latest one lands at "now".
import type { Format, FormatName } from './formats/index.ts';
import { readRecords } from './records.ts';
import { openSource } from './source.ts';

/** The latest event timestamp in the file (one pass with the import's own mapping); undefined if none. */
export const latestEventTime = async (
  file: string,
  format?: FormatName,
  custom?: Format,
): Promise<number | undefined> => {
  const source = await openSource(file, format, custom);
  let latest: number | undefined;
  for await (const record of readRecords(source.file, {
    start: source.dataStart,
    line: source.dataLine,
    quoted: source.format.kind === 'csv',
  })) {
    for (const event of source.map(record).events) {
      const t = Date.parse(event.timestamp);
      if (Number.isFinite(t) && (latest === undefined || t > latest)) latest = t;
    }
  }
  return latest;
};

/** Milliseconds to add so the latest event is `now`; 0 when the file has no timestamps. */
export const shiftToNow = async (
  file: string,
  now: number,
  format?: FormatName,
  custom?: Format,
): Promise<number> => {
  const latest = await latestEventTime(file, format, custom);
  return latest === undefined ? 0 : now - latest;
};
