/**
 * A local org on an ephemeral port for tests: real HTTP, so jsforce runs its real code path.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Connection } from '@jsforce/jsforce-node';
import { LocalOrg, LOCAL_ORG_API_VERSION } from './local-org.ts';
import { createLocalOrgRouter } from './rest-router.ts';
import { REPO_FORCE_APP_DIR } from './paths.ts';

export interface LocalOrgHarness {
  org: LocalOrg;
  app: express.Express;
  url: string;
  conn: Connection;
  close(): Promise<void>;
}

export async function startLocalOrg(
  options: {
    clock?: () => Date;
    /** Defaults to this repository's force-app. */
    forceAppDir?: string;
    dbPath?: string;
    connectedApps?: { clientId: string; publicKey: string }[];
  } = {},
): Promise<LocalOrgHarness> {
  const org = new LocalOrg({
    dbPath: options.dbPath ?? ':memory:',
    forceAppDir: options.forceAppDir ?? REPO_FORCE_APP_DIR,
    token: 'test-token',
    ...(options.connectedApps ? { connectedApps: options.connectedApps } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = express();
  app.use(createLocalOrgRouter(org));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const conn = new Connection({
    instanceUrl: url,
    accessToken: 'test-token',
    version: LOCAL_ORG_API_VERSION,
  });
  return {
    org,
    app,
    url,
    conn,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      org.close();
    },
  };
}
