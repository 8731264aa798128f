// Wire shapes for reading back a tenant's event log: events as stored on the stream, with their positions.
import { type Static, Type } from 'typebox';
import { MAX_PAGE_SIZE, QueryInteger } from './common.ts';
import { EventSchema } from './events.ts';

/** An accepted event as published on the stream (`events.<tenantId>`): the event plus `receivedAt`. */
export const StoredEventSchema = Type.Object(
  {
    ...EventSchema.properties,
    receivedAt: Type.String({ format: 'date-time', description: 'When the server accepted the event' }),
  },
  { additionalProperties: false },
);
export type StoredEvent = Static<typeof StoredEventSchema>;

export const DEFAULT_EVENT_PAGE_SIZE = 100;

export const EventPageQuerySchema = Type.Object(
  {
    after: Type.Optional(
      QueryInteger({ minimum: 0, default: 0, description: 'Stream position to read after (exclusive)' }),
    ),
    limit: Type.Optional(
      QueryInteger({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_EVENT_PAGE_SIZE }),
    ),
  },
  { additionalProperties: false },
);
export type EventPageQuery = Static<typeof EventPageQuerySchema>;

export const EventPageSchema = Type.Object({
  events: Type.Array(
    Type.Object({
      position: Type.Integer({ description: 'Stream position: increasing, not dense' }),
      event: StoredEventSchema,
    }),
  ),
  lastPosition: Type.Integer({
    description: 'Pass as `after` to read on; equals `after` when nothing is new',
  }),
});
export type EventPage = Static<typeof EventPageSchema>;
