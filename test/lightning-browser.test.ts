/**
 * Lightning Local in a real browser (playwright-core driving Debian's chromium): the rep opens the
 * demo's verbal-yes opportunity, clicks Close Deal, writes a note and starts; the Deal Closure
 * Timeline shows the agents' steps as they happen, without a reload; each approver logs in (the
 * admin's "Log in as") and approves from Items to Approve; the customer and the rep sign on the
 * signing pages; the opportunity shows Closed Won with its files. Nothing reaches the console, and
 * axe-core finds no serious or critical violation on any page on the way, nor in the components'
 * error states.
 *
 * Lightning Local runs on its own port here, over the server's local org and package automation,
 * until server.ts mounts it at /lightning.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import type { Browser } from 'playwright-core';
import { loadConfig, createLogger, startServer, type RunningServer } from '@dealdesk/middleware';
import { createLightningLocal, type LightningLocal } from '@dealdesk/middleware/lightning';
import { A11yAudit } from './support/axe.ts';
import { launchChromium } from './support/chromium.ts';
import { closeDealJourney, JOURNEY_STEPS, logInAs, signIn } from './support/lightning-journey.ts';

describe('Lightning Local in a real browser', function () {
  this.timeout(300_000);
  let browser: Browser;
  let server: RunningServer;
  let lightning: LightningLocal;
  let lightningServer: Server;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'dealdesk-lightning-browser-'));

  before(async () => {
    // Debian's chromium first: without it the test says how to install it before starting anything.
    browser = await launchChromium();
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
  });
  after(async () => {
    await browser?.close();
    lightning?.close();
    await new Promise<void>((ok) => (lightningServer ? lightningServer.close(() => ok()) : ok()));
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes a deal from the Close Deal button to Closed Won, with no serious accessibility violation', async () => {
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
    const audit = new A11yAudit();

    const journey = await closeDealJourney({
      server,
      base,
      page,
      note: 'Verbal yes from the COO on the call.',
      at: (step, p) => audit.check(p, step),
    });
    assert.equal(journey.stayedOnPage, true);
    assert.ok(journey.approvals > 0, 'the deal needed approvals');
    assert.ok(journey.files > 0, 'the opportunity has files');
    assert.deepEqual(problems, []);
    // axe ran on every page of the journey (list, record page, the open modal, the live timeline,
    // Items to Approve, the signing pages, sign-in, the Deal_Closure__c page) and found nothing serious.
    assert.deepEqual(audit.checked, [...JOURNEY_STEPS]);
    assert.equal(
      audit.problems.length,
      0,
      `axe found serious or critical violations:\n${audit.problems.join('\n')}`,
    );
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
    const audit = new A11yAudit();
    await signIn(server, base, page);

    // An unknown record: the quick action shows the class's message.
    await page.goto(`${base}/lightning/r/Opportunity/006Dd000009zzzz/view`);
    await page.getByRole('button', { name: 'Close Deal' }).click();
    await page
      .getByRole('dialog', { name: 'Close Deal' })
      .locator('[data-id=preview-error]')
      .getByText('The opportunity does not exist or you do not have access to it.')
      .waitFor();
    await audit.check(page, 'close-deal-error');

    // A user without access to the class: the timeline says so.
    await logInAs(server, base, page, 'lena.novak@dealdesk-demo.example');
    const opp = String(
      server.localOrg!.query('SELECT Id FROM Opportunity WHERE IsClosed = false LIMIT 1').records[0]!.Id,
    );
    await page.goto(`${base}/lightning/r/Opportunity/${opp}/view`);
    await page
      .locator('c-deal-closure-timeline [data-id=error]')
      .getByText("You do not have access to the Apex class named 'DealDeskController'.")
      .waitFor();
    await audit.check(page, 'timeline-error');

    // A closure the controller refuses: the Start button stays off and the blockers say why.
    await logInAs(server, base, page, 'jordan.keller@dealdesk-demo.example');
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
    await audit.check(page, 'close-deal-blocked');
    assert.deepEqual(problems, []);
    assert.equal(
      audit.problems.length,
      0,
      `axe found serious or critical violations:\n${audit.problems.join('\n')}`,
    );
    await context.close();
  });
});
