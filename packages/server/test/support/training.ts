// A training run as the tests take one through the HTTP API: start it, let the training loop run it, read it.
import assert from 'node:assert/strict';
import type { TrainingRun } from '@quiver/contracts';
import type { TestApp } from './app.ts';

/** Starts a `trainer` run with `payload` (202), ticks the training loop once and returns the run as GET reads it. */
export const runTrainer = async (
  t: TestApp,
  headers: Record<string, string>,
  trainer: string,
  payload: object = {},
): Promise<TrainingRun> => {
  const started = await t.request({ method: 'POST', url: `/v1/trainers/${trainer}/runs`, headers, payload });
  assert.equal(started.statusCode, 202, started.body);
  await t.training.tickNow();
  return (await t.request({ method: 'GET', url: `/v1/trainers/runs/${started.json().id}`, headers })).json();
};
