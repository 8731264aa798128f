// Pushes a ranker as v1, serves it through an endpoint, then rolls out v2 as a canary and reads its status.
// Run: QUIVER_KEY=<key with models:write and infer> node --import tsx examples/model-push/push.ts
import { createQuiver, type Quiver, type Rollout } from '@quiver/sdk';
import { buildRanker } from './ranker.ts';

export const MODEL = 'example-ranker';
export const ENDPOINT = 'example-home';
const SAMPLE = { name: 'features', datatype: 'FP32', shape: [2, 3], data: [0.2, 0.9, 0.5, 0.8, 0.1, 0.3] };

export interface ModelPushResult {
  v1: number;
  v2: number;
  /** The scores v1 served through the endpoint for the two sample rows. */
  served: number[];
  rollout: Rollout;
}

export const runModelPush = async (
  quiver: Quiver,
  log: (line: string) => void = console.log,
): Promise<ModelPushResult> => {
  await quiver.models.create({ name: MODEL, task: 'ranking' }).catch((e) => {
    if (e.code !== 'already_exists') throw e;
  });
  const v1 = await quiver.models.push(MODEL, {
    model: buildRanker([1.5, 0.8, -0.4], 0.1),
    metadata: { description: 'hand-set weights', metrics: { 'ndcg@10': 0.41 } },
  });
  log(`pushed ${MODEL} v${v1.version} (sha256 ${v1.sha256.slice(0, 12)}…)`);
  await quiver.models.setAlias(MODEL, 'champion', v1.version);
  await quiver.inference.modelReady(MODEL, { version: v1.version });

  await quiver.endpoints.put(ENDPOINT, {
    routes: [{ model: MODEL, version: v1.version, weight: 100 }],
    fallback: [{ model: MODEL, version: v1.version }],
    stickyBy: 'userId',
  });
  const answer = await quiver.endpoints.infer(ENDPOINT, { inputs: [SAMPLE], parameters: { userId: 'u1' } });
  const served = (answer.outputs[0].data ?? []) as number[];
  log(
    `served by ${answer.model_name} v${answer.model_version}: ${served.map((s) => s.toFixed(3)).join(', ')}`,
  );

  const v2 = await quiver.models.push(MODEL, {
    model: buildRanker([1.2, 1.1, -0.2], 0.05),
    metadata: { description: 'retrained', metrics: { 'ndcg@10': 0.44 } },
  });
  await quiver.inference.modelReady(MODEL, { version: v2.version });
  const started = await quiver.endpoints.rollouts.start(ENDPOINT, {
    candidate: { model: MODEL, version: v2.version },
    steps: [10, 50, 100],
    stepDuration: '5m',
    guardrails: { minRequests: 50, maxErrorRateIncrease: 0.02, maxP99Ratio: 1.5 },
  });
  // Some traffic for the canary to be measured on.
  for (let user = 0; user < 20; user++) {
    await quiver.endpoints.infer(ENDPOINT, { inputs: [SAMPLE], parameters: { userId: `u${user}` } });
  }
  const rollout = await quiver.endpoints.rollouts.get(ENDPOINT, started.id);
  log(
    `rollout ${rollout.id}: ${rollout.status}, step ${rollout.step} at ${rollout.percent}% for v${v2.version}`,
  );
  for (const d of rollout.decisions) log(`  ${d.at} ${d.action}${d.reason ? `: ${d.reason}` : ''}`);
  return { v1: v1.version, v2: v2.version, served, rollout };
};

if (process.argv[1] === import.meta.filename) {
  const key = process.env.QUIVER_KEY;
  if (!key)
    throw new Error(
      'set QUIVER_KEY to a key with models:write and infer (demo: data/credentials.json demoKey)',
    );
  await runModelPush(
    createQuiver({ baseUrl: process.env.QUIVER_URL ?? 'http://localhost:8080', apiKey: key }),
  );
}
