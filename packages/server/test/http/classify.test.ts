// The one error path: each kind of thrown value → its classification, and /v1 (problem+json) and /v2 (OIP)
// answering the same error with the same status, Retry-After and WWW-Authenticate.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  classifyError,
  DEFAULT_RETRY_AFTER_S,
  type ErrorAnswer,
  errorHeaders,
} from '../../src/http/classify.ts';
import { handleError } from '../../src/http/problem.ts';
import { QuiverError } from '../../src/kernel/index.ts';
import { handleOipError } from '../../src/modules/inference/errors.ts';

const REQUEST_ID = 'req-7';
const INTERNAL = `An internal error occurred; quote request id ${REQUEST_ID} when reporting it`;

/** An error as Fastify and its plugins throw them: a message with a `code` and a `statusCode`. */
const fastifyError = (code: string, statusCode: number, message: string) =>
  Object.assign(new Error(message), { code, statusCode });

const validationError = (context: string, validation: object[]) =>
  Object.assign(new Error('invalid'), {
    code: 'FST_ERR_VALIDATION',
    statusCode: 400,
    validation,
    validationContext: context,
  });

const syntaxError = (statusCode?: number) =>
  Object.assign(new SyntaxError('Unexpected end of JSON input'), statusCode ? { statusCode } : {});

type Expected = Omit<ErrorAnswer, 'log'> & { log?: ErrorAnswer['log'] };

const CASES: [name: string, thrown: unknown, expected: Expected][] = [
  [
    'a QuiverError keeps its code, status and detail',
    new QuiverError('not_found', "item 'x' was not found"),
    { code: 'not_found', status: 404, detail: "item 'x' was not found" },
  ],
  [
    'a QuiverError keeps its field errors',
    new QuiverError('validation_failed', 'title is required', {
      errors: [{ path: '/title', message: 'is required' }],
    }),
    {
      code: 'validation_failed',
      status: 400,
      detail: 'title is required',
      errors: [{ path: '/title', message: 'is required' }],
    },
  ],
  [
    'a 429 keeps its own Retry-After',
    new QuiverError('rate_limited', 'Too many requests; retry in 3 s', { retryAfterS: 3 }),
    { code: 'rate_limited', status: 429, detail: 'Too many requests; retry in 3 s', retryAfterS: 3 },
  ],
  [
    'a 409 may carry a Retry-After',
    new QuiverError('idempotency_in_progress', 'not finished', { retryAfterS: 1 }),
    { code: 'idempotency_in_progress', status: 409, detail: 'not finished', retryAfterS: 1 },
  ],
  [
    'a 503 naming its wait keeps it, logged at warn',
    new QuiverError('unavailable', 'Redis is not available; retry shortly', {
      retryAfterS: 5,
      cause: new Error('x'),
    }),
    {
      code: 'unavailable',
      status: 503,
      detail: 'Redis is not available; retry shortly',
      retryAfterS: 5,
      log: 'warn',
    },
  ],
  [
    'a 503 naming no wait gets the default Retry-After',
    new QuiverError('unavailable', 'rebuilding'),
    {
      code: 'unavailable',
      status: 503,
      detail: 'rebuilding',
      retryAfterS: DEFAULT_RETRY_AFTER_S,
      log: 'warn',
    },
  ],
  [
    'a 504 is expected, logged at warn',
    new QuiverError('deadline_exceeded', 'the deadline passed'),
    { code: 'deadline_exceeded', status: 504, detail: 'the deadline passed', log: 'warn' },
  ],
  [
    'an internal QuiverError is logged at error; its detail was written for the client',
    new QuiverError('internal', 'version 1 failed to load', { cause: new Error('ENOENT /var/x') }),
    { code: 'internal', status: 500, detail: 'version 1 failed to load', log: 'error' },
  ],
  [
    'a missing key asks for credentials',
    new QuiverError('unauthenticated', 'Send an API key', { challenge: 'credentials_required' }),
    { code: 'unauthenticated', status: 401, detail: 'Send an API key', challenge: 'credentials_required' },
  ],
  [
    'an expired scoped key says so in its challenge',
    new QuiverError('key_expired', 'mint a new one', { challenge: 'token_expired' }),
    { code: 'key_expired', status: 401, detail: 'mint a new one', challenge: 'token_expired' },
  ],
  [
    'query validation names the parameter under /query',
    validationError('querystring', [
      { instancePath: '/limit', keyword: 'minimum', params: {}, message: 'must be >= 1', schemaPath: '' },
    ]),
    {
      code: 'validation_failed',
      status: 400,
      detail: 'The request querystring is invalid: /query/limit must be >= 1',
      errors: [{ path: '/query/limit', message: 'must be >= 1' }],
    },
  ],
  [
    'body validation points into the body; a missing property is "is required"',
    validationError('body', [
      { instancePath: '', keyword: 'required', params: { missingProperty: 'title' }, schemaPath: '' },
      { instancePath: '/price', keyword: 'type', params: {}, message: 'must be object', schemaPath: '' },
    ]),
    {
      code: 'validation_failed',
      status: 400,
      detail: 'The request body is invalid: /title is required; /price must be object',
      errors: [
        { path: '/title', message: 'is required' },
        { path: '/price', message: 'must be object' },
      ],
    },
  ],
  [
    "Fastify's invalid JSON body",
    fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400, 'Body is not valid JSON'),
    { code: 'malformed_json', status: 400, detail: 'The body is not valid JSON: Body is not valid JSON' },
  ],
  [
    "Fastify's empty JSON body",
    fastifyError('FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'Body cannot be empty'),
    { code: 'malformed_json', status: 400, detail: 'The body is not valid JSON: Body cannot be empty' },
  ],
  [
    "Fastify's body limit",
    fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413, 'Request body is too large'),
    { code: 'payload_too_large', status: 413, detail: 'Request body is too large' },
  ],
  [
    "Fastify's unsupported media type",
    fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'Unsupported Media Type'),
    { code: 'unsupported_media_type', status: 415, detail: 'Unsupported Media Type' },
  ],
  [
    "Fastify's bad Content-Length",
    fastifyError('FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'Request body size did not match Content-Length'),
    { code: 'validation_failed', status: 400, detail: 'Request body size did not match Content-Length' },
  ],
  [
    "a parser's SyntaxError with status 400",
    syntaxError(400),
    {
      code: 'malformed_json',
      status: 400,
      detail: 'The body is not valid JSON: Unexpected end of JSON input',
    },
  ],
  [
    'a SyntaxError without a status is a bug, not bad input',
    syntaxError(),
    { code: 'internal', status: 500, detail: INTERNAL, log: 'error' },
  ],
  [
    "a plugin's status-coded 4xx keeps its status and message",
    fastifyError('E_PLUGIN_DENIED', 403, 'Access denied by the plugin'),
    { code: 'forbidden', status: 403, detail: 'Access denied by the plugin' },
  ],
  [
    'a 4xx without a code in the catalogue is internal',
    fastifyError('FST_INVALID_MULTIPART_CONTENT_TYPE', 406, 'the request is not multipart'),
    { code: 'internal', status: 500, detail: INTERNAL, log: 'error' },
  ],
  [
    "Fastify's 503 while closing says when to retry, without its message",
    fastifyError('FST_ERR_CLOSING', 503, 'Service Unavailable'),
    {
      code: 'unavailable',
      status: 503,
      detail: 'The service is not available right now',
      retryAfterS: DEFAULT_RETRY_AFTER_S,
    },
  ],
  [
    'an unknown error never shows its message',
    new Error('connect ECONNREFUSED 10.0.0.7:5432 at pg/lib/client.ts:12:3'),
    { code: 'internal', status: 500, detail: INTERNAL, log: 'error' },
  ],
  ['a thrown string is internal', 'oops', { code: 'internal', status: 500, detail: INTERNAL, log: 'error' }],
  [
    'a thrown undefined is internal',
    undefined,
    { code: 'internal', status: 500, detail: INTERNAL, log: 'error' },
  ],
];

describe('classifyError', () => {
  for (const [name, thrown, expected] of CASES) {
    test(name, () => {
      assert.deepEqual(classifyError(thrown, REQUEST_ID), { log: 'none', ...expected });
    });
  }

  test('every 503 carries a Retry-After', () => {
    for (const [, thrown] of CASES) {
      const answer = classifyError(thrown, REQUEST_ID);
      if (answer.status === 503) assert.ok((answer.retryAfterS ?? 0) >= 1, JSON.stringify(answer));
    }
  });
});

describe('errorHeaders', () => {
  test('Retry-After in whole seconds, and each challenge as a Bearer WWW-Authenticate', () => {
    assert.deepEqual(errorHeaders({}), {});
    assert.deepEqual(errorHeaders({ retryAfterS: 2 }), { 'retry-after': '2' });
    assert.deepEqual(errorHeaders({ retryAfterS: 0.2 }), { 'retry-after': '1' });
    assert.deepEqual(errorHeaders({ challenge: 'credentials_required' }), { 'www-authenticate': 'Bearer' });
    assert.deepEqual(errorHeaders({ challenge: 'invalid_token' }), {
      'www-authenticate': 'Bearer error="invalid_token"',
    });
    assert.deepEqual(errorHeaders({ challenge: 'token_expired' }), {
      'www-authenticate': 'Bearer error="invalid_token", error_description="expired"',
    });
  });
});

describe('the /v1 and /v2 renderers', () => {
  let app: FastifyInstance;
  let thrown: unknown;
  before(async () => {
    app = Fastify({ genReqId: () => REQUEST_ID });
    app.setErrorHandler(handleError);
    app.get('/v1/throw', async () => {
      throw thrown;
    });
    await app.register(
      async (v2) => {
        v2.setErrorHandler(handleOipError);
        v2.get('/throw', async () => {
          throw thrown;
        });
      },
      { prefix: '/v2' },
    );
    await app.ready();
  });
  after(() => app.close());

  for (const [name, error, expected] of CASES.filter(([, e]) => e instanceof Error)) {
    test(`agree on ${name}`, async () => {
      thrown = error;
      const v1 = await app.inject({ method: 'GET', url: '/v1/throw' });
      const v2 = await app.inject({ method: 'GET', url: '/v2/throw' });
      assert.equal(v1.statusCode, expected.status);
      assert.equal(v2.statusCode, expected.status);
      for (const header of ['retry-after', 'www-authenticate'])
        assert.equal(v1.headers[header], v2.headers[header]);
      assert.equal(v1.headers['retry-after'], errorHeaders(expected)['retry-after']);
      assert.match(String(v1.headers['content-type']), /^application\/problem\+json/);
      assert.match(String(v2.headers['content-type']), /^application\/json/);
      const problem = v1.json();
      assert.deepEqual(
        { code: problem.code, status: problem.status, detail: problem.detail, errors: problem.errors },
        { code: expected.code, status: expected.status, detail: expected.detail, errors: expected.errors },
      );
      assert.equal(problem.instance, '/v1/throw');
      assert.equal(problem.requestId, REQUEST_ID);
      assert.deepEqual(v2.json(), { error: expected.detail });
    });
  }
});
