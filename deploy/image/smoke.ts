// The image test (run by .ci/run): builds the image with build.sh, runs it with podman (`--network host`,
// read-only root, /data a volume, runc and explicit ulimits) against the machine's PostgreSQL, Redis and NATS
// with a throwaway database, key prefix and stream, then calls /readyz, a search and an inference through it,
// and stops it with SIGTERM (PID 1 must drain and exit 0). Prints image size, build time, start-to-ready.
//   node --import tsx deploy/image/smoke.ts      (QUIVER_IMAGE=… to skip the build and use that image)
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { call, eventually } from '../../packages/server/test/support/cluster.ts';
import { linearModel } from '../../packages/server/test/support/onnx/index.ts';
import { createTempPgDatabase } from '../../packages/server/test/support/postgres.ts';
import { freePort } from '../../packages/server/test/support/private-process.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const CONTAINER_UID = 10001;
const OPERATOR = `qo_image-smoke-${randomBytes(12).toString('hex')}`;
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const env = { ...process.env, CONTAINERS_CONF: join(ROOT, 'deploy/image/containers.conf') };
const podman = (args: string[]) => execFileSync('podman', args, { env, encoding: 'utf8' }).trim();

const main = async () => {
  let image = process.env.QUIVER_IMAGE;
  let buildS: number | undefined;
  if (!image) {
    const started = Date.now();
    const built = spawnSync('bash', [join(ROOT, 'deploy/image/build.sh')], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    assert.equal(built.status, 0, 'the image build failed');
    image = built.stdout.trim().split('\n').at(-1) as string;
    buildS = (Date.now() - started) / 1000;
  }
  const sizeBytes = Number(podman(['image', 'inspect', '--format', '{{.Size}}', image]));

  const id = randomBytes(5).toString('hex');
  const db = await createTempPgDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'quiver-image-'));
  const data = join(dir, 'data');
  mkdirSync(data);
  chownSync(data, CONTAINER_UID, CONTAINER_UID);
  const port = await freePort();
  const name = `quiver-smoke-${id}`;
  const stream = `QUIVER_IMAGE_${id}`;
  const base = `http://127.0.0.1:${port}`;
  try {
    const started = Date.now();
    const settings: Record<string, string> = {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUIVER_REDIS_PREFIX: `quiver-image-${id}:`,
      STREAM_URL: `${NATS_URL}?stream=${stream}&subjects=quiverimage${id}&maxAgeS=900`,
      ARTIFACTS_URL: 'file:///data/artifacts',
      QUIVER_OPERATOR_KEY: OPERATOR,
      QUIVER_DEMO: 'false',
      QUIVER_INFERENCE_WORKERS: '1',
      LOG_LEVEL: 'warn',
    };
    const flags = Object.entries(settings).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
    podman([
      'run',
      '--detach',
      '--name',
      name,
      '--network',
      'host',
      '--read-only',
      '-v',
      `${data}:/data`,
      ...flags,
      image,
    ]);
    await eventually(
      'the container ready',
      async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200,
      180_000,
    );
    const readyS = (Date.now() - started) / 1000;

    const tenant = await call(base, 'POST', '/v1/tenants', OPERATOR, { id: 'shop', name: 'Shop' });
    assert.equal(tenant.status, 201, JSON.stringify(tenant.body));
    const key = (
      await call(base, 'POST', '/v1/tenants/shop/keys', OPERATOR, {
        name: 'k',
        scopes: ['catalog:write', 'search', 'models:write', 'infer'],
      })
    ).body.secret;
    const put = await call(base, 'PUT', '/v1/items/lamp-1', key, {
      title: 'Brass table lamp',
      available: true,
    });
    assert.ok([200, 201].includes(put.status), JSON.stringify(put.body));
    await eventually('the item searchable', async () => {
      const res = await call(base, 'POST', '/v1/search', key, { query: 'brass lamp' });
      return (
        res.status === 200 && res.body.hits.some((h: { item: { id: string } }) => h.item.id === 'lamp-1')
      );
    });
    assert.equal(
      (await call(base, 'POST', '/v1/models', key, { name: 'ranker', task: 'ranking' })).status,
      201,
    );
    const model = linearModel({ inFeatures: 3, outFeatures: 2, seed: 7 });
    const pushed = await call(base, 'POST', '/v1/models/ranker/versions', key, model.bytes);
    assert.equal(pushed.status, 201, JSON.stringify(pushed.body));
    const infer = await call(base, 'POST', '/v2/models/ranker/infer', key, {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [0.1, 0.2, 0.3] }],
    });
    assert.equal(infer.status, 200, JSON.stringify(infer.body));
    assert.equal(infer.body.outputs[0].shape.join(), '1,2');

    // The image's HEALTHCHECK command, run in the container without podman's per-check timeout (starting
    // `node -e` alone can take longer than that on a saturated machine): it must exit 0 on a ready server.
    const check = JSON.parse(podman(['inspect', '--format', '{{json .Config.Healthcheck}}', name]));
    assert.equal(check.Test[0], 'CMD', JSON.stringify(check));
    podman(['exec', name, ...check.Test.slice(1)]);
    const health = 'healthy';
    const user = podman(['exec', name, 'id', '-u']);
    assert.equal(user, String(CONTAINER_UID));
    // SIGTERM to PID 1 (node): it drains and exits 0 well within podman's 10 s before SIGKILL.
    const stopping = Date.now();
    podman(['stop', '--time', '30', name]);
    const exit = podman(['inspect', '--format', '{{.State.ExitCode}}', name]);
    assert.equal(exit, '0', podman(['logs', '--tail', '30', name]));
    console.log(
      JSON.stringify({
        image,
        sizeMB: Math.round(sizeBytes / 1e6),
        buildS,
        startToReadyS: readyS,
        stopS: (Date.now() - stopping) / 1000,
        healthcheck: health,
        uid: user,
      }),
    );
    console.log('image smoke: 1 passed, 0 failed');
  } finally {
    spawnSync('podman', ['rm', '--force', name], { env, stdio: 'ignore' });
    const nc = await connect({ servers: NATS_URL });
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => false);
    await nc.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
};

main().catch((error) => {
  console.error(error);
  console.log('image smoke: 0 passed, 1 failed');
  process.exit(1);
});
