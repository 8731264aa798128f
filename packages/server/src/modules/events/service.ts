// Event ingestion: each event validated alone, the valid ones published durably to the tenant's stream
// topic, duplicates (same tenant + id) counted once; and reading the events back by position.
import type { EventPage, IngestResult, QuiverEvent, StoredEvent } from '@quiver/contracts';
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import type { Stream } from '../../adapters/stream/index.ts';
import { type Clock, type FieldError, isoNow, QuiverError } from '../../kernel/index.ts';
import type { Metrics } from '../../metrics/index.ts';
import { NO_USAGE, type UsageMeter } from '../usage/index.ts';
import { createReplayer } from './replay.ts';
import { type EventCount, eventsRepository as repo } from './repository.ts';
import { eventsTopic } from './topic.ts';
import { checkEvent, idOf } from './validate.ts';

export interface EventsDeps {
  db: SqlDatabase;
  stream: Stream;
  clock: Clock;
  metrics: Metrics;
  /** Counts accepted events per tenant and refuses a batch past the monthly quota; default: no metering. */
  usage?: UsageMeter;
}

type Outcome = 'accepted' | 'rejected' | 'duplicate';

/** Per-event errors as one flat list with absolute paths (`/events/3/itemId`), for a whole-batch 400. */
const flatten = (errors: IngestResult['errors']): FieldError[] =>
  errors.flatMap((e) =>
    e.errors.map((f) => ({ path: `/events/${e.index}${f.path === '/' ? '' : f.path}`, message: f.message })),
  );

/**
 * Durability and duplicates. A batch goes: validate → set aside ids already on record → publish the rest
 * (key = event id; resolves once durable) → record their ids (INSERT … ON CONFLICT DO NOTHING) → 202.
 * The record is the truth for counting. Publishing before recording means a crash between the two loses
 * nothing: the client, without its 202, retries; the ids are not on record, so they are published again,
 * the stream drops the repeat by key (the SQL log always, JetStream within its duplicate window), and the
 * retry records and counts them, once. Recording first would lose such events for good (a claim made before
 * a publish that never happened cannot be told from one whose publish did, once the window has passed). The
 * price: a retry later than JetStream's window (2 min by default) puts a second copy on the stream. Readers
 * dedupe by id: the record names the copy that counts (its position), so replay shows only that one, the
 * feature consumer's marks and the history reader skip repeated ids. Two concurrent requests
 * with one id both publish (the stream keeps one) and exactly one INSERT wins; the other answers a duplicate.
 * A repeated id may carry other content: the first accepted version is the one kept.
 */
export const createEventsService = ({
  db,
  stream,
  clock,
  metrics,
  usage = NO_USAGE,
}: EventsDeps): EventsService => {
  const total = metrics.counter('events_total', 'Events received, by outcome', ['tenant', 'outcome']);
  const latency = metrics.histogram(
    'events_ingest_seconds',
    'Time from receiving an event batch to its events being durable, in seconds',
    [],
  );
  const count = (tenant: string, outcome: Outcome, n: number) => {
    if (n > 0) total.inc({ tenant, outcome }, n);
  };
  const replay = createReplayer(stream, (tenantId, ids) => repo.positions(db, tenantId, ids));

  return {
    /** Throws `validation_failed` (with `/events/<i>/…` paths) when no event of the batch is valid. */
    async ingest(tenantId: string, elements: readonly unknown[]): Promise<IngestResult> {
      const started = performance.now();
      const receivedAt = isoNow(clock);
      const errors: IngestResult['errors'] = [];
      const firsts = new Map<string, QuiverEvent>();
      let valid = 0;
      elements.forEach((element, index) => {
        const checked = checkEvent(element);
        if (!checked.ok) errors.push({ index, id: idOf(element), errors: checked.errors });
        else {
          valid++;
          if (!firsts.has(checked.value.id)) firsts.set(checked.value.id, checked.value);
        }
      });
      count(tenantId, 'rejected', errors.length);
      if (valid === 0)
        throw new QuiverError('validation_failed', 'No event in the batch is valid', {
          errors: flatten(errors),
        });

      usage.admit(tenantId, 'events', firsts.size);
      const known = await repo.known(db, tenantId, [...firsts.keys()]);
      const fresh: StoredEvent[] = [];
      for (const event of firsts.values()) if (!known.has(event.id)) fresh.push({ ...event, receivedAt });
      let accepted = 0;
      if (fresh.length > 0) {
        const positions = await stream.publish(
          eventsTopic(tenantId),
          fresh.map((event) => ({ key: event.id, data: event })),
        );
        accepted = await repo.record(
          db,
          tenantId,
          fresh.map((event, i) => ({ id: event.id, position: positions[i] })),
        );
      }
      usage.count(tenantId, 'events', accepted);
      const duplicates = valid - accepted;
      count(tenantId, 'accepted', accepted);
      count(tenantId, 'duplicate', duplicates);
      latency.observe((performance.now() - started) / 1000);
      return { accepted, duplicates, rejected: errors.length, errors };
    },

    /** The tenant's events after stream position `after`, in order, at most `limit`. */
    replay(tenantId: string, after: number, limit: number): Promise<EventPage> {
      return replay(tenantId, after, limit);
    },

    countAfter(tenantId: string, after: number): Promise<EventCount> {
      return repo.countAfter(db, tenantId, after);
    },
  };
};

/** Event ingestion (published to the stream before acknowledged) and the tenant's event log. */
export interface EventsService {
  /** Throws `validation_failed` (with `/events/<i>/…` paths) when no event of the batch is valid. */
  ingest(tenantId: string, elements: readonly unknown[]): Promise<IngestResult>;
  /** The tenant's events after stream position `after`, in order, at most `limit`. */
  replay(tenantId: string, after: number, limit: number): Promise<EventPage>;
  /** How many accepted events the tenant has after stream position `after` (0: all), and the newest position. */
  countAfter(tenantId: string, after: number): Promise<EventCount>;
}
