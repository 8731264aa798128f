// Shared pieces of the private processes tests start (redis-server, nats-server, Quiver servers): a free port,
// a probe for a listening port, a child's output and exit, and a kill that waits for the exit.
import type { ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

/**
 * A port on 127.0.0.1 that nothing listens on right now, for a process told its port: drawn below the kernel's
 * ephemeral range (32768 and up here), which outgoing connections take their local ports from, so none of the
 * many connections a loaded test run opens can hold it. Another process may still bind it before the child
 * does; startServerProcess retries on EADDRINUSE.
 */
export const freePort = async (): Promise<number> => {
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

/** A child's stdout and stderr as one text so far, and its exit: the code, or the signal's name when one ended it. */
export const watchProcess = (proc: ChildProcess) => {
  let output = '';
  const add = (d: Buffer) => {
    output += d;
  };
  proc.stdout?.on('data', add);
  proc.stderr?.on('data', add);
  const exited = new Promise<number | string | null>((resolve) =>
    proc.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  return { output: () => output, exited };
};
