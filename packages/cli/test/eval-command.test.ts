// `quiver import --format icecat` then `quiver eval search` against a real server: the catalog arrives
// (item-only files flush by item count and at the end), and the table reports keyword and vector rows
// (the vector index builds in the background after the first vector query, so its figures may still be 0).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { itemIds, runCli, type Server, startServer } from './testing.ts';

const CHORUS = resolve(import.meta.dirname, '../../../../shared/datasets/chorus-icecat');
const PRODUCTS = 1500;

describe('quiver eval search (icecat head, real server)', () => {
  let server: Server;
  let key: string;
  before(async () => {
    server = await startServer();
    key = await server.tenant('icecat', ['admin']);
    const lines = gunzipSync(readFileSync(join(CHORUS, 'corpus.jsonl.gz')))
      .toString('utf8')
      .split('\n');
    writeFileSync(join(server.dir, 'corpus.jsonl'), `${lines.slice(0, PRODUCTS).join('\n')}\n`);
    writeFileSync(join(server.dir, 'queries.tsv'), readFileSync(join(CHORUS, 'queries.tsv')));
    writeFileSync(join(server.dir, 'qrels.tsv'), readFileSync(join(CHORUS, 'qrels.tsv')));
  });
  after(() => server.close());

  test('imports the catalog, then scores keyword search and reports a vector row', async () => {
    const env = { QUIVER_KEY: key, QUIVER_URL: server.url };
    const imported = await runCli(['import', 'corpus.jsonl', '--format', 'icecat'], { cwd: server.dir, env })
      .done;
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /items +created 1,500, updated 0, failed 0/);
    assert.equal((await itemIds(server.app, key)).length, PRODUCTS);

    const args = ['eval', 'search', '--queries', 'queries.tsv', '--judgments', 'qrels.tsv'];
    const run = await runCli([...args, '--mode', 'keyword', '--mode', 'vector'], { cwd: server.dir, env })
      .done;
    assert.equal(run.code, 0, run.stderr);
    const keyword = run.stdout.split('\n').find((l) => l.startsWith('| keyword |'))!;
    const [, , queries, ndcg] = keyword.split('|').map((c) => c.trim());
    assert.equal(queries, '135');
    assert.ok(Number(ndcg) > 0 && Number(ndcg) <= 1, keyword);
    assert.match(run.stdout, /\| vector \| 135 \|/);
    // Per class, one column per mode; the class sizes of chorus-icecat's 135 queries.
    assert.match(run.stdout, /\| NDCG@10 by query class \| queries \| keyword \| vector \|/);
    const sizes = Object.fromEntries(
      [...run.stdout.matchAll(/^\| (model number|one word|two words|long tail) \| (\d+) \|/gm)].map((m) => [
        m[1],
        Number(m[2]),
      ]),
    );
    assert.deepEqual(sizes, { 'model number': 10, 'one word': 55, 'two words': 62, 'long tail': 8 });

    const bad = await runCli(['eval', 'search', '--queries', 'queries.tsv'], { cwd: server.dir, env }).done;
    assert.equal(bad.code, 64);
  });
});
