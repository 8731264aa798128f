// The one error path's decision: any thrown value → the code, status, client-safe detail, field errors,
// Retry-After and auth challenge of its answer, and how loudly to log it. The /v1 (problem+json) and /v2
// (Open Inference Protocol) renderers only format an ErrorAnswer, so the two cannot drift apart.
import type { ErrorObject } from 'ajv';
import type { FastifyBaseLogger } from 'fastify';
import {
  type AuthChallenge,
  ERROR_STATUS,
  type ErrorCode,
  type FieldError,
  isQuiverError,
  toFieldErrors,
} from '../kernel/index.ts';

/** What a 503 tells clients to wait when its error names no other time, in seconds. */
export const DEFAULT_RETRY_AFTER_S = 1;

export interface ErrorAnswer {
  code: ErrorCode;
  status: number;
  /** Safe to show to the client: an unknown error's message never gets here. */
  detail: string;
  errors?: FieldError[];
  /** Set on every 503. */
  retryAfterS?: number;
  challenge?: AuthChallenge;
  log: 'none' | 'warn' | 'error';
}

/** The fields of Fastify's (and its plugins') errors that the classifier reads. */
interface StatusError {
  message?: string;
  code?: string;
  statusCode?: number;
  validation?: readonly ErrorObject[];
  validationContext?: string;
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_VALIDATION: 'validation_failed',
};

/** Client-error statuses of errors without a known code; any other status is answered as internal. */
const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** Where a request part's field errors point: `/query/limit`, `/params/itemId`; body pointers are bare. */
const PART_PREFIX: Record<string, string> = { querystring: '/query', params: '/params', headers: '/headers' };

/** The answer for a code: its status from the catalogue, and a Retry-After on every 503. */
export const answerFor = (
  code: ErrorCode,
  detail: string,
  options: Partial<Pick<ErrorAnswer, 'errors' | 'retryAfterS' | 'challenge' | 'log'>> = {},
): ErrorAnswer => {
  const status = ERROR_STATUS[code];
  const retryAfterS = options.retryAfterS ?? (status === 503 ? DEFAULT_RETRY_AFTER_S : undefined);
  return {
    code,
    status,
    detail,
    ...(options.errors && options.errors.length > 0 ? { errors: options.errors } : {}),
    ...(retryAfterS === undefined ? {} : { retryAfterS }),
    ...(options.challenge ? { challenge: options.challenge } : {}),
    log: options.log ?? 'none',
  };
};

/** Classifies any thrown value; `requestId` goes into an internal error's detail for the client to quote. */
export const classifyError = (error: unknown, requestId: string): ErrorAnswer => {
  if (isQuiverError(error)) {
    const { status } = error;
    // 503 and 504 are expected under load or an outage (the client is told to retry); other 5xx are bugs.
    const log = status < 500 ? 'none' : status === 503 || status === 504 ? 'warn' : 'error';
    return answerFor(error.code, error.message, {
      errors: error.errors,
      retryAfterS: error.retryAfterS,
      challenge: error.challenge,
      log,
    });
  }
  const e: StatusError = typeof error === 'object' && error !== null ? error : {};
  if (e.validation) {
    const part = e.validationContext ?? 'body';
    const errors = toFieldErrors(e.validation, PART_PREFIX[part] ?? '');
    const detail = `The request ${part} is invalid: ${errors.map((f) => `${f.path} ${f.message}`).join('; ')}`;
    return answerFor('validation_failed', detail, { errors });
  }
  const status = e.statusCode ?? 500;
  const code =
    (e.code && FASTIFY_CODES[e.code]) ||
    (error instanceof SyntaxError && status === 400 ? 'malformed_json' : undefined) ||
    (status < 500 ? STATUS_CODES[status] : undefined);
  if (code && status < 500) {
    const message = e.message ?? '';
    return answerFor(code, code === 'malformed_json' ? `The body is not valid JSON: ${message}` : message);
  }
  if (status === 503) return answerFor('unavailable', 'The service is not available right now');
  return answerFor(
    'internal',
    `An internal error occurred; quote request id ${requestId} when reporting it`,
    { log: 'error' },
  );
};

/** Logs a classified error at its level: a QuiverError by its cause, anything else whole. */
export const logError = (log: FastifyBaseLogger, error: unknown, answer: ErrorAnswer) => {
  if (answer.log === 'none') return;
  if (isQuiverError(error)) log[answer.log]({ err: error.cause ?? error }, error.message);
  else log[answer.log]({ err: error }, 'unhandled error');
};

const CHALLENGE_HEADER: Record<AuthChallenge, string> = {
  credentials_required: 'Bearer',
  invalid_token: 'Bearer error="invalid_token"',
  token_expired: 'Bearer error="invalid_token", error_description="expired"',
};

/** The only place Retry-After and WWW-Authenticate are written for an error, on /v1 and /v2 alike. */
export const errorHeaders = (
  answer: Pick<ErrorAnswer, 'retryAfterS' | 'challenge'>,
): Record<string, string> => ({
  ...(answer.retryAfterS === undefined ? {} : { 'retry-after': String(Math.ceil(answer.retryAfterS)) }),
  ...(answer.challenge ? { 'www-authenticate': CHALLENGE_HEADER[answer.challenge] } : {}),
});
