// The one catalogue of error codes: domain code throws codes, the HTTP layer maps them to statuses.

import { ERROR_STATUS } from '@quiver/contracts';

/** The code → status table lives in contracts, so clients (the SDK) type the codes they may see. */
export { ERROR_STATUS };

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_TITLE: Record<ErrorCode, string> = {
  validation_failed: 'Request validation failed',
  malformed_json: 'Malformed JSON body',
  invalid_cursor: 'Invalid pagination cursor',
  invalid_header: 'Invalid header',
  bad_url: 'Malformed URL',
  unauthenticated: 'Missing or invalid credentials',
  key_expired: 'The API key has expired',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  route_not_found: 'No such route',
  method_not_allowed: 'Method not allowed',
  request_timeout: 'Request timeout',
  conflict: 'Conflict',
  already_exists: 'Already exists',
  idempotency_key_reused: 'Idempotency key reused with a different request',
  idempotency_in_progress: 'A request with this idempotency key is still in progress',
  recommender_not_trained: 'No recommender is trained for this scenario yet',
  precondition_failed: 'Precondition failed',
  precondition_required: 'Precondition required',
  payload_too_large: 'Payload too large',
  uri_too_long: 'URI too long',
  unsupported_media_type: 'Unsupported media type',
  unprocessable: 'Unprocessable content',
  rate_limited: 'Rate limit exceeded',
  headers_too_large: 'Request header fields too large',
  quota_exceeded: 'Quota exceeded',
  internal: 'Internal error',
  unavailable: 'Service unavailable',
  deadline_exceeded: 'Deadline exceeded',
};

export interface FieldError {
  path: string;
  message: string;
}

/** What a 401 asks of the client; the HTTP layer renders it as `WWW-Authenticate`. */
export type AuthChallenge = 'credentials_required' | 'invalid_token' | 'token_expired';

export interface QuiverErrorOptions {
  errors?: FieldError[];
  /** How long the client should wait before retrying, in seconds (a 503 without one gets a default). */
  retryAfterS?: number;
  challenge?: AuthChallenge;
  cause?: unknown;
}

/** An expected failure with a stable code; its `detail` is safe to show to the client. */
export class QuiverError extends Error {
  readonly code: ErrorCode;
  readonly errors?: FieldError[];
  readonly retryAfterS?: number;
  readonly challenge?: AuthChallenge;

  constructor(code: ErrorCode, detail: string, options: QuiverErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QuiverError';
    this.code = code;
    this.errors = options.errors;
    this.retryAfterS = options.retryAfterS;
    this.challenge = options.challenge;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const isQuiverError = (e: unknown): e is QuiverError => e instanceof QuiverError;

export const notFound = (what: string, id: string) =>
  new QuiverError('not_found', `${what} '${id}' was not found`);
