// The routing module's SQL: endpoints, revisions, telemetry rows, exposures, attributions and rollouts.
import type { PutEndpoint } from '@quiver/contracts';
import { type SqlDatabase, type SqlExecutor, type SqlValue, valuesList } from '../../adapters/sql/index.ts';

export interface EndpointRow {
  tenantId: string;
  name: string;
  spec: PutEndpoint;
  salt: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

interface RawEndpoint {
  tenant_id: string;
  name: string;
  spec: string;
  salt: string;
  revision: number | string;
  created_at: string;
  updated_at: string;
}

const toEndpoint = (r: RawEndpoint): EndpointRow => ({
  tenantId: r.tenant_id,
  name: r.name,
  spec: JSON.parse(r.spec) as PutEndpoint,
  salt: r.salt,
  revision: Number(r.revision),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** One replica's aggregate of one telemetry key in one time bucket (replaced whole on each flush). */
/** What a telemetry row is about. */
export interface StatsKey {
  tenantId: string;
  endpoint: string;
  kind: 'serve' | 'shadow';
  variant: string;
  model: string;
  version: string;
}

/** What a telemetry row counts (latency: a histogram over LATENCY_BOUNDS_MS). */
export interface StatsCounts {
  requests: number;
  errors: number;
  degraded: number;
  latency: number[];
  divSum: number;
  divN: number;
  overlapSum: number;
  overlapN: number;
}

export interface StatsRow extends StatsKey, StatsCounts {
  /** For a shadow: the model@version that answered the caller; empty otherwise. */
  peer: string;
  bucket: number;
}

export interface ExposureRow {
  tenantId: string;
  endpoint: string;
  unit: string;
  variant: string;
  at: number;
}

export interface AttributionRow {
  tenantId: string;
  eventId: string;
  endpoint: string;
  variant: string;
  served: string;
  model: string;
  version: string;
  unit: string;
  type: string;
  at: number;
}

export interface RolloutRow {
  tenantId: string;
  id: string;
  endpoint: string;
  spec: unknown;
  status: string;
  step: number;
  stepStartedAt: number;
  seq: number;
  decisions: unknown[];
  createdAt: string;
}

interface RawRollout {
  tenant_id: string;
  id: string;
  endpoint: string;
  spec: string;
  status: string;
  step: number | string;
  step_started_at: number | string;
  seq: number | string;
  decisions: string;
  created_at: string;
}

const toRollout = (r: RawRollout): RolloutRow => ({
  tenantId: r.tenant_id,
  id: r.id,
  endpoint: r.endpoint,
  spec: JSON.parse(r.spec),
  status: r.status,
  step: Number(r.step),
  stepStartedAt: Number(r.step_started_at),
  seq: Number(r.seq),
  decisions: JSON.parse(r.decisions) as unknown[],
  createdAt: r.created_at,
});

const BATCH_ROWS = 200;

export const createRoutingRepository = (db: SqlDatabase) => {
  const insertRevision = (
    tx: SqlExecutor,
    tenantId: string,
    name: string,
    revision: number,
    spec: PutEndpoint,
    reason: string,
    at: string,
  ) =>
    tx.execute(
      'INSERT INTO routing_revisions (tenant_id, endpoint, revision, spec, reason, at) VALUES ($1,$2,$3,$4,$5,$6)',
      [tenantId, name, revision, JSON.stringify(spec), reason, at],
    );

  const getEndpoint = async (ex: SqlExecutor, tenantId: string, name: string) => {
    const rows = await ex.query<RawEndpoint>(
      'SELECT * FROM routing_endpoints WHERE tenant_id = $1 AND name = $2',
      [tenantId, name],
    );
    return rows[0] ? toEndpoint(rows[0]) : null;
  };

  /** Writes the endpoint's new spec as a new revision (inside the caller's transaction). */
  const saveSpec = async (
    tx: SqlExecutor,
    tenantId: string,
    name: string,
    spec: PutEndpoint,
    reason: string,
    at: string,
    salt: string,
  ): Promise<{ row: EndpointRow; created: boolean }> => {
    const current = await getEndpoint(tx, tenantId, name);
    if (current) {
      const revision = current.revision + 1;
      await tx.execute(
        'UPDATE routing_endpoints SET spec = $3, revision = $4, updated_at = $5 WHERE tenant_id = $1 AND name = $2',
        [tenantId, name, JSON.stringify(spec), revision, at],
      );
      await insertRevision(tx, tenantId, name, revision, spec, reason, at);
      return { row: { ...current, spec, revision, updatedAt: at }, created: false };
    }
    // A recreated endpoint continues its revision numbers, so old tokens never name a new revision.
    const last = await tx.query<{ r: number | string | null }>(
      'SELECT MAX(revision) AS r FROM routing_revisions WHERE tenant_id = $1 AND endpoint = $2',
      [tenantId, name],
    );
    const revision = Number(last[0]?.r ?? 0) + 1;
    await tx.execute(
      'INSERT INTO routing_endpoints (tenant_id, name, spec, salt, revision, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$6)',
      [tenantId, name, JSON.stringify(spec), salt, revision, at],
    );
    await insertRevision(tx, tenantId, name, revision, spec, reason, at);
    return {
      row: { tenantId, name, spec, salt, revision, createdAt: at, updatedAt: at },
      created: true,
    };
  };

  return {
    getEndpoint: (tenantId: string, name: string) => getEndpoint(db, tenantId, name),
    getEndpointIn: getEndpoint,
    saveSpec,

    async listEndpoints(tenantId: string, after: string, limit: number): Promise<EndpointRow[]> {
      const rows = await db.query<RawEndpoint>(
        'SELECT * FROM routing_endpoints WHERE tenant_id = $1 AND name > $2 ORDER BY name LIMIT $3',
        [tenantId, after, limit],
      );
      return rows.map(toEndpoint);
    },

    /** Deletes the endpoint and its rollouts; revisions stay so tokens already handed out still resolve. */
    async deleteEndpoint(tenantId: string, name: string): Promise<boolean> {
      return db.transaction(async (tx) => {
        await tx.execute('DELETE FROM routing_rollouts WHERE tenant_id = $1 AND endpoint = $2', [
          tenantId,
          name,
        ]);
        return (
          (await tx.execute('DELETE FROM routing_endpoints WHERE tenant_id = $1 AND name = $2', [
            tenantId,
            name,
          ])) > 0
        );
      });
    },

    async revisions(tenantId: string, name: string) {
      const rows = await db.query<{ revision: number | string; spec: string; reason: string; at: string }>(
        'SELECT revision, spec, reason, at FROM routing_revisions WHERE tenant_id = $1 AND endpoint = $2 ORDER BY revision',
        [tenantId, name],
      );
      return rows.map((r) => ({
        revision: Number(r.revision),
        spec: JSON.parse(r.spec) as PutEndpoint,
        reason: r.reason,
        at: r.at,
      }));
    },

    async revision(tenantId: string, name: string, revision: number): Promise<PutEndpoint | null> {
      const rows = await db.query<{ spec: string }>(
        'SELECT spec FROM routing_revisions WHERE tenant_id = $1 AND endpoint = $2 AND revision = $3',
        [tenantId, name, revision],
      );
      return rows[0] ? (JSON.parse(rows[0].spec) as PutEndpoint) : null;
    },

    async writeStats(replica: string, rows: readonly StatsRow[]): Promise<void> {
      for (let i = 0; i < rows.length; i += BATCH_ROWS) {
        const chunk = rows.slice(i, i + BATCH_ROWS);
        const params: SqlValue[] = [];
        for (const r of chunk)
          params.push(
            replica,
            r.tenantId,
            r.endpoint,
            r.kind,
            r.variant,
            r.model,
            r.version,
            r.peer,
            r.bucket,
            r.requests,
            r.errors,
            r.degraded,
            JSON.stringify(r.latency),
            r.divSum,
            r.divN,
            r.overlapSum,
            r.overlapN,
          );
        await db.execute(
          `INSERT INTO routing_stats (replica, tenant_id, endpoint, kind, variant, model, version, peer, bucket, requests, errors, degraded, latency, div_sum, div_n, overlap_sum, overlap_n) VALUES ${valuesList(chunk.length, 17)}
           ON CONFLICT (replica, tenant_id, endpoint, kind, variant, model, version, peer, bucket) DO UPDATE SET requests = excluded.requests, errors = excluded.errors, degraded = excluded.degraded, latency = excluded.latency, div_sum = excluded.div_sum, div_n = excluded.div_n, overlap_sum = excluded.overlap_sum, overlap_n = excluded.overlap_n`,
          params,
        );
      }
    },

    /** Every replica's telemetry rows of an endpoint from the bucket starting at or after `sinceBucket`. */
    async readStats(tenantId: string, endpoint: string, sinceBucket: number): Promise<StatsRow[]> {
      const rows = await db.query<Record<string, string | number>>(
        'SELECT * FROM routing_stats WHERE tenant_id = $1 AND endpoint = $2 AND bucket >= $3',
        [tenantId, endpoint, sinceBucket],
      );
      return rows.map((r) => ({
        tenantId: String(r.tenant_id),
        endpoint: String(r.endpoint),
        kind: r.kind as StatsRow['kind'],
        variant: String(r.variant),
        model: String(r.model),
        version: String(r.version),
        peer: String(r.peer),
        bucket: Number(r.bucket),
        requests: Number(r.requests),
        errors: Number(r.errors),
        degraded: Number(r.degraded),
        latency: JSON.parse(String(r.latency)) as number[],
        divSum: Number(r.div_sum),
        divN: Number(r.div_n),
        overlapSum: Number(r.overlap_sum),
        overlapN: Number(r.overlap_n),
      }));
    },

    async writeExposures(rows: readonly ExposureRow[]): Promise<void> {
      for (let i = 0; i < rows.length; i += BATCH_ROWS) {
        const chunk = rows.slice(i, i + BATCH_ROWS);
        await db.execute(
          `INSERT INTO routing_exposures (tenant_id, endpoint, unit, variant, first_at) VALUES ${valuesList(chunk.length, 5)} ON CONFLICT DO NOTHING`,
          chunk.flatMap((r) => [r.tenantId, r.endpoint, r.unit, r.variant, r.at]),
        );
      }
    },

    /** Inserts attributions, once per event id (a redelivered event changes nothing). */
    async writeAttributions(rows: readonly AttributionRow[]): Promise<void> {
      for (let i = 0; i < rows.length; i += BATCH_ROWS) {
        const chunk = rows.slice(i, i + BATCH_ROWS);
        await db.execute(
          `INSERT INTO routing_attributions (tenant_id, event_id, endpoint, variant, served, model, version, unit, type, at) VALUES ${valuesList(chunk.length, 10)} ON CONFLICT DO NOTHING`,
          chunk.flatMap((r) => [
            r.tenantId,
            r.eventId,
            r.endpoint,
            r.variant,
            r.served,
            r.model,
            r.version,
            r.unit,
            r.type,
            r.at,
          ]),
        );
      }
    },

    async exposureCounts(tenantId: string, endpoint: string, from: number, to: number) {
      const rows = await db.query<{ variant: string; n: number | string }>(
        'SELECT variant, COUNT(*) AS n FROM routing_exposures WHERE tenant_id = $1 AND endpoint = $2 AND first_at >= $3 AND first_at < $4 GROUP BY variant',
        [tenantId, endpoint, from, to],
      );
      return new Map(rows.map((r) => [r.variant, Number(r.n)]));
    },

    /** Distinct units with an attributed event of `type`, by the variant they were assigned. */
    async conversionCounts(tenantId: string, endpoint: string, type: string, from: number, to: number) {
      const rows = await db.query<{ variant: string; n: number | string }>(
        'SELECT variant, COUNT(DISTINCT unit) AS n FROM routing_attributions WHERE tenant_id = $1 AND endpoint = $2 AND type = $3 AND at >= $4 AND at < $5 GROUP BY variant',
        [tenantId, endpoint, type, from, to],
      );
      return new Map(rows.map((r) => [r.variant, Number(r.n)]));
    },

    /** Attributed events of `type` since `from`, by the variant (or fallback) that served them. */
    async servedEventCounts(tenantId: string, endpoint: string, type: string, from: number) {
      const rows = await db.query<{ served: string; n: number | string }>(
        'SELECT served, COUNT(*) AS n FROM routing_attributions WHERE tenant_id = $1 AND endpoint = $2 AND type = $3 AND at >= $4 GROUP BY served',
        [tenantId, endpoint, type, from],
      );
      return new Map(rows.map((r) => [r.served, Number(r.n)]));
    },

    async insertRollout(tx: SqlExecutor, r: RolloutRow): Promise<void> {
      await tx.execute(
        'INSERT INTO routing_rollouts (tenant_id, id, endpoint, spec, status, step, step_started_at, seq, decisions, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)',
        [
          r.tenantId,
          r.id,
          r.endpoint,
          JSON.stringify(r.spec),
          r.status,
          r.step,
          r.stepStartedAt,
          r.seq,
          JSON.stringify(r.decisions),
          r.createdAt,
        ],
      );
    },

    /**
     * Moves a rollout on only if nobody else did since `seq` was read: the one conditional update that
     * makes the controller safe with several replicas. True when this caller won.
     */
    async advanceRollout(
      tx: SqlExecutor,
      r: Pick<RolloutRow, 'tenantId' | 'id' | 'status' | 'step' | 'stepStartedAt' | 'decisions'>,
      seenSeq: number,
    ): Promise<boolean> {
      const changed = await tx.execute(
        'UPDATE routing_rollouts SET status = $3, step = $4, step_started_at = $5, decisions = $6, seq = seq + 1 WHERE tenant_id = $1 AND id = $2 AND seq = $7',
        [r.tenantId, r.id, r.status, r.step, r.stepStartedAt, JSON.stringify(r.decisions), seenSeq],
      );
      return changed === 1;
    },

    async rollout(
      ex: SqlExecutor,
      tenantId: string,
      endpoint: string,
      id: string,
    ): Promise<RolloutRow | null> {
      const rows = await ex.query<RawRollout>(
        'SELECT * FROM routing_rollouts WHERE tenant_id = $1 AND endpoint = $2 AND id = $3',
        [tenantId, endpoint, id],
      );
      return rows[0] ? toRollout(rows[0]) : null;
    },

    async rollouts(ex: SqlExecutor, tenantId: string, endpoint: string): Promise<RolloutRow[]> {
      const rows = await ex.query<RawRollout>(
        'SELECT * FROM routing_rollouts WHERE tenant_id = $1 AND endpoint = $2 ORDER BY created_at DESC, id',
        [tenantId, endpoint],
      );
      return rows.map(toRollout);
    },

    async runningRollouts(): Promise<RolloutRow[]> {
      const rows = await db.query<RawRollout>("SELECT * FROM routing_rollouts WHERE status = 'running'");
      return rows.map(toRollout);
    },
  };
};

export type RoutingRepository = ReturnType<typeof createRoutingRepository>;
