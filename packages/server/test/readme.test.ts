// README.md cannot drift: every ```sh block runs, in order, in one bash session against a fresh demo server
// started here, and each curl answer is checked against what the README promises (the status in its
// comment, else a 2xx; the JSON keys its `# → {…}` comment shows). Blocks that must not run carry a skip
// marker with a reason, and the marker stays rare.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type ReadmeBlock, type ReadmeCommand, readmeBlocks } from './support/readme-blocks.ts';
import { REPO_ROOT, type ServerProcess, startServerProcess } from './support/server-process.ts';

const ROOT = REPO_ROOT;
const MAX_SKIPPED_SHARE = 0.2;
const RUN_DEADLINE_MS = 15 * 60_000;
/** Files the README's examples write in the working directory (gitignored); removed afterwards. */
const EXAMPLE_FILES = ['model.onnx', 'model-v2.onnx'];

const blocks = readmeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
const logDir = mkdtempSync(join(tmpdir(), 'quiver-readme-log-'));
let server: ServerProcess;

before(async () => {
  server = await startServerProcess();
});

after(async () => {
  await server?.stop();
  rmSync(logDir, { recursive: true, force: true });
  for (const f of EXAMPLE_FILES) rmSync(join(ROOT, f), { force: true });
});

/** A bash function that stands in for curl: the real curl, with each answer's where/headers/body logged. */
const PREAMBLE = [
  'set -eo pipefail',
  'curl() {',
  '  local f; f="$README_LOG/$(date +%s%N)-$BASHPID-$RANDOM"',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${…}, not a template
  '  printf "%s %s\\n" "$README_BLOCK" "${BASH_LINENO[0]}" > "$f.where"',
  '  command curl -D "$f.head" "$@" | tee "$f.body"',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${…}, not a template
  '  return "${PIPESTATUS[0]}"',
  '}',
];

interface Call {
  block: number;
  line: number;
  status: number;
  body: string;
}

const script = (runnable: { block: ReadmeBlock; index: number }[]) => {
  const lines = [...PREAMBLE];
  const offsets = new Map<number, number>();
  for (const { block, index } of runnable) {
    lines.push(`README_BLOCK=${index}`);
    offsets.set(index, lines.length);
    lines.push(...block.lines);
    lines.push(`: > "$README_LOG/done-${index}"`);
  }
  return { text: `${lines.join('\n')}\n`, offsets };
};

const readCalls = (offsets: Map<number, number>): Call[] =>
  readdirSync(logDir)
    .filter((f) => f.endsWith('.where'))
    .sort()
    .map((f) => {
      const base = join(logDir, f.slice(0, -'.where'.length));
      const [block, line] = readFileSync(`${base}.where`, 'utf8').trim().split(' ').map(Number);
      const head = readFileSync(`${base}.head`, 'utf8');
      const statuses = [...head.matchAll(/^HTTP\/[\d.]+ (\d{3})/gm)].map((m) => Number(m[1]));
      let body = readFileSync(`${base}.body`, 'utf8');
      if (body.startsWith('HTTP/')) body = body.slice(body.lastIndexOf('\r\n\r\n') + 4);
      return { block, line: line - (offsets.get(block) ?? 0), status: statuses.at(-1) ?? 0, body };
    });

const deepKeys = (value: unknown, into = new Set<string>()): Set<string> => {
  if (Array.isArray(value)) for (const v of value) deepKeys(v, into);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      deepKeys(v, into);
    }
  return into;
};

const checkCall = (block: ReadmeBlock, call: Call, command: ReadmeCommand) => {
  const where = `README.md line ${block.line + command.first}: ${command.text.split('\n')[0].trim()}`;
  if (command.status === undefined)
    assert.ok(
      call.status >= 200 && call.status < 300,
      `${where}\n→ ${call.status} ${call.body.slice(0, 500)}`,
    );
  else assert.equal(call.status, command.status, `${where}\n→ ${call.status} ${call.body.slice(0, 500)}`);
  if (command.keys.length === 0) return;
  let json: unknown;
  try {
    json = JSON.parse(call.body);
  } catch {
    assert.fail(`${where}: the README shows JSON, the answer is ${call.body.slice(0, 200)}`);
  }
  const keys = deepKeys(json);
  const missing = command.keys.filter((k) => !keys.has(k));
  assert.deepEqual(
    missing,
    [],
    `${where}: keys the README shows are missing from ${call.body.slice(0, 500)}`,
  );
};

test('the skip marker is rare and always says why', () => {
  const skipped = blocks.filter((b) => b.skip !== undefined);
  assert.ok(blocks.length >= 10, `only ${blocks.length} shell blocks found`);
  assert.ok(
    skipped.length <= Math.floor(blocks.length * MAX_SKIPPED_SHARE),
    `${skipped.length} of ${blocks.length} blocks are skipped: ${skipped.map((b) => b.line).join(', ')}`,
  );
  for (const b of skipped) assert.ok((b.skip ?? '').length > 10, `line ${b.line}: give the reason`);
});

test('every shell example in README.md runs in order against a fresh demo server', {
  timeout: RUN_DEADLINE_MS,
}, async () => {
  const runnable = blocks.flatMap((block, index) => (block.skip === undefined ? [{ block, index }] : []));
  const { text, offsets } = script(runnable);
  const file = join(logDir, 'readme.sh');
  mkdirSync(logDir, { recursive: true });
  writeFileSync(file, text);
  const run = spawnSync('bash', [file], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: RUN_DEADLINE_MS - 30_000,
    env: {
      ...process.env,
      QUIVER_URL: server.url,
      QUIVER_DATA_DIR: server.dataDir,
      TMPDIR: logDir,
      QUIVER_CONFIG: join(logDir, 'cli-config.json'),
      QUIVER_KEY: '',
      README_LOG: logDir,
      PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  const done = new Set(
    readdirSync(logDir)
      .filter((f) => f.startsWith('done-'))
      .map((f) => Number(f.slice(5))),
  );
  const failed = runnable.find(({ index }) => !done.has(index));
  assert.equal(
    failed,
    undefined,
    `the block at README.md line ${failed?.block.line} failed (exit ${run.status}):\n${run.stderr.slice(-3000)}`,
  );
  const calls = readCalls(offsets);
  assert.ok(calls.length > 20, `only ${calls.length} curl calls ran`);
  for (const call of calls) {
    const block = blocks[call.block];
    const command = block.commands.find((c) => call.line >= c.first && call.line <= c.last);
    assert.ok(command, `README.md block at line ${block.line}: no command at its line ${call.line}`);
    checkCall(block, call, command);
  }
});
