// The server's import graph read from the source text: relative imports and `new URL('./x.ts', import.meta.url)`
// worker entries, resolved to files. Small on purpose: the architecture test asks three questions of it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** `import … from './x.ts'`, `export … from './x.ts'`, `import('./x.ts')`, `import './x.ts'`. */
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
/** Worker entry points are files too: `new URL('./worker.ts', import.meta.url)`. */
const WORKER_URL = /new URL\(\s*['"](\.{1,2}\/[^'"]+\.ts)['"]\s*,\s*import\.meta\.url\s*\)/g;

export interface ImportGraph {
  /** Absolute path of every `.ts` file under the roots. */
  files: string[];
  /** File → the project files it imports (absolute paths; packages are left out). */
  edges: Map<string, string[]>;
}

const listTs = (dir: string, out: string[] = []): string[] => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules') continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) listTs(path, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
};

export const specifiersOf = (source: string): string[] => {
  const found: string[] = [];
  for (const m of source.matchAll(IMPORT)) found.push(m[1] ?? m[2] ?? m[3]);
  for (const m of source.matchAll(WORKER_URL)) found.push(m[1]);
  return found;
};

export const readImportGraph = (roots: string[]): ImportGraph => {
  const files = roots.flatMap((r) => listTs(resolve(r)));
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const targets = specifiersOf(readFileSync(file, 'utf8'))
      .filter((s) => s.startsWith('.'))
      .map((s) => resolve(dirname(file), s));
    edges.set(file, targets);
  }
  return { files, edges };
};

/** Files reachable from the entries along import edges. */
export const reachable = (graph: ImportGraph, entries: string[]): Set<string> => {
  const seen = new Set<string>();
  const stack = entries.map((e) => resolve(e));
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const t of graph.edges.get(f) ?? []) stack.push(t);
  }
  return seen;
};

/** `modules/<name>` of a file under `srcDir`, or undefined outside modules. */
export const moduleOf = (srcDir: string, file: string): string | undefined => {
  const parts = relative(srcDir, file).split(sep);
  return parts[0] === 'modules' && parts.length > 2 ? parts[1] : undefined;
};

/** Cycles between module folders (a → b → … → a), each as the list of module names along it. */
export const moduleCycles = (srcDir: string, graph: ImportGraph): string[][] => {
  const deps = new Map<string, Set<string>>();
  for (const [from, targets] of graph.edges) {
    const a = moduleOf(srcDir, from);
    if (!a) continue;
    for (const t of targets) {
      const b = moduleOf(srcDir, t);
      if (b && b !== a) (deps.get(a) ?? deps.set(a, new Set()).get(a)!).add(b);
    }
  }
  // Tarjan's strongly connected components: any component with more than one module is a cycle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of deps.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      for (let w = stack.pop()!; ; w = stack.pop()!) {
        onStack.delete(w);
        component.push(w);
        if (w === v) break;
      }
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of deps.keys()) if (!index.has(v)) visit(v);
  return cycles;
};
