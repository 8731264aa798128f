// Writes the committed OpenAPI document (packages/contracts/openapi.json) from the running app's schemas.
// CI's contract test compares the live document against it: /v1 may only grow.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, loadConfig } from '../packages/server/src/index.ts';

export const COMMITTED_OPENAPI = new URL('../packages/contracts/openapi.json', import.meta.url).pathname;

const dataDir = mkdtempSync(join(tmpdir(), 'quiver-openapi-'));
const { app } = await buildApp(loadConfig({}, { dataDir, demo: false, logLevel: 'silent' }));
const doc = app.swagger();
writeFileSync(COMMITTED_OPENAPI, `${JSON.stringify(doc, null, 2)}\n`);
await app.close();
rmSync(dataDir, { recursive: true, force: true });
console.log(`wrote ${COMMITTED_OPENAPI}: ${Object.keys((doc as { paths: object }).paths).length} paths`);
