/**
 * The middleware in local mode (its embedded org and its HTTP API on one ephemeral port), and an
 * sf login to that org made the way an admin makes one with `sf org login access-token`: the real
 * @salesforce/core AuthInfo → Org → Connection path, state written under the isolated test home,
 * with the admin's token (the banner's), not the integration user's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthInfo, Org, StateAggregator } from '@salesforce/core';
import { loadConfig, createLogger, startServer, type RunningServer } from '@dealdesk/middleware';

export interface LocalStack {
  server: RunningServer;
  /** The middleware and the org share this base URL in local mode. */
  url: string;
  username: string;
  alias: string;
  apiKeyFile: string;
  /** A scratch directory removed on close. */
  dir: string;
  org: Org;
  close(): Promise<void>;
}

let counter = 0;

export async function startLocalStack(): Promise<LocalStack> {
  const dir = mkdtempSync(join(tmpdir(), 'dealdesk-plugin-e2e-'));
  const config = loadConfig({ PORT: '0', DEALDESK_DATA_DIR: dir, LOG_LEVEL: 'silent' });
  const server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 100 });
  const url = server.url.replace('localhost', '127.0.0.1');
  const authInfo = await AuthInfo.create({
    accessTokenOptions: { accessToken: server.localAdmin!.accessToken, instanceUrl: url, loginUrl: url },
  });
  await authInfo.save();
  const alias = `dealdesk-local-${++counter}`;
  await authInfo.handleAliasAndDefaultSettings({ alias, setDefault: false, setDefaultDevHub: false });
  const username = authInfo.getUsername()!;
  const apiKeyFile = join(dir, 'api-key');
  writeFileSync(apiKeyFile, server.apiKey);
  const org = await Org.create({ aliasOrUsername: alias });
  return {
    server,
    url,
    username,
    alias,
    apiKeyFile,
    dir,
    org,
    close: async () => {
      await server.close();
      const state = await StateAggregator.getInstance();
      await state.aliases.unsetAndSave(alias);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
