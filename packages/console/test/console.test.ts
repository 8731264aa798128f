// The console end to end in a real browser (Debian's Chromium, headless) against a real Quiver: sign in,
// watch the overview move with traffic, upload a model by drag and drop, move a canary slider, pause a
// rollout, open a search hit's score parts, preview recommendations; refused keys show a message.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { type Browser, launchBrowser } from './support/browser.ts';
import { type ConsoleServer, startConsoleServer } from './support/server.ts';

const WAIT_MS = 30_000;

/** Page code (a string: this file is typed for Node) that drops a file on the drop zone as a user would. */
const dropFile = (name: string, bytes: Buffer) => `(() => {
  const data = Uint8Array.from(atob('${bytes.toString('base64')}'), (c) => c.charCodeAt(0));
  const dt = new DataTransfer();
  dt.items.add(new File([data], '${name}', { type: 'application/octet-stream' }));
  const zone = document.querySelector('[data-testid=dropzone]');
  zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
  zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
})()`;

describe('web console', () => {
  let s: ConsoleServer;
  let b: Browser;
  let page: Page;

  const signIn = async (key: string) => {
    await page.goto(`${s.base}/console/`);
    const signOut = page.getByRole('button', { name: 'Sign out' });
    const keyField = page.getByLabel('API key');
    // A key kept from an earlier sign-in is checked first ("Checking the key…"): wait for the form or the
    // signed-in view, or the check below can run before either shows and wait for a form that never comes.
    await signOut.or(keyField).waitFor();
    if (await signOut.isVisible()) await signOut.click();
    await keyField.fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const open = async (name: string) => {
    await page.getByRole('navigation').getByRole('link', { name }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
  };
  const alertText = async () => {
    const alert = page.getByRole('alert').first();
    await alert.waitFor({ timeout: WAIT_MS });
    return alert.innerText();
  };

  before(async () => {
    s = await startConsoleServer();
    b = await launchBrowser();
    page = b.page;
  });
  after(async () => {
    await b?.close();
    await s?.close();
  });

  test('a bad key shows the problem on the sign-in page', async () => {
    await signIn('qk_not-a-real-key');
    assert.match(await alertText(), /Missing or invalid credentials/);
    assert.equal(await page.evaluate('sessionStorage.length'), 0);
    await b.screenshot('login-bad-key');
  });

  test('an expired key shows a clear message', async () => {
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    const made = await s.t.request({
      method: 'POST',
      url: '/v1/tenants/shop/keys',
      headers: s.t.operator,
      payload: { name: 'short', scopes: ['admin'], expiresAt },
    });
    assert.equal(made.statusCode, 201, made.body);
    const scoped = await s.t.request({
      method: 'POST',
      url: '/v1/tenants/shop/keys/scoped',
      headers: s.t.operator,
      payload: { expiresInS: 1 },
    });
    assert.equal(scoped.statusCode, 201, scoped.body);
    await new Promise((r) => setTimeout(r, 2_100));
    // A full key says nothing about why (unknown, revoked or expired); the page names all three.
    await signIn(made.json().secret);
    const full = await alertText();
    assert.match(full, /Missing or invalid credentials/);
    assert.match(full, /expired/);
    // A scoped key past its expiry says so.
    await signIn(scoped.json().secret);
    assert.match(await alertText(), /expired/i);
  });

  test('the operator sees the overview chart move after traffic', async () => {
    await signIn(s.operatorKey);
    await page.getByTestId('role').filter({ hasText: 'Operator key' }).waitFor();
    const total = page.getByTestId('total-requests');
    await total.waitFor();
    const before = Number(await total.innerText());
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${s.base}/v1/items?limit=2`, { headers: s.tenant });
      assert.equal(res.status, 200);
    }
    // The page refreshes itself every few seconds; the server writes its windows every 250 ms here.
    const deadline = Date.now() + WAIT_MS;
    while (Number(await total.innerText()) < before + 12) {
      assert.ok(Date.now() < deadline, `the overview stayed at ${await total.innerText()} requests`);
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(await page.getByTestId('chart-Requests/s').innerText(), /Requests\/s/);
    await page.getByRole('cell', { name: 'shop' }).waitFor();
    await b.screenshot('overview');
  });

  test('a tenant key on the operator page sees why, not a blank page', async () => {
    await signIn(s.tenantKey);
    await page.getByTestId('role').filter({ hasText: 'Tenant key' }).waitFor();
    await open('Tenants & keys');
    const text = await alertText();
    assert.match(text, /Not allowed/);
    assert.match(text, /operator/);
    await b.screenshot('tenants-as-tenant');
  });

  test('a model version uploads by drag and drop', async () => {
    await open('Models');
    await page.getByRole('button', { name: /ranker/ }).waitFor();
    await page.getByTestId('version-1').waitFor();
    await page.evaluate(dropFile('ranker-v2.onnx', s.rankerV2));
    await page.getByTestId('version-2').waitFor({ timeout: WAIT_MS });
    const stored = await s.t.request({ url: '/v1/models/ranker/versions/2', headers: s.tenant });
    assert.equal(stored.statusCode, 200);
    await page.getByLabel('To version').selectOption('2');
    await page.getByRole('button', { name: 'Move' }).click();
    await page.getByTestId('version-2').getByText('champion').waitFor({ timeout: WAIT_MS });
    await b.screenshot('models');
  });

  test('moving the canary slider changes the endpoint', async () => {
    const put = await s.t.request({
      method: 'PUT',
      url: '/v1/endpoints/home',
      headers: s.tenant,
      payload: {
        routes: [
          { model: 'ranker', version: 1, weight: 90, variant: 'stable' },
          { model: 'ranker', version: 2, weight: 10, variant: 'canary' },
        ],
        fallback: [{ model: 'ranker', version: 1 }],
      },
    });
    assert.equal(put.statusCode, 201, put.body);
    await open('Endpoints');
    await page.getByTestId('share-canary').filter({ hasText: '10%' }).waitFor();
    await page.getByLabel('canary').fill('90');
    await page.getByTestId('share-canary').filter({ hasText: '50%' }).waitFor();
    await page.getByRole('button', { name: 'Apply weights' }).click();
    await page.getByText(/Routes \(revision 2\)/).waitFor({ timeout: WAIT_MS });
    const ep = (await s.t.request({ url: '/v1/endpoints/home', headers: s.tenant })).json();
    assert.deepEqual(
      ep.routes.map((r: { variant: string; weight: number }) => [r.variant, r.weight]),
      [
        ['stable', 90],
        ['canary', 90],
      ],
    );
    await page.getByTestId('history').getByText('canary=90').waitFor();
    await b.screenshot('endpoints');
  });

  test('a running rollout is paused from its page', async () => {
    const reset = await s.t.request({
      method: 'PUT',
      url: '/v1/endpoints/home',
      headers: s.tenant,
      payload: {
        routes: [{ model: 'ranker', version: 1, weight: 100 }],
        fallback: [{ model: 'ranker', version: 1 }],
      },
    });
    assert.equal(reset.statusCode, 200, reset.body);
    const started = await s.t.request({
      method: 'POST',
      url: '/v1/endpoints/home/rollouts',
      headers: s.tenant,
      payload: { candidate: { model: 'ranker', version: 2 }, steps: [5, 25, 100], stepDuration: '10m' },
    });
    assert.equal(started.statusCode, 201, started.body);
    const id = started.json().id;
    await open('Rollouts');
    await page.getByLabel('Endpoint').selectOption('home');
    await page
      .getByTestId(`rollout-status-${id}`)
      .filter({ hasText: 'running' })
      .waitFor({ timeout: WAIT_MS });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page
      .getByTestId(`rollout-status-${id}`)
      .filter({ hasText: 'paused' })
      .waitFor({ timeout: WAIT_MS });
    const stored = (
      await s.t.request({ url: `/v1/endpoints/home/rollouts/${id}`, headers: s.tenant })
    ).json();
    assert.equal(stored.status, 'paused');
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    await b.screenshot('rollouts');
  });

  test('a search shows which retriever found each hit and its score parts', async () => {
    await open('Search');
    await page.getByRole('searchbox', { name: 'Query' }).fill('speaker');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const first = page.getByTestId('hit').first();
    await first.waitFor({ timeout: WAIT_MS });
    assert.match(await first.innerText(), /keyword/);
    await first.getByText('Score parts').click();
    const parts = first.getByTestId('score-parts');
    await parts.waitFor();
    const text = await parts.innerText();
    assert.match(text, /score[\s\S]*found by[\s\S]*keyword/);
    // The server's score parts (explain: true) through the SDK: the keyword retriever's own BM25 score and rank.
    const bm25 = /keyword BM25\s+(\d+\.\d{4}) \(rank (\d+)\)/.exec(text);
    assert.ok(bm25 && Number(bm25[1]) > 0 && Number(bm25[2]) >= 1, text);
    await b.screenshot('search');
  });

  test('recommendations preview with explanations', async () => {
    await open('Recommendations');
    await page.getByLabel('Scenario').selectOption('bought-together');
    await page.getByLabel(/Cart item ids/).fill('speaker-1');
    await page.getByRole('button', { name: 'Preview' }).click();
    const list = page.getByTestId('recommendations');
    await list.waitFor({ timeout: WAIT_MS });
    const text = await list.innerText();
    assert.match(text, /Speaker cable/);
    assert.match(text, /bought with/i);
    await b.screenshot('recommendations');
  });

  test('every other page renders without an error', async () => {
    const shows = {
      Experiments: 'Sample ratio',
      'Catalog & events': 'Bluetooth speaker',
      Training: 'No runs yet',
    };
    for (const [name, text] of Object.entries(shows)) {
      await open(name);
      await page.getByText(text).first().waitFor({ timeout: WAIT_MS });
      assert.equal(await page.getByRole('alert').count(), 0, `${name} shows an error`);
      await b.screenshot(name.split(' ')[0].toLowerCase());
    }
  });
});
