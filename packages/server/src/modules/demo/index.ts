// The demo shop: a generated catalogue and event history, seeded on the first start, then trained and
// wired in the background (bootstrap.ts) so every scenario, the example model and its canary answer.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { QuiverModule } from '../../kernel/index.ts';
import {
  type DemoBootstrap,
  type DemoDeps,
  type DemoStatus,
  demoDone,
  startDemoBootstrap,
} from './bootstrap.ts';
import { DEMO_TENANT_ID, type SeedDeps, type SeedResult, seed } from './seed.ts';

export { DEMO_CANARY, DEMO_DONE_FILE, type DemoStatus } from './bootstrap.ts';
export { DEMO_ITEM_COUNT, demoCatalog } from './catalog.ts';
export { EXAMPLE_ENDPOINT, EXAMPLE_FEATURE_INPUTS, EXAMPLE_MODEL, exampleModel } from './example-model.ts';
export { DEMO_USER_COUNT, demoHistory } from './history.ts';
export { CREDENTIALS_FILE, DEMO_TENANT_ID, type SeedResult, seed } from './seed.ts';

export interface DemoService {
  /** First start: credentials and the demo tenant; then, unless done before, the background bootstrap. */
  seed(): Promise<SeedResult>;
  status(): DemoStatus;
  /** What readiness lists as still loading in the background: `['demo']` until the demo shop is complete. */
  warming(): string[];
}

export type DemoModuleDeps = Omit<DemoDeps, 'tenantId'> & Omit<SeedDeps, 'catalog'>;

const StatusSchema = Type.Object({
  status: Type.String({ description: 'loading, ready, failed, off' }),
  step: Type.Optional(Type.String()),
  done: Type.Array(Type.Object({ step: Type.String(), atS: Type.Number() })),
  error: Type.Optional(Type.String()),
});

const demoRoutes =
  (demo: DemoService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/demo',
      {
        config: { access: { public: true } },
        schema: {
          tags: ['health'],
          summary: "The demo shop's bootstrap: loading (with the step), ready, failed or off",
          response: { 200: StatusSchema },
        },
      },
      async () => demo.status(),
    );
  };

export const createDemoModule = (deps: DemoModuleDeps): QuiverModule<DemoService> => {
  let bootstrap: DemoBootstrap | undefined;
  const service: DemoService = {
    async seed() {
      const seeded = await seed(deps);
      const tenantThere =
        deps.loadDemo && (await deps.tenancy.getTenant(DEMO_TENANT_ID).then(Boolean, () => false));
      if (tenantThere && !demoDone(deps.dataDir))
        bootstrap = startDemoBootstrap({ ...deps, tenantId: DEMO_TENANT_ID });
      return seeded;
    },
    status: () =>
      bootstrap?.status() ??
      (deps.loadDemo && demoDone(deps.dataDir) ? { status: 'ready', done: [] } : { status: 'off', done: [] }),
    warming: () => (bootstrap?.status().status === 'loading' ? ['demo'] : []),
  };
  return { service, routes: demoRoutes(service), close: () => bootstrap?.stop() };
};
