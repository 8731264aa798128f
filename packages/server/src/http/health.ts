// Liveness and readiness: /livez answers while the process runs; /readyz only once the start's warm-up is
// done and while storage answers, naming the dependencies that do not (unavailable) and those the replica
// serves without (degraded).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { createFailureRun } from '../kernel/index.ts';

/** A readiness check that has not answered by then counts as failed: /readyz answers within a second. */
export const READY_CHECK_TIMEOUT_MS = 800;

export interface HealthDeps {
  /** The dependencies the service needs, by name; each check throws when its dependency is not answering. */
  checks: Record<string, () => Promise<void>>;
  /** True once shutdown began: readiness turns off so the load balancer drains this replica. */
  draining(): boolean;
  /** Dependencies that are down but that the replica serves without (a fallback or a 503 on some routes). */
  degraded?(): string[];
  /** Start-up work the replica finishes before it takes traffic (the tenants' search indexes): 503 until done. */
  warmingUp?(): string[];
  /** Work still loading in the background while the replica already serves (the demo shop's training). */
  warming?(): string[];
}

const Status = Type.Object({
  status: Type.String(),
  degraded: Type.Optional(Type.Array(Type.String())),
  unavailable: Type.Optional(Type.Array(Type.String())),
  warming: Type.Optional(Type.Array(Type.String())),
});

const withTimeout = (check: Promise<void>, ms: number): Promise<void> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`readiness check took over ${ms} ms`)), ms);
  });
  return Promise.race([check, late]).finally(() => clearTimeout(timer));
};

export const registerHealth = (app: FastifyInstance, deps: HealthDeps): void => {
  const common = { config: { access: { public: true } }, logLevel: 'warn' as const };
  // Probes fail every few seconds while storage is down: logged when that starts, then now and then.
  const failures = createFailureRun();
  app.get('/livez', { ...common, schema: { tags: ['health'], response: { 200: Status } } }, async () => ({
    status: 'ok',
  }));
  app.get(
    '/readyz',
    { ...common, schema: { tags: ['health'], response: { 200: Status, 503: Status } } },
    async (_, reply) => {
      if (deps.draining()) return reply.code(503).header('retry-after', '1').send({ status: 'draining' });
      const checks = Object.entries(deps.checks);
      const outcomes = await Promise.allSettled(
        checks.map(([, check]) => withTimeout(check(), READY_CHECK_TIMEOUT_MS)),
      );
      const failed = checks.flatMap(([name], i) => {
        const outcome = outcomes[i];
        return outcome.status === 'rejected' ? [{ name, err: outcome.reason as unknown }] : [];
      });
      if (failed.length > 0) {
        // A dependency that stays down fails every probe: logged when it starts, then once a minute.
        failures.fail((failedChecks) =>
          reply.log.warn(
            { err: failed[0].err, dependencies: failed.map((f) => f.name), failedChecks },
            'readiness check failed',
          ),
        );
        const unavailable = failed.map((f) => f.name);
        return reply.code(503).header('retry-after', '1').send({ status: 'unavailable', unavailable });
      }
      failures.recover((failedChecks) => app.log.info({ failedChecks }, 'readiness check passes again'));
      const starting = deps.warmingUp?.() ?? [];
      if (starting.length > 0)
        return reply.code(503).header('retry-after', '1').send({ status: 'warming', warming: starting });
      const degraded = deps.degraded?.() ?? [];
      const warming = deps.warming?.() ?? [];
      return {
        ...(degraded.length > 0 ? { status: 'degraded', degraded } : { status: 'ready' }),
        ...(warming.length > 0 ? { warming } : {}),
      };
    },
  );
};
