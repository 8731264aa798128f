// Where accepted events live on the stream: one topic per tenant, `events.<tenantId>`, keyed by event id.
import { tenantTopic } from '../../adapters/stream/index.ts';

export const EVENTS_TOPIC_FAMILY = 'events';

/** The topic a tenant's accepted events are published to; each message has key = event id. */
export const eventsTopic = (tenantId: string): string => tenantTopic(EVENTS_TOPIC_FAMILY, tenantId);

/** A stream filter matching every tenant's events (what the feature store consumes). */
export const ALL_EVENTS_FILTER = `${EVENTS_TOPIC_FAMILY}.>`;
