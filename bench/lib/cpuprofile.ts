// Reading V8 .cpuprofile files (node --cpu-prof): samples folded into stacks, a time window, self time by
// frame and by module (the package or Quiver directory a frame's file belongs to).

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Frames V8 adds for time outside JavaScript; `(idle)` is the event loop waiting, not CPU. */
export const IDLE = '(idle)';

/** One stack (root first) and the samples that ended in it. */
export interface FoldedStack {
  frames: string[];
  /** Their modules, one per frame. */
  modules: string[];
  samples: number;
}

export interface Folded {
  stacks: FoldedStack[];
  /** Samples in the window, idle ones included. */
  total: number;
  idle: number;
  /** Mean sampling interval in the window, µs. */
  intervalUs: number;
  /** The window's bounds, ms from the profile's start. */
  fromMs: number;
  toMs: number;
}

/**
 * Which module a frame belongs to: `node:http` for Node's own modules (by their internal path), the package
 * name for node_modules, `quiver:<dir>` for Quiver's sources (modules/catalog, http, adapters/sql, …),
 * `(native)` for built-ins without a file, and V8's pseudo-frames by name.
 */
export const moduleOf = (frame: CallFrame): string => {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) {
    const path = url.slice('node:'.length).replace(/^internal\//, '');
    const first = path.split('/')[0].replace(/\.js$/, '').replace(/^_/, '');
    // node:internal/streams/writable → node:streams; node:_http_server → node:http; node:net → node:net
    return `node:${first.replace(/_.*$/, '')}`;
  }
  const src = url.match(/packages\/([^/]+)\/src\/(.*)$/);
  if (src) {
    const parts = src[2].split('/');
    const dir = parts[0] === 'modules' || parts[0] === 'adapters' ? `${parts[0]}/${parts[1]}` : parts[0];
    return `${src[1] === 'server' ? 'quiver' : src[1]}:${dir.replace(/\.ts$/, '')}`;
  }
  const bench = url.match(/\/(bench\/.*)$/);
  if (bench) return bench[1].replace(/\/[^/]*$/, '');
  return url.replace(/^file:\/\//, '');
};

const frameName = (frame: CallFrame): string => {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const file = frame.url.slice(frame.url.lastIndexOf('/') + 1);
  // tsx compiles each TypeScript file to one line: there the column tells two functions apart.
  const column = frame.lineNumber === 0 && file.endsWith('.ts') ? `:${frame.columnNumber + 1}` : '';
  return `${name} ${file}:${frame.lineNumber + 1}${column}`;
};

/** The profile's sample times, ms from its start. */
const sampleTimes = (profile: CpuProfile): Float64Array => {
  const times = new Float64Array(profile.samples.length);
  let t = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    times[i] = t / 1000;
  }
  return times;
};

/** Non-idle share of the samples per second of the profile, for picking a window. */
export const activity = (profile: CpuProfile): { second: number; busy: number; samples: number }[] => {
  const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === IDLE).map((n) => n.id));
  const times = sampleTimes(profile);
  const out: { second: number; busy: number; samples: number }[] = [];
  for (let i = 0; i < times.length; i++) {
    const s = Math.floor(times[i] / 1000);
    while (out.length <= s) out.push({ second: out.length, busy: 0, samples: 0 });
    out[s].samples++;
    if (!idleIds.has(profile.samples[i])) out[s].busy++;
  }
  return out.map((o) => ({ ...o, busy: o.samples ? o.busy / o.samples : 0 }));
};

/**
 * The longest run of seconds in which the process was busy for at least `minBusy` of the samples (the load
 * window of a benchmark, as opposed to idle waits), leaving out a run from the first second (start-up: module
 * loading and compiling) unless it is the only one; undefined when no second is that busy.
 */
export const busiestWindow = (
  profile: CpuProfile,
  minBusy = 0.5,
): { fromMs: number; toMs: number } | undefined => {
  let best: [number, number] | undefined;
  let start = -1;
  const seconds = activity(profile);
  for (let s = 0; s <= seconds.length; s++) {
    const busy = s < seconds.length && seconds[s].busy >= minBusy;
    if (busy && start < 0) start = s;
    if (!busy && start >= 0) {
      const startUp = start === 0;
      if (!best || (best[0] === 0 && !startUp) || (s - start > best[1] - best[0] && !startUp))
        best = [start, s];
      start = -1;
    }
  }
  return best && { fromMs: best[0] * 1000, toMs: best[1] * 1000 };
};

/** Folds the samples taken between `fromMs` and `toMs` (from the profile's start) into stacks. */
export const fold = (profile: CpuProfile, fromMs = 0, toMs = Number.POSITIVE_INFINITY): Folded => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const counts = new Map<number, number>();
  const times = sampleTimes(profile);
  let total = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (let i = 0; i < times.length; i++) {
    if (times[i] < fromMs || times[i] >= toMs) continue;
    counts.set(profile.samples[i], (counts.get(profile.samples[i]) ?? 0) + 1);
    total++;
    first = Math.min(first, times[i]);
    last = Math.max(last, times[i]);
  }
  const stacks: FoldedStack[] = [];
  let idle = 0;
  for (const [id, samples] of counts) {
    const frames: string[] = [];
    const modules: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at)!;
      if (node.callFrame.functionName === '(root)') break;
      frames.push(frameName(node.callFrame));
      modules.push(moduleOf(node.callFrame));
    }
    frames.reverse();
    modules.reverse();
    if (frames[frames.length - 1] === IDLE) idle += samples;
    stacks.push({ frames, modules, samples });
  }
  stacks.sort((a, b) => (a.frames.join(';') < b.frames.join(';') ? -1 : 1));
  return {
    stacks,
    total,
    idle,
    intervalUs: total > 1 ? ((last - first) * 1000) / (total - 1) : 0,
    fromMs: Number.isFinite(first) ? first : 0,
    toMs: last,
  };
};

/** Brendan Gregg's folded format: `root;…;leaf count` per line. */
export const foldedText = (folded: Folded): string =>
  folded.stacks.map((s) => `${s.frames.join(';')} ${s.samples}`).join('\n');

export interface SelfTime {
  name: string;
  samples: number;
  /** Share of the busy (non-idle) samples. */
  share: number;
}

/** Self time (the innermost frame of each sample) by module and by frame, idle left out. */
export const selfTime = (
  folded: Folded,
): { modules: SelfTime[]; frames: (SelfTime & { module: string })[] } => {
  const busy = folded.total - folded.idle;
  const modules = new Map<string, number>();
  const frames = new Map<string, { samples: number; module: string }>();
  for (const s of folded.stacks) {
    const leaf = s.frames[s.frames.length - 1];
    if (leaf === IDLE) continue;
    const module = s.modules[s.modules.length - 1];
    modules.set(module, (modules.get(module) ?? 0) + s.samples);
    const f = frames.get(leaf) ?? { samples: 0, module };
    f.samples += s.samples;
    frames.set(leaf, f);
  }
  const share = (n: number) => (busy > 0 ? n / busy : 0);
  return {
    modules: [...modules]
      .map(([name, samples]) => ({ name, samples, share: share(samples) }))
      .sort((a, b) => b.samples - a.samples),
    frames: [...frames]
      .map(([name, f]) => ({ name, samples: f.samples, module: f.module, share: share(f.samples) }))
      .sort((a, b) => b.samples - a.samples),
  };
};

/**
 * Inclusive time by module: the share of busy samples with at least one frame of the module on the stack
 * (what a module costs including everything it calls).
 */
export const inclusiveByModule = (folded: Folded): SelfTime[] => {
  const busy = folded.total - folded.idle;
  const modules = new Map<string, number>();
  for (const s of folded.stacks) {
    if (s.frames[s.frames.length - 1] === IDLE) continue;
    for (const m of new Set(s.modules)) modules.set(m, (modules.get(m) ?? 0) + s.samples);
  }
  return [...modules]
    .map(([name, samples]) => ({ name, samples, share: busy > 0 ? samples / busy : 0 }))
    .sort((a, b) => b.samples - a.samples);
};
