// Liveness and readiness: /livez answers while the process runs; /readyz only while storage answers.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

export interface HealthDeps {
  /** Throws when a dependency the service needs is not answering. */
  check(): Promise<void>;
  /** True once shutdown began: readiness turns off so the load balancer drains this replica. */
  draining(): boolean;
}

const Status = Type.Object({ status: Type.String() });

export const registerHealth = (app: FastifyInstance, deps: HealthDeps): void => {
  const common = { config: { access: { public: true } }, logLevel: 'warn' as const };
  app.get('/livez', { ...common, schema: { tags: ['health'], response: { 200: Status } } }, async () => ({
    status: 'ok',
  }));
  app.get(
    '/readyz',
    { ...common, schema: { tags: ['health'], response: { 200: Status, 503: Status } } },
    async (_, reply) => {
      if (deps.draining()) return reply.code(503).header('retry-after', '1').send({ status: 'draining' });
      try {
        await deps.check();
        return { status: 'ready' };
      } catch (error) {
        reply.log.warn({ err: error }, 'readiness check failed');
        return reply.code(503).header('retry-after', '1').send({ status: 'unavailable' });
      }
    },
  );
};
