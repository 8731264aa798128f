// Formatting of benchmark results: aligned rows and ratios against the same-run baseline.
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const table = (rows: Record<string, string | number>[]): string => {
  const cols = Object.keys(rows[0] ?? {});
  const cell = (v: string | number) => (typeof v === 'number' ? fmt(v, v < 10 ? 2 : 0) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padStart(widths[i])).join('  ');
  return [
    line(cols),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(cols.map((c) => cell(r[c])))),
  ].join('\n');
};

/** What a rerun needs to compare like with like: the commit, Node, the cores and the load average now. */
export const benchEnvironment = (): string => {
  let commit = 'unknown (no git)';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {}
  const load = loadavg()
    .map((l) => fmt(l, 2))
    .join(' ');
  return `commit ${commit}, node ${process.version}, ${availableParallelism()} cores, load average ${load}`;
};
