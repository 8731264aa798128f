// Tables of the events module: the ids of accepted events, the durable record that makes duplicates count once.
import type { Migration } from '../../adapters/sql/index.ts';

// One row per accepted event, written after the event is durable on the stream: "recorded" is the truth for
// counting (see service.ts). `position` is where the stream stored it, for debugging and replay.
const script = `
CREATE TABLE event_ids (tenant_id TEXT NOT NULL REFERENCES tenants(id), id TEXT NOT NULL, position BIGINT NOT NULL, PRIMARY KEY (tenant_id, id));
`;

export const eventsMigrations: Migration[] = [
  { version: 600, name: 'events', sql: script },
  // Counting a tenant's events after a position (automatic retraining) without reading all of them.
  {
    version: 601,
    name: 'events-position',
    sql: 'CREATE INDEX event_ids_position ON event_ids (tenant_id, position);',
  },
];
