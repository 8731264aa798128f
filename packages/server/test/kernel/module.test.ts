// The lifecycle table: modules start in build order, and everything closes in exact reverse order, even past a failure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLifecycle, type QuiverModule } from '../../src/kernel/module.ts';
import { ROLES } from '../../src/kernel/roles.ts';

const recorder = () => {
  const calls: string[] = [];
  const module = (name: string, fail?: 'close'): QuiverModule<string> => ({
    service: name,
    start: () => void calls.push(`start ${name}`),
    close: async () => {
      calls.push(`close ${name}`);
      if (fail) throw new Error(`${name} failed to close`);
    },
  });
  const adapter = (name: string) => ({ close: () => void calls.push(`close ${name}`) });
  return { calls, module, adapter };
};

test('add returns the service; routes and starts follow build order; close is the exact reverse', async () => {
  const { calls, module, adapter } = recorder();
  const life = createLifecycle();
  life.open(adapter('db'));
  life.open(adapter('stream'));
  assert.equal(life.add(module('a')), 'a');
  const routes = async () => {};
  life.add({ ...module('b'), routes });
  life.add({ service: 'c' });
  assert.deepEqual(life.routes(), [routes]);
  await life.start();
  await life.close();
  assert.deepEqual(calls, ['start a', 'start b', 'close b', 'close a', 'close stream', 'close db']);
});

test('a failing close does not stop the others; the failures are thrown afterwards', async () => {
  const { calls, module, adapter } = recorder();
  const life = createLifecycle();
  life.open(adapter('db'));
  life.add(module('a', 'close'));
  life.add(module('b', 'close'));
  await assert.rejects(life.close(), (e: unknown) => e instanceof AggregateError && e.errors.length === 2);
  assert.deepEqual(calls, ['close b', 'close a', 'close db']);

  const one = createLifecycle();
  one.add(module('c', 'close'));
  await assert.rejects(one.close(), /c failed to close/);
});

test('a role picks the parts of the table: serve skips work, worker skips routes and serving starts', async () => {
  const run = async (role: (typeof ROLES)[keyof typeof ROLES]) => {
    const calls: string[] = [];
    const life = createLifecycle(role);
    const mod = (name: string): QuiverModule<string> => ({
      service: name,
      routes: async () => {},
      start: () => void calls.push(`start ${name}`),
      work: () => void calls.push(`work ${name}`),
    });
    life.add(mod('index'), 'serving');
    life.add(mod('consumer'));
    for (const step of life.starts()) await step();
    return { calls, routes: life.routes().length };
  };
  assert.deepEqual(await run(ROLES.all), {
    calls: ['start index', 'start consumer', 'work index', 'work consumer'],
    routes: 2,
  });
  assert.deepEqual(await run(ROLES.serve), { calls: ['start index', 'start consumer'], routes: 2 });
  assert.deepEqual(await run(ROLES.worker), {
    calls: ['start consumer', 'work index', 'work consumer'],
    routes: 0,
  });
});
