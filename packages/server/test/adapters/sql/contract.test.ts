// The storage port's contract: every implementation (SQLite, PostgreSQL) passes the same suite.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isUniqueViolation, openSqlDatabase, type SqlDatabase } from '../../../src/adapters/sql/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const MIGRATIONS = [
  {
    version: 1,
    name: 'things',
    sql: 'CREATE TABLE things (tenant_id TEXT NOT NULL, id TEXT NOT NULL, n INTEGER NOT NULL, flag BOOLEAN, note TEXT, PRIMARY KEY (tenant_id, id));',
  },
  {
    version: 2,
    name: 'counter',
    sql: "CREATE TABLE counters (id TEXT PRIMARY KEY, value BIGINT NOT NULL);\nINSERT INTO counters (id, value) VALUES ('c', 0);",
  },
];

for (const kind of STORAGE_KINDS) {
  describe(`SQL port on ${kind.name}`, () => {
    let db: SqlDatabase;
    let cleanup: () => Promise<void>;

    before(async () => {
      const storage = await kind.create();
      cleanup = storage.cleanup;
      db = openSqlDatabase(storage.url, '/nonexistent');
      assert.equal(db.dialect, kind.name);
      assert.equal(await db.migrate(MIGRATIONS), 2);
    });
    after(async () => {
      await db.close();
      await cleanup();
    });

    test('migrations apply once and only once', async () => {
      assert.equal(await db.migrate(MIGRATIONS), 0);
      const more = [
        ...MIGRATIONS,
        { version: 3, name: 'extra', sql: 'CREATE TABLE extra (id TEXT PRIMARY KEY);' },
      ];
      assert.equal(await db.migrate(more), 1);
    });

    test('two migrations with one version are refused before anything runs', async () => {
      const clash = [
        ...MIGRATIONS,
        { version: 4, name: 'first', sql: 'CREATE TABLE first_one (id TEXT PRIMARY KEY);' },
        { version: 4, name: 'second', sql: 'CREATE TABLE second_one (id TEXT PRIMARY KEY);' },
      ];
      await assert.rejects(db.migrate(clash), /'first' and 'second' share version 4/);
      await assert.rejects(db.query('SELECT id FROM first_one'));
    });

    test('numbered placeholders may repeat and come in any order', async () => {
      await db.execute('INSERT INTO things (tenant_id, id, n, note) VALUES ($2, $1, $3, $2)', ['a', 't1', 5]);
      const rows = await db.query<{ id: string; n: number; note: string }>(
        'SELECT id, n, note FROM things WHERE tenant_id = $1 AND id = $2',
        ['t1', 'a'],
      );
      assert.deepEqual(rows, [{ id: 'a', n: 5, note: 't1' }]);
    });

    test('null, booleans and large integers round-trip as JS values', async () => {
      await db.execute('INSERT INTO things (tenant_id, id, n, flag, note) VALUES ($1, $2, $3, $4, $5)', [
        't1',
        'b',
        2 ** 31 - 2,
        true,
        null,
      ]);
      const [row] = await db.query<{ n: number; flag: unknown; note: unknown }>(
        'SELECT n, flag, note FROM things WHERE tenant_id = $1 AND id = $2',
        ['t1', 'b'],
      );
      assert.equal(row.n, 2 ** 31 - 2);
      assert.ok(row.flag === true || row.flag === 1);
      assert.equal(row.note, null);
      const [big] = await db.query<{ value: number }>(
        "UPDATE counters SET value = value + $1 WHERE id = 'c' RETURNING value",
        [2 ** 40],
      );
      assert.equal(big.value, 2 ** 40);
      assert.equal(typeof big.value, 'number');
    });

    test('execute reports changed rows; RETURNING returns rows', async () => {
      const changed = await db.execute('UPDATE things SET n = n + 1 WHERE tenant_id = $1', ['t1']);
      assert.equal(changed, 2);
      const rows = await db.query('DELETE FROM things WHERE tenant_id = $1 AND id = $2 RETURNING id', [
        't1',
        'b',
      ]);
      assert.deepEqual(rows, [{ id: 'b' }]);
    });

    test('a transaction commits when it resolves and rolls back when it throws', async () => {
      await db.transaction(async (tx) => {
        await tx.execute('INSERT INTO things (tenant_id, id, n) VALUES ($1, $2, $3)', ['t2', 'x', 1]);
      });
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.execute('INSERT INTO things (tenant_id, id, n) VALUES ($1, $2, $3)', ['t2', 'y', 1]);
          throw new Error('boom');
        }),
        /boom/,
      );
      const ids = (
        await db.query<{ id: string }>('SELECT id FROM things WHERE tenant_id = $1 ORDER BY id', ['t2'])
      ).map((r) => r.id);
      assert.deepEqual(ids, ['x']);
    });

    test('a failing statement inside a transaction rolls the whole transaction back', async () => {
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.execute('INSERT INTO things (tenant_id, id, n) VALUES ($1, $2, $3)', ['t3', 'ok', 1]);
          await tx.execute('INSERT INTO things (tenant_id, id, n) VALUES ($1, $2, $3)', ['t3', 'ok', 2]); // duplicate key
        }),
      );
      assert.deepEqual(await db.query('SELECT id FROM things WHERE tenant_id = $1', ['t3']), []);
    });

    test('a duplicate key is recognised as a unique violation, other failures are not', async () => {
      await db.execute('INSERT INTO things (tenant_id, id, n) VALUES ($1, $2, $3)', ['t-unique', 'dup', 1]);
      const duplicate = await db
        .execute('INSERT INTO things (tenant_id, id, n) VALUES ($1, $2, $3)', ['t-unique', 'dup', 2])
        .catch((e: unknown) => e);
      assert.equal(isUniqueViolation(duplicate), true);
      const other = await db.execute('INSERT INTO no_such_table VALUES (1)').catch((e: unknown) => e);
      assert.equal(isUniqueViolation(other), false);
    });

    test('concurrent read-modify-write transactions on one row lose no update', async () => {
      const bump = () =>
        db.transaction(async (tx) => {
          const [row] = await tx.query<{ value: number }>(
            "UPDATE counters SET value = value + 1 WHERE id = 'c' RETURNING value",
          );
          await new Promise((r) => setTimeout(r, 1));
          return row.value;
        });
      const [start] = await db.query<{ value: number }>("SELECT value FROM counters WHERE id = 'c'");
      const seen = await Promise.all(Array.from({ length: 20 }, bump));
      const [end] = await db.query<{ value: number }>("SELECT value FROM counters WHERE id = 'c'");
      assert.equal(end.value, start.value + 20);
      assert.equal(new Set(seen).size, 20, 'each transaction saw its own increment');
    });

    test('a statement outside a transaction does not become part of a concurrent one', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const tx = db.transaction(async (t) => {
        await t.execute('INSERT INTO things (tenant_id, id, n) VALUES ($1, $2, $3)', ['t4', 'in-tx', 1]);
        await gate;
        throw new Error('roll back');
      });
      const outside = db.execute('INSERT INTO things (tenant_id, id, n) VALUES ($1, $2, $3)', [
        't4',
        'outside',
        1,
      ]);
      await new Promise((r) => setTimeout(r, 20));
      release();
      await assert.rejects(tx, /roll back/);
      await outside;
      const ids = (await db.query<{ id: string }>('SELECT id FROM things WHERE tenant_id = $1', ['t4'])).map(
        (r) => r.id,
      );
      assert.deepEqual(ids, ['outside']);
    });

    test('a prepared statement answers like an unprepared one, for each new set of parameters', async () => {
      const sql = 'SELECT id, n FROM things WHERE tenant_id = $1 AND n >= $2 ORDER BY id';
      await db.execute('INSERT INTO things (tenant_id, id, n) VALUES ($1, $2, $3), ($1, $4, $5)', [
        't5',
        'p1',
        1,
        'p2',
        2,
      ]);
      for (const [tenant, min] of [
        ['t5', 1],
        ['t5', 2],
        ['t5', 3],
        ['nobody', 0],
      ] as const) {
        const plain = await db.query(sql, [tenant, min]);
        assert.deepEqual(await db.query(sql, [tenant, min], { prepare: true }), plain);
        assert.deepEqual(await db.query(sql, [tenant, min], { prepare: true }), plain);
      }
      assert.deepEqual(await db.query(sql, ['t5', 2], { prepare: true }), [{ id: 'p2', n: 2 }]);
      assert.equal(
        await db.execute('UPDATE things SET n = n + 1 WHERE tenant_id = $1', ['t5'], { prepare: true }),
        2,
      );
    });

    test('a prepared statement works inside a transaction, and on PostgreSQL stays prepared there', async () => {
      const sql = 'SELECT n FROM things WHERE tenant_id = $1 AND id = $2';
      await db.transaction(async (tx) => {
        await tx.execute('INSERT INTO things (tenant_id, id, n) VALUES ($1, $2, $3)', ['t6', 'x', 7]);
        assert.deepEqual(await tx.query(sql, ['t6', 'x'], { prepare: true }), [{ n: 7 }]);
        if (db.dialect === 'postgres') {
          // The transaction holds one connection: the statement is prepared on it under a name.
          const prepared = await tx.query<{ name: string }>(
            'SELECT name FROM pg_prepared_statements WHERE statement = $1',
            [sql],
          );
          assert.equal(prepared.length, 1);
          assert.match(prepared[0].name, /^quiver_\d+$/);
        }
      });
      assert.deepEqual(await db.query(sql, ['t6', 'x'], { prepare: true }), [{ n: 7 }]);
    });

    test('`arrays` answers each row as its columns in order, the same values as the objects', async () => {
      await db.execute(
        'INSERT INTO things (tenant_id, id, n, note) VALUES ($1, $2, $3, $4), ($1, $5, $6, $7)',
        ['t7', 'a', 1, 'first', 'b', 2, null],
      );
      const sql = 'SELECT id, n, note FROM things WHERE tenant_id = $1 ORDER BY id';
      for (const options of [{ arrays: true }, { arrays: true, prepare: true }]) {
        assert.deepEqual(await db.query(sql, ['t7'], options), [
          ['a', 1, 'first'],
          ['b', 2, null],
        ]);
        assert.deepEqual(await db.query(sql, ['nobody'], options), []);
      }
      // The same text without the option still answers objects (SQLite keeps a statement per mode).
      assert.deepEqual(await db.query(sql, ['t7'], { prepare: true }), [
        { id: 'a', n: 1, note: 'first' },
        { id: 'b', n: 2, note: null },
      ]);
      await db.transaction(async (tx) => {
        assert.deepEqual(await tx.query(sql, ['t7'], { arrays: true }), [
          ['a', 1, 'first'],
          ['b', 2, null],
        ]);
        // A statement without rows ignores it.
        assert.equal(await tx.execute('UPDATE things SET n = n + 1 WHERE tenant_id = $1', ['t7']), 2);
        assert.deepEqual(
          await tx.query('UPDATE things SET n = n + 1 WHERE id = $1', ['zz'], { arrays: true }),
          [],
        );
      });
    });

    test('ping answers', async () => {
      await db.ping();
    });
  });
}
