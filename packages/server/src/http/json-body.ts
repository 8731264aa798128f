// The JSON body parser of /v1: Fastify's own (with prototype-poisoning protection) behind a depth bound.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonTooDeep, jsonTooDeepError } from '../kernel/index.ts';

type Done = (err: Error | null, body?: unknown) => void;

/** A content-type parser (`parseAs: 'string'`) that refuses JSON nested deeper than MAX_JSON_DEPTH. */
export const boundedJsonParser = (app: FastifyInstance) => {
  const parse = app.getDefaultJsonParser('error', 'error');
  return (request: FastifyRequest, body: string | Buffer, done: Done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonTooDeep(text)) return done(jsonTooDeepError());
    return parse(request, text, done);
  };
};

/** Replaces the app's `application/json` parser with the bounded one. */
export const registerBoundedJson = (app: FastifyInstance): void => {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, boundedJsonParser(app));
};
