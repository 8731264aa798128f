// Runs a benchmark server in its own process (so load generator and server do not share an event loop).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Linux clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
const CLOCK_TICKS_PER_S = 100;

/** CPU seconds (user + system) of a process, or of one of its threads when `tid` is given; NaN without /proc. */
export const processCpuSeconds = (pid: number | undefined, tid?: number): number => {
  try {
    const path = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
    const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
};

export interface ChildServer<T> {
  info: T;
  child: ChildProcess;
  /** CPU seconds (user + system) the server process has used so far; NaN where /proc is missing. */
  cpuSeconds(): number;
  /** The same for its main thread alone (the event loop; worker threads, GC and libuv threads excluded). */
  mainCpuSeconds(): number;
  stop(): Promise<void>;
}

/** Starts `script` with tsx; it must print one line `READY <json>` once it listens. */
export const startChild = async <T>(
  script: string,
  env: Record<string, string> = {},
): Promise<ChildServer<T>> => {
  // BENCH_SERVER_NODE_ARGS passes flags such as --cpu-prof to the server process.
  const extra = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<T>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve(JSON.parse(line.slice(6)) as T);
    });
  });
  return {
    info,
    child,
    cpuSeconds: () => processCpuSeconds(child.pid),
    // On Linux the main thread's id is the process id.
    mainCpuSeconds: () => processCpuSeconds(child.pid, child.pid),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
};
