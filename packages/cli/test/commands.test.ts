// The resource commands without a server: profiles in a 0600 file, the exit-code table, and a missing
// server reported as exit 69 naming the URL (instead of retrying).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { exitCodeFor } from '../src/api.ts';
import { COMMANDS, runCommand } from '../src/commands/index.ts';
import { CliError, EXIT } from '../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'quiver-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const io = (env: Record<string, string> = {}) => {
  let out = '';
  return {
    io: {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: () => true },
      env: { QUIVER_CONFIG: join(dir, 'config.json'), QUIVER_DATA_DIR: dir, ...env },
      cwd: dir,
    },
    out: () => out,
  };
};
const command = (name: string) => COMMANDS.find((c) => c.name === name)!;

test('profiles live in a 0600 file; the current one is used and its key masked in the list', async () => {
  const a = io();
  assert.equal(
    await runCommand(
      command('profile'),
      ['add', 'prod', '--url', 'https://q.example', '--key', 'qk_secret_123456789'],
      a.io,
    ),
    0,
  );
  const file = join(dir, 'config.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).current, 'prod');
  const b = io();
  await runCommand(command('profile'), ['list', '--json'], b.io);
  const listed = JSON.parse(b.out());
  assert.equal(listed.current, 'prod');
  assert.equal(listed.profiles[0].key, 'qk_secret_…');
});

test('no server at the URL: exit 69 naming it, no retries', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  const url = `http://127.0.0.1:${port}`;
  await assert.rejects(
    runCommand(command('models'), ['list', '--url', url], io().io),
    (e: unknown) => e instanceof CliError && e.exitCode === EXIT.unavailable && e.message.includes(url),
  );
});

test('HTTP statuses map to the documented exit codes', () => {
  const table: [number, number][] = [
    [400, 65],
    [401, 77],
    [403, 77],
    [404, 3],
    [409, 4],
    [412, 4],
    [422, 65],
    [429, 75],
    [500, 1],
    [503, 69],
  ];
  for (const [status, code] of table) assert.equal(exitCodeFor(status), code, String(status));
});

test('--help works for every command and action without a server', async () => {
  for (const c of COMMANDS) {
    const h = io();
    assert.equal(await runCommand(c, ['--help'], h.io), 0);
    assert.match(h.out(), new RegExp(`quiver ${c.name}`));
    for (const action of Object.keys(c.actions)) {
      const a = io();
      assert.equal(await runCommand(c, [action, '--help'], a.io), 0);
      assert.match(a.out(), /Usage: quiver/);
    }
  }
});
