// A Quiver server as a user runs it (`node packages/server/src/main.ts`), on a free port and a fresh data
// dir, for tests that drive it from outside: the README's examples, the examples/ scripts.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, watchProcess } from './private-process.ts';

export const REPO_ROOT = new URL('../../../../', import.meta.url).pathname;
const MAIN = join(REPO_ROOT, 'packages/server/src/main.ts');
const READY_DEADLINE_MS = 120_000;
/** Starts tried when another process takes the port between the probe and the server's bind. */
const PORT_ATTEMPTS = 5;

export interface ServerProcess {
  url: string;
  dataDir: string;
  output(): string;
  stop(): Promise<void>;
}

export const startServerProcess = async (env: Record<string, string> = {}): Promise<ServerProcess> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(env);
    } catch (e) {
      if (attempt >= PORT_ATTEMPTS || !(e instanceof PortTaken)) throw e;
    }
  }
};

class PortTaken extends Error {}

const startOnce = async (env: Record<string, string>): Promise<ServerProcess> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'quiver-server-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      QUIVER_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { exited, output } = watchProcess(child);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + READY_DEADLINE_MS;
  for (;;) {
    if (child.exitCode !== null) {
      rmSync(dataDir, { recursive: true, force: true });
      if (output().includes('EADDRINUSE') && !env.PORT) throw new PortTaken(output());
      throw new Error(`the server exited: ${output()}`);
    }
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server was not ready in time: ${output()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, dataDir, output, stop };
};
