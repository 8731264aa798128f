// QuiverError: every failure of an SDK call, from a problem+json answer or from the transport itself.
import type { Problem, ProblemCode } from '@quiver/contracts';

/** Codes the SDK itself gives when no HTTP answer came (status 0). */
export type TransportCode = 'network_error' | 'timeout' | 'aborted';
/** A server code from the contracts' catalogue, a transport code, or `http_<status>` for a non-problem answer. */
export type QuiverErrorCode = ProblemCode | TransportCode | `http_${number}`;

export interface FieldError {
  /** JSON pointer of the failing field, e.g. `/items/3/title` or `/headers/idempotency-key`. */
  path: string;
  message: string;
}

export interface QuiverErrorInit {
  status: number;
  code: QuiverErrorCode;
  detail: string;
  title?: string;
  errors?: FieldError[];
  requestId?: string;
  retryAfterMs?: number;
  attempts?: number;
  problem?: Problem;
  cause?: unknown;
}

export class QuiverError extends Error {
  override readonly name = 'QuiverError';
  /** The HTTP status, or 0 when the server never answered (network error, timeout, abort). */
  readonly status: number;
  readonly code: QuiverErrorCode;
  readonly title: string | undefined;
  readonly detail: string;
  /** Field errors of a validation problem (empty otherwise). */
  readonly errors: FieldError[];
  /** The server's `X-Request-Id` for this answer: quote it when asking about a failure. */
  readonly requestId: string | undefined;
  /** What the server's `Retry-After` asked for, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** How many attempts the call made before giving up. */
  readonly attempts: number;
  /** The problem+json body as received, when there was one. */
  readonly problem: Problem | undefined;

  constructor(init: QuiverErrorInit) {
    super(init.status ? `${init.status} ${init.code}: ${init.detail}` : `${init.code}: ${init.detail}`, {
      cause: init.cause,
    });
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.errors = init.errors ?? [];
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = init.attempts ?? 1;
    this.problem = init.problem;
  }
}

export const isQuiverError = (value: unknown): value is QuiverError => value instanceof QuiverError;
