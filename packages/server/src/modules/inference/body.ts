// Reads /v2 infer bodies: JSON with or without a Content-Type (as Triton's clients send it), or framed by
// Triton's binary tensor data extension (a JSON header of Inference-Header-Content-Length bytes, then raw tensors).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { QuiverError } from '../../kernel/index.ts';
import { JsonSyntaxError, parseExactJson } from './exact-json.ts';
import { parseTensorJson } from './tensor-json.ts';

export const HEADER_LENGTH = 'inference-header-content-length';
const TYPES = new Set(['application/json', 'application/octet-stream']);

/**
 * An integer literal of 16 or more digits right after `[`, `,`, `:` or whitespace: the only literals JSON.parse
 * may round (2^53 has 16 digits). Bodies without one take the fast native parse; the rest the exact parser.
 */
const LONG_INTEGER = /[[,:\s]-?\d{16}/;
/** A bare NaN, Infinity or Inf token (Triton's non-finite floats), which JSON.parse refuses. */
const NON_FINITE = /[[,:\s]-?(?:NaN|Inf)/;

const invalidJson = (error: unknown): QuiverError =>
  new QuiverError('malformed_json', `The body is not valid JSON: ${(error as Error).message}`, {
    cause: error,
  });

/**
 * JSON as JSON.parse reads it, except that integers in tensor data keep every digit (see exact-json.ts): the
 * text path, for bodies the byte reader below leaves (and the one that names a syntax error).
 */
export const parseInferJson = (text: string): unknown => {
  try {
    if (LONG_INTEGER.test(text) || NON_FINITE.test(text)) return parseExactJson(text);
    return JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof JsonSyntaxError) throw invalidJson(error);
    throw error;
  }
};

/**
 * An infer body's JSON (UTF-8 bytes) as parseInferJson reads its text, except that flat numeric tensor data is
 * read straight into typed arrays (see tensor-json.ts): first from the bytes, with no string of the whole body
 * (data arrays of short numbers only, where neither a long integer nor a bare NaN can be); anything else from
 * the decoded text, as before.
 */
export const parseInferBody = (bytes: Buffer): unknown =>
  parseTensorJson(bytes) ?? parseInferJson(bytes.toString('utf8'));

/** The raw tensor bytes that followed each framed body's JSON header. */
const binaryParts = new WeakMap<object, Buffer>();

/** The bytes after the JSON header of a binary-framed request, or undefined for a plain JSON body. */
export const binaryOf = (body: unknown): Buffer | undefined =>
  typeof body === 'object' && body !== null ? binaryParts.get(body) : undefined;

const headerLength = (request: FastifyRequest, size: number): number | undefined => {
  const given = request.headers[HEADER_LENGTH];
  if (given === undefined) return undefined;
  if (typeof given !== 'string' || !/^\d{1,10}$/.test(given)) {
    throw new QuiverError('invalid_header', 'Inference-Header-Content-Length must be a byte count');
  }
  const length = Number(given);
  if (length > size) {
    throw new QuiverError(
      'validation_failed',
      `Inference-Header-Content-Length is ${length} but the body has ${size} bytes`,
    );
  }
  return length;
};

const parseBody = (request: FastifyRequest, body: Buffer): unknown => {
  const type = request.headers['content-type'];
  if (type !== undefined && !TYPES.has(type.split(';')[0].trim().toLowerCase())) {
    throw new QuiverError(
      'unsupported_media_type',
      `Content-Type '${type}' is not supported; send application/json, application/octet-stream or none`,
    );
  }
  const length = headerLength(request, body.length);
  if (length === undefined) return parseInferBody(body);
  const header = parseInferBody(body.subarray(0, length));
  if (typeof header === 'object' && header !== null) binaryParts.set(header, body.subarray(length));
  return header;
};

/**
 * Body parsers of the /v2 plugin (its own encapsulation context, so /v1 keeps answering 415): JSON, octet-stream
 * and no Content-Type at all alike. Other types get 415 from the catch-all.
 */
export const registerInferBodyParsers = (app: FastifyInstance): void => {
  app.removeContentTypeParser('application/json');
  const parser = (
    request: FastifyRequest,
    body: Buffer,
    done: (err: Error | null, body?: unknown) => void,
  ) => {
    try {
      done(null, parseBody(request, body));
    } catch (error) {
      done(error as Error);
    }
  };
  for (const type of ['application/json', 'application/octet-stream', '*'])
    app.addContentTypeParser(type, { parseAs: 'buffer' }, parser);
};
