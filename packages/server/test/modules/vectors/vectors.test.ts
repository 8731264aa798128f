// The vector index through the app: semantic neighbours, catalog changes searchable within a second,
// deletes gone for good, tenant isolation, restart from the saved index, encoder swap without downtime.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Config } from '../../../src/config/index.ts';
import { buildBuiltinEncoder } from '../../../src/modules/vectors/builtin-encoder.ts';
import { BUILTIN_ENCODER_MODEL } from '../../../src/modules/vectors/encoder.ts';
import { loadWordVectors } from '../../../src/modules/vectors/word-vectors.ts';
import { TEST_NATS_URL } from '../../adapters/stream/testing.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { createTempPgDatabase } from '../../support/postgres.ts';
import type { StorageKind } from '../../support/storage.ts';
import { FIXTURE_ITEMS, putFixture } from './fixture.ts';
import { deleteItem, putItem, within } from './testing.ts';

/** A database kept across app restarts (removed by `drop` at the end). */
interface KeptSetup {
  name: string;
  open(dir: string): Promise<{ kind: StorageKind; drop(): Promise<void> }>;
  overrides: Partial<Config>;
}

const SETUPS: KeptSetup[] = [
  {
    name: 'embedded: SQLite and its log',
    overrides: {},
    open: async (dir) => ({
      kind: {
        name: 'sqlite',
        create: async () => ({ url: `sqlite://${join(dir, 'quiver.db')}`, cleanup: async () => {} }),
      },
      drop: async () => {},
    }),
  },
  {
    name: 'distributed: PostgreSQL and NATS JetStream',
    overrides: { streamUrl: TEST_NATS_URL },
    async open() {
      const db = await createTempPgDatabase();
      return {
        kind: { name: 'postgres', create: async () => ({ url: db.url, cleanup: async () => {} }) },
        drop: db.drop,
      };
    },
  },
];

const ids = (hits: Array<{ id: string }>) => hits.map((h) => h.id);

for (const setup of SETUPS)
  describe(`vector retrieval (${setup.name})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'quiver-vectors-'));
    const overrides = { ...setup.overrides, inferenceWorkers: 1, dataDir: join(dir, 'data') };
    let kept: Awaited<ReturnType<KeptSetup['open']>>;
    let t: TestApp;
    let acme: Record<string, string>;
    let globex: Record<string, string>;

    before(async () => {
      kept = await setup.open(dir);
      t = await startTestApp(kept.kind, overrides);
      acme = await t.tenant('acme');
      globex = await t.tenant('globex');
      await putFixture((id, item) => putItem(t, acme, id, item));
      await putItem(t, globex, 'g-sofa', { title: 'Corner sofa', categories: ['furniture/sofas'] });
    });
    after(async () => {
      await t.close();
      await kept.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a tenant without an index answers [] and starts building; then neighbours are semantic', async () => {
      assert.deepEqual(await t.vectors.query('acme', 'couch', 3), []);
      await t.vectors.ready('acme');
      assert.deepEqual(t.vectors.status('acme'), {
        model: BUILTIN_ENCODER_MODEL,
        version: 1,
        items: FIXTURE_ITEMS.length,
        building: null,
      });
      const couch = await t.vectors.query('acme', 'couch', 3);
      assert.deepEqual(ids(couch).slice(0, 2).sort(), ['sofa-1', 'sofa-2']);
      assert.ok(couch[0].score >= couch[1].score && couch[1].score >= couch[2].score);
      assert.equal(ids(await t.vectors.query('acme', 'notebook pc', 1))[0], 'laptop-1');
      assert.equal(ids(await t.vectors.query('acme', 'jogging shoes', 1))[0], 'shoe-1');
      assert.equal(ids(await t.vectors.query('acme', 'espresso cup', 1))[0], 'mug-1');
    });

    test('tenants are isolated: the same words find only their own items', async () => {
      await t.vectors.ready('globex');
      assert.deepEqual(ids(await t.vectors.query('globex', 'couch', 10)), ['g-sofa']);
      assert.ok(!ids(await t.vectors.query('acme', 'couch', 10)).includes('g-sofa'));
    });

    test('an item updated through the catalog is found with its new text within a second', async () => {
      await putItem(t, acme, 'drill-1', { title: 'Garden hose with reel', categories: ['garden/watering'] });
      const ms = await within(1000, async () =>
        ids(await t.vectors.query('acme', 'watering hose', 1)).includes('drill-1'),
      );
      assert.ok(ms <= 1000);
      // Its old text no longer finds it first.
      assert.notEqual(ids(await t.vectors.query('acme', 'power drill', 1))[0], 'drill-1');
    });

    test('a deleted item never comes back', async () => {
      await deleteItem(t, acme, 'tv-1');
      await within(1000, async () => !ids(await t.vectors.query('acme', 'television', 10)).includes('tv-1'));
      // Later changes (and the replays they cause) do not resurrect it.
      await putItem(t, acme, 'mug-1', {
        title: 'Ceramic coffee mug, large',
        categories: ['kitchen/tableware'],
      });
      await within(1000, async () => t.vectors.status('acme')?.items === FIXTURE_ITEMS.length - 1);
      for (let i = 0; i < 20; i++) {
        assert.ok(!ids(await t.vectors.query('acme', 'television', 10)).includes('tv-1'));
        await new Promise((r) => setTimeout(r, 25));
      }
    });

    test('a restart loads the saved index without re-embedding the catalog', async () => {
      await t.close();
      t = await startTestApp(kept.kind, overrides);
      assert.equal(t.vectors.status('acme')?.items, FIXTURE_ITEMS.length - 1);
      await t.vectors.ready('acme');
      const couch = await t.vectors.query('acme', 'couch', 10);
      assert.deepEqual(ids(couch).slice(0, 2).sort(), ['sofa-1', 'sofa-2']);
      assert.ok(!ids(couch).includes('tv-1'));
      assert.equal(ids(await t.vectors.query('acme', 'watering hose', 1))[0], 'drill-1');
      // Only the two query texts were embedded: no item was.
      assert.equal(t.vectors.encoders.embeddedTexts(), 2);
      // And it keeps following the feed.
      await putItem(t, acme, 'lamp-1', { title: 'Floor lamp with shade', categories: ['lighting/lamps'] });
      await within(1000, async () => ids(await t.vectors.query('acme', 'floor lamp', 1))[0] === 'lamp-1');
    });

    test('moving the encoder alias re-embeds in the background; queries answer throughout', async () => {
      await t.vectors.ready('acme');
      // Another build of the encoder: a different vocabulary makes different bytes, so a new version.
      const other = buildBuiltinEncoder(await loadWordVectors(), [], { vocabularySize: 30_000 });
      const { version } = await t.registry.uploadVersion('acme', BUILTIN_ENCODER_MODEL, {
        artifact: other.onnx,
        tokenizer: Buffer.from(JSON.stringify(other.tokenizerJson)),
      });
      assert.equal(version.version, 2);
      let answered = 0;
      let answeredWhileBuilding = 0;
      let swapped = false;
      const querying = (async () => {
        while (!swapped) {
          const hits = await t.vectors.query('acme', 'couch', 2);
          assert.deepEqual(ids(hits).sort(), ['sofa-1', 'sofa-2']);
          answered++;
          if (t.vectors.status('acme')?.building === 2) answeredWhileBuilding++;
          swapped = t.vectors.status('acme')?.version === 2;
          // Like clients over a network: a cached answer alone would never yield to the build's I/O.
          await new Promise((r) => setImmediate(r));
        }
      })();
      await t.registry.setAlias('acme', BUILTIN_ENCODER_MODEL, 'champion', 2);
      await t.vectors.ready('acme');
      await querying;
      assert.ok(
        answered > 0 && answeredWhileBuilding > 0,
        `${answered} answers, ${answeredWhileBuilding} while building`,
      );
      assert.deepEqual(t.vectors.status('acme'), {
        model: BUILTIN_ENCODER_MODEL,
        version: 2,
        items: FIXTURE_ITEMS.length - 1,
        building: null,
      });
      assert.equal(ids(await t.vectors.query('acme', 'watering hose', 1))[0], 'drill-1');
    });
  });
