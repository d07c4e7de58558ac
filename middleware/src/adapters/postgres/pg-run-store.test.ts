import assert from 'node:assert/strict';
import pg from 'pg';
import { runStoreContract } from '../../ports/run-store.contract.ts';
import { dropSchemas, freshSchema, testDatabaseUrl } from '../../test-support/postgres.ts';
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
