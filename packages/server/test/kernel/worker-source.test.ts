// A worker keeps the parent's export conditions (the image runs with --conditions=compiled) and nothing else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workerExecArgv } from '../../src/kernel/index.ts';

test('workerExecArgv passes the export conditions through, in either spelling, and drops other flags', () => {
  assert.deepEqual(workerExecArgv([]), []);
  assert.deepEqual(workerExecArgv(['--import', 'tsx', '--enable-source-maps']), []);
  assert.deepEqual(workerExecArgv(['--conditions=compiled', '--max-old-space-size=512']), [
    '--conditions=compiled',
  ]);
  assert.deepEqual(workerExecArgv(['-C', 'compiled', '--conditions', 'other']), [
    '--conditions=compiled',
    '--conditions=other',
  ]);
});
