// One request to the API for the resource commands, through `@quiver/sdk`'s transport: no retries, a short
// connect check so a missing server is reported within seconds, and HTTP errors mapped to exit codes.
import { createTransport, isQuiverError, type Query } from '@quiver/sdk';
import { CliError, EXIT, HttpError, type ProblemBody } from './errors.ts';
import type { Target } from './profile.ts';

export const CONNECT_TIMEOUT_MS = 2_000;
export const DEFAULT_TIMEOUT_MS = 30_000;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequest {
  method?: Method;
  path: string;
  query?: Query;
  body?: unknown;
  /** Raw bytes (model uploads) instead of JSON. */
  bytes?: Uint8Array;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface Api {
  readonly url: string;
  request<T = unknown>(req: ApiRequest): Promise<T>;
}

/** HTTP status → exit code; documented in `quiver --help` and the README. */
export const exitCodeFor = (status: number): number => {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 429) return EXIT.tempfail;
  if (status === 503 || status === 502 || status === 504) return EXIT.unavailable;
  if (status === 404) return EXIT.notFound;
  if (status === 409 || status === 412) return EXIT.conflict;
  if (status >= 400 && status < 500) return EXIT.input;
  return EXIT.software;
};

const describeNetworkError = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return 'no answer in time';
  return cause?.code ?? cause?.message ?? (error as Error).message;
};

/** Fails within CONNECT_TIMEOUT_MS when nothing answers at the URL (the import's retries wait far longer). */
export const checkReachable = async (url: string, doFetch: typeof fetch = fetch): Promise<void> => {
  const root = url.replace(/\/+$/, '');
  try {
    await doFetch(`${root}/livez`, { signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS) });
  } catch (error) {
    throw new CliError(
      `No Quiver server answers at ${root} (${describeNetworkError(error)}). Start one with npm start, or ` +
        'pass --url / set QUIVER_URL.',
      EXIT.unavailable,
    );
  }
};

export const createApi = (target: Target, doFetch: typeof fetch = fetch): Api => {
  const root = target.url.replace(/\/+$/, '');
  const transport = createTransport({
    baseUrl: root,
    apiKey: target.key ?? '',
    maxRetries: 0,
    fetch: doFetch,
  });
  let reachable: Promise<void> | undefined;
  return {
    url: root,
    async request<T>(req: ApiRequest): Promise<T> {
      reachable ??= checkReachable(root, doFetch);
      await reachable;
      const query = Object.fromEntries(Object.entries(req.query ?? {}).filter(([, v]) => v !== ''));
      const method = req.method ?? (req.body === undefined && !req.bytes ? 'GET' : 'POST');
      try {
        const body = await transport.call<T>(
          {
            method,
            path: req.path,
            query,
            json: req.bytes ? undefined : req.body,
            raw: req.bytes
              ? { data: req.bytes, contentType: req.headers?.['content-type'] ?? 'application/octet-stream' }
              : undefined,
            headers: req.headers,
          },
          { timeoutMs: req.timeoutMs ?? DEFAULT_TIMEOUT_MS },
        );
        return (body ?? {}) as T;
      } catch (error) {
        if (!isQuiverError(error)) throw error;
        if (error.status === 0) {
          const reason = error.code === 'timeout' ? 'no answer in time' : describeNetworkError(error.cause);
          throw new CliError(`${method} ${req.path}: ${reason}`, EXIT.unavailable, { cause: error });
        }
        const problem = error.problem as ProblemBody | undefined;
        const fields = error.errors.map((e) => `\n  ${e.path}: ${e.message}`).join('');
        const hint =
          error.status === 401 && !target.key
            ? ' (no API key: pass --key, set QUIVER_KEY or add a profile)'
            : '';
        throw new HttpError(
          `${method} ${req.path} answered ${error.status} ${error.code}: ${error.detail}${fields}${hint}`,
          exitCodeFor(error.status),
          error.status,
          problem,
        );
      }
    },
  };
};
