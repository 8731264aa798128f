// The consumer's time slicing: it gives the event loop a turn only once its slice is used up, and takes the
// longer catch-up slice while its batch is behind. (No clock is asserted on: slices of 0 or of an hour.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { batchSlicer, createSlicer } from '../../../src/modules/features/slice.ts';

const HOUR_MS = 3_600_000;

/** Whether a macrotask queued before `pause` ran by the time it resolved. */
const letsIoRun = async (pause: () => Promise<void>): Promise<boolean> => {
  let ran = false;
  setImmediate(() => {
    ran = true;
  });
  await pause();
  return ran;
};

describe('consumer time slicing', () => {
  test('a pause within the slice keeps going; a used-up slice gives the event loop a turn', async () => {
    const long = createSlicer(HOUR_MS);
    assert.equal(long.due(), false);
    assert.equal(await letsIoRun(long.pause), false);
    const used = createSlicer(0);
    assert.equal(used.due(), true);
    assert.equal(await letsIoRun(used.pause), true);
  });

  test('a batch behind by more than catchUpAfterMs gets the catch-up slice', () => {
    const options = { sliceMs: 0, catchUpSliceMs: HOUR_MS, catchUpAfterMs: 100 };
    assert.equal(batchSlicer(1_000, 1_050, options).due(), true, 'fresh: the short slice');
    assert.equal(batchSlicer(1_000, 1_500, options).due(), false, 'behind: the catch-up slice');
  });
});
