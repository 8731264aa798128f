// The training module's SQL: runs and schedules. Every query names its tenant except the three that find
// work for any tenant (queued runs, due schedules, event-triggered schedules), whose claims are conditional
// updates.
import { isUniqueViolation, type SqlDatabase, type SqlValue } from '../../adapters/sql/index.ts';

/** What a run was asked to do (the body of POST /v1/trainers/{kind}/runs, defaults not applied). */
export interface RunRequest {
  params: Record<string, unknown>;
  evaluation: { splitAt?: string; holdout?: number };
  promote: 'always' | 'if-better' | 'never';
}

export interface RunRow {
  tenantId: string;
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  trigger: 'api' | 'schedule' | 'events';
  request: RunRequest;
  progress: { phase: string; fraction: number };
  timings: Record<string, number>;
  /** data, metrics, baseline, model, promotion, endpoints: set as the run gets there. */
  result: Record<string, unknown>;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

interface RawRun {
  tenant_id: string;
  id: string;
  kind: string;
  status: RunRow['status'];
  trigger_kind: RunRow['trigger'];
  request: string;
  progress: string;
  timings: string;
  result: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const toRun = (r: RawRun): RunRow => ({
  tenantId: r.tenant_id,
  id: r.id,
  kind: r.kind,
  status: r.status,
  trigger: r.trigger_kind,
  request: JSON.parse(r.request) as RunRequest,
  progress: JSON.parse(r.progress) as RunRow['progress'],
  timings: JSON.parse(r.timings) as Record<string, number>,
  result: r.result ? (JSON.parse(r.result) as Record<string, unknown>) : {},
  error: r.error,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

export interface ScheduleRow {
  tenantId: string;
  kind: string;
  /** 0: no time trigger (next_run_at is then NEVER). */
  everyMs: number;
  /** A run once this many events arrived after `eventsPosition`; null: no event trigger. */
  afterEvents: number | null;
  eventsPosition: number;
  request: RunRequest;
  nextRunAt: number;
  lastRunId: string | null;
  seq: number;
  updatedAt: string;
}

interface RawSchedule {
  tenant_id: string;
  kind: string;
  every_ms: number | string;
  after_events: number | string | null;
  events_position: number | string;
  request: string;
  next_run_at: number | string;
  last_run_id: string | null;
  seq: number | string;
  updated_at: string;
}

const toSchedule = (r: RawSchedule): ScheduleRow => ({
  tenantId: r.tenant_id,
  kind: r.kind,
  everyMs: Number(r.every_ms),
  afterEvents: r.after_events == null ? null : Number(r.after_events),
  eventsPosition: Number(r.events_position),
  request: JSON.parse(r.request) as RunRequest,
  nextRunAt: Number(r.next_run_at),
  lastRunId: r.last_run_id,
  seq: Number(r.seq),
  updatedAt: r.updated_at,
});

export const createTrainingRepository = (db: SqlDatabase) => ({
  async insertRun(r: RunRow, now: number): Promise<void> {
    await db.execute(
      'INSERT INTO training_runs (tenant_id, id, kind, status, trigger_kind, request, progress, timings, result, error, created_at, started_at, finished_at, heartbeat_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)',
      [
        r.tenantId,
        r.id,
        r.kind,
        r.status,
        r.trigger,
        JSON.stringify(r.request),
        JSON.stringify(r.progress),
        JSON.stringify(r.timings),
        JSON.stringify(r.result),
        r.error,
        r.createdAt,
        r.startedAt,
        r.finishedAt,
        now,
      ],
    );
  },

  async getRun(tenantId: string, id: string): Promise<RunRow | null> {
    const rows = await db.query<RawRun>('SELECT * FROM training_runs WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      id,
    ]);
    return rows[0] ? toRun(rows[0]) : null;
  },

  async listRuns(
    tenantId: string,
    filter: { kind?: string; trigger?: RunRow['trigger'] },
    limit: number,
  ): Promise<RunRow[]> {
    const where = ['tenant_id = $1'];
    const params: SqlValue[] = [tenantId];
    if (filter.kind) where.push(`kind = $${params.push(filter.kind)}`);
    if (filter.trigger) where.push(`trigger_kind = $${params.push(filter.trigger)}`);
    const rows = await db.query<RawRun>(
      `SELECT * FROM training_runs WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.push(limit)}`,
      params,
    );
    return rows.map(toRun);
  },

  async queuedRuns(limit: number): Promise<RunRow[]> {
    const rows = await db.query<RawRun>(
      "SELECT * FROM training_runs WHERE status = 'queued' ORDER BY created_at, id LIMIT $1",
      [limit],
    );
    return rows.map(toRun);
  },

  /**
   * Moves a queued run to running if nobody did, and only while no other run of its tenant is running:
   * the claim that keeps one run at a time per tenant across replicas. True when this caller won.
   */
  async claimRun(tenantId: string, id: string, startedAt: string, now: number): Promise<boolean> {
    const changed = await db
      .execute(
        `UPDATE training_runs SET status = 'running', started_at = $3, heartbeat_at = $4, progress = $5
       WHERE tenant_id = $1 AND id = $2 AND status = 'queued'
       AND NOT EXISTS (SELECT 1 FROM training_runs r WHERE r.tenant_id = $1 AND r.status = 'running')`,
        [tenantId, id, startedAt, now, JSON.stringify({ phase: 'reading', fraction: 0 })],
      )
      // Another replica's claim of another run of this tenant committed first (training_runs_one_running).
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) return 0;
        throw error;
      });
    return changed === 1;
  },

  async saveProgress(r: RunRow, now: number): Promise<void> {
    await db.execute(
      "UPDATE training_runs SET progress = $3, timings = $4, result = $5, heartbeat_at = $6 WHERE tenant_id = $1 AND id = $2 AND status = 'running'",
      [
        r.tenantId,
        r.id,
        JSON.stringify(r.progress),
        JSON.stringify(r.timings),
        JSON.stringify(r.result),
        now,
      ],
    );
  },

  async finishRun(r: RunRow, now: number): Promise<void> {
    await db.execute(
      "UPDATE training_runs SET status = $3, progress = $4, timings = $5, result = $6, error = $7, finished_at = $8, heartbeat_at = $9 WHERE tenant_id = $1 AND id = $2 AND status = 'running'",
      [
        r.tenantId,
        r.id,
        r.status,
        JSON.stringify(r.progress),
        JSON.stringify(r.timings),
        JSON.stringify(r.result),
        r.error,
        r.finishedAt,
        now,
      ],
    );
  },

  /**
   * Puts a running run back in the queue after a shutdown interrupted it (the next start, or another replica,
   * runs it again): its partial progress is dropped, the interruption is kept in `error` until it is claimed.
   */
  async requeueRun(r: RunRow, reason: string, now: number): Promise<void> {
    await db.execute(
      "UPDATE training_runs SET status = 'queued', started_at = NULL, progress = $3, timings = '{}', result = $4, error = $5, heartbeat_at = $6 WHERE tenant_id = $1 AND id = $2 AND status = 'running'",
      [
        r.tenantId,
        r.id,
        JSON.stringify({ phase: 'queued', fraction: 0 }),
        JSON.stringify({ interruptions: Number(r.result.interruptions ?? 0) + 1 }),
        reason,
        now,
      ],
    );
  },

  /** Fails runs whose replica stopped beating (it died mid-run), so their tenant can train again. */
  async failStale(before: number, finishedAt: string): Promise<number> {
    return db.execute(
      "UPDATE training_runs SET status = 'failed', error = 'the replica running it stopped', finished_at = $2 WHERE status = 'running' AND heartbeat_at < $1",
      [before, finishedAt],
    );
  },

  async putSchedule(s: ScheduleRow): Promise<void> {
    await db.execute(
      `INSERT INTO training_schedules (tenant_id, kind, every_ms, request, next_run_at, last_run_id, seq, updated_at, after_events, events_position)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
       ON CONFLICT (tenant_id, kind) DO UPDATE SET every_ms = excluded.every_ms, request = excluded.request,
       next_run_at = excluded.next_run_at, seq = training_schedules.seq + 1, updated_at = excluded.updated_at,
       after_events = excluded.after_events, events_position = excluded.events_position`,
      [
        s.tenantId,
        s.kind,
        s.everyMs,
        JSON.stringify(s.request),
        s.nextRunAt,
        s.lastRunId,
        s.seq,
        s.updatedAt,
        s.afterEvents,
        s.eventsPosition,
      ],
    );
  },

  async getSchedule(tenantId: string, kind: string): Promise<ScheduleRow | null> {
    const rows = await db.query<RawSchedule>(
      'SELECT * FROM training_schedules WHERE tenant_id = $1 AND kind = $2',
      [tenantId, kind],
    );
    return rows[0] ? toSchedule(rows[0]) : null;
  },

  async deleteSchedule(tenantId: string, kind: string): Promise<boolean> {
    return (
      (await db.execute('DELETE FROM training_schedules WHERE tenant_id = $1 AND kind = $2', [
        tenantId,
        kind,
      ])) === 1
    );
  },

  async dueSchedules(now: number): Promise<ScheduleRow[]> {
    const rows = await db.query<RawSchedule>(
      'SELECT * FROM training_schedules WHERE next_run_at <= $1 ORDER BY next_run_at',
      [now],
    );
    return rows.map(toSchedule);
  },

  /** Schedules with an event trigger, of every tenant (their counts are checked one by one). */
  async eventSchedules(): Promise<ScheduleRow[]> {
    const rows = await db.query<RawSchedule>(
      'SELECT * FROM training_schedules WHERE after_events IS NOT NULL ORDER BY tenant_id, kind',
    );
    return rows.map(toSchedule);
  },

  /**
   * Moves a schedule to its next time and event position if nobody did since `s.seq` was read: the
   * conditional update that makes exactly one replica start the run. True when this caller won.
   */
  async advanceSchedule(
    s: ScheduleRow,
    next: { runAt: number; eventsPosition: number },
    runId: string,
  ): Promise<boolean> {
    const changed = await db.execute(
      'UPDATE training_schedules SET next_run_at = $3, events_position = $4, last_run_id = $5, seq = seq + 1 WHERE tenant_id = $1 AND kind = $2 AND seq = $6',
      [s.tenantId, s.kind, next.runAt, next.eventsPosition, runId, s.seq],
    );
    return changed === 1;
  },
});

export type TrainingRepository = ReturnType<typeof createTrainingRepository>;
