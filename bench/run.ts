// `npm run bench -- <name>`: runs one benchmark by name (or lists them).
const BENCHMARKS: Record<string, () => Promise<unknown>> = {
  'buy-again': () => import('./buy-again.ts').then((m) => m.main()),
  catalog: () => import('./catalog.ts').then((m) => m.main()),
  'catalog-cpu': () => import('./catalog-cpu.ts').then((m) => m.main()),
  console: () => import('./console.ts').then((m) => m.main()),
  events: () => import('./events.ts').then((m) => m.main()),
  // Not a measurement: CPU profiles → folded stacks, an SVG flame graph and self time by module.
  flame: () => import('./flame.ts').then((m) => m.main()),
  inference: () => import('./inference.ts').then((m) => m.main()),
  'inference-cpu': () => import('./inference-cpu.ts').then((m) => m.main()),
  'model-memory': () => import('./model-memory.ts').then((m) => m.main()),
  oip: () => import('./oip.ts').then((m) => m.main()),
  // Serving latency per scenario, then training time per trainer (each also runs alone).
  recommend: async () => {
    await import('./recommend.ts').then((m) => m.main());
    await import('./recommend-training.ts').then((m) => m.main());
  },
  'recommend-serving': () => import('./recommend.ts').then((m) => m.main()),
  'recommend-training': () => import('./recommend-training.ts').then((m) => m.main()),
  routing: () => import('./routing.ts').then((m) => m.main()),
  relevance: () => import('./relevance.ts').then((m) => m.main()),
  'relevance-features': () => import('./relevance-features.ts').then((m) => m.main()),
  'scoped-keys': () => import('./scoped-keys.ts').then((m) => m.main()),
  // The load test, then the in-process comparison with MiniSearch and FlexSearch (each also runs alone).
  search: async () => {
    await import('./search.ts').then((m) => m.main());
    await import('./search-peers.ts').then((m) => m.main());
  },
  'search-load': () => import('./search.ts').then((m) => m.main()),
  'search-peers': () => import('./search-peers.ts').then((m) => m.main()),
  tracing: () => import('./tracing.ts').then((m) => m.main()),
  'tracing-cpu': () => import('./tracing-cpu.ts').then((m) => m.main()),
  // Not a measurement: one inference's and one event's trace as JSON (what the tracing bench exports).
  'trace-sample': () => import('./trace-sample.ts').then((m) => m.main()),
  vectors: () => import('./vectors.ts').then((m) => m.main()),
};

const name = process.argv[2];
const run = name ? BENCHMARKS[name] : undefined;
if (!run) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}>`);
  process.exit(2);
}
await run();
