// Writes /v2 infer answers: JSON text with 64-bit integers as exact literals, FP32 values as the shortest text that
// reads back to the same float32 (float-text.ts) and non-finite floats as Triton writes them, or, when outputs are
// binary, Triton's frame (the JSON header, then each binary output's bytes; Inference-Header-Content-Length);
// large answers compressed when the client's Accept-Encoding allows.
import { promisify } from 'node:util';
import { deflate, gzip } from 'node:zlib';
import type { FastifyReply } from 'fastify';
import { HEADER_LENGTH } from './body.ts';
import { float32TextBytes, writeFloat32Array } from './float-text.ts';
import type { InferAnswer, InferViewsBody, ViewOutput } from './schemas.ts';

const JSON_TYPE = 'application/json; charset=utf-8';
/** Answers smaller than this go uncompressed whatever Accept-Encoding says: not worth the CPU. */
export const COMPRESS_MIN_BYTES = 64 * 1024;
const ENCODERS = { gzip: promisify(gzip), deflate: promisify(deflate) } as const;

/**
 * A float as Triton's JSON writer (rapidjson with kWriteNanAndInfFlag) writes it: `NaN`, `Infinity` and
 * `-Infinity` are bare tokens, as Python's json and rapidjson read them (JSON.stringify would write null).
 */
const floatText = (v: number): string =>
  Number.isFinite(v) ? JSON.stringify(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';

/** A data array as JSON text; BigInts (64-bit outputs) become their exact digits, which JSON.stringify refuses. */
const dataText = (data: readonly unknown[]): string => {
  if (data.length === 0) return '[]';
  if (typeof data[0] === 'bigint') return `[${data.join(',')}]`;
  if (typeof data[0] !== 'number') return JSON.stringify(data);
  const text = JSON.stringify(data);
  // JSON.stringify writes null only for non-finite numbers here: rewrite just those arrays.
  return text.includes('null') ? `[${(data as number[]).map(floatText).join(',')}]` : text;
};

/** FP32 data to write as the shortest text that reads back to each float32 (see float-text.ts). */
const isFloat32Text = (datatype: string, data: readonly unknown[] | Float32Array): boolean =>
  datatype === 'FP32' && (data instanceof Float32Array || typeof data[0] === 'number');

/** An answer's text in pieces: strings as they are, FP32 data to be written by float-text.ts. */
type Piece = string | ArrayLike<number>;

const outputPieces = ({ data, ...rest }: ViewOutput, pieces: Piece[]): void => {
  const head = JSON.stringify(rest);
  if (data === undefined) {
    pieces.push(head);
    return;
  }
  // A typed-array view other than FP32's is written as the array of its values.
  const values = (
    Array.isArray(data) || (rest.datatype === 'FP32' && data instanceof Float32Array)
      ? data
      : Array.from(data)
  ) as readonly unknown[] | Float32Array;
  pieces.push(`${head.slice(0, -1)},"data":`);
  pieces.push(
    isFloat32Text(rest.datatype, values) ? (values as ArrayLike<number>) : dataText(values as unknown[]),
  );
  pieces.push('}');
};

/**
 * The answer's pieces are written into one scratch buffer, kept between answers (writing is synchronous), and
 * read out as one flat string: no string per FP32 array, no concatenation to flatten when the answer's
 * length is taken and when it is written.
 */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);
/** Scratch buffers larger than this are not kept between answers. */
const KEEP_BYTES = 1 << 20;

/** The answer's JSON text: as JSON.stringify would write it, except 64-bit integers and non-finite floats. */
export const stringifyInferResponse = ({ outputs, ...rest }: InferViewsBody): string => {
  const pieces: Piece[] = [`${JSON.stringify(rest).slice(0, -1)},"outputs":[`];
  outputs.forEach((o, i) => {
    if (i > 0) pieces.push(',');
    outputPieces(o, pieces);
  });
  pieces.push(']}');
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  let need = 0;
  for (const p of pieces) need += typeof p === 'string' ? p.length * 3 : float32TextBytes(p.length);
  const out = need <= scratch.length ? scratch : Buffer.allocUnsafeSlow(need);
  if (out !== scratch && need <= KEEP_BYTES) scratch = out;
  let pos = 0;
  let ascii = true;
  for (const p of pieces) {
    if (typeof p !== 'string') {
      pos = writeFloat32Array(p, out, pos);
      continue;
    }
    const n = out.write(p, pos, 'utf8');
    if (n !== p.length) ascii = false;
    pos += n;
  }
  // JSON.stringify's text is well-formed UTF-16 (lone surrogates are escaped), so UTF-8 reads back the same.
  return out.toString(ascii ? 'latin1' : 'utf8', 0, pos);
};

/** gzip or deflate when Accept-Encoding lists it with a non-zero q (gzip first, as Triton prefers). */
const encodingFor = (accept: string | string[] | undefined): keyof typeof ENCODERS | undefined => {
  const offered = new Set(
    String(accept ?? '')
      .split(',')
      .map((part) => part.trim().toLowerCase().split(';'))
      .filter(([, q]) => !/^\s*q=0(\.0*)?\s*$/.test(q ?? ''))
      .map(([name]) => name.trim()),
  );
  if (offered.has('gzip')) return 'gzip';
  if (offered.has('deflate')) return 'deflate';
  return undefined;
};

/** Encoded size of an answer, without encoding a string that is surely small (UTF-8 takes 1–3 bytes a char). */
const byteSize = (payload: Buffer | string): number => {
  if (typeof payload !== 'string') return payload.length;
  if (payload.length * 3 < COMPRESS_MIN_BYTES) return payload.length;
  return Buffer.byteLength(payload, 'utf8');
};

const send = async (reply: FastifyReply, type: string, payload: Buffer | string) => {
  const encoding =
    byteSize(payload) >= COMPRESS_MIN_BYTES
      ? encodingFor(reply.request.headers['accept-encoding'])
      : undefined;
  if (!encoding) return reply.type(type).send(payload);
  const compressed = await ENCODERS[encoding](
    typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload,
  );
  return reply
    .type(type)
    .header('content-encoding', encoding)
    .header('vary', 'accept-encoding')
    .send(compressed);
};

export const sendInferAnswer = (reply: FastifyReply, { body, chunks }: InferAnswer) => {
  const text = stringifyInferResponse(body);
  if (chunks.length === 0) return send(reply, JSON_TYPE, text);
  const header = Buffer.from(text, 'utf8');
  reply.header(HEADER_LENGTH, String(header.length));
  return send(reply, 'application/octet-stream', Buffer.concat([header, ...chunks]));
};
