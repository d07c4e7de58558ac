import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newRun, runStoreContract } from '../../ports/run-store.contract.ts';
import { createSqliteRunStore } from './sqlite-run-store.ts';

runStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dealdesk-store-'));
  const store = createSqliteRunStore(join(dir, 'runs.sqlite'));
  return {
    store,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite run store upgrade', () => {
  it('moves memos written inline in runs.memo to one row per key, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dealdesk-store-'));
    const path = join(dir, 'runs.sqlite');
    try {
      // A database as the previous release left it: the memo inside the runs row.
      const old = createSqliteRunStore(path);
      await old.createRun(newRun('run-old', '006000000000001AAA', { createdAt: '2026-11-25T09:00:00.000Z' }));
      await old.close();
      const db = new DatabaseSync(path);
      db.prepare("UPDATE runs SET memo = ? WHERE id = 'run-old'").run(
        JSON.stringify({ 'deal_closure.deal': { amount: 1200, flags: [true, null] }, 'x.y': 'text', n: 3 }),
      );
      db.close();

      for (let open = 0; open < 2; open++) {
        const store = createSqliteRunStore(path);
        assert.deepEqual((await store.getRun('run-old'))!.memo, {
          'deal_closure.deal': { amount: 1200, flags: [true, null] },
          'x.y': 'text',
          n: 3,
        });
        await store.close();
      }
      const check = new DatabaseSync(path);
      assert.deepEqual(
        check
          .prepare('SELECT DISTINCT memo FROM runs')
          .all()
          .map((r) => r.memo),
        ['{}'],
      );
      check.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
