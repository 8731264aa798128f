// The API calls of an import: catalog items in batches of up to 1,000, events in batches, answers summed.
import {
  type BatchItem,
  type BatchResponse,
  type IngestResult,
  MAX_BATCH_ITEMS,
  type QuiverEvent,
} from '@quiver/contracts';
import type { ApiClient } from './client.ts';
import { HttpError } from './errors.ts';

export interface ErrorSample {
  what: 'event' | 'item';
  id: string | null;
  detail: string;
}

export interface EventSums {
  accepted: number;
  duplicates: number;
  rejected: number;
}

const EVENT_PATH = /^\/events\/(\d+)(\/.*)?$/;

const chunks = <T>(list: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
};

/**
 * One POST /v1/events. A batch in which no event is valid is answered 400 with `/events/<i>/…` paths;
 * that is read as "all rejected", like the per-index errors of a partly valid batch, so the import goes on.
 */
const postEventBatch = async (client: ApiClient, events: QuiverEvent[]): Promise<IngestResult> => {
  try {
    return await client.post<IngestResult>('/v1/events', { events });
  } catch (error) {
    const errors = error instanceof HttpError && error.status === 400 ? error.problem?.errors : undefined;
    if (!errors?.length || !errors.every((e) => EVENT_PATH.test(e.path))) throw error;
    const byIndex = new Map<number, { path: string; message: string }[]>();
    for (const e of errors) {
      const [, index, rest] = EVENT_PATH.exec(e.path)!;
      const list = byIndex.get(Number(index)) ?? [];
      list.push({ path: rest ?? '', message: e.message });
      byIndex.set(Number(index), list);
    }
    return {
      accepted: 0,
      duplicates: 0,
      rejected: events.length,
      errors: [...byIndex].map(([index, list]) => ({ index, id: events[index]?.id ?? null, errors: list })),
    };
  }
};

/** Sends events `batchSize` at a time; per-event errors go to `sample`. */
export const postEvents = async (
  client: ApiClient,
  events: QuiverEvent[],
  batchSize: number,
  sample: (error: ErrorSample) => void,
): Promise<EventSums> => {
  const sums = { accepted: 0, duplicates: 0, rejected: 0 };
  for (const part of chunks(events, batchSize)) {
    const answer = await postEventBatch(client, part);
    sums.accepted += answer.accepted;
    sums.duplicates += answer.duplicates;
    sums.rejected += answer.rejected;
    for (const e of answer.errors) {
      sample({ what: 'event', id: e.id, detail: e.errors.map((x) => `${x.path} ${x.message}`).join('; ') });
    }
  }
  return sums;
};

/** Upserts items through POST /v1/items/batch; returns the counts and the ids now in the catalog. */
export const postItems = async (
  client: ApiClient,
  items: BatchItem[],
  sample: (error: ErrorSample) => void,
): Promise<{ created: number; updated: number; failed: number; ids: string[] }> => {
  const written = { created: 0, updated: 0, failed: 0, ids: [] as string[] };
  for (const part of chunks(items, MAX_BATCH_ITEMS)) {
    const answer = await client.post<BatchResponse>('/v1/items/batch', { items: part });
    written.created += answer.created;
    written.updated += answer.updated;
    written.failed += answer.failed;
    for (const r of answer.results) {
      if (r.status === 'error') sample({ what: 'item', id: r.id, detail: JSON.stringify(r.error) });
      else if (r.id) written.ids.push(r.id);
    }
  }
  return written;
};
