// The events module's public surface. Accepted events are published to `eventsTopic(tenantId)` with
// key = event id and data = the event plus `receivedAt` (StoredEvent from @quiver/contracts).
export { eventsMigrations } from './migrations.ts';
export { eventsRoutes } from './routes.ts';
export { createEventsService, type EventsDeps, type EventsService } from './service.ts';
export { ALL_EVENTS_FILTER, EVENTS_TOPIC_FAMILY, eventsTopic } from './topic.ts';
