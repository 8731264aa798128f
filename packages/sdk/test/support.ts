// Test helpers: a real Quiver listening on a port, keys for it, and a tiny real HTTP proxy in front of it.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Scope } from '@quiver/contracts';
import { startTestApp, TEST_OPERATOR_KEY, type TestApp } from '../../server/test/support/app.ts';
import { STORAGE_KINDS } from '../../server/test/support/storage.ts';
import { createQuiver, type QuiverOptions } from '../src/index.ts';

export interface LiveServer {
  app: TestApp;
  url: string;
  operatorKey: string;
  /** A tenant and the raw secret of a key with these scopes. */
  tenant(id: string, scopes?: Scope[], limits?: Parameters<TestApp['tenant']>[2]): Promise<string>;
  close(): Promise<void>;
}

/** A real app on embedded storage (the SDK only speaks HTTP), on a free port. */
export const startLiveServer = async (
  overrides: Parameters<typeof startTestApp>[1] = {},
): Promise<LiveServer> => {
  const app = await startTestApp(STORAGE_KINDS[0], overrides);
  const url = await app.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    url,
    operatorKey: TEST_OPERATOR_KEY,
    async tenant(id, scopes = ['admin'], limits) {
      return (await app.tenant(id, scopes, limits)).authorization.replace(/^Bearer /, '');
    },
    close: () => app.close(),
  };
};

/**
 * Generous per-call budget for tests on a loaded shared machine (a tenant's first search may wait on its
 * index build); tests of the timeout itself pass their own.
 */
export const TEST_TIMEOUT_MS = 120_000;

/** A client with short retry waits, so tests that exercise backoff stay quick. */
export const client = (url: string, apiKey: string, options: Partial<QuiverOptions> = {}) =>
  createQuiver({ baseUrl: url, apiKey, retryBaseDelayMs: 20, timeoutMs: TEST_TIMEOUT_MS, ...options });

export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the proxy does with the nth request (1-based): forward it, or answer/fail on its own. */
export type ProxyAction =
  | { kind: 'forward' }
  /** Answers itself, as a load balancer with no healthy upstream would. */
  | { kind: 'refuse'; status: number; retryAfter?: string }
  /** Forwards, lets the server answer, then cuts the client's connection: the answer is lost. */
  | { kind: 'lose-answer' }
  /** Never answers (until the proxy closes). */
  | { kind: 'hang' };

export interface TestProxy {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

/** A real HTTP proxy to `target`; `plan(n)` says what to do with the nth request. */
export const startProxy = async (target: string, plan: (n: number) => ProxyAction): Promise<TestProxy> => {
  const upstream = new URL(target);
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: body.toString() });
      const action = plan(seen.length);
      if (action.kind === 'hang') return;
      if (action.kind === 'refuse') {
        res.writeHead(action.status, {
          'content-type': 'text/plain',
          ...(action.retryAfter !== undefined ? { 'retry-after': action.retryAfter } : {}),
        });
        res.end('upstream not ready');
        return;
      }
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          if (action.kind === 'lose-answer') {
            answer.resume();
            answer.on('end', () => req.socket.destroy());
            return;
          }
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => req.socket.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/** Polls `check` until it returns a value (not undefined), failing after `timeoutMs`. */
export const eventually = async <T>(check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
