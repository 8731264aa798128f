// The /v2 infer body as a stream for Fastify's parser: Content-Encoding gzip or deflate decoded, its decoded
// size bounded by the route's limit (a zip bomb is a 413), and a body over the limit read to its end before
// the 413, so a client that writes its whole body before reading (Triton's sync client) gets the answer, not
// a broken pipe.
import { PassThrough, type Readable, type Transform } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QuiverError } from '../../kernel/index.ts';

/** A body declared beyond this many times the limit is refused at once and its connection closed, unread. */
export const DRAIN_MAX_FACTOR = 4;

const DECODERS: Record<string, (() => Transform) | undefined> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
};

const tooLarge = (limit: number, what: string) =>
  new QuiverError(
    'payload_too_large',
    `The ${what} is over the ${limit}-byte limit of /v2 infer requests (QUIVER_INFER_BODY_LIMIT_BYTES)`,
  );

/** Reads and drops the rest of a body. */
const drain = (payload: Readable): Promise<void> =>
  new Promise((resolve) => {
    payload
      .on('end', resolve)
      .on('error', () => resolve())
      .on('close', resolve);
    payload.resume();
  });

/** Fastify checks the bytes as sent against Content-Length through this field of a replaced payload. */
type Counted = PassThrough & { receivedEncodedLength: number };

/**
 * `payload` decoded by `decode` (or as is), failing with a 413 once more than `limit` bytes come out. Past
 * the limit the decoder stops (a bomb is not inflated further) and the rest of the body is read and dropped,
 * so the answer reaches a client still writing.
 */
const bounded = (payload: Readable, decode: Transform | undefined, limit: number, what: string): Readable => {
  let decoded = 0;
  let exceeded = false;
  const out = Object.assign(new PassThrough(), { receivedEncodedLength: 0 }) as Counted;
  payload.on('data', (chunk: Buffer) => {
    out.receivedEncodedLength += chunk.length;
  });
  const source = decode ? payload.pipe(decode) : payload;
  const fail = (error: Error) => out.destroy(error);
  payload.on('error', fail);
  source.on('data', (chunk: Buffer) => {
    if (exceeded) return;
    decoded += chunk.length;
    if (decoded <= limit) {
      out.write(chunk);
      return;
    }
    exceeded = true;
    if (decode) {
      payload.unpipe(decode);
      decode.destroy();
    }
    drain(payload).then(() => fail(tooLarge(limit, what)));
  });
  source.on('end', () => {
    if (!exceeded) out.end();
  });
  // A corrupt stream is the client's error (400), not a server failure.
  decode?.on('error', (error) => {
    if (!exceeded) fail(decodeError(what, error));
  });
  return out;
};

const decodeError = (what: string, error: Error): QuiverError =>
  new QuiverError('validation_failed', `The ${what} could not be decoded: ${error.message}`, {
    cause: error,
  });

/** Fastify's preParsing hook for the /v2 infer routes (the route's bodyLimit is the decoded limit). */
export const inferBodyStream = async (
  request: FastifyRequest,
  reply: FastifyReply,
  payload: Readable,
): Promise<Readable> => {
  const limit = request.routeOptions.bodyLimit ?? Number.POSITIVE_INFINITY;
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const decoder = encoding === 'identity' ? undefined : DECODERS[encoding];
  if (encoding !== 'identity' && !decoder) {
    reply.header('connection', 'close');
    throw new QuiverError(
      'unsupported_media_type',
      `Content-Encoding '${encoding}' is not supported; send gzip, deflate or none`,
    );
  }
  const declared = Number(request.headers['content-length']);
  if (declared > limit) {
    if (declared > limit * DRAIN_MAX_FACTOR) reply.header('connection', 'close');
    else await drain(payload);
    throw tooLarge(limit, 'body');
  }
  // The common case needs no copy: Fastify bounds a plain body of a declared length itself.
  if (!decoder && Number.isFinite(declared)) return payload;
  return bounded(payload, decoder?.(), limit, decoder ? `decompressed ${encoding} body` : 'body');
};
