// The type tests can fail: types.check.ts compiled without its @ts-expect-error directives errs on each marked line.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const CHECK = join(import.meta.dirname, 'types.check.ts');
const ROOT_CONFIG = join(import.meta.dirname, '../../../tsconfig.json');

const compile = (file: string) => {
  const config = ts.readConfigFile(ROOT_CONFIG, ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, join(ROOT_CONFIG, '..'));
  return ts.getPreEmitDiagnostics(ts.createProgram([file], { ...options, noEmit: true }), undefined);
};

test('every @ts-expect-error line of types.check.ts fails to compile without its directive', () => {
  const source = readFileSync(CHECK, 'utf8').split('\n');
  const marked = source.flatMap((line, i) => (line.includes('// @ts-expect-error') ? [i + 1] : []));
  assert.ok(marked.length >= 10);
  assert.deepEqual(compile(CHECK), [], 'with the directives the file compiles');
  // Blank each directive line, so the code keeps its line numbers: the errors land on line + 1.
  const bare = join(import.meta.dirname, '.types-bare.check.ts');
  writeFileSync(bare, source.map((line) => (line.includes('// @ts-expect-error') ? '' : line)).join('\n'));
  try {
    const errorLines = new Set(
      compile(bare)
        .filter((d) => d.file?.fileName === bare)
        .map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line + 1),
    );
    for (const line of marked)
      assert.ok(errorLines.has(line + 1), `line ${line + 1} compiles without its directive`);
  } finally {
    rmSync(bare, { force: true });
  }
});
