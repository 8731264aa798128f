// /console: the built files with their types, index.html for client-side routes, nothing outside the
// folder, and a clear answer (a page for browsers, a problem otherwise) while the console is not built.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../support/app.ts';
import { STORAGE_KINDS } from '../support/storage.ts';

describe('/console', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-console-dist-'));
  let built: TestApp;
  let unbuilt: TestApp;
  before(async () => {
    mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'dist', 'assets', 'app-1.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'outside');
    built = await startTestApp(STORAGE_KINDS[0], {}, undefined, { consoleDir: join(dir, 'dist') });
    unbuilt = await startTestApp(STORAGE_KINDS[0], {}, undefined, { consoleDir: join(dir, 'missing') });
  });
  after(async () => {
    await built?.close();
    await unbuilt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves assets with their type and a long cache, and index.html for client routes', async () => {
    const asset = await built.request({ url: '/console/assets/app-1.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    for (const url of ['/console/', '/console/endpoints', '/console/models/ranker']) {
      const page = await built.request({ url });
      assert.equal(page.statusCode, 200, url);
      assert.match(page.body, /<title>console<\/title>/);
      assert.equal(page.headers['cache-control'], 'no-cache');
      assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    }
    const bare = await built.request({ url: '/console' });
    assert.equal(bare.statusCode, 302);
    assert.equal(bare.headers.location, '/console/');
  });

  test('never serves a file outside the folder', async () => {
    for (const url of ['/console/../secret.txt', '/console/%2e%2e/secret.txt', '/console/..%2fsecret.txt']) {
      const res = await built.request({ url });
      assert.doesNotMatch(res.body, /outside/, url);
    }
  });

  test('without a build: a page saying to build for browsers, a problem for others', async () => {
    const page = await unbuilt.request({ url: '/console/', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 503);
    assert.match(page.body, /npm run build/);
    const api = await unbuilt.request({ url: '/console/overview', headers: { accept: 'application/json' } });
    assert.equal(api.statusCode, 503);
    assert.match(String(api.headers['content-type']), /^application\/problem\+json/);
    assert.match(api.json().detail, /npm run build/);
  });
});
