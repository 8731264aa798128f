// Makes the demo shop show the product: its event history, trained recommenders for the four scenarios,
// the built-in encoder and search ranker, an example model with feature-joined inputs and an endpoint with
// a small canary. Runs in the background after the first start; every step checks first, so a restart
// (or a crash half-way) finishes what is missing and repeats nothing.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainerKind } from '@quiver/contracts';
import { isQuiverError, type ModuleLog } from '../../kernel/index.ts';
import type { CatalogService } from '../catalog/index.ts';
import type { EventsService } from '../events/index.ts';
import type { RegistryService } from '../registry/index.ts';
import type { RoutingService } from '../routing/index.ts';
import type { SearchService } from '../search/index.ts';
import type { TrainingService } from '../training/index.ts';
import {
  EXAMPLE_ENDPOINT,
  EXAMPLE_FEATURE_INPUTS,
  EXAMPLE_MODEL,
  EXAMPLE_VERSIONS,
  exampleModel,
} from './example-model.ts';
import { demoHistory } from './history.ts';

/** Written under the data dir once the demo is complete: later starts leave the demo tenant alone. */
export const DEMO_DONE_FILE = 'demo-ready.json';
const INGEST_BATCH = 1000;
const RUN_POLL_MS = 100;
const RUN_DEADLINE_MS = 10 * 60_000;
/** Fast enough to watch in the demo, slow enough to read: the canary's first step lasts a minute. */
export const DEMO_CANARY = {
  steps: [10, 50, 100],
  stepDuration: '1m',
  guardrails: { minRequests: 20, maxErrorRateIncrease: 0.05, maxP99Ratio: 3 },
};
/** Trainer → the model it publishes; content last (it builds the built-in encoder on first need). */
const TRAINERS: [TrainerKind, string][] = [
  ['popularity', 'recs-popularity'],
  ['cooccurrence', 'recs-cooccurrence'],
  ['als', 'recs-als'],
  ['content', 'recs-content'],
];
const RANKER_MODEL = 'quiver-search-ranker';

export interface DemoDeps {
  tenantId: string;
  dataDir: string;
  catalog: CatalogService;
  events: EventsService;
  training: TrainingService;
  registry: RegistryService;
  routing: RoutingService;
  search: SearchService;
  log: ModuleLog;
  now?: () => number;
}

export interface DemoStatus {
  status: 'loading' | 'ready' | 'failed' | 'off';
  /** Steps done, in order, with the seconds since the bootstrap began. */
  done: { step: string; atS: number }[];
  /** The step running now (while loading). */
  step?: string;
  error?: string;
}

export interface DemoBootstrap {
  status(): DemoStatus;
  /** Resolves when the bootstrap ended (ready or failed). */
  finished(): Promise<void>;
  /** Stops after the current step. */
  stop(): Promise<void>;
}

const ignoreCode = (code: string) => (error: unknown) => {
  if (!(isQuiverError(error) && error.code === code)) throw error;
};

const exists = async (read: () => Promise<unknown>): Promise<boolean> =>
  read().then(
    () => true,
    (error: unknown) => {
      ignoreCode('not_found')(error);
      return false;
    },
  );

export const startDemoBootstrap = (deps: DemoDeps): DemoBootstrap => {
  const { tenantId } = deps;
  const now = deps.now ?? Date.now;
  const begun = now();
  const state: DemoStatus = { status: 'loading', done: [] };
  let stopped = false;

  const step = async (name: string, work: () => Promise<void>) => {
    if (stopped) throw new Error('stopped');
    state.step = name;
    await work();
    state.done.push({ step: name, atS: Math.round((now() - begun) / 100) / 10 });
  };

  const hasChampion = async (model: string) =>
    deps.registry.getModel(tenantId, model).then(
      (m) => m.aliases.champion !== undefined,
      (error: unknown) => {
        ignoreCode('not_found')(error);
        return false;
      },
    );

  const ingestHistory = async () => {
    if ((await deps.events.replay(tenantId, 0, 1)).events.length > 0) return;
    const items: Parameters<typeof demoHistory>[0][number][] = [];
    let cursor: string | undefined;
    do {
      const page = await deps.catalog.list(tenantId, 1000, cursor);
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const history = demoHistory(items, now());
    for (let i = 0; i < history.length; i += INGEST_BATCH)
      await deps.events.ingest(tenantId, history.slice(i, i + INGEST_BATCH));
  };

  const train = async (kind: TrainerKind, model: string) => {
    if (await hasChampion(model)) return;
    // A run a shutdown interrupted is queued again (the training module runs it on start): wait for that one.
    const [last] = await deps.training.listRuns(tenantId, { kind }, 1);
    const run =
      last && (last.status === 'queued' || last.status === 'running')
        ? last
        : await deps.training.createRun(tenantId, kind, { promote: 'always' });
    const deadline = now() + RUN_DEADLINE_MS;
    for (;;) {
      const current = await deps.training.getRun(tenantId, run.id);
      if (current.status === 'succeeded') return;
      if (current.status === 'failed') throw new Error(`the ${kind} trainer failed: ${current.error ?? ''}`);
      if (stopped || now() > deadline) throw new Error(`the ${kind} trainer did not finish`);
      await new Promise((resolve) => setTimeout(resolve, RUN_POLL_MS));
    }
  };

  const registerRanker = async () => {
    if (await hasChampion(RANKER_MODEL)) return;
    // The built-in ranker is registered on a tenant's first hybrid search.
    await deps.search.search(tenantId, { query: 'lamp', mode: 'hybrid', limit: 1 });
  };

  const exampleModelAndCanary = async () => {
    await deps.registry
      .createModel(tenantId, {
        name: EXAMPLE_MODEL,
        task: 'scoring',
        description: 'Demo: an item score from online features (views 7d, purchases 30d) joined by item id',
      })
      .catch(ignoreCode('already_exists'));
    for (const { weights, description } of EXAMPLE_VERSIONS) {
      await deps.registry.uploadVersion(tenantId, EXAMPLE_MODEL, {
        artifact: exampleModel(weights[0], weights[1]),
        metadata: { framework: 'quiver-demo', description, featureInputs: EXAMPLE_FEATURE_INPUTS },
      });
    }
    const model = await deps.registry.getModel(tenantId, EXAMPLE_MODEL);
    if (model.aliases.champion === undefined)
      await deps.registry.setAlias(tenantId, EXAMPLE_MODEL, 'champion', 1);
    if (!(await exists(() => deps.routing.get(tenantId, EXAMPLE_ENDPOINT)))) {
      await deps.routing.put(tenantId, EXAMPLE_ENDPOINT, {
        routes: [{ model: EXAMPLE_MODEL, version: 1, weight: 100 }],
        fallback: [{ model: EXAMPLE_MODEL, version: 1 }],
        stickyBy: 'userId',
        timeoutMs: 2000,
      });
    }
    if ((await deps.routing.rollouts(tenantId, EXAMPLE_ENDPOINT)).length === 0) {
      await deps.routing.createRollout(tenantId, EXAMPLE_ENDPOINT, {
        candidate: { model: EXAMPLE_MODEL, version: 2 },
        ...DEMO_CANARY,
      });
    }
  };

  const run = async () => {
    // Quick steps first; content last: its first run builds the built-in text encoder (the slow part).
    await step('events', ingestHistory);
    await step('example-model-and-canary', exampleModelAndCanary);
    await step('search-ranker', registerRanker);
    for (const [kind, model] of TRAINERS) await step(`train:${kind}`, () => train(kind, model));
    writeFileSync(join(deps.dataDir, DEMO_DONE_FILE), `${JSON.stringify({ readyAt: new Date(now()) })}\n`);
    state.status = 'ready';
    state.step = undefined;
    deps.log.info({ seconds: (now() - begun) / 1000 }, 'demo shop ready');
  };

  const finished = run().catch((error: unknown) => {
    state.status = 'failed';
    state.error = error instanceof Error ? error.message : String(error);
    if (!stopped) deps.log.warn({ err: error }, 'demo shop bootstrap failed; it resumes on the next start');
  });

  return {
    status: () => ({ ...state, done: [...state.done] }),
    finished: () => finished,
    stop: async () => {
      stopped = true;
      await finished;
    },
  };
};

/** True when an earlier start completed the demo (see DEMO_DONE_FILE). */
export const demoDone = (dataDir: string): boolean => existsSync(join(dataDir, DEMO_DONE_FILE));
