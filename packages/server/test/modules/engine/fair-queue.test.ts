// The fair queue: round-robin across tenants, one shape per batch, row limits, lazy removal and drops.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FairQueue, type Queued } from '../../../src/modules/engine/fair-queue.ts';

interface Item extends Queued {
  id: string;
}

const item = (tenant: string, id: string, shapeKey = 's', rows = 1): Item => ({
  tenant,
  id,
  shapeKey,
  rows,
  queued: false,
});
const never = () => false;
const ids = (batch: Item[]) => batch.map((i) => i.id);

describe('FairQueue', () => {
  it('fills a batch one request per tenant per pass, and the next batch starts after the last tenant served', () => {
    const q = new FairQueue<Item>();
    for (let i = 1; i <= 6; i++) q.push(item('a', `a${i}`));
    q.push(item('b', 'b1'));
    q.push(item('b', 'b2'));
    q.push(item('c', 'c1'));
    assert.equal(q.size, 9);
    assert.deepEqual(ids(q.takeBatch(4, never)), ['a1', 'b1', 'c1', 'a2']);
    assert.deepEqual(ids(q.takeBatch(4, never)), ['b2', 'a3', 'a4', 'a5']);
    assert.deepEqual(ids(q.takeBatch(4, never)), ['a6']);
    assert.equal(q.size, 0);
    assert.deepEqual(q.takeBatch(4, never), []);
  });

  it("a flood from one tenant does not delay another tenant's requests", () => {
    const q = new FairQueue<Item>();
    for (let i = 0; i < 1000; i++) q.push(item('flood', `f${i}`));
    for (let i = 0; i < 3; i++) q.push(item('quiet', `q${i}`));
    const served: string[] = [];
    while (q.size > 0) served.push(...ids(q.takeBatch(2, never)));
    const quiet = ['q0', 'q1', 'q2'].map((id) => served.indexOf(id));
    assert.ok(Math.max(...quiet) < 8, `quiet served at ${quiet}`);
  });

  it('never mixes shapes in a batch, and rotates the lead so every shape is served', () => {
    const q = new FairQueue<Item>();
    q.push(item('a', 'a-short', 'len3'));
    q.push(item('a', 'a-long', 'len9'));
    q.push(item('b', 'b-long', 'len9'));
    q.push(item('b', 'b-short', 'len3'));
    assert.deepEqual(ids(q.takeBatch(8, never)), ['a-short', 'b-short']);
    assert.deepEqual(ids(q.takeBatch(8, never)), ['a-long', 'b-long']);
  });

  it('counts rows: stops before overflowing, takes an oversized request alone', () => {
    const q = new FairQueue<Item>();
    q.push(item('a', 'a3', 's', 3));
    q.push(item('b', 'b2', 's', 2));
    q.push(item('c', 'c9', 's', 9));
    assert.equal(q.rows, 14);
    assert.deepEqual(ids(q.takeBatch(4, never)), ['a3']);
    assert.deepEqual(ids(q.takeBatch(4, never)), ['b2']);
    assert.deepEqual(ids(q.takeBatch(4, never)), ['c9']);
  });

  it('skips removed requests and removes dropped ones without batching them', () => {
    const q = new FairQueue<Item>();
    const items = ['x1', 'x2', 'x3', 'x4'].map((id) => item('a', id));
    for (const i of items) q.push(i);
    assert.equal(q.remove(items[1]), true);
    assert.equal(q.remove(items[1]), false);
    const dropped: string[] = [];
    const batch = q.takeBatch(8, (i) => i.id === 'x1' && dropped.push(i.id) > 0);
    assert.deepEqual(ids(batch), ['x3', 'x4']);
    assert.deepEqual(dropped, ['x1']);
    assert.equal(q.size, 0);
    assert.equal(q.oldest(), undefined);
  });

  it('names the largest tenant and its newest request', () => {
    const q = new FairQueue<Item>();
    q.push(item('a', 'a1'));
    q.push(item('b', 'b1'));
    q.push(item('b', 'b2'));
    const big = q.largest();
    assert.equal(big?.tenant, 'b');
    assert.equal(big?.count, 2);
    assert.equal(big?.newest.id, 'b2');
    assert.equal(q.oldest()?.id, 'a1');
    assert.equal(q.countOf('b'), 2);
  });

  it('a batch always takes its lead request, so taking makes progress whatever the rows and the limit', () => {
    const q = new FairQueue<Item>();
    q.push(item('a', 'a-empty', 's', 0));
    q.push(item('b', 'b-empty', 's', 0));
    q.push(item('a', 'a-big', 's', 5));
    assert.deepEqual(ids(q.takeBatch(0, never)), ['a-empty', 'b-empty']);
    assert.deepEqual(ids(q.takeBatch(0, never)), ['a-big']);
    assert.equal(q.size, 0);
  });
});
