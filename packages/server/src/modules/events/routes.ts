// HTTP routes of the events module: batch ingestion and reading a tenant's events back by stream position.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  DEFAULT_EVENT_PAGE_SIZE,
  ERROR_RESPONSES,
  EventPageQuerySchema,
  EventPageSchema,
  IngestEventsSchema,
  IngestResultSchema,
  ProblemSchema,
} from '@quiver/contracts';
import { tenantOf } from '../../http/index.ts';
import type { EventsService } from './service.ts';

const errors = { ...ERROR_RESPONSES, 503: ProblemSchema };

export const eventsRoutes =
  (events: EventsService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/events',
      {
        config: { access: { scope: 'events:write' } },
        schema: {
          tags: ['events'],
          summary: 'Send up to 1,000 events; 202 once the valid ones are durable',
          description:
            'Each event is validated alone: invalid ones are reported by index and the valid ones kept. ' +
            'An event whose id this tenant already sent is accepted again but counted once (`duplicates`). ' +
            'A batch with no valid event is a 400 whose `errors` name `/events/<index>/<field>`.',
          body: IngestEventsSchema,
          response: { 202: IngestResultSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply.code(202).send(await events.ingest(tenantOf(request), request.body.events)),
    );

    app.get(
      '/v1/events',
      {
        config: { access: { scope: 'events:read' } },
        schema: {
          tags: ['events'],
          summary: "Read the tenant's accepted events after a stream position, in order",
          description:
            'For debugging and rebuilding. Positions increase but are not dense; pass `lastPosition` ' +
            'as `after` to read on.',
          querystring: EventPageQuerySchema,
          response: { 200: EventPageSchema, ...errors },
        },
      },
      async (request) =>
        events.replay(
          tenantOf(request),
          request.query.after ?? 0,
          request.query.limit ?? DEFAULT_EVENT_PAGE_SIZE,
        ),
    );
  };
