// The examples run against a live server: model-push (build, push, serve, roll out) and the storefront's logic
// (scoped key, search, trending), the latter also through the SDK's browser build (dist/, built here).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { runModelPush } from '../../../examples/model-push/push.ts';
import { mintStorefrontKey } from '../../../examples/storefront/mint-key.ts';
// @ts-expect-error plain JavaScript, as a browser page loads it (no type declarations)
import { createStorefront } from '../../../examples/storefront/storefront.js';
import type { BrowserClientOptions, Quiver } from '../src/index.ts';
import { client, eventually, type LiveServer, startLiveServer, TEST_TIMEOUT_MS } from './support.ts';

const SDK_DIR = join(import.meta.dirname, '..');
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('examples', () => {
  let server: LiveServer;
  let quiver: Quiver;
  before(async () => {
    server = await startLiveServer();
    quiver = client(server.url, await server.tenant('example-shop'));
  });
  after(() => server.close());

  test('model-push: pushes v1, serves it through an endpoint, rolls out v2 and reads the rollout', async () => {
    const lines: string[] = [];
    const result = await runModelPush(quiver, (line) => lines.push(line));
    assert.deepEqual([result.v1, result.v2], [1, 2]);
    // v1's weights [1.5, 0.8, -0.4], bias 0.1 on the two sample rows.
    const expected = [
      sigmoid(0.2 * 1.5 + 0.9 * 0.8 + 0.5 * -0.4 + 0.1),
      sigmoid(0.8 * 1.5 + 0.1 * 0.8 + 0.3 * -0.4 + 0.1),
    ];
    for (const [i, s] of result.served.entries())
      assert.ok(Math.abs(s - expected[i]) < 1e-5, `${s} vs ${expected[i]}`);
    assert.equal(result.rollout.status, 'running');
    assert.equal(result.rollout.percent, 10);
    assert.equal(result.rollout.decisions[0].action, 'start');
    const endpoint = await quiver.endpoints.get('example-home');
    assert.deepEqual(
      endpoint.routes.map((r) => [r.version, r.weight]),
      [
        [1, 90],
        [2, 10],
      ],
    );
    assert.ok(lines.some((l) => l.startsWith('rollout ro_')));
    // Running it again finds what exists: the same bytes answer the same versions, a rollout is already active.
    await assert.rejects(
      runModelPush(quiver, () => {}),
      { status: 409 },
    );
    assert.equal((await quiver.models.versions('example-ranker')).versions.length, 2);
  });

  test('storefront: a scoped key searches in-stock items and reads trending, from Node and the browser build', async () => {
    const now = Date.now();
    await quiver.items.batch([
      { id: 'lamp-1', title: 'Brass table lamp', brand: 'Hearth', available: true },
      { id: 'lamp-2', title: 'Paper floor lamp', brand: 'Lumo', available: true },
      { id: 'lamp-3', title: 'Glass desk lamp', brand: 'Lumo', available: false },
      { id: 'rug-1', title: 'Wool rug', brand: 'Hearth', available: true },
    ]);
    const events = ['lamp-2', 'lamp-2', 'lamp-2', 'rug-1', 'lamp-1'].map((itemId, i) => ({
      id: `p${i}`,
      type: 'purchase',
      userId: `u${i}`,
      itemId,
      timestamp: new Date(now - (i + 1) * 60_000).toISOString(),
    }));
    assert.equal((await quiver.events.send(events)).accepted, 5);
    const run = await quiver.trainers.run('popularity', { params: { halfLifeDays: 7 } });
    const done = await eventually(async () => {
      const r = await quiver.trainers.runs.get(run.id);
      return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
    }, 120_000);
    assert.equal(done.status, 'succeeded', done.error ?? '');

    const scoped = await mintStorefrontKey(quiver, 'example-shop');
    const check = async (shop: ReturnType<typeof createStorefront>) => {
      const found = await eventually(async () => {
        const answer = await shop.search('lamp');
        return answer.total >= 2 ? answer : undefined;
      });
      assert.deepEqual(found.hits.map((h: { item: { id: string } }) => h.item.id).sort(), [
        'lamp-1',
        'lamp-2',
      ]);
      const trending = await shop.trending(3);
      assert.equal(trending.items[0].id, 'lamp-2');
      assert.ok(trending.recommendationId.length > 0);
    };
    await check(
      createStorefront({ baseUrl: server.url, scopedKey: scoped.secret, timeoutMs: TEST_TIMEOUT_MS }),
    );

    // The page's module graph as a browser gets it: the tsc ESM build, no node: imports, nothing else.
    execFileSync(
      process.execPath,
      [join(SDK_DIR, '../../node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: SDK_DIR,
      },
    );
    const browserJs = join(SDK_DIR, 'dist/browser.js');
    assert.ok(existsSync(browserJs));
    const built = (await import(pathToFileURL(browserJs).href)) as {
      createBrowserClient: (o: BrowserClientOptions) => {
        search: { query: (r: { query: string }) => Promise<{ total: number }> };
      };
    };
    const page = built.createBrowserClient({
      baseUrl: server.url,
      scopedKey: scoped.secret,
      timeoutMs: TEST_TIMEOUT_MS,
    });
    assert.equal((await page.search.query({ query: 'lamp' })).total, 2);
  });
});
