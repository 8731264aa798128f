// Runs the KV contract in process, plus what only the in-process store has: sweeping and snapshots.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MemoryKv, openKv, takeToken } from '../../../src/adapters/kv/index.ts';
import { runKvContract } from './contract.ts';

let shared: MemoryKv | undefined;
runKvContract({
  name: 'memory',
  open: () => {
    shared = new MemoryKv();
    return shared;
  },
  openPeer: () => shared ?? assert.fail('open first'),
});

describe('in-process KV', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-kv-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let now = 1_000;
  const clock = { now: () => now };

  it('sweeps expired keys on a later write, so they do not accumulate', async () => {
    const kv = new MemoryKv({ clock }, { sweepIntervalMs: 1_000 });
    for (let i = 0; i < 100; i++) await kv.set(`k${i}`, 'v', { ttlMs: 10 });
    await kv.set('kept', 'v');
    assert.equal(kv.size, 101);
    now += 2_000;
    await kv.hset('h', { f: '1' });
    assert.equal(kv.size, 2);
  });

  it('survives a restart through its snapshot file, without expired keys', async () => {
    const file = join(dir, 'kv.json');
    const first = openKv(undefined, { snapshotFile: file, clock });
    await first.set('s', 'x');
    await first.set('gone', 'x', { ttlMs: 10 });
    await first.hset('h', { a: '1' }, { ttlMs: 60_000 });
    await first.lpushTrim('l', ['a', 'b'], 5);
    await first.incrBucket('b', 0, 2, 60_000);
    await takeToken(first, 't', 1, 2, now);
    now += 20;
    await first.close();

    const second = openKv(undefined, { snapshotFile: file, clock });
    assert.deepEqual(await second.mget(['s', 'gone']), ['x', null]);
    assert.deepEqual(await second.hgetall('h'), { a: '1' });
    assert.deepEqual(await second.lrange('l'), ['b', 'a']);
    assert.equal(await second.sumBuckets('b', 0, 1), 2);
    assert.equal((await takeToken(second, 't', 1, 2, now)).remaining, 0, 'the bucket kept its taken token');
    now += 60_000;
    assert.deepEqual(await second.hgetall('h'), {}, 'restored keys keep their expiry');
    await second.close();
  });

  it('refuses a corrupt snapshot instead of starting empty', () => {
    const file = join(dir, 'corrupt.json');
    writeFileSync(file, '{"version":1,"entries":[["k",{"t":"nope"}]]');
    assert.throws(() => openKv(undefined, { snapshotFile: file }), /cannot restore the KV snapshot/);
  });
});
