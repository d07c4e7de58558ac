/**
 * The demo: close the seeded verbal-yes deal end to end through the same paths production uses.
 * The rep's Close Deal click (a Deal_Closure__c and the callout), approvers approving in the
 * org's approval process (whose trigger calls the middleware back), and the customer and the
 * rep signing on the signing pages. Prints each agent's step as it happens.
 */
import { Connection } from '@jsforce/jsforce-node';
import type { RunningServer } from '../server.ts';
import { demoScenario } from '../local/org/seed/demo-company.ts';
import { LOCAL_ORG_API_VERSION } from '../local/org/local-org.ts';

interface ClosureView {
  closureId: string;
  status: string;
  error: string | null;
  steps: {
    stage: string;
    agent: string;
    status: string;
    confidence: number | null;
    durationMs: number | null;
    activeMs: number;
    reasoning: string;
  }[];
  approvals: { approvalId: string; role: string; approver: string; status: string }[];
  envelope: { recipients?: { name: string; status: string; signingUrl: string | null }[] } | null;
}

export interface DemoResult {
  closureId: string;
  dealClosureId: string;
  opportunityId: string;
  view: ClosureView;
  apiCallsToApprovalsSubmitted: number;
  msToApprovalsSubmitted: number;
  totalMs: number;
}

type Print = (line: string) => void;

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${res.url}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

export async function runDemo(
  server: RunningServer,
  print: Print = (l) => process.stdout.write(`${l}\n`),
  timeoutMs = 90_000,
): Promise<DemoResult> {
  const org = server.localOrg;
  if (!org) throw new Error('the demo runs in local mode');
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${server.apiKey}`,
        'Content-Type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
  const session = async (username: string) => {
    const res = await fetch(`${server.url}/local/sessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${org.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ username }),
    });
    const body = await json<{ access_token: string }>(res);
    return new Connection({
      instanceUrl: server.url,
      accessToken: body.access_token,
      version: LOCAL_ORG_API_VERSION,
    });
  };
  const admin = new Connection({
    instanceUrl: server.url,
    accessToken: org.token,
    version: LOCAL_ORG_API_VERSION,
  });
  const scenario = demoScenario('verbal-yes');
  const found = await admin.query<{
    Id: string;
    Name: string;
    Amount: number;
    CurrencyIsoCode: string;
    Account: { Name: string };
  }>(
    `SELECT Id, Name, Amount, CurrencyIsoCode, Account.Name FROM Opportunity WHERE Name = '${scenario.opportunityName.replace(/'/g, "\\'")}'`,
  );
  const opp = found.records[0];
  if (!opp)
    throw new Error(
      `the seeded opportunity "${scenario.opportunityName}" is missing; start from a fresh data directory`,
    );
  print(
    `Closing "${opp.Name}" (${opp.Account.Name}, ${opp.CurrencyIsoCode} ${opp.Amount.toLocaleString('en-US')}) as ${scenario.ownerUsername}`,
  );

  // What DealDeskController.startClosure does: a Queued Deal_Closure__c, then the callout.
  const rep = await session(scenario.ownerUsername);
  const closure = await rep
    .sobject('Deal_Closure__c')
    .create({
      Opportunity__c: opp.Id,
      Status__c: 'Queued',
      Trigger__c: 'Rep',
      Note__c: 'Verbal yes on the call; please close.',
      Started_At__c: new Date().toISOString(),
    });
  if (!closure.success || !closure.id) throw new Error('could not create the Deal_Closure__c');
  // From here on, every Salesforce request is the middleware's.
  const before = org.requestStats().total;
  const started = Date.now();
  const start = await json<{ closureId: string; status: string }>(
    await api('/v1/closures', {
      method: 'POST',
      headers: { 'Idempotency-Key': closure.id },
      body: JSON.stringify({
        opportunityId: opp.Id,
        trigger: 'Rep',
        dealClosureId: closure.id,
        note: 'Verbal yes on the call; please close.',
      }),
    }),
  );
  print(`Closure ${start.closureId} accepted (${start.status})`);

  const printed = new Map<string, string>();
  const approved = new Set<string>();
  const signed = new Set<string>();
  let callsToSubmitted = -1;
  let msToSubmitted = -1;
  let view: ClosureView | undefined;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (Date.now() > deadline)
      throw new Error(
        `the demo timed out; last status ${view?.status ?? 'unknown'}: ${view?.steps.at(-1)?.reasoning ?? ''}`,
      );
    view = await json<ClosureView>(await api(`/v1/closures/${start.closureId}`));
    for (const s of view.steps) {
      const line = `${s.agent.padEnd(24)} ${s.status.padEnd(10)} ${s.confidence === null ? '     ' : `${String(Math.round(s.confidence * 100)).padStart(3)}% `} ${s.durationMs === null ? `${s.activeMs} ms active` : `${s.durationMs} ms`}`;
      if (printed.get(s.stage) !== `${s.status}|${s.durationMs}`) {
        printed.set(s.stage, `${s.status}|${s.durationMs}`);
        print(`  ${line}`);
      }
    }
    if (view.status === 'Completed') break;
    if (view.status === 'Failed' || view.status === 'Cancelled' || view.status === 'Waiting_Rep') {
      throw new Error(
        `the closure stopped (${view.status}): ${view.error ?? view.steps.at(-1)?.reasoning ?? ''}`,
      );
    }
    if (view.approvals.some((a) => a.status === 'Pending' || a.status === 'Approved')) {
      if (callsToSubmitted < 0) {
        callsToSubmitted = org.requestStats().total - before;
        msToSubmitted = Date.now() - started;
      }
    }
    if (view.status === 'Waiting_Approval') {
      for (const a of view.approvals.filter((x) => x.status === 'Pending' && !approved.has(x.approvalId))) {
        const items = await admin.query<{ Id: string; Actor: { Username: string; Name: string } }>(
          `SELECT Id, Actor.Username, Actor.Name FROM ProcessInstanceWorkitem WHERE ProcessInstance.TargetObjectId = '${a.approvalId}'`,
        );
        const item = items.records[0];
        if (!item) continue;
        const approver = await session(item.Actor.Username);
        await new Promise<void>((ok, fail) =>
          approver.process.approval
            .approve(item.Id, `Approved for the demo by ${item.Actor.Name}`)
            .then(() => ok(), fail),
        );
        approved.add(a.approvalId);
        print(`  ${a.role} approved in Salesforce by ${item.Actor.Name}`);
      }
    }
    if (view.status === 'Waiting_Signature') {
      const next = view.envelope?.recipients?.find((r) => r.status === 'sent' || r.status === 'delivered');
      if (next?.signingUrl && !signed.has(next.name)) {
        const page = await fetch(next.signingUrl);
        if (page.status !== 200) throw new Error(`signing page for ${next.name} answered ${page.status}`);
        const res = await fetch(next.signingUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
          body: new URLSearchParams({ action: 'sign', signature: next.name, consent: 'on' }).toString(),
        });
        if (res.status >= 300)
          throw new Error(`signing as ${next.name} failed: ${res.status} ${await res.text()}`);
        signed.add(next.name);
        print(`  ${next.name} signed on the signing page`);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const totalMs = Date.now() - started;
  print('');
  print(
    `Completed in ${totalMs} ms. Salesforce API requests: ${callsToSubmitted} to approvals submitted (in ${msToSubmitted} ms), ${org.requestStats().total - before} in all.`,
  );
  for (const s of view.steps)
    print(`- ${s.agent}: ${s.reasoning.slice(0, 300)}${s.reasoning.length > 300 ? '…' : ''}`);
  return {
    closureId: start.closureId,
    dealClosureId: closure.id,
    opportunityId: opp.Id,
    view,
    apiCallsToApprovalsSubmitted: callsToSubmitted,
    msToApprovalsSubmitted: msToSubmitted,
    totalMs,
  };
}
