// Idempotency-Key on POST: a retry replays the first answer; the same key with another body is 409.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import { type Clock, QuiverError, sha256Hex, stableStringify } from '../../kernel/index.ts';
import { sentText } from '../sent-text.ts';
import { answerOf, sameAnswer } from './answer.ts';
import { type Claim, idempotencyRepository as repo } from './repository.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * How long a claim outlives its owner: the owner renews the lease every third of it while the request
 * runs, so only a dead (or frozen) owner's claim runs out, and a retry then takes it over and runs.
 */
export const DEFAULT_LEASE_MS = 10_000;
const PURGE_EVERY_MS = 10 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: Claim & { renewal: NodeJS.Timeout };
  }
}

type HookDone = (err?: Error) => void;
type SendDone = (err: Error | null, payload?: unknown) => void;

export interface IdempotencyDeps {
  db: SqlDatabase;
  clock: Clock;
}

export interface IdempotencyOptions {
  leaseMs?: number;
}

export const registerIdempotency = (
  app: FastifyInstance,
  { db, clock }: IdempotencyDeps,
  { leaseMs = DEFAULT_LEASE_MS }: IdempotencyOptions = {},
): void => {
  let lastPurge = 0;
  app.decorateRequest('idempotency', undefined);

  /** The request now holds the claim: keep its lease alive until the answer is stored. */
  const hold = (request: FastifyRequest, claim: Claim) => {
    const renewal = setInterval(() => {
      repo.renew(db, claim, clock.now() + leaseMs).then(
        (held) => {
          if (!held) request.log.warn({ key: claim.key }, 'idempotency claim was taken over');
        },
        (err) => request.log.warn({ err }, 'idempotency lease renewal failed'),
      );
    }, leaseMs / 3);
    renewal.unref();
    request.idempotency = { ...claim, renewal };
  };
  const letGo = (request: FastifyRequest) => {
    const claim = request.idempotency;
    if (claim) clearInterval(claim.renewal);
    request.idempotency = undefined;
    return claim;
  };

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
    const claim: Claim = { scope, key, owner: randomUUID() };
    if (await repo.claim(db, claim, fingerprint, now, now + leaseMs)) return hold(request, claim);
    const stored = await repo.get(db, scope, key);
    if (!stored || now - stored.createdAt > IDEMPOTENCY_TTL_MS) {
      // Expired (or released meanwhile): start over under this key, unless another request just did.
      if (stored) await repo.expire(db, scope, key, now - IDEMPOTENCY_TTL_MS);
      if (await repo.claim(db, claim, fingerprint, now, now + leaseMs)) return hold(request, claim);
      throw inProgress();
    }
    if (stored.fingerprint !== fingerprint) {
      throw new QuiverError(
        'idempotency_key_reused',
        'This Idempotency-Key was used with a different request',
      );
    }
    if (stored.status === null) {
      // The first request's owner died if its lease ran out: this retry takes over (only one retry wins).
      const expired = stored.leaseUntil === null || stored.leaseUntil < now;
      if (expired && (await repo.takeOver(db, claim, fingerprint, now, now + leaseMs))) {
        return hold(request, claim);
      }
      throw inProgress();
    }
    return reply
      .code(stored.status)
      .headers({ ...stored.headers, 'idempotent-replayed': 'true' })
      .serializer((v: unknown) => v as string)
      .send(stored.body ?? undefined);
  };

  /**
   * Stores the answer of a request whose write path did not record it in its own transaction (no SQL
   * effect, e.g. events handed to the stream, or no write at all): a crash between that effect and this
   * store still lets a retry run again. A failed request gives an unanswered claim up.
   */
  const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = letGo(request);
    if (!claim) return payload;
    // What the client gets, as text (JSON bytes decoded); a body that is not text is not recorded.
    const body = sentText(reply, payload);
    if (reply.statusCode >= 500 || body === undefined) {
      await repo.release(db, claim);
      return payload;
    }
    const answer = answerOf(reply, body);
    if (claim.recorded && sameAnswer(claim.recorded, answer)) return payload;
    if (claim.recorded)
      request.log.warn({ key: claim.key }, 'idempotent answer differs from the one recorded');
    await repo.complete(db, claim, answer);
    return payload;
  };

  // The hooks as Fastify calls them: callbacks, so a request without a key (or claim) makes no promise at all;
  // only a request that sends the header runs the async path.
  const preHandlerHook = (request: FastifyRequest, reply: FastifyReply, done: HookDone) => {
    if (request.headers['idempotency-key'] === undefined || !request.principal) return done();
    preHandler(request, reply).then(() => done(), done);
  };
  const onSendHook = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: SendDone) => {
    if (request.idempotency === undefined) return done(null, payload);
    onSend(request, reply, payload).then((p) => done(null, p), done);
  };
  // A request that ends without onSend (the client went away) stops renewing; its lease then runs out.
  const onResponseHook = (request: FastifyRequest, _reply: FastifyReply, done: HookDone) => {
    letGo(request);
    done();
  };

  // Only POST routes get the hooks, so reads pay nothing for idempotency.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('POST')) return;
    // A route that is a read despite its method (OIP infer) opts out with `config: {idempotent: false}`.
    if ((route.config as { idempotent?: boolean } | undefined)?.idempotent === false) return;
    route.preHandler = [...toArray(route.preHandler), preHandlerHook];
    route.onSend = [...toArray(route.onSend), onSendHook];
    route.onResponse = [...toArray(route.onResponse), onResponseHook];
  });
};

const inProgress = () =>
  new QuiverError('idempotency_in_progress', 'The first request with this key has not finished', {
    retryAfterS: 1,
  });

const toArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
