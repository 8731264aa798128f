// The catalogue of stable error codes a problem+json answer carries, with their HTTP statuses.

/** Every `code` the server answers, and its status: one table, so a code without a status does not compile. */
export const ERROR_STATUS = {
  validation_failed: 400,
  malformed_json: 400,
  invalid_cursor: 400,
  invalid_header: 400,
  bad_url: 400,
  unauthenticated: 401,
  key_expired: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  already_exists: 409,
  idempotency_key_reused: 409,
  idempotency_in_progress: 409,
  recommender_not_trained: 409,
  precondition_failed: 412,
  precondition_required: 428,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  headers_too_large: 431,
  quota_exceeded: 429,
  internal: 500,
  unavailable: 503,
  deadline_exceeded: 504,
} as const satisfies Record<string, number>;

export type ProblemCode = keyof typeof ERROR_STATUS;
