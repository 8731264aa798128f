// The idempotent answer of a request, and recording it in the transaction that makes the request's effect.
import type { FastifyReply } from 'fastify';
import { noTxHook, type SqlExecutor, type TxHook } from '../../adapters/sql/index.ts';
import { QuiverError } from '../../kernel/index.ts';
import { type Answer, idempotencyRepository as repo } from './repository.ts';

/** Response headers replayed with the stored body. */
const REPLAYED_HEADERS = ['content-type', 'etag', 'location'];
/** What Fastify sets for a body it serializes itself (the in-transaction answer cannot wait for it). */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The answer as the client receives it (called in onSend, with the serialized payload). */
export const answerOf = (reply: FastifyReply, body: string | null): Answer => {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return { status: reply.statusCode, headers, body };
};

export const sameAnswer = (a: Answer, b: Answer): boolean =>
  a.status === b.status && a.body === b.body && JSON.stringify(a.headers) === JSON.stringify(b.headers);

/**
 * A hook for the write path of an idempotent POST: called last inside the transaction that makes the
 * request's effect, with the value the route will send with `status`, it stores that answer as the key's
 * answer in the same transaction, so a committed effect always has its answer (a crash after the commit
 * cannot make a retry run the request again). Without a held key it does nothing.
 *
 * Contract for the route: send exactly that value with that status (and set any replayed header before
 * the write), so the body stored here is byte for byte the one the client gets; the onSend hook checks
 * and stores what was really sent if it differs.
 *
 * If the claim was taken over meanwhile (this owner's lease ran out), it throws, rolling the effect back:
 * the new owner runs the request instead.
 */
export const answerInTx = (reply: FastifyReply, status = 200): TxHook<unknown> => {
  const claim = reply.request.idempotency;
  if (!claim) return noTxHook;
  return async (tx: SqlExecutor, value: unknown) => {
    reply.code(status);
    // The route's serializer for this status: the same function Fastify applies when the value is sent.
    const body = value === undefined ? null : (reply.serialize(value) as string);
    const answer = answerOf(reply, body);
    if (body !== null) answer.headers['content-type'] ??= JSON_CONTENT_TYPE;
    if (!(await repo.complete(tx, claim, answer))) {
      throw new QuiverError('idempotency_in_progress', 'Another request took this Idempotency-Key over', {
        retryAfterS: 1,
      });
    }
    claim.recorded = answer;
  };
};
