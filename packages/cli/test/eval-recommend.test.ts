// `quiver eval recommend` on a small file in the Online Retail layout: cancellations and returns are not
// interactions, each model gets a row next to popularity, and bad arguments exit with usage/data codes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from './testing.ts';

const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
const line = (invoice: string, item: string, quantity: number, day: string, customer: string) =>
  `${invoice},${item},"THING ${item}, BOXED",${quantity},2011-${day} 10:00:00,1.25,${customer},United Kingdom`;

// Before 2011-11-01 every invoice holds three items; from it, customer 1 (had A,B,C) buys D and customer 3
// (had A,B,D) buys C. Each has exactly one item left to recommend, so every model hits at rank 1.
const ROWS = [
  ...['A', 'B', 'C'].map((i) => line('536001', i, 6, '10-01', '1.0')),
  ...['A', 'B', 'C'].map((i) => line('536002', i, 6, '10-02', '2.0')),
  ...['A', 'B', 'D'].map((i) => line('536003', i, 6, '10-03', '3.0')),
  ...['A', 'C', 'D'].map((i) => line('536004', i, 6, '10-04', '4.0')),
  line('C536005', 'E', -1, '10-05', '1.0'), // a cancellation: not an interaction
  line('536005', 'F', -3, '10-05', '1.0'), // a write-off: skipped by the format
  line('536006', 'D', 1, '11-02', '1.0'),
  line('536007', 'C', 2, '11-03', '3.0'),
];

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'quiver-eval-recs-'));
  writeFileSync(join(dir, 'retail.csv'), `${[HEADER, ...ROWS].join('\n')}\n`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** `quiver eval recommend` on the fixture file, with `args` after `--events retail.csv`. */
const evalRetail = (...args: string[]) =>
  runCli(['eval', 'recommend', '--events', 'retail.csv', ...args], { cwd: dir }).done;

const tableRows = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| model'))
    .map((l) => l.split('|').map((c) => c.trim()));

const ALL_HIT = ['2', '1.0000 (1.0000–1.0000)', '1.0000 (1.0000–1.0000)', '1.0000 (1.0000–1.0000)', '0.5000'];

test('prints HR@10, NDCG@10, Recall@20 and coverage per model next to popularity', async () => {
  const run = await evalRetail('--split', '2011-11-01');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /read 14 item events \(4 items, 4 users\)/);
  const rows = tableRows(run.stdout);
  assert.deepEqual(
    rows.map((r) => r[1]),
    [
      'popularity (tuned)',
      'co-occurrence',
      'matrix factorization (ALS)',
      "user-kNN (the most similar customers' recent items)",
    ],
  );
  // users, HR@10, NDCG@10, Recall@20 (each with its interval), coverage ({C, D} of 4 items), ratio.
  for (const r of rows) assert.deepEqual(r.slice(2, 8), [...ALL_HIT, '1.00× (1.00×–1.00×)']);
  assert.match(run.stdout, /users evaluated: 2; skipped: none; relevant \(user, item\) pairs: 2/);
  assert.match(run.stdout, /popularity baseline tuned on validation: \{"halfLifeDays":/);
});

test("--per-user last-1 holds out each customer's last invoice; --json prints the report", async () => {
  const run = await evalRetail('--per-user', 'last-1', '--model', 'cooccurrence', '--json');
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  // Customers 1 and 3 have two invoices (their November one held out); 2 and 4 have one.
  assert.equal(report.users, 2);
  assert.equal(report.skipped['one basket only (not split)'], 2);
  assert.equal(report.relevantPairs, 2);
  assert.deepEqual(
    report.models.map((m: { kind: string }) => m.kind),
    ['popularity', 'cooccurrence'],
  );
  assert.deepEqual(report.models[1].metrics['ndcg@10'], { mean: 1, low: 1, high: 1 });
  assert.equal(report.baseline.validation.length, 14);
  // Co-occurrence's "buy next" weight is chosen on validation too.
  assert.deepEqual(
    report.tuning.cooccurrence.map((t: { params: unknown }) => t.params),
    [0, 0.03, 0.1, 0.3, 1].map((sequenceWeight) => ({ sequenceWeight })),
  );
  assert.ok('sequenceWeight' in report.models[1].params);
});

test('--params sets trainer parameters (bare keys for every model that has them) and they are not tuned', async () => {
  const run = await evalRetail(
    '--split',
    '2011-11-01',
    '--params',
    'sequenceWeight=0.5,als.factors=8',
    '--params',
    'halfLifeDays=7',
    '--json',
  );
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const params = Object.fromEntries(
    report.models.map((m: { kind: string; params: unknown }) => [m.kind, m.params]),
  );
  assert.deepEqual(params.cooccurrence, { sequenceWeight: 0.5, halfLifeDays: 7 });
  assert.deepEqual(params.als, { factors: 8, halfLifeDays: 7 });
  assert.deepEqual(params.popularity, { halfLifeDays: 7 });
  assert.deepEqual(report.baseline.validation, []);
  assert.deepEqual(report.tuning.cooccurrence, []);
  for (const bad of ['sequenceWeight', 'popularity.factors=8', 'bogus=1']) {
    const rejected = await evalRetail('--split', '2011-11-01', '--params', bad);
    assert.equal(rejected.code, 64, bad);
    assert.match(rejected.stderr, /--params/);
  }
});

test('--model content ranks by title words', async () => {
  const run = await evalRetail('--split', '2011-11-01', '--model', 'content');
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(
    tableRows(run.stdout).map((r) => r[1]),
    ['popularity (tuned)', 'content (ALS factors; cold items: title, categories, brand projected)'],
  );
});

test('bad arguments exit with usage (64) or data (65) codes', async () => {
  const missing = await evalRetail();
  assert.equal(missing.code, 64);
  assert.match(missing.stderr, /--split and --per-user/);
  const perUser = await evalRetail('--per-user', 'last');
  assert.equal(perUser.code, 64);
  const model = await evalRetail('--split', '2011-11-01', '--model', 'bpr');
  assert.equal(model.code, 64);
  const empty = await evalRetail('--split', '2012-01-01');
  assert.equal(empty.code, 65);
  assert.match(empty.stderr, /no events on one side/);
});
