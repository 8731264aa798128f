// The events module's public surface. Accepted events are published to `eventsTopic(tenantId)` with
// key = event id and data = the event plus `receivedAt` (StoredEvent from @quiver/contracts).
import type { QuiverModule } from '../../kernel/index.ts';
import { eventsRoutes } from './routes.ts';
import { createEventsService, type EventsDeps, type EventsService } from './service.ts';

export { eventsMigrations } from './migrations.ts';
export type { EventCount } from './repository.ts';
export { eventsRoutes } from './routes.ts';
export { createEventsService, type EventsDeps, type EventsService } from './service.ts';
export { ALL_EVENTS_FILTER, EVENTS_TOPIC_FAMILY, eventsTopic } from './topic.ts';

/** Event ingestion (published before acknowledged) and replay; opens nothing. */
export const createEventsModule = (deps: EventsDeps): QuiverModule<EventsService> => {
  const events = createEventsService(deps);
  return { service: events, routes: eventsRoutes(events) };
};
