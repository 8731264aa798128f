// The web console at /console: the built single-page app's files, index.html for any other path under it
// (client-side routes), and a clear answer when the build is missing. Nothing is fetched from elsewhere.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendProblem } from './problem.ts';

/** Where `npm run build` writes the console (packages/console/dist), relative to this file. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../console/dist', import.meta.url));
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
/** Hashed file names under assets/ never change; index.html must be read again to find new ones. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Quiver console not built</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>The Quiver console is not built</h1>
<p>Run <code>npm run build</code> in the Quiver checkout, then reload this page. The API itself is running.</p>
</body></html>`;

const sendFile = (reply: FastifyReply, path: string, cache: string) =>
  reply
    .header('content-type', CONTENT_TYPES[extname(path)] ?? 'application/octet-stream')
    .header('cache-control', cache)
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .send(createReadStream(path));

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

export const registerConsole = (app: FastifyInstance, dir: string = DEFAULT_CONSOLE_DIR): void => {
  const root = resolve(dir);
  const serve = async (wanted: string, accept: string | undefined, reply: FastifyReply) => {
    const index = join(root, 'index.html');
    if (!existsSync(index)) {
      if (accept?.includes('text/html'))
        return reply.code(503).header('content-type', 'text/html; charset=utf-8').send(NOT_BUILT_PAGE);
      return sendProblem(reply, 'unavailable', 'The console is not built: run `npm run build`, then reload');
    }
    const path = normalize(join(root, wanted));
    if (wanted && path.startsWith(root + sep) && isFile(path))
      return sendFile(reply, path, wanted.startsWith('assets/') ? IMMUTABLE : 'no-cache');
    return sendFile(reply, index, 'no-cache');
  };
  const config = { access: { public: true } };
  const schema = { hide: true };
  app.get('/console', { config, schema }, (_, reply) => reply.redirect('/console/'));
  app.get<{ Params: { '*': string } }>('/console/*', { config, schema }, (request, reply) =>
    serve(request.params['*'], request.headers.accept, reply),
  );
};
