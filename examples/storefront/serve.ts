// Serves the storefront page and the SDK's browser build (packages/sdk/dist) on http://localhost:5173.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

const PORT = Number(process.env.PORT ?? 5173);
const PAGE_DIR = import.meta.dirname;
const SDK_DIR = join(import.meta.dirname, '../../packages/sdk/dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.map': 'application/json',
};

createServer(async (req, res) => {
  const path = normalize(new URL(req.url ?? '/', 'http://x').pathname);
  const file = path.startsWith('/sdk/')
    ? join(SDK_DIR, path.slice(5))
    : join(PAGE_DIR, path === '/' ? 'index.html' : path);
  // No path may leave the two folders it serves.
  if (!file.startsWith(PAGE_DIR) && !file.startsWith(SDK_DIR))
    return void res.writeHead(404).end('not found');
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
}).listen(PORT, '127.0.0.1', () => console.log(`storefront on http://localhost:${PORT}/`));
