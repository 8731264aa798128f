// Runs examples/import-and-eval/run.sh against a live server started here and checks what it reports.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type ServerProcess, startServerProcess } from '../../packages/server/test/support/server-process.ts';

const SCRIPT = new URL('./run.sh', import.meta.url).pathname;
let server: ServerProcess;
const tmp = mkdtempSync(join(tmpdir(), 'quiver-example-'));

before(async () => {
  server = await startServerProcess({ QUIVER_DEMO: 'false' });
});
after(async () => {
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('import-and-eval imports products and shifted events, evaluates offline and trains online', {
  timeout: 15 * 60_000,
}, () => {
  const run = spawnSync('bash', [SCRIPT], {
    encoding: 'utf8',
    env: {
      ...process.env,
      QUIVER_URL: server.url,
      QUIVER_DATA_DIR: server.dataDir,
      QUIVER_CONFIG: join(tmp, 'config.json'),
      QUIVER_KEY: '',
      TMPDIR: tmp,
      ROWS: '3000',
      EVAL_ROWS: '60000',
      SPLIT: '2011-01-15',
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.status, 0, `exit ${run.status}\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`);
  const out = run.stdout;
  assert.match(out, /\(products\) into .*: complete/);
  assert.match(out, /items\s+created [1-9][\d,]*/);
  assert.match(out, /\(online-retail\) into .*: complete/);
  assert.match(out, /shifted\s+\+\d+\.\d days/);
  assert.match(out, /items\/s/);
  // The offline table: a row per model with its NDCG@10, and the popularity baseline.
  assert.match(out, /popularity/);
  assert.match(out, /co-?occurrence/i);
  // Online: three runs that succeeded and published a version.
  const runs = out.split('\n').filter((l) => /^trn_\S+\s+(popularity|cooccurrence|als)\s+succeeded/.test(l));
  assert.equal(runs.length, 3, out.slice(-3000));
  assert.match(out, /recs-popularity@champion/);
});
