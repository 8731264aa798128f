// deploy/terraform/aws: formatted (`terraform fmt -check`) and valid (`terraform validate`) offline, after
// `terraform init -backend=false` from this machine's filesystem mirror of the AWS provider. The mirror is
// found under TF_PLUGIN_DIR or the usual places; a machine without terraform or the mirror fails here.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const MODULE = new URL('../../../../deploy/terraform/aws', import.meta.url).pathname;
const MIRRORS = [
  process.env.TF_PLUGIN_DIR,
  '/opt/tf-plugins',
  '/usr/share/terraform/plugins',
  '/root/.terraform.d/plugins',
];

const pluginDir = (): string => {
  const found = MIRRORS.find((d) => d && existsSync(join(d, 'registry.terraform.io/hashicorp/aws')));
  assert.ok(found, `no filesystem mirror of hashicorp/aws in ${MIRRORS.filter(Boolean).join(', ')}`);
  return found;
};

const terraform = (args: string[], cwd: string) =>
  execFileSync('terraform', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
  });

test('terraform fmt -check, init from the mirror and validate pass', () => {
  terraform(['fmt', '-check', '-recursive'], MODULE);
  // A copy, so init's .terraform and lock file stay out of the repository.
  const work = mkdtempSync(join(tmpdir(), 'quiver-tf-'));
  try {
    for (const f of readdirSync(MODULE).filter((f) => f.endsWith('.tf')))
      cpSync(join(MODULE, f), join(work, f));
    terraform(['init', '-backend=false', '-input=false', `-plugin-dir=${pluginDir()}`], work);
    const out = terraform(['validate', '-json'], work);
    const result = JSON.parse(out);
    assert.equal(result.valid, true, out);
    assert.equal(result.error_count, 0, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('a broken module fails validation (the check is not vacuous)', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-tf-'));
  try {
    for (const f of readdirSync(MODULE).filter((f) => f.endsWith('.tf')))
      cpSync(join(MODULE, f), join(work, f));
    writeFileSync(
      join(work, 'broken.tf'),
      'output "bad" {\n  value = aws_s3_bucket.artifacts.no_such_attribute\n}\n',
    );
    terraform(['init', '-backend=false', '-input=false', `-plugin-dir=${pluginDir()}`], work);
    assert.throws(
      () => terraform(['validate', '-json'], work),
      (e: { stdout?: string }) => /no_such_attribute/.test(e.stdout ?? ''),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
