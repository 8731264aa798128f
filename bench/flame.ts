// `npm run bench -- flame <file.cpuprofile>… [--from S] [--to S] [--all] [--out DIR] [--top N]`: turns V8 CPU
// profiles (BENCH_SERVER_NODE_ARGS=--cpu-prof) into folded stacks, an SVG flame graph and a text summary of
// self time by module and by frame, ready to paste into a closing note. Without --from/--to/--all only the
// profile's longest busy stretch (≥ 50% of samples not idle: a benchmark's load window) is read.
// Output goes to --out (default data/flame/), one `<name>.folded`, `<name>.svg` and `<name>.txt` per profile.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  activity,
  busiestWindow,
  type CpuProfile,
  fold,
  foldedText,
  inclusiveByModule,
  selfTime,
} from './lib/cpuprofile.ts';
import { flameSvg } from './lib/flame-svg.ts';

const pct = (share: number) => `${(100 * share).toFixed(1).padStart(5)}%`;

interface Args {
  files: string[];
  from?: number;
  to?: number;
  all: boolean;
  out: string;
  top: number;
}

const parseArgs = (argv: readonly string[]): Args => {
  const args: Args = { files: [], all: false, out: 'data/flame', top: 25 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--from') args.from = Number(argv[++i]);
    else if (a === '--to') args.to = Number(argv[++i]);
    else if (a === '--all') args.all = true;
    else if (a === '--out') args.out = argv[++i];
    else if (a === '--top') args.top = Number(argv[++i]);
    else args.files.push(a);
  }
  return args;
};

/** The text summary of one profile's window. */
export const summary = (
  name: string,
  profile: CpuProfile,
  fromMs: number,
  toMs: number,
  top: number,
): string => {
  const folded = fold(profile, fromMs, toMs);
  const busy = folded.total - folded.idle;
  const { modules, frames } = selfTime(folded);
  const inclusive = inclusiveByModule(folded);
  const lines = [
    `${name}: ${(folded.fromMs / 1000).toFixed(1)}–${(folded.toMs / 1000).toFixed(1)} s of the profile, ` +
      `${folded.total} samples every ${folded.intervalUs.toFixed(0)} µs, ${busy} busy (${pct(busy / Math.max(folded.total, 1)).trim()})`,
    '',
    'self time by module (share of busy samples; inclusive: with a frame of the module anywhere on the stack)',
    ...modules
      .slice(0, top)
      .map(
        (m) =>
          `  ${pct(m.share)}  ${m.name.padEnd(34)} inclusive ${pct(inclusive.find((i) => i.name === m.name)?.share ?? 0)}`,
      ),
    '',
    `top ${top} frames by self time`,
    ...frames.slice(0, top).map((f) => `  ${pct(f.share)}  ${f.name}  [${f.module}]`),
  ];
  return lines.join('\n');
};

export const main = async (argv: readonly string[] = process.argv.slice(3)) => {
  const args = parseArgs(argv);
  if (args.files.length === 0) {
    console.error(
      'usage: npm run bench -- flame <file.cpuprofile>… [--from S] [--to S] [--all] [--out DIR] [--top N]',
    );
    process.exitCode = 2;
    return;
  }
  mkdirSync(args.out, { recursive: true });
  for (const file of args.files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const name = basename(file).replace(/\.cpuprofile$/, '');
    let fromMs = (args.from ?? 0) * 1000;
    let toMs = args.to === undefined ? Number.POSITIVE_INFINITY : args.to * 1000;
    if (!args.all && args.from === undefined && args.to === undefined) {
      const window = busiestWindow(profile);
      if (window) ({ fromMs, toMs } = window);
    }
    const strip = activity(profile)
      .map((s) => ' ▁▂▃▄▅▆▇█'[Math.round(s.busy * 8)])
      .join('');
    const text = `${summary(name, profile, fromMs, toMs, args.top)}\n\nbusy share per second: |${strip}|\n`;
    const folded = fold(profile, fromMs, toMs);
    const busyStacks = folded.stacks.filter((s) => s.frames[s.frames.length - 1] !== '(idle)');
    writeFileSync(join(args.out, `${name}.folded`), `${foldedText(folded)}\n`);
    writeFileSync(
      join(args.out, `${name}.svg`),
      flameSvg(busyStacks, {
        title: `${name}: ${(folded.fromMs / 1000).toFixed(1)}–${(folded.toMs / 1000).toFixed(1)} s, ${folded.total - folded.idle} busy samples (idle left out)`,
      }),
    );
    writeFileSync(join(args.out, `${name}.txt`), text);
    console.log(text);
    console.log(`wrote ${join(args.out, name)}.{folded,svg,txt}\n`);
  }
};
