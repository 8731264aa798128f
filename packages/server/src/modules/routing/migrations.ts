// Tables of the routing module: endpoints and their revisions, served/shadow telemetry, exposures,
// attributed events and rollouts.
import type { Migration } from '../../adapters/sql/index.ts';

export const routingMigrations: Migration[] = [
  {
    version: 800,
    name: 'routing',
    sql: `
CREATE TABLE routing_endpoints (tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL, spec TEXT NOT NULL, salt TEXT NOT NULL, revision INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (tenant_id, name));
CREATE TABLE routing_revisions (tenant_id TEXT NOT NULL, endpoint TEXT NOT NULL, revision INTEGER NOT NULL, spec TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (tenant_id, endpoint, revision));
CREATE TABLE routing_stats (replica TEXT NOT NULL, tenant_id TEXT NOT NULL, endpoint TEXT NOT NULL, kind TEXT NOT NULL, variant TEXT NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL, peer TEXT NOT NULL, bucket BIGINT NOT NULL, requests INTEGER NOT NULL, errors INTEGER NOT NULL, degraded INTEGER NOT NULL, latency TEXT NOT NULL, div_sum DOUBLE PRECISION NOT NULL, div_n INTEGER NOT NULL, overlap_sum DOUBLE PRECISION NOT NULL, overlap_n INTEGER NOT NULL, PRIMARY KEY (replica, tenant_id, endpoint, kind, variant, model, version, peer, bucket));
CREATE INDEX routing_stats_endpoint ON routing_stats (tenant_id, endpoint, bucket);
CREATE TABLE routing_exposures (tenant_id TEXT NOT NULL, endpoint TEXT NOT NULL, unit TEXT NOT NULL, variant TEXT NOT NULL, first_at BIGINT NOT NULL, PRIMARY KEY (tenant_id, endpoint, unit, variant));
CREATE TABLE routing_attributions (tenant_id TEXT NOT NULL, event_id TEXT NOT NULL, endpoint TEXT NOT NULL, variant TEXT NOT NULL, served TEXT NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL, unit TEXT NOT NULL, type TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (tenant_id, event_id));
CREATE INDEX routing_attributions_endpoint ON routing_attributions (tenant_id, endpoint, type, at);
CREATE TABLE routing_rollouts (tenant_id TEXT NOT NULL, id TEXT NOT NULL, endpoint TEXT NOT NULL, spec TEXT NOT NULL, status TEXT NOT NULL, step INTEGER NOT NULL, step_started_at BIGINT NOT NULL, seq INTEGER NOT NULL, decisions TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE INDEX routing_rollouts_status ON routing_rollouts (status);
`,
  },
];
