// quiver usage against a real server: metered usage and quotas (GET /v1/usage, /v1/tenants/{id}/quotas), and the
// recent minutes' requests; a tenant key sees only itself.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { StatsSeries, TenantQuotas, UsageReport } from '@quiver/contracts';
import { COMMANDS, runCommand } from '../src/commands/index.ts';
import { type Server, startServer } from './testing.ts';

let server: Server;
before(async () => {
  server = await startServer();
});
after(async () => server?.close());

const usage = COMMANDS.find((c) => c.name === 'usage')!;
const run = async (args: string[]) => {
  let out = '';
  const io = {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: () => true },
    env: { QUIVER_CONFIG: `${server.dir}/config.json`, QUIVER_DATA_DIR: server.dir },
    cwd: server.dir,
  };
  const code = await runCommand(usage, args, io);
  return { code, out };
};

test('usage recent lists each tenant with its requests and server time; a tenant key sees only itself', async () => {
  const key = await server.tenant('usage-shop', ['admin', 'catalog:read']);
  const other = await server.tenant('usage-other');
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${server.url}/v1/items?limit=1`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(res.status, 200);
  }
  await fetch(`${server.url}/v1/items?limit=1`, { headers: { authorization: `Bearer ${other}` } });
  await server.app.stats.flush();

  const operator = server.app.operator.authorization.replace(/^Bearer /, '');
  const asJson = await run(['recent', '--json', '--url', server.url, '--key', operator, '--minutes', '5']);
  assert.equal(asJson.code, 0);
  const series = JSON.parse(asJson.out) as StatsSeries;
  assert.equal(series.scope, 'all');
  const shop = series.tenants.find((t) => t.tenantId === 'usage-shop');
  assert.ok(shop && shop.requests >= 5, JSON.stringify(series.tenants));
  assert.ok(series.tenants.some((t) => t.tenantId === 'usage-other'));

  const asTable = await run(['recent', '--url', server.url, '--key', operator]);
  assert.equal(asTable.code, 0);
  assert.match(asTable.out, /TENANT\s+REQUESTS\s+SERVER MS/);
  assert.match(asTable.out, /usage-shop\s+\d+/);

  const own = await run(['recent', '--json', '--url', server.url, '--key', key]);
  const mine = JSON.parse(own.out) as StatsSeries;
  assert.equal(mine.scope, 'tenant');
  assert.deepEqual(
    mine.tenants.map((t) => t.tenantId),
    ['usage-shop'],
  );
});

test("usage shows metered requests by API and events; quotas reads and sets a tenant's limits", async () => {
  const key = await server.tenant('metered-shop', ['admin', 'catalog:read']);
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${server.url}/v1/items?limit=1`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(res.status, 200);
  }
  await server.app.usage.flush();
  const operator = server.app.operator.authorization.replace(/^Bearer /, '');

  const asJson = await run(['--json', '--url', server.url, '--key', key, '--granularity', 'day']);
  assert.equal(asJson.code, 0);
  const report = JSON.parse(asJson.out) as UsageReport;
  assert.equal(report.granularity, 'day');
  assert.deepEqual(
    report.tenants.map((t) => t.tenantId),
    ['metered-shop'],
  );
  assert.equal(report.tenants[0].total.requests.catalog, 2);
  const asTable = await run(['--url', server.url, '--key', operator, '--tenant', 'metered-shop']);
  assert.equal(asTable.code, 0);
  assert.match(asTable.out, /TENANT\s+AT\s+REQUESTS\s+EVENTS\s+COMPUTE S/);
  assert.match(asTable.out, /metered-shop\s+total\s+2\s+0/);

  const set = await run([
    'quotas',
    'metered-shop',
    '--events',
    '1000',
    '--json',
    '--url',
    server.url,
    '--key',
    operator,
  ]);
  assert.equal(set.code, 0, set.out);
  const quotas = JSON.parse(set.out) as TenantQuotas;
  assert.equal(quotas.eventsPerMonth, 1000);
  assert.equal(quotas.computeSPerMonth, null);
  const own = await run(['quotas', 'metered-shop', '--url', server.url, '--key', key]);
  assert.match(own.out, /events\s+0 of 1000/);
  // Setting is the operator's: a tenant key is refused.
  await assert.rejects(
    run(['quotas', 'metered-shop', '--events', 'none', '--url', server.url, '--key', key]),
    /PUT \/v1\/tenants\/metered-shop\/quotas answered 403 forbidden/,
  );
  await assert.rejects(
    run(['quotas', 'metered-shop', '--events', 'lots', '--url', server.url, '--key', operator]),
    /--events must be a whole number or none/,
  );
});
