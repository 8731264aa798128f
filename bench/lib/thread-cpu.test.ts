import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitThreads, threadTimes } from './thread-cpu.ts';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);

test('a segment splits into the main thread, the busiest other threads and the rest', () => {
  const before = new Map([
    [100, 1],
    [101, 2],
    [102, 2],
    [103, 0.5],
  ]);
  const after = new Map([
    [100, 1.5],
    [101, 3],
    [102, 2.1],
    [103, 1.3],
    [104, 0.2], // started during the segment
  ]);
  const split = splitThreads(100, before, after, 2);
  close(split.main, 0.5);
  close(split.workers, 1 + 0.8);
  close(split.other, 0.2 + 0.1);
});

test('threadTimes reads every thread of this process, the main thread under the process id', () => {
  const times = threadTimes(process.pid);
  assert.ok(times.has(process.pid));
  assert.equal(splitThreads(process.pid, new Map(), times, 0).main, times.get(process.pid));
});
