// Shared pieces of the private service processes tests start (redis-server, nats-server): a free port,
// a probe for a listening port, and a kill that waits for the exit.
import type { ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

/** A port on 127.0.0.1 that nothing listens on right now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/**
 * A fixed port for a process that is told its port (PORT=…): drawn below the kernel's ephemeral range
 * (32768 and up here), which outgoing connections take theirs from, and free when probed. Another process may
 * still take it before the child binds, so callers retry on EADDRINUSE.
 */
export const fixedFreePort = async (): Promise<number> => {
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
};

/** Whether 127.0.0.1:port accepts a TCP connection. */
export const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** Kills the process (SIGKILL, as a crash) and waits for it to exit; nothing to do when it has exited. */
export const killAndWait = async (proc: ChildProcess | undefined): Promise<void> => {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGKILL');
  await exited;
};
