/**
 * Lightning Local in a real browser (playwright-core driving Debian's chromium): the rep opens the
 * demo's verbal-yes opportunity, clicks Close Deal, writes a note and starts; the Deal Closure
 * Timeline shows the agents' steps as they happen, without a reload; each approver logs in (the
 * admin's "Log in as") and approves from Items to Approve; the customer and the rep sign on the
 * signing pages; the opportunity shows Closed Won with its files. Nothing reaches the console.
 *
 * Lightning Local runs on its own port here, over the server's local org and package automation,
 * until server.ts mounts it at /lightning.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../middleware/src/config/config.ts';
import { createLogger } from '../middleware/src/logger.ts';
import { startServer, type RunningServer } from '../middleware/src/server.ts';
import { closureView, targetOf } from '../middleware/src/demo/run-demo.ts';
import { demoScenario } from '../middleware/src/local/org/seed/demo-company.ts';
import { soqlString } from '../middleware/src/domain/soql.ts';
import { createLightningLocal, type LightningLocal } from '../middleware/src/local/lightning/router.ts';
import { until } from './support/until.ts';
import { signOnSigningPage } from './support/signing-page.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('Lightning Local in a real browser', function () {
  this.timeout(300_000);
  let browser: Browser;
  let server: RunningServer;
  let lightning: LightningLocal;
  let lightningServer: Server;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'dealdesk-lightning-browser-'));

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
    const config = loadConfig({ PORT: '0', DEALDESK_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 100 });
    lightning = await createLightningLocal({
      localOrg: server.localOrg!,
      dataDir: dir,
      logger: createLogger({ level: 'silent' }),
      enqueueStart: (id) => server.automation!.startClosure(id),
    });
    await lightning.bundle;
    const app = express();
    app.use(lightning.router);
    lightningServer = app.listen(0, '127.0.0.1');
    await new Promise<void>((ok) => lightningServer.once('listening', () => ok()));
    base = `http://127.0.0.1:${(lightningServer.address() as AddressInfo).port}`;
    // --no-sandbox: CI runs as root in a container, where Chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 30_000 });
  });
  after(async () => {
    await browser?.close();
    lightning?.close();
    await new Promise<void>((ok) => (lightningServer ? lightningServer.close(() => ok()) : ok()));
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Switches the signed-in admin to another user with "Log in as". */
  async function logInAs(page: Page, username: string): Promise<void> {
    const org = server.localOrg!;
    const id = String(
      org.query(`SELECT Id FROM User WHERE Username = ${soqlString(username)}`).records[0]!.Id,
    );
    await page.goto(`${base}/lightning/o/Opportunity/list`);
    await page.locator('#ll-login-as').selectOption(id);
    await page.getByRole('button', { name: 'Switch' }).click();
    await page.waitForURL(/\/lightning\/o\/Opportunity\/list/);
  }

  it('closes a deal from the Close Deal button to Closed Won', async () => {
    const org = server.localOrg!;
    const scenario = demoScenario('verbal-yes');
    const opportunityId = String(
      org.query(`SELECT Id FROM Opportunity WHERE Name = ${soqlString(scenario.opportunityName)}`).records[0]!
        .Id,
    );
    const context = await browser.newContext();
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const problems: string[] = [];
    // Lightning Local's pages only: the signing pages are the e-signature stand-in's.
    page.on('console', (m) => {
      if ((m.type() === 'error' || m.type() === 'warning') && page.url().startsWith(base))
        problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));

    await page.goto(`${base}/lightning`);
    await page.getByLabel('Access token').fill(server.localAdmin!.accessToken);
    await page.getByRole('button', { name: 'Log in' }).click();
    await logInAs(page, scenario.ownerUsername);

    // 1. The rep opens the opportunity, clicks Close Deal, writes a note and starts.
    await page.getByRole('link', { name: scenario.opportunityName }).click();
    await page.locator('c-deal-closure-timeline [data-id=empty]').waitFor();
    await page.evaluate(() => Object.assign(globalThis, { stayedOnPage: true }));
    await page.getByRole('button', { name: 'Close Deal' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close Deal' });
    await dialog.locator('[data-id=summary]').waitFor();
    await dialog.getByLabel('Note for the agents').fill('Verbal yes from the COO on the call.');
    await dialog.getByRole('button', { name: 'Start' }).click();
    await page.locator('#ll-toasts').getByText('Deal closure started').waitFor();
    await dialog.waitFor({ state: 'detached' });

    // 2. The timeline shows the agents' steps as they report, on the same page.
    const timeline = page.locator('c-deal-closure-timeline');
    await timeline.locator('[data-id=live-status]').getByText('Live').waitFor();
    await timeline
      .locator('[data-id=steps]')
      .getByText('Deal Closure', { exact: true })
      .waitFor({ timeout: 60_000 });
    await timeline.locator('[data-id=approvals] li').first().waitFor({ timeout: 90_000 });
    assert.equal(await page.evaluate(() => (globalThis as { stayedOnPage?: boolean }).stayedOnPage), true);

    // 3. Each approver logs in and approves from Items to Approve.
    const dealClosureId = String(
      org.query(
        `SELECT Id FROM Deal_Closure__c WHERE Opportunity__c = ${soqlString(opportunityId)} ORDER BY CreatedDate DESC LIMIT 1`,
      ).records[0]!.Id,
    );
    const runId = await until('the run id', async () => {
      const row = org.query(`SELECT Run_Id__c FROM Deal_Closure__c WHERE Id = ${soqlString(dealClosureId)}`)
        .records[0];
      return typeof row?.Run_Id__c === 'string' && row.Run_Id__c;
    });
    const target = targetOf(server);
    // Approvals come in waves (the executive's after the others): approve what is pending until the envelope goes out.
    const approved = new Set<string>();
    const recipients = await until(
      'the envelope',
      async () => {
        const view = await closureView(target, runId);
        if (['Failed', 'Cancelled', 'Waiting_Rep'].includes(view.status))
          throw new Error(`the closure stopped: ${view.status} ${view.error ?? ''}`);
        if (view.status === 'Waiting_Signature') return view.envelope?.recipients;
        const items = org.query(
          'SELECT Id, Actor.Username FROM ProcessInstanceWorkitem WHERE ProcessInstance.TargetObjectId IN ' +
            `(SELECT Id FROM Deal_Approval__c WHERE Deal_Closure__c = ${soqlString(dealClosureId)})`,
        ).records;
        for (const item of items.filter((i) => !approved.has(String(i.Id)))) {
          const username = String((item.Actor as { Username: string }).Username);
          await logInAs(page, username);
          await page.getByRole('link', { name: 'Items to Approve' }).click();
          const row = page.locator(`tr[data-id="${String(item.Id)}"]`);
          await row.getByLabel('Comment').fill(`Approved in Lightning Local by ${username}.`);
          await row.getByRole('button', { name: 'Approve' }).click();
          await page.locator('[data-id=flash]').getByText('You approved the request').waitFor();
          approved.add(String(item.Id));
        }
        return undefined;
      },
      180_000,
    );
    assert.ok(approved.size > 0, 'the deal needed approvals');

    // 4. The customer and the rep sign on the signing pages.
    for (const r of recipients) {
      await page.goto(r.signingUrl!);
      await signOnSigningPage(page, r.name);
    }

    // 5. The opportunity shows Closed Won with its files.
    await until(
      'the closure to complete',
      async () => (await closureView(target, runId)).status === 'Completed',
      90_000,
    );
    await logInAs(page, scenario.ownerUsername);
    await page.goto(`${base}/lightning/r/Opportunity/${opportunityId}/view`);
    await page.locator('[data-id=stage]').getByText('Closed Won').waitFor();
    assert.ok((await page.locator('[data-id=files] li').count()) > 0, 'the opportunity has files');
    await timeline.locator('[data-id=closure-status]').getByText('Completed').waitFor();
    // lightning/navigation: the timeline opens the closure's own record page.
    await timeline.getByRole('button', { name: 'Open the deal closure' }).click();
    await page.waitForURL(`${base}/lightning/r/Deal_Closure__c/${dealClosureId}/view`);
    await page.locator('[data-id=status]').getByText('Completed').waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("shows the Apex controller's errors in the components' own error states", async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning')
        problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(`${base}/lightning`);
    await page.getByLabel('Access token').fill(server.localAdmin!.accessToken);
    await page.getByRole('button', { name: 'Log in' }).click();

    // An unknown record: the quick action shows the class's message.
    await page.goto(`${base}/lightning/r/Opportunity/006Dd000009zzzz/view`);
    await page.getByRole('button', { name: 'Close Deal' }).click();
    await page
      .getByRole('dialog', { name: 'Close Deal' })
      .locator('[data-id=preview-error]')
      .getByText('The opportunity does not exist or you do not have access to it.')
      .waitFor();

    // A user without access to the class: the timeline says so.
    await logInAs(page, 'lena.novak@dealdesk-demo.example');
    const opp = String(
      server.localOrg!.query('SELECT Id FROM Opportunity WHERE IsClosed = false LIMIT 1').records[0]!.Id,
    );
    await page.goto(`${base}/lightning/r/Opportunity/${opp}/view`);
    await page
      .locator('c-deal-closure-timeline [data-id=error]')
      .getByText("You do not have access to the Apex class named 'DealDeskController'.")
      .waitFor();

    // A closure the controller refuses: the Start button stays off and the blockers say why.
    await logInAs(page, 'jordan.keller@dealdesk-demo.example');
    const won = String(
      server.localOrg!.query("SELECT Id FROM Opportunity WHERE StageName = 'Closed Won' LIMIT 1").records[0]!
        .Id,
    );
    await page.goto(`${base}/lightning/r/Opportunity/${won}/view`);
    await page.getByRole('button', { name: 'Close Deal' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close Deal' });
    await dialog
      .locator('[data-id=blockers]')
      .getByText('This opportunity is already closed (Closed Won).')
      .waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Start' }).isDisabled(), true);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
