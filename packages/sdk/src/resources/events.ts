// Events in (batched, idempotent by event id) and the tenant's event log out: /v1/events.
import { type Paginated, paginate } from '../paginate.ts';
import type { CallOptions, Transport } from '../transport.ts';
import type { EventPage, IngestResult, QuiverEvent } from '../types.ts';
import type { PageOptions } from './tenancy.ts';

export type LoggedEvent = EventPage['events'][number];

export const eventsResource = (t: Transport) => ({
  /** Up to 1,000 events; answered once the valid ones are durable; invalid ones are reported by index. */
  send: (events: QuiverEvent[], o?: CallOptions) =>
    t.call<IngestResult>({ method: 'POST', path: '/v1/events', json: { events } }, o),
  /** The log in stream order after position `after`, to its current end. */
  list: ({
    after = 0,
    limit,
    ...o
  }: PageOptions & { after?: number } = {}): Paginated<LoggedEvent, EventPage> =>
    paginate(
      (from: number | undefined) =>
        t.call<EventPage>({ method: 'GET', path: '/v1/events', query: { after: from ?? after, limit } }, o),
      (page) => page.events,
      (page) => (page.events.length === 0 ? null : page.lastPosition),
    ),
});
