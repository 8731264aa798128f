// Scoped keys through HTTP on both storage kinds: minting, embedded filters that no request can escape
// (or-trees, facets, cursors, pins), a pinned user, expiry, revocation and rotation, search/recommend-only
// access on every other route, tenant isolation, forged and tampered tokens, and bad input.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BatchItem, SearchResponse } from '@quiver/contracts';
import { waitForFeatures } from '../../../src/modules/features/index.ts';
import { bearer, startTestApp, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const HOUR_MS = 3_600_000;
const BRANDS = ['Acme', 'Sonic', 'Nordic'];
const CATEGORIES = ['home/lighting', 'home/furniture', 'electronics/audio'];
const items: BatchItem[] = Array.from({ length: 60 }, (_, i) => ({
  id: `item-${String(i).padStart(2, '0')}`,
  title: `${['desk', 'floor', 'wall'][i % 3]} lamp model ${i}`,
  brand: BRANDS[i % 3],
  categories: [CATEGORIES[(i * 7) % 3]],
  price: { amount: 10 + ((i * 13) % 200), currency: 'EUR' },
  available: i % 4 !== 0,
}));
const isAcme = (i: BatchItem) => i.brand === 'Acme';
const ids = (r: SearchResponse) => r.hits.map((h) => h.item.id);

/** A token with its payload rewritten but its old signature kept. */
const tamper = (token: string, change: (claims: Record<string, unknown>) => void): string => {
  const [body, signature] = token.slice('qs_'.length).split('.');
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  change(claims);
  return `qs_${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
};

for (const kind of STORAGE_KINDS) {
  describe(`scoped keys on ${kind.name}`, () => {
    let t: TestApp;
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    let adminA: Record<string, string>;
    let adminB: Record<string, string>;

    const mint = (body: object, headers = adminA, tenant = 'shop-a') =>
      t.request({ method: 'POST', url: `/v1/tenants/${tenant}/keys/scoped`, headers, payload: body });
    const minted = async (body: object, headers = adminA, tenant = 'shop-a') => {
      const res = await mint(body, headers, tenant);
      assert.equal(res.statusCode, 201, res.body);
      return bearer(res.json().secret);
    };
    const search = (headers: Record<string, string>, body: object) =>
      t.request({ method: 'POST', url: '/v1/search', headers, payload: { mode: 'keyword', ...body } });
    const found = async (headers: Record<string, string>, body: object): Promise<SearchResponse> => {
      const res = await search(headers, body);
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const problem = (
      res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
      what = '',
    ) => {
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, what);
      return res.json() as { code: string; errors?: Array<{ path: string; message: string }> };
    };

    before(async () => {
      t = await startTestApp(kind, {}, clock, { vectors: null });
      adminA = await t.tenant('shop-a');
      adminB = await t.tenant('shop-b');
      for (const [headers, batch] of [
        [adminA, items],
        [adminB, [{ id: 'b-secret', title: 'Desk lamp only B sells', brand: 'Acme' }]],
      ] as const) {
        const put = await t.request({
          method: 'POST',
          url: '/v1/items/batch',
          headers,
          payload: { items: batch },
        });
        assert.equal(put.statusCode, 200, put.body);
      }
    });
    after(() => t.close());

    test('an admin or the operator mints a key that can search at once; nothing of it is stored', async () => {
      const res = await mint({ filters: { brand: 'Acme' } });
      assert.equal(res.statusCode, 201, res.body);
      const key = res.json();
      assert.match(key.secret, /^qs_/);
      assert.match(key.id, /^sk_/);
      assert.equal(key.tenantId, 'shop-a');
      assert.deepEqual(key.scopes, ['search', 'recommend']);
      assert.deepEqual(key.filters, { brand: ['Acme'] });
      assert.equal(key.userId, null);
      const ttl = Date.parse(key.expiresAt) - clock.now();
      assert.ok(ttl > HOUR_MS - 60_000 && ttl <= HOUR_MS, `default lifetime 1 h, got ${ttl} ms`);
      const r = await found(bearer(key.secret), { query: 'lamp', limit: 100 });
      assert.equal(r.total, items.filter(isAcme).length);
      const byOperator = await minted({}, t.operator);
      assert.equal((await found(byOperator, { query: 'lamp' })).total, items.length);
      const stored = JSON.stringify([
        await t.db.query('SELECT * FROM api_keys'),
        await t.db.query('SELECT * FROM audit_log'),
        await t.db.query('SELECT * FROM scoped_key_secrets'),
      ]);
      assert.ok(!stored.includes(key.secret) && !stored.includes(key.secret.split('.')[1]));
    });

    test('embedded filters cannot be removed, overridden or widened: or-trees, facets, cursors, pins', async () => {
      const scoped = await minted({ filters: { and: [{ brand: 'Acme' }, { category: 'home' }] } });
      const allowed = items.filter((i) => isAcme(i) && i.categories![0].startsWith('home/'));
      assert.ok(allowed.length > 3 && allowed.length < items.length);
      const browse = await found(scoped, { query: '', limit: 100 });
      assert.deepEqual(ids(browse).sort(), allowed.map((i) => i.id).sort());
      // An `or` that would admit every other brand only narrows within the embedded filter.
      const widened = await found(scoped, {
        query: '',
        limit: 100,
        filters: { or: [{ brand: ['Sonic', 'Nordic'] }, { available: true }, { category: 'electronics' }] },
      });
      assert.deepEqual(
        ids(widened).sort(),
        allowed
          .filter((i) => i.available)
          .map((i) => i.id)
          .sort(),
      );
      assert.equal((await found(scoped, { query: 'lamp', filters: { brand: 'Sonic' } })).total, 0);
      // Facet counts cover only the allowed items.
      const facets = (await found(scoped, { query: 'lamp', facets: ['brand', 'category'] })).facets;
      assert.deepEqual(facets.brand, [{ value: 'Acme', count: allowed.length }]);
      const perCategory = new Map<string, number>();
      for (const i of allowed)
        perCategory.set(i.categories![0], (perCategory.get(i.categories![0]) ?? 0) + 1);
      const facetCount = (v: string) => facets.category.find((f) => f.value === v)?.count;
      for (const [category, count] of perCategory) assert.equal(facetCount(category), count);
      assert.equal(facetCount('electronics/audio'), undefined);
      // Paging walks exactly the allowed items.
      const walked: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await found(scoped, { query: 'lamp', limit: 3, ...(cursor ? { cursor } : {}) });
        walked.push(...ids(page));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      assert.deepEqual(walked.sort(), allowed.map((i) => i.id).sort());
      // A cursor from an unrestricted search is not accepted by the scoped one.
      const wide = await found(adminA, { query: 'lamp', limit: 3 });
      const reused = await search(scoped, { query: 'lamp', limit: 3, cursor: wide.nextCursor });
      assert.equal(reused.statusCode, 400);
      assert.equal(problem(reused).code, 'invalid_cursor');
      // A pinned item outside the filters stays out.
      const outsider = items.find((i) => i.brand === 'Sonic')!.id;
      const rules = await t.request({
        method: 'PUT',
        url: '/v1/search/rules',
        headers: adminA,
        payload: { synonyms: [], curations: [{ query: 'lamp', pin: [outsider] }] },
      });
      assert.equal(rules.statusCode, 200, rules.body);
      assert.equal(ids(await found(adminA, { query: 'lamp' }))[0], outsider);
      assert.ok(!ids(await found(scoped, { query: 'lamp', limit: 100 })).includes(outsider));
    });

    test('a key pinned to a user personalizes only for that user', async () => {
      const events = Array.from({ length: 3 }, (_, i) => ({
        id: `scoped-view-${i}`,
        type: 'view',
        userId: 'u1',
        itemId: 'item-01', // home/furniture
        timestamp: new Date(Date.now() - i * 1000).toISOString(),
      }));
      const sent = await t.request({
        method: 'POST',
        url: '/v1/events',
        headers: adminA,
        payload: { events },
      });
      assert.equal(sent.statusCode, 202, sent.body);
      await waitForFeatures(
        t.kv,
        'shop-a',
        events.map((e) => e.id),
      );
      const pinned = await minted({ userId: 'u1' });
      const plain = ids(await found(adminA, { query: 'desk lamp', limit: 100 }));
      const personal = ids(await found(adminA, { query: 'desk lamp', limit: 100, userId: 'u1' }));
      assert.notDeepEqual(plain, personal, 'u1 has an affinity that reorders the results');
      // Without userId the pinned user applies; with it, it must be the same user.
      assert.deepEqual(ids(await found(pinned, { query: 'desk lamp', limit: 100 })), personal);
      assert.deepEqual(ids(await found(pinned, { query: 'desk lamp', limit: 100, userId: 'u1' })), personal);
      const other = await search(pinned, { query: 'desk lamp', userId: 'u2' });
      assert.equal(other.statusCode, 403);
      assert.equal(problem(other).errors?.[0].path, '/userId');
    });

    test('a key expires when its time comes (key_expired) and never outlives the key that minted it', async () => {
      const short = await minted({ expiresInS: 60 });
      assert.equal((await search(short, { query: 'lamp' })).statusCode, 200);
      offset += 61_000;
      try {
        const late = await search(short, { query: 'lamp' });
        assert.equal(late.statusCode, 401);
        assert.equal(problem(late).code, 'key_expired');
      } finally {
        offset -= 61_000;
      }
      const at = new Date(clock.now() + 2 * HOUR_MS).toISOString();
      const byAt = await mint({ expiresAt: at });
      assert.equal(byAt.statusCode, 201, byAt.body);
      assert.equal(byAt.json().expiresAt, at);
      // A parent expiring in 10 minutes bounds the scoped key it mints.
      const parentExpiry = new Date(clock.now() + 600_000).toISOString();
      const parent = await t.request({
        method: 'POST',
        url: '/v1/tenants/shop-a/keys',
        headers: adminA,
        payload: { name: 'short admin', scopes: ['admin'], expiresAt: parentExpiry },
      });
      assert.equal(parent.statusCode, 201, parent.body);
      const child = await mint({ expiresInS: 3600 }, bearer(parent.json().secret));
      assert.equal(child.statusCode, 201, child.body);
      assert.equal(child.json().expiresAt, parentExpiry);
    });

    test('revoking the minting key or rotating the secret ends scoped keys at once', async () => {
      const created = await t.request({
        method: 'POST',
        url: '/v1/tenants/shop-a/keys',
        headers: adminA,
        payload: { name: 'minter', scopes: ['admin'] },
      });
      const minter = created.json();
      const child = await minted({}, bearer(minter.secret));
      const sibling = await minted({});
      const fromOperator = await minted({}, t.operator);
      assert.equal((await search(child, { query: 'lamp' })).statusCode, 200);
      const revoked = await t.request({
        method: 'DELETE',
        url: `/v1/tenants/shop-a/keys/${minter.key.id}`,
        headers: adminA,
      });
      assert.equal(revoked.statusCode, 204);
      const gone = await search(child, { query: 'lamp' });
      assert.equal(gone.statusCode, 401);
      assert.equal(problem(gone).code, 'unauthenticated');
      assert.equal((await search(sibling, { query: 'lamp' })).statusCode, 200);
      const rotated = await t.request({
        method: 'POST',
        url: '/v1/tenants/shop-a/keys/scoped/rotate',
        headers: adminA,
      });
      assert.equal(rotated.statusCode, 204, rotated.body);
      for (const old of [sibling, fromOperator])
        assert.equal((await search(old, { query: 'lamp' })).statusCode, 401);
      assert.equal((await search(await minted({}), { query: 'lamp' })).statusCode, 200);
      const audit = await t.request({ method: 'GET', url: '/v1/audit?tenantId=shop-a', headers: t.operator });
      assert.ok(audit.json().entries.some((e: { action: string }) => e.action === 'key.scoped.rotate'));
    });

    test('a scoped key can only search: every other route answers 403 problem+json', async () => {
      const scoped = await minted({});
      const doc = (await t.request({ method: 'GET', url: '/v1/openapi.json' })).json() as {
        paths: Record<string, Record<string, unknown>>;
      };
      const tried: string[] = [];
      for (const [path, operations] of Object.entries(doc.paths)) {
        for (const method of Object.keys(operations)) {
          const verb = method.toUpperCase();
          // The search-scope routes a scoped key may call (their embedded filters are tested in search/parity).
          const searching = [
            'POST /v1/search',
            'POST /v1/search/multi',
            'POST /v1/search/facet-values',
            'GET /v1/search/suggestions',
          ];
          if (searching.includes(`${verb} ${path}`)) continue;
          if (/recommend/.test(path)) continue;
          const url = path.replace('{tenantId}', 'shop-a').replace(/\{[^}]+\}/g, 'x');
          const anonymous = await t.request({ method: verb as 'GET', url });
          if (anonymous.statusCode !== 401) continue; // public: health, docs, the OpenAPI document
          const res = await t.request({ method: verb as 'GET', url, headers: scoped });
          assert.equal(res.statusCode, 403, `${verb} ${url}: ${res.body}`);
          // The Open Inference Protocol (/v2) answers its own error shape, {error}, as KServe clients expect.
          if (path.startsWith('/v2/')) assert.match(res.json().error, /scope/);
          else assert.equal(problem(res, `${verb} ${url}`).code, 'forbidden');
          tried.push(`${verb} ${path}`);
        }
      }
      for (const family of [
        'PUT /v1/items/{itemId}',
        'GET /v1/items',
        'POST /v1/events',
        'POST /v1/models',
        'GET /v1/tenants/{tenantId}/keys',
        'POST /v1/tenants/{tenantId}/keys/scoped',
        'GET /v1/feature-views',
        'POST /v1/features/online',
        'GET /v1/search/rules',
      ])
        assert.ok(tried.includes(family), `${family} was checked (checked: ${tried.length})`);
      const recommendOnly = await minted({ scopes: ['recommend'] });
      const denied = await search(recommendOnly, { query: 'lamp' });
      assert.equal(denied.statusCode, 403);
      assert.equal(problem(denied).code, 'forbidden');
    });

    test('tenant isolation: a key of A never sees B, and nobody mints for a tenant that is not theirs', async () => {
      const scoped = await minted({});
      assert.ok(!ids(await found(scoped, { query: 'only B sells', limit: 100 })).includes('b-secret'));
      assert.ok(ids(await found(adminB, { query: 'only B sells' })).includes('b-secret'));
      const forB = await mint({}, adminA, 'shop-b');
      assert.equal(forB.statusCode, 404);
      assert.equal(problem(forB).code, 'not_found');
      const viaScoped = await mint({}, scoped, 'shop-a');
      assert.equal(viaScoped.statusCode, 403);
      const nowhere = await mint({}, t.operator, 'no-such-shop');
      assert.equal(nowhere.statusCode, 404);
      // A's token relabelled as B's (B has a secret of its own) does not verify.
      await minted({}, adminB, 'shop-b');
      const relabelled = tamper(scoped.authorization.slice('Bearer '.length), (c) => {
        c.t = 'shop-b';
      });
      assert.equal((await search(bearer(relabelled), { query: 'lamp' })).statusCode, 401);
    });

    test('tampered, forged and malformed tokens answer 401 without echoing them', async () => {
      const token = (await minted({ filters: { brand: 'Acme' }, expiresInS: 60 })).authorization.slice(7);
      const forgeries = [
        tamper(token, (c) => {
          delete c.f;
        }),
        tamper(token, (c) => {
          c.s = ['admin'];
        }),
        tamper(token, (c) => {
          c.exp = Number(c.exp) + 10 * HOUR_MS;
        }),
        `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`,
        `${token}=`,
        'qs_',
        'qs_e30.e30',
        `qs_${'A'.repeat(7000)}.x`,
        'qs_not base64!.sig',
      ];
      for (const forged of forgeries) {
        const res = await search(bearer(forged), { query: 'lamp' });
        assert.equal(res.statusCode, 401, forged.slice(0, 40));
        assert.equal(problem(res).code, 'unauthenticated');
        assert.ok(!res.body.includes(forged));
      }
      // Expired and tampered: the signature fails first, so no 'key_expired' hint for a forgery.
      offset += 120_000;
      try {
        const relabelled = tamper(token, (c) => {
          c.u = 'x';
        });
        const res = await search(bearer(relabelled), { query: 'lamp' });
        assert.equal(problem(res).code, 'unauthenticated');
      } finally {
        offset -= 120_000;
      }
    });

    test('its own rate limit applies, never above the tenant', async () => {
      const slow = await minted({ rateLimit: { perSecond: 0.001, burst: 2 } });
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await search(slow, { query: 'lamp' })).statusCode);
      assert.deepEqual(codes, [200, 200, 429]);
      // Each scoped key has its own bucket.
      assert.equal(
        (await search(await minted({ rateLimit: { perSecond: 0.001, burst: 2 } }), { query: 'lamp' }))
          .statusCode,
        200,
      );
    });

    test("a rate limit above the minting key's (the tenant's per-key limit) is a 400 naming the field, not clamped", async () => {
      const { keyPerSecond, keyBurst } = t.config.defaultLimits;
      const cases: Array<[object, string[]]> = [
        [{ perSecond: 1e9, burst: 1 }, ['/rateLimit/perSecond']],
        [{ perSecond: 1, burst: keyBurst + 1 }, ['/rateLimit/burst']],
        [{ perSecond: keyPerSecond * 2, burst: keyBurst * 2 }, ['/rateLimit/perSecond', '/rateLimit/burst']],
      ];
      for (const [rateLimit, paths] of cases) {
        for (const [headers, who] of [
          [adminA, 'admin key'],
          [t.operator, 'operator'],
        ] as const) {
          const res = await mint({ rateLimit }, headers);
          assert.equal(res.statusCode, 400, `${who} ${JSON.stringify(rateLimit)}: ${res.body}`);
          const p = problem(res);
          assert.equal(p.code, 'validation_failed');
          assert.deepEqual(
            p.errors?.map((e) => e.path),
            paths,
            `${who} ${JSON.stringify(rateLimit)}`,
          );
        }
      }
      // Up to the limit is fine.
      await minted({ rateLimit: { perSecond: keyPerSecond, burst: keyBurst } });
    });

    test('bad input is a 400 problem naming the field', async () => {
      const cases: Array<[object, string]> = [
        [{ filters: { brand: 5 } }, '/filters/brand'],
        [{ filters: { and: [{ price: { gte: 'cheap' } }] } }, '/filters/and/0/price/gte'],
        [{ filters: { colour: 'red' } }, '/filters/colour'],
        [{ scopes: ['admin'] }, '/scopes/0'],
        [{ scopes: ['search', 'catalog:read'] }, '/scopes/1'],
        [{ scopes: [] }, '/scopes'],
        [{ expiresInS: 86_401 }, '/expiresInS'],
        [{ expiresInS: 0 }, '/expiresInS'],
        [{ expiresAt: new Date(clock.now() + 25 * HOUR_MS).toISOString() }, '/expiresAt'],
        [{ expiresAt: new Date(clock.now() - 1000).toISOString() }, '/expiresAt'],
        [{ expiresAt: new Date(clock.now() + HOUR_MS).toISOString(), expiresInS: 60 }, '/expiresAt'],
        [{ expiresAt: 'tomorrow' }, '/expiresAt'],
        [{ userId: ' padded' }, '/userId'],
        [{ rateLimit: { perSecond: 0, burst: 1 } }, '/rateLimit/perSecond'],
        [{ admin: true }, '/admin'],
        [
          {
            filters: {
              or: Array.from({ length: 60 }, (_, i) => ({
                attribute: `${'a'.repeat(90)}${i}`,
                eq: 'x'.repeat(20),
              })),
            },
          },
          '/filters',
        ],
      ];
      for (const [body, path] of cases) {
        const res = await mint(body);
        assert.equal(res.statusCode, 400, `${JSON.stringify(body).slice(0, 80)}: ${res.body}`);
        const p = problem(res);
        assert.equal(p.code, 'validation_failed');
        assert.ok(
          p.errors?.some((e) => e.path === path),
          `${JSON.stringify(body).slice(0, 80)} → ${JSON.stringify(p.errors)}`,
        );
      }
      // A scoped key's own request filters are checked as usual.
      const scoped = await minted({ filters: { brand: 'Acme' } });
      const bad = await search(scoped, { query: 'x', filters: { or: [] } });
      assert.equal(bad.statusCode, 400);
      assert.equal(problem(bad).errors?.[0].path, '/filters/or');
    });
  });
}
