// The in-process store's entries and their snapshot file (JSON, written atomically, read strictly).
import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** `exp` is an absolute wall-clock time in milliseconds; absent: no expiry. */
export type Entry =
  | { t: 'string'; v: string; exp?: number }
  | { t: 'hash'; v: Map<string, string>; exp?: number }
  | { t: 'list'; v: string[]; exp?: number }
  | { t: 'buckets'; v: Map<number, number>; exp?: number }
  | { t: 'token'; tokens: number; at: number; exp?: number };

const SNAPSHOT_VERSION = 1;

const encode = (e: Entry): unknown => (e.t === 'hash' || e.t === 'buckets' ? { ...e, v: [...e.v] } : e);

const decode = (raw: unknown): Entry => {
  const e = raw as { t?: unknown; v?: unknown };
  switch (e?.t) {
    case 'hash':
      return { ...e, t: 'hash', v: new Map(e.v as [string, string][]) };
    case 'buckets':
      return { ...e, t: 'buckets', v: new Map(e.v as [number, number][]) };
    case 'string':
    case 'list':
    case 'token':
      return e as Entry;
    default:
      throw new Error(`unknown entry kind '${String(e?.t)}'`);
  }
};

export const writeSnapshot = async (path: string, entries: [string, Entry][]): Promise<void> => {
  mkdirSync(dirname(path), { recursive: true });
  const body = JSON.stringify({
    version: SNAPSHOT_VERSION,
    entries: entries.map(([k, e]) => [k, encode(e)]),
  });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, body);
  await rename(tmp, path);
};

/** Throws on a missing, unreadable or foreign file: a store must never come back silently empty. */
export const readSnapshot = (path: string): [string, Entry][] => {
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { version?: number; entries?: [string, unknown][] };
    if (doc.version !== SNAPSHOT_VERSION || !Array.isArray(doc.entries)) throw new Error('not a KV snapshot');
    return doc.entries.map(([k, e]) => [k, decode(e)]);
  } catch (error) {
    throw new Error(`cannot restore the KV snapshot '${path}'`, { cause: error });
  }
};
