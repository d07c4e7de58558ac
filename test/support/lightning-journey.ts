/**
 * The Close Deal journey in Lightning Local, as people take it in a browser: the admin signs in
 * and logs in as the rep; the rep opens the demo's verbal-yes opportunity, clicks Close Deal,
 * writes a note and starts; the timeline shows the agents' steps without a reload; each approver
 * approves from Items to Approve; the customer and the rep sign on the signing pages; the
 * opportunity shows Closed Won with its files, and the timeline opens the closure's record page.
 *
 * The browser test checks it (and runs axe at each step); `npm run screenshots` photographs it.
 * Both see the same steps through `at`, called with the page showing each one.
 */
import type { Page } from 'playwright-core';
import type { RunningServer } from '@dealdesk/middleware';
import { closureView, targetOf } from '@dealdesk/middleware/demo';
import { demoScenario } from '@dealdesk/local-org';
import { soqlString } from '@dealdesk/contracts';
import { until } from './until.ts';
import { signOnSigningPage } from './signing-page.ts';

export const JOURNEY_STEPS = [
  'sign-in',
  'opportunities',
  'opportunity',
  'close-deal',
  'timeline-live',
  'items-to-approve',
  'approved',
  'signing',
  'signed',
  'closed-won',
  'deal-closure',
] as const;
export type JourneyStep = (typeof JOURNEY_STEPS)[number];

export interface JourneyOptions {
  server: RunningServer;
  /** Where Lightning Local answers, without the `/lightning` path. */
  base: string;
  page: Page;
  note: string;
  /** Called with the page at each step (some steps repeat: one per approver, one per signer). */
  at?: (step: JourneyStep, page: Page) => Promise<void>;
}

export interface JourneyResult {
  opportunityId: string;
  dealClosureId: string;
  runId: string;
  /** Whether the page that started the closure was still the same document when the timeline filled. */
  stayedOnPage: boolean;
  approvals: number;
  files: number;
}

/** Switches the signed-in admin to another user with "Log in as". */
export async function logInAs(
  server: RunningServer,
  base: string,
  page: Page,
  username: string,
): Promise<void> {
  const org = server.localOrg!;
  const id = String(org.query(`SELECT Id FROM User WHERE Username = ${soqlString(username)}`).records[0]!.Id);
  await page.goto(`${base}/lightning/o/Opportunity/list`);
  await page.locator('#ll-login-as').selectOption(id);
  await page.getByRole('button', { name: 'Switch' }).click();
  await page.waitForURL(/\/lightning\/o\/Opportunity\/list/);
}

/** Signs in on the login page with the local org admin's token. */
export async function signIn(server: RunningServer, base: string, page: Page): Promise<void> {
  await page.goto(`${base}/lightning`);
  await page.getByLabel('Access token').fill(server.localAdmin!.accessToken);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function closeDealJourney(options: JourneyOptions): Promise<JourneyResult> {
  const { server, base, page } = options;
  const at = options.at ?? (async () => undefined);
  const org = server.localOrg!;
  const scenario = demoScenario('verbal-yes');
  const opportunityId = String(
    org.query(`SELECT Id FROM Opportunity WHERE Name = ${soqlString(scenario.opportunityName)}`).records[0]!
      .Id,
  );

  await page.goto(`${base}/lightning`);
  await page.getByLabel('Access token').waitFor();
  await at('sign-in', page);
  await signIn(server, base, page);
  await logInAs(server, base, page, scenario.ownerUsername);
  await at('opportunities', page);

  // 1. The rep opens the opportunity, clicks Close Deal, writes a note and starts.
  await page.getByRole('link', { name: scenario.opportunityName }).click();
  await page.locator('c-deal-closure-timeline [data-id=empty]').waitFor();
  await at('opportunity', page);
  await page.evaluate(() => Object.assign(globalThis, { stayedOnPage: true }));
  await page.getByRole('button', { name: 'Close Deal' }).click();
  const dialog = page.getByRole('dialog', { name: 'Close Deal' });
  await dialog.locator('[data-id=summary]').waitFor();
  await dialog.getByLabel('Note for the agents').fill(options.note);
  await at('close-deal', page);
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
  const stayedOnPage =
    (await page.evaluate(() => (globalThis as { stayedOnPage?: boolean }).stayedOnPage)) === true;
  await at('timeline-live', page);

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
        await logInAs(server, base, page, username);
        await page.getByRole('link', { name: 'Items to Approve' }).click();
        const row = page.locator(`tr[data-id="${String(item.Id)}"]`);
        await row.getByLabel('Comment').fill(`Approved in Lightning Local by ${username}.`);
        await at('items-to-approve', page);
        await row.getByRole('button', { name: 'Approve' }).click();
        await page.locator('[data-id=flash]').getByText('You approved the request').waitFor();
        await at('approved', page);
        approved.add(String(item.Id));
      }
      return undefined;
    },
    180_000,
  );

  // 4. The customer and the rep sign on the signing pages.
  for (const r of recipients) {
    await page.goto(r.signingUrl!);
    await signOnSigningPage(page, r.name, () => at('signing', page));
    await at('signed', page);
  }

  // 5. The opportunity shows Closed Won with its files.
  await until(
    'the closure to complete',
    async () => (await closureView(target, runId)).status === 'Completed',
    90_000,
  );
  await logInAs(server, base, page, scenario.ownerUsername);
  await page.goto(`${base}/lightning/r/Opportunity/${opportunityId}/view`);
  await page.locator('[data-id=stage]').getByText('Closed Won').waitFor();
  const files = await page.locator('[data-id=files] li').count();
  await timeline.locator('[data-id=closure-status]').getByText('Completed').waitFor();
  await at('closed-won', page);
  // lightning/navigation: the timeline opens the closure's own record page.
  await timeline.getByRole('button', { name: 'Open the deal closure' }).click();
  await page.waitForURL(`${base}/lightning/r/Deal_Closure__c/${dealClosureId}/view`);
  await page.locator('[data-id=status]').getByText('Completed').waitFor();
  await at('deal-closure', page);
  return { opportunityId, dealClosureId, runId, stayedOnPage, approvals: approved.size, files };
}
