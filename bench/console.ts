// Console benchmark: the built bundle's gzip size, and first load in a fresh headless Chromium (no cache)
// to the load event, against the Swagger UI page at /docs served by the same
// server in the same run (the baseline: the only UI Quiver had), interleaved round by round.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../packages/console/test/support/browser.ts';
import { CONSOLE_DIST, startConsoleServer } from '../packages/console/test/support/server.ts';
import { fmt, table } from './lib/report.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

const gzipKiB = (paths: string[]) => ({
  raw: paths.reduce((s, p) => s + statSync(p).size, 0) / 1024,
  gzip: paths.reduce((s, p) => s + gzipSync(readFileSync(p), { level: 9 }).length, 0) / 1024,
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

export const main = async () => {
  const consoleFiles = filesUnder(CONSOLE_DIST).filter((p) => /\.(js|css|html)$/.test(p));
  const swaggerDir = join(dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui')), 'static');
  const swaggerFiles = filesUnder(swaggerDir).filter((p) =>
    /swagger-ui(-bundle|-standalone-preset)?\.(js|css)$/.test(p),
  );
  const ours = gzipKiB(consoleFiles);
  const theirs = gzipKiB(swaggerFiles);

  const server = await startConsoleServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  /** Wall-clock from navigation to the load event in a fresh context (empty cache), measured by the driver. */
  const load = async (url: string) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(url, { waitUntil: 'load' });
    const ms = performance.now() - started;
    await context.close();
    return ms;
  };
  const runs = { console: [] as number[], docs: [] as number[] };
  try {
    await load(`${server.base}/console/`);
    await load(`${server.base}/docs`);
    for (let i = 0; i < ROUNDS; i++) {
      runs.console.push(await load(`${server.base}/console/`));
      runs.docs.push(await load(`${server.base}/docs`));
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`console bundle: ${consoleFiles.length} files; Swagger UI: ${swaggerFiles.length} files`);
  console.log(
    table([
      {
        page: '/console (login)',
        'raw KiB': ours.raw,
        'gzip KiB': ours.gzip,
        'load ms (median)': median(runs.console),
      },
      {
        page: '/docs (Swagger UI)',
        'raw KiB': theirs.raw,
        'gzip KiB': theirs.gzip,
        'load ms (median)': median(runs.docs),
      },
    ]),
  );
  console.log(
    `ratio console/docs: gzip ${fmt(ours.gzip / theirs.gzip, 2)}, load ${fmt(median(runs.console) / median(runs.docs), 2)} (median of ${ROUNDS} cold loads each, interleaved)`,
  );
};
