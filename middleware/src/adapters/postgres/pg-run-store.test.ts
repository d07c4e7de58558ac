import assert from 'node:assert/strict';
import pg from 'pg';
import { runStoreContract } from '../../ports/run-store.contract.ts';
import { dropSchemas, freshSchema, testDatabaseUrl } from '@dealdesk/test-kit/postgres';
import { createPgRunStore } from './pg-run-store.ts';
import { MIGRATIONS } from './migrations.ts';

const url = testDatabaseUrl();

if (url) {
  runStoreContract('Postgres', async () => {
    const schema = freshSchema();
    const store = await createPgRunStore({ connectionString: url, schema });
    return {
      store,
      dispose: async () => {
        await store.close();
        await dropSchemas(url, schema);
      },
    };
  });

  describe('Postgres run store shared by replicas', function () {
    it('gives replicas one hourly budget between them, not one each', async () => {
      const schema = freshSchema();
      try {
        const replicas = await Promise.all(
          [1, 2, 3].map(() => createPgRunStore({ connectionString: url, schema, poolSize: 3 })),
        );
        const taken = await Promise.all(
          Array.from({ length: 15 }, (_, i) =>
            replicas[i % 3]!.takeHourlyBudget('signature-reconcile', 5, '2026-03-02T10:15:00.000Z'),
          ),
        );
        assert.equal(taken.filter(Boolean).length, 5);
        await Promise.all(replicas.map((s) => s.close()));
      } finally {
        await dropSchemas(url, schema);
      }
    });
  });

  describe('Postgres run store migrations', function () {
    it('applies each migration once when replicas start together', async () => {
      const schema = freshSchema();
      try {
        const stores = await Promise.all(
          [1, 2, 3].map(() => createPgRunStore({ connectionString: url, schema, poolSize: 2 })),
        );
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        const rows = (await client.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`))
          .rows;
        await client.end();
        assert.deepEqual(
          rows.map((r: { version: number }) => r.version),
          MIGRATIONS.map((m) => m.version),
        );
        await Promise.all(stores.map((s) => s.close()));
      } finally {
        await dropSchemas(url, schema);
      }
    });

    it('moves memos kept inline by the first schema to one row per key', async () => {
      const schema = freshSchema();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        // The first schema version with a run whose memo is inline, as a previous release left it.
        await client.query(`CREATE SCHEMA ${schema}`);
        await client.query(
          `CREATE TABLE ${schema}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
        );
        await client.query(`SET search_path TO ${schema}`);
        await client.query(MIGRATIONS[0]!.sql);
        await client.query(`INSERT INTO schema_migrations (version, name) VALUES (1, 'first')`);
        await client.query(
          `INSERT INTO runs (id, opportunity_id, trigger, status, created_at, updated_at, memo)
           VALUES ('run-old', '006000000000001AAA', 'Rep', 'waiting', now(), now(), $1::jsonb)`,
          [JSON.stringify({ 'deal_closure.deal': { amount: 1200 }, 'x.y': 'text' })],
        );
        const store = await createPgRunStore({ connectionString: url, schema });
        assert.deepEqual((await store.getRun('run-old'))!.memo, {
          'deal_closure.deal': { amount: 1200 },
          'x.y': 'text',
        });
        await store.close();
        assert.deepEqual((await client.query('SELECT DISTINCT memo FROM runs')).rows, [{ memo: {} }]);
      } finally {
        await client.end();
        await dropSchemas(url, schema);
      }
    });

    it('refuses a schema name that is not a plain identifier', async () => {
      await assert.rejects(
        createPgRunStore({ connectionString: url, schema: 'x; DROP TABLE runs' }),
        /invalid Postgres schema name/,
      );
    });
  });
} else {
  describe('Postgres run store', () => {
    it.skip('needs TEST_DATABASE_URL (see .ci/run)');
  });
}
