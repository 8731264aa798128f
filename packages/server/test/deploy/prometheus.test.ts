// deploy/prometheus/rules.yml is valid and does what rules.test.yml says (promtool, from Debian's
// `prometheus` package; .ci/run installs it). No promtool is a failure, never a skip.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';

const DIR = join(import.meta.dirname, '../../../../deploy/prometheus');
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

const promtool = (...args: string[]): string => {
  try {
    return execFileSync(PROMTOOL, args, { cwd: DIR, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const err = e as { code?: string; stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') assert.fail(`${PROMTOOL} is not installed (apt-get install -y prometheus)`);
    assert.fail(`promtool ${args.join(' ')}:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
};

describe('prometheus rules', () => {
  test('promtool check rules', () => {
    assert.match(promtool('check', 'rules', 'rules.yml'), /SUCCESS: \d+ rules found/);
  });

  test('promtool test rules: burn-rate and operational alerts fire when they should and only then', () => {
    assert.match(promtool('test', 'rules', 'rules.test.yml'), /SUCCESS/);
  });
});
