// The text an onSend hook's payload is on the wire: a string as it is, JSON sent as bytes decoded (what a route
// that writes its own bytes, e.g. POST /v1/search, sends), nothing for binary bytes or streams.
import { isUtf8 } from 'node:buffer';
import type { FastifyReply } from 'fastify';

/**
 * The payload as text the client receives byte for byte when encoded again: a string; bytes sent with a JSON
 * content type that are valid UTF-8 (decoding and encoding them gives the same bytes). `null` for no body;
 * `undefined` for anything else (binary bytes, streams), which is not text.
 */
export const sentText = (reply: FastifyReply, payload: unknown): string | null | undefined => {
  if (payload === undefined || payload === null) return null;
  if (typeof payload === 'string') return payload;
  if (!Buffer.isBuffer(payload)) return undefined;
  const type = reply.getHeader('content-type');
  if (typeof type !== 'string' || !type.includes('json') || !isUtf8(payload)) return undefined;
  return payload.toString('utf8');
};
