// `npm run build`: compiles the server and its contracts to JavaScript (tsc, .ts imports rewritten to .js)
// into packages/<name>/dist, which the package exports offer under the `compiled` condition: run it with
// `node --conditions=compiled packages/server/dist/main.js` (what the container image does).
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';

const OUT = '.build';
const PACKAGES = ['contracts', 'server'];

rmSync(OUT, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
for (const name of PACKAGES) {
  const dist = `packages/${name}/dist`;
  rmSync(dist, { recursive: true, force: true });
  if (!existsSync(`${OUT}/${name}/src`)) throw new Error(`tsc wrote nothing for ${name}`);
  renameSync(`${OUT}/${name}/src`, dist);
}
rmSync(OUT, { recursive: true, force: true });
console.log(`built ${PACKAGES.map((n) => `packages/${n}/dist`).join(', ')}`);
