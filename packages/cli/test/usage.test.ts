// quiver usage against a real server: a tenant's requests show up under its id, for the operator and itself.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { StatsSeries } from '@quiver/contracts';
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

test('usage lists each tenant with its requests and server time; a tenant key sees only itself', async () => {
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
  const asJson = await run(['--json', '--url', server.url, '--key', operator, '--minutes', '5']);
  assert.equal(asJson.code, 0);
  const series = JSON.parse(asJson.out) as StatsSeries;
  assert.equal(series.scope, 'all');
  const shop = series.tenants.find((t) => t.tenantId === 'usage-shop');
  assert.ok(shop && shop.requests >= 5, JSON.stringify(series.tenants));
  assert.ok(series.tenants.some((t) => t.tenantId === 'usage-other'));

  const asTable = await run(['--url', server.url, '--key', operator]);
  assert.equal(asTable.code, 0);
  assert.match(asTable.out, /TENANT\s+REQUESTS\s+SERVER MS/);
  assert.match(asTable.out, /usage-shop\s+\d+/);

  const own = await run(['--json', '--url', server.url, '--key', key]);
  const mine = JSON.parse(own.out) as StatsSeries;
  assert.equal(mine.scope, 'tenant');
  assert.deepEqual(
    mine.tenants.map((t) => t.tenantId),
    ['usage-shop'],
  );
});
