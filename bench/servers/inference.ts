// Quiver serving models for the inference benchmark: a temp SQLite app, a tenant with high limits, and the
// models named in BENCH_MODELS (JSON [{name, path, metadata}]) uploaded through the registry, loaded and warm.
import { readFileSync } from 'node:fs';
import { startBenchApp } from '../lib/bench-app.ts';

const models = JSON.parse(process.env.BENCH_MODELS ?? '[]') as {
  name: string;
  path: string;
  metadata?: object;
}[];

const { app, auth, call, listen, quiver } = await startBenchApp();
for (const m of models) {
  await call('POST', '/v1/models', auth, { name: m.name });
  await call(
    'POST',
    `/v1/models/${m.name}/versions`,
    {
      ...auth,
      'content-type': 'application/octet-stream',
      'quiver-model-metadata': JSON.stringify(m.metadata ?? {}),
    },
    readFileSync(m.path),
  );
  // Load and warm up before any client arrives.
  for (;;) {
    const ready = await app.inject({ method: 'GET', url: `/v2/models/${m.name}/ready`, headers: auth });
    if (ready.statusCode === 200) break;
    if (ready.statusCode !== 503) throw new Error(`${m.name} ready: ${ready.statusCode} ${ready.body}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
// With QUIVER_GRPC_PORT set (the oip bench), the gRPC listener's port too.
await listen(quiver.grpcPort === undefined ? {} : { grpcPort: quiver.grpcPort });
