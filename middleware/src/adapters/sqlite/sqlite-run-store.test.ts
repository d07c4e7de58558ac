import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreContract } from '../../ports/run-store.contract.ts';
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
