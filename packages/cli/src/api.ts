// One request to the API for the resource commands: no retries, a short connect check so a missing server
// is reported within seconds, and HTTP errors mapped to the CLI's exit codes.
import { CliError, EXIT, HttpError, type ProblemBody } from './errors.ts';
import type { Target } from './profile.ts';

export const CONNECT_TIMEOUT_MS = 2_000;
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface ApiRequest {
  method?: string;
  path: string;
  query?: Record<string, string | number | undefined>;
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
  let reachable: Promise<void> | undefined;
  return {
    url: root,
    async request<T>(req: ApiRequest): Promise<T> {
      reachable ??= checkReachable(root, doFetch);
      await reachable;
      const query = Object.entries(req.query ?? {}).filter(([, v]) => v !== undefined && v !== '');
      const qs =
        query.length > 0
          ? `?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, String(v)]))}`
          : '';
      const headers: Record<string, string> = { ...(req.headers ?? {}) };
      if (target.key) headers.authorization = `Bearer ${target.key}`;
      let body: Uint8Array | string | undefined;
      if (req.bytes) {
        body = req.bytes;
        headers['content-type'] ??= 'application/octet-stream';
      } else if (req.body !== undefined) {
        body = JSON.stringify(req.body);
        headers['content-type'] = 'application/json';
      }
      const method = req.method ?? (body === undefined ? 'GET' : 'POST');
      let response: Response;
      try {
        response = await doFetch(`${root}${req.path}${qs}`, {
          method,
          headers,
          body,
          signal: AbortSignal.timeout(req.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        });
      } catch (error) {
        throw new CliError(`${method} ${req.path}: ${describeNetworkError(error)}`, EXIT.unavailable);
      }
      const text = await response.text();
      if (response.ok) return (text ? JSON.parse(text) : {}) as T;
      let problem: ProblemBody | undefined;
      try {
        problem = JSON.parse(text) as ProblemBody;
      } catch {}
      const fields = (problem?.errors ?? []).map((e) => `\n  ${e.path}: ${e.message}`).join('');
      const detail = problem
        ? `${problem.code ?? ''}: ${problem.detail ?? (problem as { error?: string }).error ?? ''}`
        : text.slice(0, 300);
      const hint =
        response.status === 401 && !target.key
          ? ' (no API key: pass --key, set QUIVER_KEY or add a profile)'
          : '';
      throw new HttpError(
        `${method} ${req.path} answered ${response.status} ${detail}${fields}${hint}`,
        exitCodeFor(response.status),
        response.status,
        problem,
      );
    },
  };
};
