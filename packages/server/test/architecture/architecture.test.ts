// The layout's rules, checked over the import graph: shipped code never imports test code, modules meet
// only at each other's index.ts, the layers under the modules never import one, and module folders form no
// cycle.
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { type ImportGraph, moduleCycles, moduleOf, readImportGraph } from './import-graph.ts';

const PACKAGES = join(import.meta.dirname, '../../..');
const SRC = join(PACKAGES, 'server/src');
const SHIPPED_ROOTS = [SRC, join(PACKAGES, 'cli/src'), join(PACKAGES, 'contracts/src')];
const isTestPath = (file: string) => /\/packages\/[^/]+\/test\//.test(file) || file.endsWith('.test.ts');
const isModuleIndex = (file: string) => /\/modules\/[^/]+\/index\.ts$/.test(file);
/** The floors the modules stand on: none of them may import a module (modules build on them, not back). */
const UNDER_MODULES = ['kernel', 'metrics', 'config', 'adapters', 'http', 'tracing'];
const isUnderModules = (srcDir: string, file: string) =>
  UNDER_MODULES.some((layer) => file.startsWith(join(srcDir, layer, '/')));

/** Every edge from a shipped file that breaks a rule, as "from → to (why)". */
export const violations = (graph: ImportGraph, srcDir: string): string[] => {
  const found: string[] = [];
  for (const [from, targets] of graph.edges) {
    if (isTestPath(from)) continue;
    const fromModule = moduleOf(srcDir, from);
    for (const to of targets) {
      const edge = `${relative(PACKAGES, from)} → ${relative(PACKAGES, to)}`;
      if (isTestPath(to)) found.push(`${edge} (shipped code imports test code)`);
      const toModule = moduleOf(srcDir, to);
      if (toModule && toModule !== fromModule && !isModuleIndex(to))
        found.push(`${edge} (reaches past modules/${toModule}/index.ts)`);
      if (toModule && isUnderModules(srcDir, from))
        found.push(`${edge} (a layer under the modules imports one)`);
    }
  }
  return found;
};

describe('architecture', () => {
  const graph = readImportGraph(SHIPPED_ROOTS);

  test('shipped code has test files neither beside it nor imported by it', () => {
    assert.deepEqual(
      graph.files.filter(isTestPath).map((f) => relative(PACKAGES, f)),
      [],
      'test files belong under packages/<name>/test/',
    );
    assert.deepEqual(violations(graph, SRC), []);
  });

  test('module folders form no cycle', () => {
    assert.deepEqual(moduleCycles(SRC, graph), []);
  });

  test('the checks catch what they are for', () => {
    // A small graph with each kind of violation, so the rules above cannot pass by reading nothing.
    const f = (p: string) => join(SRC, p);
    const edges = new Map<string, string[]>([
      [
        f('modules/a/service.ts'),
        [f('modules/b/repository.ts'), join(PACKAGES, 'server/test/support/app.ts')],
      ],
      [f('modules/b/service.ts'), [f('modules/a/index.ts')]],
      [f('modules/a/index.ts'), [f('modules/a/service.ts')]],
      [f('modules/b/repository.ts'), []],
      [f('http/auth.ts'), [f('modules/a/index.ts'), f('kernel/index.ts')]],
    ]);
    const fake: ImportGraph = { files: [...edges.keys()], edges };
    assert.equal(violations(fake, SRC).length, 3);
    assert.deepEqual(moduleCycles(SRC, fake), [['a', 'b']]);
    assert.ok(graph.files.length > 100, `read ${graph.files.length} files`);
  });
});
