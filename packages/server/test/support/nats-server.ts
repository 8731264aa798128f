// A private `nats-server -js` for tests that stop and restart NATS: its own free port and store directory,
// never the machine's shared server.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepts, freePort, killAndWait } from './private-process.ts';

export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
const START_TIMEOUT_MS = 15_000;

export interface PrivateNats {
  url: string;
  port: number;
  /** Kills the server (SIGKILL, as a crash) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store directory; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and removes its store. */
  close(): Promise<void>;
}

/** On `port` when given (a test that first had nothing listening there), else on a free one. */
export const startPrivateNats = async (port?: number): Promise<PrivateNats> => {
  port ??= await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'quiver-nats-'));
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    output = '';
    const proc = spawn(NATS_SERVER_BIN, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stdout?.on('data', (d) => {
      output += d;
    });
    proc.stderr?.on('data', (d) => {
      output += d;
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    // JetStream is ready a moment after the port opens; the log line says when.
    while (!(output.includes('Server is ready') && (await accepts(port)))) {
      if (proc.exitCode !== null) throw new Error(`nats-server exited: ${output}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not start in time: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    await killAndWait(proc);
  };

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async close() {
      await stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
};
