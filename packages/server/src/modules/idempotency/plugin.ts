// Idempotency-Key on POST: a retry replays the first answer; the same key with another body is 409.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import { type Clock, QuiverError, sha256Hex, stableStringify } from '../../kernel/index.ts';
import { idempotencyRepository as repo } from './repository.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const PURGE_EVERY_MS = 10 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
/** Response headers replayed with the stored body. */
const REPLAYED_HEADERS = ['content-type', 'etag', 'location'];

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { scope: string; key: string };
  }
}

export interface IdempotencyDeps {
  db: SqlDatabase;
  clock: Clock;
}

export const registerIdempotency = (app: FastifyInstance, { db, clock }: IdempotencyDeps): void => {
  let lastPurge = 0;
  app.decorateRequest('idempotency', undefined);

  const preHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.headers['idempotency-key'];
    if (key === undefined || !request.principal) return;
    // Only JSON bodies can be fingerprinted here; streamed uploads (models) are idempotent by content hash.
    const type = request.headers['content-type'];
    if (type !== undefined && !type.includes('json')) return;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw new QuiverError('invalid_header', 'Idempotency-Key must be 1 to 200 visible ASCII characters', {
        errors: [{ path: '/headers/idempotency-key', message: 'must be 1 to 200 visible ASCII characters' }],
      });
    }
    const p = request.principal;
    const scope = p.kind === 'operator' ? '_operator' : `t:${p.tenantId}`;
    const fingerprint = sha256Hex(
      `${request.method} ${request.url}\n${stableStringify(request.body ?? null)}`,
    );
    const now = clock.now();
    if (now - lastPurge > PURGE_EVERY_MS) {
      lastPurge = now;
      await repo.purgeOlderThan(db, now - IDEMPOTENCY_TTL_MS);
    }
    if (await repo.claim(db, scope, key, fingerprint, now)) {
      request.idempotency = { scope, key };
      return;
    }
    const stored = await repo.get(db, scope, key);
    if (!stored || now - stored.createdAt > IDEMPOTENCY_TTL_MS) {
      // Expired (or released meanwhile): start over under this key.
      if (stored) await repo.release(db, scope, key);
      if (await repo.claim(db, scope, key, fingerprint, now)) request.idempotency = { scope, key };
      return;
    }
    if (stored.fingerprint !== fingerprint) {
      throw new QuiverError(
        'idempotency_key_reused',
        'This Idempotency-Key was used with a different request',
      );
    }
    if (stored.status === null) {
      throw new QuiverError('idempotency_in_progress', 'The first request with this key has not finished', {
        headers: { 'retry-after': '1' },
      });
    }
    return reply
      .code(stored.status)
      .headers({ ...stored.headers, 'idempotent-replayed': 'true' })
      .serializer((v: unknown) => v as string)
      .send(stored.body ?? undefined);
  };

  const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = undefined;
    if (
      reply.statusCode >= 500 ||
      (typeof payload !== 'string' && payload !== null && payload !== undefined)
    ) {
      await repo.release(db, claim.scope, claim.key);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    await repo.complete(
      db,
      claim.scope,
      claim.key,
      reply.statusCode,
      headers,
      (payload as string | null) ?? null,
    );
    return payload;
  };

  // Only POST routes get the hooks, so reads pay nothing for idempotency.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('POST')) return;
    // A route that is a read despite its method (OIP infer) opts out with `config: {idempotent: false}`.
    if ((route.config as { idempotent?: boolean } | undefined)?.idempotent === false) return;
    route.preHandler = [...toArray(route.preHandler), preHandler];
    route.onSend = [...toArray(route.onSend), onSend];
  });
};

const toArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
