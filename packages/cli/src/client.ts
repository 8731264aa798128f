// The import's JSON client: `@quiver/sdk`'s transport with the CLI's patience — ten attempts, 429/502/503/504
// and network errors retried under one Idempotency-Key per batch, Retry-After honoured up to five minutes.
import { createTransport, isQuiverError, type QuiverError, type Transport } from '@quiver/sdk';
import { CliError, EXIT, HttpError, type ProblemBody } from './errors.ts';

export const DEFAULT_MAX_ATTEMPTS = 10;
export const DEFAULT_BASE_DELAY_MS = 250;
/** The longest wait between two attempts, a server's Retry-After included. */
export const MAX_RETRY_DELAY_MS = 5 * 60_000;
/** One attempt's budget; the whole call's is the attempts' and waits' sum. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

export interface RetryInfo {
  path: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface ClientOptions {
  url: string;
  key: string;
  maxAttempts?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
  onRetry?: (info: RetryInfo) => void;
}

export interface PostOptions {
  /** A POST that only reads (search): retried without an Idempotency-Key. */
  read?: boolean;
}

export interface ApiClient {
  /** POSTs JSON and returns the parsed 2xx body; retries what is worth retrying, else throws HttpError. */
  post<T>(path: string, body: unknown, options?: PostOptions): Promise<T>;
}

/** What went wrong with no answer, as short as the socket says it (`ECONNREFUSED`). */
export const networkReason = (error: QuiverError): string => {
  const cause = (error.cause as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  return cause?.code ?? cause?.message ?? error.detail;
};

const reasonOf = (error: QuiverError): string =>
  error.status === 0 ? networkReason(error) : `${error.status} ${error.code}: ${error.detail}`;

const refusal = (path: string, error: QuiverError): HttpError => {
  const { status } = error;
  const text = `${error.code}: ${error.detail}`;
  const problem = error.problem as ProblemBody | undefined;
  const fail = (message: string, exitCode: number) => new HttpError(message, exitCode, status, problem);
  if (status === 401) {
    return fail(
      `The server refused the API key (401 ${text}). Pass --key, set QUIVER_KEY, or start the server ` +
        'once so that data/credentials.json holds the demo key.',
      EXIT.auth,
    );
  }
  if (status === 403) {
    return fail(
      `The API key may not call POST ${path} (403 ${text}); it needs the catalog:write and events:write ` +
        'scopes (or admin).',
      EXIT.auth,
    );
  }
  if (status === 404) {
    return fail(`The server has no POST ${path} (404 ${text}); is it a Quiver server?`, EXIT.unavailable);
  }
  return fail(`POST ${path} answered ${status}: ${text}`, EXIT.unavailable);
};

export const createClient = (options: ClientOptions): ApiClient => {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const attemptTimeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // The transport reports retries without the path; one transport per path keeps `onRetry` naming it.
  const transports = new Map<string, Transport>();
  const transportFor = (path: string): Transport => {
    let transport = transports.get(path);
    if (!transport) {
      transport = createTransport({
        baseUrl: options.url,
        apiKey: options.key,
        maxRetries: maxAttempts - 1,
        retryBaseDelayMs: options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
        retryMaxDelayMs: MAX_RETRY_DELAY_MS,
        retryStatuses: RETRY_STATUSES,
        attemptTimeoutMs,
        // Every attempt may use its whole budget and every wait its longest.
        timeoutMs: maxAttempts * (attemptTimeoutMs + MAX_RETRY_DELAY_MS),
        onRetry: ({ attempt, delayMs, error }) =>
          options.onRetry?.({ path, attempt, delayMs, reason: reasonOf(error) }),
      });
      transports.set(path, transport);
    }
    return transport;
  };

  return {
    async post<T>(path: string, body: unknown, post: PostOptions = {}): Promise<T> {
      try {
        return await transportFor(path).call<T>({ method: 'POST', path, json: body, read: post.read });
      } catch (error) {
        if (!isQuiverError(error)) throw error;
        if (error.status !== 0 && !RETRY_STATUSES.has(error.status)) throw refusal(path, error);
        throw new CliError(
          `POST ${path} failed ${error.attempts} times, last: ${reasonOf(error)}. Progress is saved; run ` +
            'again to continue.',
          EXIT.unavailable,
          { cause: error },
        );
      }
    },
  };
};
