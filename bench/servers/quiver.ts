// Quiver as the catalog benchmark runs it: real storage (DATABASE_URL or a temp SQLite) and the demo catalog.
import { demoCatalog } from '../../packages/server/src/modules/demo/index.ts';
import { startBenchApp } from '../lib/bench-app.ts';

const bench = await startBenchApp();
await bench.call('POST', '/v1/items/batch', bench.auth, { items: demoCatalog() });
await bench.listen();
