// Reading the package's word vectors (~300 MB of JSON) happens in a worker thread: the server's event loop
// stays free meanwhile (parsing on the main thread held it for ~35 s, stalling readiness and every tenant).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadWordVectors } from '../../../src/modules/vectors/word-vectors.ts';

/**
 * A bound on blocking, not on speed: the main thread's share (the word list and its index) took ~190 ms here,
 * the parse it no longer does ~35 s. Far from both, so a loaded machine cannot flip it.
 */
const BLOCKED_MS = 5_000;

test('the word vectors load off the main thread, whole and indexed', { timeout: 600_000 }, async () => {
  let worst = 0;
  let done = false;
  const loading = loadWordVectors().finally(() => {
    done = true;
  });
  while (!done) {
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 10));
    worst = Math.max(worst, performance.now() - started - 10);
  }
  const vectors = await loading;
  assert.equal(vectors.dim, 100);
  assert.equal(vectors.table.length, vectors.words.length * vectors.dim);
  const row = vectors.index('lamp');
  assert.ok(row !== undefined && vectors.words[row] === 'lamp');
  assert.ok(vectors.table.subarray(row * 100, row * 100 + 100).some((x) => x !== 0));
  assert.equal(vectors.index('no-such-word-xyz'), undefined);
  assert.ok(worst < BLOCKED_MS, `the event loop was blocked for ${worst.toFixed(0)} ms`);
});
