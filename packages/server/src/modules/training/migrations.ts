// Tables of the training module: runs (status, progress, results) and per-kind schedules (by time or by new
// events), tenant-scoped.
import type { Migration } from '../../adapters/sql/index.ts';

export const trainingMigrations: Migration[] = [
  {
    version: 1000,
    name: 'training',
    sql: `
CREATE TABLE training_runs (tenant_id TEXT NOT NULL REFERENCES tenants(id), id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, trigger_kind TEXT NOT NULL, request TEXT NOT NULL, progress TEXT NOT NULL, timings TEXT NOT NULL, result TEXT, error TEXT, created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT, heartbeat_at BIGINT NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE INDEX training_runs_kind ON training_runs (tenant_id, kind, created_at);
CREATE INDEX training_runs_status ON training_runs (status, created_at);
CREATE TABLE training_schedules (tenant_id TEXT NOT NULL REFERENCES tenants(id), kind TEXT NOT NULL, every_ms BIGINT NOT NULL, request TEXT NOT NULL, next_run_at BIGINT NOT NULL, last_run_id TEXT, seq INTEGER NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (tenant_id, kind));
CREATE INDEX training_schedules_due ON training_schedules (next_run_at);
`,
  },
  {
    version: 1001,
    name: 'training-one-running-run',
    // One running run per tenant, enforced by the database: two replicas claiming different queued runs of a
    // tenant at once both pass a NOT EXISTS check under READ COMMITTED; a unique index lets only one commit.
    sql: `CREATE UNIQUE INDEX training_runs_one_running ON training_runs (tenant_id) WHERE status = 'running';`,
  },
  {
    version: 1002,
    name: 'training-retrain-after-events',
    // after_events: a run once that many events arrived after events_position (the tenant's newest event
    // position when the schedule was set or last started a run). every_ms = 0: no time trigger.
    sql: `
ALTER TABLE training_schedules ADD COLUMN after_events BIGINT;
ALTER TABLE training_schedules ADD COLUMN events_position BIGINT NOT NULL DEFAULT 0;
CREATE INDEX training_schedules_after_events ON training_schedules (after_events);
`,
  },
];
