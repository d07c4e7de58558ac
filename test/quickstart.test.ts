/**
 * The README's quick start as a newcomer runs it: start the middleware process, read the local
 * org token from its banner, talk to the org with a plain jsforce Connection, stop it with
 * SIGTERM and expect a clean exit.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@jsforce/jsforce-node';
import { demoScenario } from '@dealdesk/local-org';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('quick start: the middleware process in local mode', () => {
  let child: ChildProcess;
  let dir: string;
  let stdout = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-quickstart-'));
    child = spawn(process.execPath, [join(ROOT, 'middleware/src/server.ts')], {
      env: { ...process.env, PORT: '0', DEALDESK_DATA_DIR: dir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!/token:\s+\S+/.test(stdout)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`middleware did not start:\n${stdout}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints its URLs and token, serves a seeded org to jsforce, and stops cleanly', async () => {
    const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
    const token = /token:\s+(\S+)/.exec(stdout)?.[1];
    assert.ok(url && token, stdout);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);

    const conn = new Connection({ instanceUrl: url, accessToken: token, version: '65.0' });
    const res = await conn.query<{ Name: string; OpportunityContactRoles: { totalSize: number } | null }>(
      'SELECT Name, Account.Name, (SELECT Role FROM OpportunityContactRoles) FROM Opportunity WHERE IsClosed = false',
    );
    // The three scenario deals among the open pipeline (issue 21).
    assert.ok(res.totalSize >= 20, `the demo company has a pipeline of open deals (${res.totalSize})`);
    for (const scenario of ['verbal-yes', 'ambiguous', 'not-ready'] as const)
      assert.ok(
        res.records.some((r) => r.Name === demoScenario(scenario).opportunityName),
        scenario,
      );
    assert.ok(res.records.every((r) => (r.OpportunityContactRoles?.totalSize ?? 0) > 0));

    const stats = (await (
      await fetch(`${url}/local/stats`, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as { total: number };
    assert.equal(stats.total, 1);

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, 'graceful shutdown exits 0');
  });
});
