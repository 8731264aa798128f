import assert from 'node:assert/strict';
import { Session } from 'node:inspector/promises';
import { test } from 'node:test';
import {
  busiestWindow,
  type CpuProfile,
  fold,
  foldedText,
  inclusiveByModule,
  moduleOf,
  selfTime,
} from './cpuprofile.ts';
import { flameSvg } from './flame-svg.ts';

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0, columnNumber: 0 });

test('frames are put in modules: Node by area, packages by name, Quiver by directory', () => {
  assert.equal(moduleOf(frame('parserOnIncoming', 'node:_http_server')), 'node:http');
  assert.equal(moduleOf(frame('clearBuffer', 'node:internal/streams/writable')), 'node:streams');
  assert.equal(moduleOf(frame('x', 'file:///w/node_modules/@pinojs/redact/index.js')), '@pinojs/redact');
  assert.equal(moduleOf(frame('x', 'file:///w/node_modules/pg/lib/client.js')), 'pg');
  assert.equal(
    moduleOf(frame('x', 'file:///w/packages/server/src/modules/catalog/service.ts')),
    'quiver:modules/catalog',
  );
  assert.equal(moduleOf(frame('x', 'file:///w/packages/server/src/http/auth.ts')), 'quiver:http');
  assert.equal(moduleOf(frame('x', 'file:///w/packages/server/src/app.ts')), 'quiver:app');
  assert.equal(moduleOf(frame('writev')), '(native)');
  assert.equal(moduleOf(frame('(garbage collector)')), '(garbage collector)');
});

test('a synthetic profile folds into stacks, self time and a window', () => {
  // root → a → b (leaf), root → a (leaf), root → (idle); samples every 1 ms over 3 s.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 4] },
      { id: 2, callFrame: frame('a', 'file:///w/packages/server/src/http/auth.ts'), children: [3] },
      { id: 3, callFrame: frame('b', 'file:///w/node_modules/pg/lib/client.js') },
      { id: 4, callFrame: frame('(idle)') },
    ],
    startTime: 0,
    endTime: 3_000_000,
    // second 0: idle; seconds 1–2: busy, 3 samples of b for every one of a.
    samples: Array.from({ length: 3000 }, (_, i) => (i < 1000 ? 4 : i % 4 === 0 ? 2 : 3)),
    timeDeltas: Array.from({ length: 3000 }, (_, i) => (i === 0 ? 0 : 1000)),
  };
  assert.deepEqual(busiestWindow(profile), { fromMs: 1000, toMs: 3000 });
  const all = fold(profile);
  assert.equal(all.total, 3000);
  assert.equal(all.idle, 1000);
  const window = fold(profile, 1000, 3000);
  assert.equal(window.idle, 0);
  assert.equal(window.total, 2000);
  assert.match(foldedText(window), /^a auth\.ts:1:1;b client\.js:1 1500$/m);
  assert.match(foldedText(window), /^a auth\.ts:1:1 500$/m);
  const self = selfTime(window);
  assert.deepEqual(
    self.modules.map((m) => [m.name, m.share]),
    [
      ['pg', 0.75],
      ['quiver:http', 0.25],
    ],
  );
  assert.deepEqual(
    inclusiveByModule(window).map((m) => [m.name, m.share]),
    [
      ['quiver:http', 1],
      ['pg', 0.75],
    ],
  );
  const svg = flameSvg(window.stacks, { title: 'synthetic <test>' });
  assert.match(svg, /^<svg /);
  assert.match(svg, /synthetic &lt;test&gt;/);
  assert.equal((svg.match(/<g>/g) ?? []).length, 3); // all, a, b
  assert.match(svg, /<title>b client\.js:1 \[pg\] — 1500 samples, 75\.00%<\/title>/);
});

/** A function that only burns CPU, to find in a real profile (a declaration: tsx keeps its name). */
function spinForMs(ms: number) {
  const until = performance.now() + ms;
  let x = 0;
  while (performance.now() < until) for (let i = 0; i < 1000; i++) x += Math.sqrt(x + i);
  return x;
}

test('a real V8 profile of this process shows the busy function with its self time', async () => {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    spinForMs(300);
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    const folded = fold(profile);
    assert.ok(folded.total > 50, `only ${folded.total} samples`);
    const spin = selfTime(folded).frames.filter((f) => f.name.startsWith('spinForMs '));
    assert.ok(spin.length > 0, 'the busy function is among the frames');
    const share = spin.reduce((s, f) => s + f.share, 0);
    assert.ok(share > 0.3, `spinForMs has ${share} of the busy samples`);
    assert.equal(spin[0].module, 'bench/lib');
    assert.match(flameSvg(folded.stacks, { title: 'spin' }), /spinForMs/);
  } finally {
    session.disconnect();
  }
});
