// A small JSON client for the Quiver API with retries: backoff on 429/502/503/504 and network errors.
import { CliError, EXIT, HttpError, type ProblemBody } from './errors.ts';

export const DEFAULT_MAX_ATTEMPTS = 10;
export const DEFAULT_BASE_DELAY_MS = 250;
export const DEFAULT_MAX_DELAY_MS = 30_000;
/** A Retry-After longer than this is not waited for in full. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
const RETRY_STATUSES = new Set([429, 502, 503, 504]);

export interface RetryInfo {
  path: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface ClientDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface ClientOptions {
  url: string;
  key: string;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  onRetry?: (info: RetryInfo) => void;
}

export interface ApiClient {
  /** POSTs JSON and returns the parsed 2xx body; retries what is worth retrying, else throws HttpError. */
  post<T>(path: string, body: unknown): Promise<T>;
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export const retryAfterMs = (header: string | null, now = Date.now()): number | undefined => {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
};

const readProblem = async (response: Response): Promise<{ text: string; problem?: ProblemBody }> => {
  const text = await response.text().catch(() => '');
  try {
    const problem = JSON.parse(text) as ProblemBody;
    return { text: [problem.code, problem.detail].filter(Boolean).join(': ') || text, problem };
  } catch {
    return { text: text.slice(0, 500) };
  }
};

const refusal = (path: string, status: number, text: string, problem?: ProblemBody): HttpError => {
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

export const createClient = (deps: ClientDeps, options: ClientOptions): ApiClient => {
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const base = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const cap = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const root = options.url.replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${options.key}`, 'content-type': 'application/json' };
  const backoff = (attempt: number) => Math.min(cap, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);

  return {
    async post<T>(path: string, body: unknown): Promise<T> {
      const payload = JSON.stringify(body);
      for (let attempt = 1; ; attempt++) {
        let reason: string;
        let delayMs: number;
        try {
          const response = await doFetch(`${root}${path}`, {
            method: 'POST',
            headers,
            body: payload,
            signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
          });
          if (response.ok) return (await response.json()) as T;
          const { text, problem } = await readProblem(response);
          if (!RETRY_STATUSES.has(response.status)) throw refusal(path, response.status, text, problem);
          reason = `${response.status} ${text}`;
          const asked = retryAfterMs(response.headers.get('retry-after'));
          delayMs = asked === undefined ? backoff(attempt) : Math.min(asked, MAX_RETRY_AFTER_MS);
        } catch (error) {
          if (error instanceof CliError) throw error;
          const cause = (error as { cause?: { code?: string; message?: string } }).cause;
          reason = cause?.code ?? cause?.message ?? (error as Error).message;
          delayMs = backoff(attempt);
        }
        if (attempt >= maxAttempts) {
          throw new CliError(
            `POST ${path} failed ${attempt} times, last: ${reason}. Progress is saved; run again to continue.`,
            EXIT.unavailable,
          );
        }
        options.onRetry?.({ path, attempt, delayMs, reason });
        await sleep(delayMs);
      }
    },
  };
};
