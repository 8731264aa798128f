// Liveness and readiness: /livez answers while the process runs; /readyz only while storage answers,
// naming dependencies the replica serves without (degraded) while staying ready.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { createFailureRun } from '../kernel/index.ts';

/** A readiness check that has not answered by then counts as failed: /readyz answers within a second. */
export const READY_CHECK_TIMEOUT_MS = 800;

export interface HealthDeps {
  /** Throws when a dependency the service needs is not answering. */
  check(): Promise<void>;
  /** True once shutdown began: readiness turns off so the load balancer drains this replica. */
  draining(): boolean;
  /** Dependencies that are down but that the replica serves without (a fallback or a 503 on some routes). */
  degraded?(): string[];
}

const Status = Type.Object({ status: Type.String(), degraded: Type.Optional(Type.Array(Type.String())) });

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
      try {
        await withTimeout(deps.check(), READY_CHECK_TIMEOUT_MS);
        failures.recover((failedChecks) => app.log.info({ failedChecks }, 'readiness check passes again'));
        const degraded = deps.degraded?.() ?? [];
        return degraded.length > 0 ? { status: 'degraded', degraded } : { status: 'ready' };
      } catch (error) {
        failures.fail((failedChecks) =>
          reply.log.warn({ err: error, failedChecks }, 'readiness check failed'),
        );
        return reply.code(503).header('retry-after', '1').send({ status: 'unavailable' });
      }
    },
  );
};
