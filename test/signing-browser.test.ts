/**
 * The local signing pages in a real browser (playwright-core driving Debian's chromium): the
 * demo deal is approved, then each recipient opens their own link, reads the contract, types
 * their name, consents and signs, in routing order, and the closure completes. A second deal
 * is declined with a reason on the page; the closure waits and the rep is told why.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@jsforce/jsforce-node';
import { chromium, type Browser } from 'playwright-core';
import {
  loadConfig,
  createLogger,
  startServer,
  type RunningServer,
  type Notification,
} from '@dealdesk/middleware';
import { closureView, startDemoClosure, targetOf, type StartedClosure } from '@dealdesk/middleware/demo';
import { LOCAL_ORG_API_VERSION } from '@dealdesk/local-org';
import { until } from './support/until.ts';
import { signOnSigningPage } from './support/signing-page.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Recipient {
  recipientKey: string;
  name: string;
  routingOrder: number;
  status: string;
  signingUrl: string | null;
}

/** Starts a local-mode server, starts the demo's deal and approves it as the approvers would. */
async function dealAwaitingSignature(
  dir: string,
): Promise<{ server: RunningServer; started: StartedClosure; recipients: Recipient[] }> {
  const config = loadConfig({ PORT: '0', DEALDESK_DATA_DIR: dir, LOG_LEVEL: 'silent' });
  const server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 100 });
  const started = await startDemoClosure(targetOf(server), () => undefined);
  const admin = new Connection({
    instanceUrl: server.url,
    accessToken: server.localOrg!.token,
    version: LOCAL_ORG_API_VERSION,
  });
  const approved = new Set<string>();
  const recipients = await until(
    'the envelope',
    async () => {
      const view = await closureView(started.target, started.closureId);
      if (view.status === 'Waiting_Signature')
        return (view.envelope as { recipients?: Recipient[] } | null)?.recipients;
      if (view.status !== 'Waiting_Approval' && view.status !== 'Running' && view.status !== 'Queued')
        throw new Error(`the closure stopped: ${view.status} ${view.error ?? ''}`);
      for (const a of view.approvals.filter((x) => x.status === 'Pending' && !approved.has(x.approvalId))) {
        const items = await admin.query<{ Id: string; Actor: { Username: string } }>(
          `SELECT Id, Actor.Username FROM ProcessInstanceWorkitem WHERE ProcessInstance.TargetObjectId = '${a.approvalId}'`,
        );
        const item = items.records[0];
        if (!item) continue;
        const session = await fetch(`${server.url}/local/sessions`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${server.localOrg!.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: item.Actor.Username }),
        }).then((r) => r.json() as Promise<{ access_token: string }>);
        const approver = new Connection({
          instanceUrl: server.url,
          accessToken: session.access_token,
          version: LOCAL_ORG_API_VERSION,
        });
        await approver.process.approval.approve(item.Id, 'Approved in the browser test');
        approved.add(a.approvalId);
      }
      return undefined;
    },
    40_000,
  );
  return { server, started, recipients: [...recipients].sort((a, b) => a.routingOrder - b.routingOrder) };
}

describe('signing in a real browser (local signing pages)', function () {
  this.timeout(90_000);
  let browser: Browser;
  const dirs: string[] = [];
  const servers: RunningServer[] = [];

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
    // --no-sandbox: CI runs as root in a container, where Chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 30_000 });
  });
  after(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'dealdesk-browser-'));
    dirs.push(dir);
    return dir;
  };

  it('each recipient signs on their page, in routing order, and the closure completes', async () => {
    const { server, started, recipients } = await dealAwaitingSignature(freshDir());
    servers.push(server);
    assert.equal(recipients.length, 2);
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();

    // The countersigner's link works, but not before the customer has signed.
    const [first, second] = recipients as [Recipient, Recipient];
    await page.goto(second.signingUrl!);
    await page
      .getByRole('status')
      .filter({ hasText: `You can sign once ${first.name} has signed` })
      .waitFor();

    for (const r of [first, second]) {
      await page.goto(r.signingUrl!);
      await page.getByText(r.name, { exact: true }).first().waitFor();
      // The contract is there to read before signing.
      const pdfLink = page.locator('a[href*="/documents/"]').first();
      const pdf = await context.request.get(
        new URL((await pdfLink.getAttribute('href'))!, page.url()).toString(),
      );
      assert.equal(pdf.status(), 200);
      assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
      await signOnSigningPage(page, r.name);
    }
    const done = await until('the closure to complete', async () => {
      const view = await closureView(started.target, started.closureId);
      return view.status === 'Completed' && view;
    });
    assert.deepEqual(
      done.steps.map((s) => s.status),
      ['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Succeeded'],
    );
    const conn = new Connection({
      instanceUrl: server.url,
      accessToken: server.localOrg!.token,
      version: LOCAL_ORG_API_VERSION,
    });
    const opp = (await conn.sobject('Opportunity').retrieve(started.opportunityId)) as Record<
      string,
      unknown
    >;
    assert.equal(opp.StageName, 'Closed Won');
    await context.close();
  });

  it('a decline with a reason parks the closure and tells the rep why', async () => {
    const { server, started, recipients } = await dealAwaitingSignature(freshDir());
    servers.push(server);
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const customer = recipients[0]!;
    await page.goto(customer.signingUrl!);
    await page.getByText('Decline to sign').first().click();
    await page
      .getByLabel('Reason for declining')
      .fill('The liability cap must be reviewed by our counsel first.');
    await page.getByRole('button', { name: 'Decline', exact: true }).click();
    await page
      .getByRole('status')
      .or(page.getByRole('alert'))
      .filter({ hasText: /declined/i })
      .first()
      .waitFor();
    const view = await until('the closure to wait for the rep', async () => {
      const v = await closureView(started.target, started.closureId);
      return v.status === 'Waiting_Rep' && v;
    });
    assert.match(view.steps.at(-1)!.reasoning, /liability cap must be reviewed/);
    const told = (server.system.notifier as unknown as { sent: Notification[] }).sent.find(
      (n) => n.audience === 'rep' && n.kind === 'signature',
    );
    assert.ok(told, 'the rep was notified');
    assert.match(told.subject, new RegExp(`${customer.name} declined`));
    assert.match(told.body, /liability cap must be reviewed/);
    await context.close();
  });
});
