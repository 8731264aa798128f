// One HTTP call with retries: fetch only, an Idempotency-Key per logical POST, a deadline and an AbortSignal.
import type { Problem } from '@quiver/contracts';
import { QuiverError, type QuiverErrorCode } from './errors.ts';
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_RETRY_CAP_MS,
  delayBeforeRetry,
  parseRetryAfter,
  RETRY_STATUSES,
  type RetryPolicy,
} from './retry.ts';

/** The whole call's budget, retries and their waits included. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface RetryInfo {
  /** The attempt that failed (1-based); the next one is `attempt + 1`. */
  attempt: number;
  delayMs: number;
  error: QuiverError;
}

export interface TransportOptions {
  /** Where Quiver answers, e.g. `http://localhost:8080` (a path prefix is kept). */
  baseUrl: string;
  /** A tenant key, the operator key, or a scoped `qs_…` key. */
  apiKey: string;
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Sent on every call (a `User-Agent` in Node, say). */
  headers?: Record<string, string>;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  onRetry?: (info: RetryInfo) => void;
  /** Statuses worth another attempt (default 429 and 503; a CLI behind a proxy adds 502 and 504). */
  retryStatuses?: ReadonlySet<number>;
  /** One attempt's budget: an attempt without an answer by then is abandoned and retried (default: none). */
  attemptTimeoutMs?: number;
}

/** Per-call settings every SDK method takes as its last argument. */
export interface CallOptions {
  signal?: AbortSignal;
  /** This call's budget, retries included (default: the client's `timeoutMs`). */
  timeoutMs?: number;
  maxRetries?: number;
  /** POST only: the key this logical call is sent (and retried) under; one is made up when absent. */
  idempotencyKey?: string;
  /** Sent as `X-Request-Id` on every attempt. */
  requestId?: string;
  headers?: Record<string, string>;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | boolean | undefined>;

export interface HttpRequest {
  method: Method;
  /** Path with its parameters already encoded (see `path`). */
  path: string;
  query?: Query;
  /** A JSON body. */
  json?: unknown;
  /** The JSON body's media type (default application/json; merge-patch for PATCH). */
  contentType?: string;
  /** A body sent as is (re-sendable on retry): model artifacts. */
  raw?: { data: Uint8Array | Blob | string | FormData; contentType?: string };
  /** A POST that only reads (search, recommendations, features, infer): retried without an Idempotency-Key. */
  read?: boolean;
  headers?: Record<string, string>;
}

export interface HttpAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Encodes each interpolated value as one path segment: `path\`/v1/items/${id}\``. */
export const path = (strings: TemplateStringsArray, ...values: (string | number)[]): string =>
  strings.reduce(
    (out, s, i) => out + s + (i < values.length ? encodeURIComponent(String(values[i])) : ''),
    '',
  );

const newKey = (): string => {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return `sdk-${c.randomUUID()}`;
  // randomUUID needs a secure context in browsers; getRandomValues does not.
  const bytes = c.getRandomValues(new Uint8Array(16));
  return `sdk-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
};

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

const readBody = async (res: Response): Promise<unknown> => {
  if (res.status === 204 || res.status === 304) return undefined;
  const text = await res.text();
  if (text === '') return undefined;
  return /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
};

/** A non-2xx answer as a QuiverError: problem+json, the inference protocol's `{error}`, or anything else. */
const errorOf = async (res: Response, attempts: number): Promise<QuiverError> => {
  let body: unknown;
  try {
    body = await readBody(res);
  } catch {
    body = undefined;
  }
  const problem = typeof body === 'object' && body !== null && 'code' in body ? (body as Problem) : undefined;
  const oip = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  return new QuiverError({
    status: res.status,
    code: (problem?.code as QuiverErrorCode | undefined) ?? `http_${res.status}`,
    title: problem?.title,
    detail: problem?.detail ?? (typeof oip === 'string' ? oip : res.statusText || `HTTP ${res.status}`),
    errors: problem?.errors,
    requestId: res.headers.get('x-request-id') ?? problem?.requestId,
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    attempts,
    problem,
  });
};

export interface Transport {
  send<T>(request: HttpRequest, options?: CallOptions): Promise<HttpAnswer<T>>;
  /** `send` for the body only. */
  call<T>(request: HttpRequest, options?: CallOptions): Promise<T>;
}

export const createTransport = (options: TransportOptions): Transport => {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const retryStatuses = options.retryStatuses ?? RETRY_STATUSES;
  /** Whether another attempt can succeed where this one failed. */
  const retryable = (error: QuiverError): boolean =>
    // A spent quota stays spent until next month: a 429 worth no retry.
    (error.status === 0 || retryStatuses.has(error.status) || error.code === 'idempotency_in_progress') &&
    error.code !== 'quota_exceeded';
  const policyOf = (call: CallOptions): RetryPolicy => ({
    maxRetries: call.maxRetries ?? options.maxRetries ?? DEFAULT_MAX_RETRIES,
    baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_MS,
    maxDelayMs: options.retryMaxDelayMs ?? DEFAULT_RETRY_CAP_MS,
  });

  const urlOf = (request: HttpRequest): string => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(request.query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${base}${request.path}${qs ? `?${qs}` : ''}`;
  };

  const headersOf = (request: HttpRequest, call: CallOptions, key: string | undefined) => {
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      ...options.headers,
      ...request.headers,
      ...call.headers,
    };
    // No key (a local server's open routes, a CLI without a profile): no header rather than `Bearer `.
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    if (request.json !== undefined) headers['content-type'] = request.contentType ?? 'application/json';
    // FormData sets its own multipart boundary.
    if (request.raw?.contentType) headers['content-type'] = request.raw.contentType;
    if (key !== undefined) headers['idempotency-key'] = key;
    if (call.requestId !== undefined) headers['x-request-id'] = call.requestId;
    return headers;
  };

  const send = async <T>(request: HttpRequest, call: CallOptions = {}): Promise<HttpAnswer<T>> => {
    const policy = policyOf(call);
    // One key per logical call, the same on every retry: the server answers a retry with the first answer.
    const key = request.method === 'POST' && !request.read ? (call.idempotencyKey ?? newKey()) : undefined;
    const init = {
      method: request.method,
      headers: headersOf(request, call, key),
      // A Node Buffer is a Uint8Array over ArrayBufferLike, which DOM's BodyInit type does not name; fetch takes it.
      body: (request.json !== undefined
        ? JSON.stringify(request.json)
        : request.raw?.data) as RequestInit['body'],
    };
    const url = urlOf(request);
    const budget = call.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = new AbortController();
    let ended: 'timeout' | 'aborted' | undefined;
    const timer = setTimeout(() => {
      ended ??= 'timeout';
      deadline.abort(new Error(`no answer within ${budget} ms`));
    }, budget);
    const onAbort = () => {
      ended ??= 'aborted';
      deadline.abort(call.signal?.reason);
    };
    if (call.signal?.aborted) onAbort();
    else call.signal?.addEventListener('abort', onAbort, { once: true });
    const stopped = (attempts: number, cause: unknown) =>
      new QuiverError({
        status: 0,
        code: ended!,
        detail: ended === 'timeout' ? `no answer within ${budget} ms` : 'the call was aborted',
        attempts,
        cause,
      });

    try {
      for (let attempt = 1; ; attempt++) {
        let error: QuiverError;
        try {
          const signal =
            options.attemptTimeoutMs === undefined
              ? deadline.signal
              : AbortSignal.any([deadline.signal, AbortSignal.timeout(options.attemptTimeoutMs)]);
          const res = await doFetch(url, { ...init, signal });
          if (res.ok || res.status === 304) {
            return { status: res.status, headers: res.headers, body: (await readBody(res)) as T };
          }
          error = await errorOf(res, attempt);
        } catch (cause) {
          if (ended) throw stopped(attempt, cause);
          if (cause instanceof SyntaxError) throw cause;
          const slow = (cause as Error | undefined)?.name === 'TimeoutError';
          error = new QuiverError({
            status: 0,
            code: 'network_error',
            detail: slow
              ? `no answer within ${options.attemptTimeoutMs} ms`
              : cause instanceof Error
                ? cause.message
                : String(cause),
            attempts: attempt,
            cause,
          });
        }
        const delayMs =
          retryable(error) && attempt <= policy.maxRetries
            ? delayBeforeRetry(attempt - 1, policy, error.retryAfterMs)
            : undefined;
        if (delayMs === undefined) throw error;
        options.onRetry?.({ attempt, delayMs, error });
        try {
          await sleep(delayMs, deadline.signal);
        } catch (cause) {
          throw stopped(attempt, cause);
        }
      }
    } finally {
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', onAbort);
    }
  };

  return {
    send,
    call: async <T>(request: HttpRequest, call?: CallOptions) => (await send<T>(request, call)).body,
  };
};
