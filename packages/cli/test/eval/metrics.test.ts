// Search evaluation: the chorus-icecat TSV layout is read as documented, and the metrics match hand-computed values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJudgedSet } from '../../src/eval/judgments.ts';
import { evaluate, metricsByClass, scoreQuery } from '../../src/eval/metrics.ts';

const QUERIES = 'q1\tlaptop\nq2\tbluetooth speaker\nq3\tno judgments\n';
const QRELS =
  '# comment\nqid\tdocid\tgrade\tgain\tlabel\nq1\ta\t3\t3.0\t3\nq1\tb\t1\t1.0\t1\nq1\tc\t3\t3.0\t3\nq2\tx\t2\t2.0\t2\n';

test('judged set: comments and the header line are skipped, grades parsed', () => {
  const set = parseJudgedSet(QUERIES, QRELS);
  assert.equal(set.queries.get('q2'), 'bluetooth speaker');
  assert.deepEqual(
    [...set.judgments.get('q1')!],
    [
      ['a', 3],
      ['b', 1],
      ['c', 3],
    ],
  );
  assert.equal(set.judgments.has('qid'), false);
});

test('NDCG@10, MRR@10, Recall@10 and judged share by hand', () => {
  const judged = parseJudgedSet(QUERIES, QRELS).judgments.get('q1')!;
  // Ranking b, z (unjudged), a: DCG = 1/log2(2) + 0 + 3/log2(4) = 2.5; ideal a, c, b = 3 + 3/log2(3) + 1/2.
  const m = scoreQuery(['b', 'z', 'a'], judged);
  const ideal = 3 + 3 / Math.log2(3) + 0.5;
  assert.ok(Math.abs(m.ndcg - 2.5 / ideal) < 1e-12);
  assert.equal(m.mrr, 1 / 3);
  assert.equal(m.recall, 0.5);
  assert.equal(m.judgedShare, 2 / 3);
  assert.equal(scoreQuery(['a', 'c', 'b'], judged).ndcg, 1);
});

test('evaluate: only queries with judgments count; recall only where something is relevant', async () => {
  const set = parseJudgedSet(QUERIES, QRELS);
  const asked: string[] = [];
  const m = await evaluate(set, (q) => {
    asked.push(q);
    return q === 'laptop' ? ['a', 'c'] : ['x'];
  });
  assert.deepEqual(asked, ['laptop', 'bluetooth speaker']);
  assert.equal(m.queries, 2);
  assert.equal(m.recall, 1); // q2 has no grade-3 document: left out of recall
  assert.ok(m.ndcg < 1 && m.ndcg > 0.9);
});

test('evaluate: NDCG@10 over graded queries leaves out queries whose judgments are all 0; means per class', async () => {
  const queries = 'q1\tlaptop\nq2\tgaming mouse\nq3\tiphone 7\n';
  const qrels = 'q1\ta\t3\nq2\tm\t0\nq3\ti\t2\nq3\tj\t1\n';
  // q1: a first → 1; q2: nothing can gain → 0; q3: j, i → (1 + 2/log2 3) / (2 + 1/log2 3).
  const m = await evaluate(parseJudgedSet(queries, qrels), (q) =>
    q === 'laptop' ? ['a'] : q === 'iphone 7' ? ['j', 'i'] : ['m'],
  );
  const q3 = (1 + 2 / Math.log2(3)) / (2 + 1 / Math.log2(3));
  assert.equal(m.queries, 3);
  assert.ok(Math.abs(m.ndcg - (1 + 0 + q3) / 3) < 1e-12);
  assert.equal(m.gainedQueries, 2);
  assert.ok(Math.abs(m.ndcgGained - (1 + q3) / 2) < 1e-12);
  assert.deepEqual(
    m.perQuery.map((q) => [q.query, q.queryClass, q.hasGain]),
    [
      ['laptop', 'one word', true],
      ['gaming mouse', 'two words', false],
      ['iphone 7', 'model number', true],
    ],
  );
  const classes = metricsByClass(m.perQuery);
  assert.deepEqual([...classes.keys()], ['model number', 'one word', 'two words']);
  assert.ok(Math.abs(classes.get('model number')!.ndcg - q3) < 1e-12);
  assert.equal(classes.get('two words')!.ndcg, 0);
  assert.equal(classes.get('one word')!.queries, 1);
});
