/**
 * The demo: close the seeded verbal-yes deal end to end through the same paths production uses.
 * The rep's Close Deal click (a Deal_Closure__c and the callout), approvers approving in the
 * org's approval process (whose trigger calls the middleware back), and the customer and the
 * rep signing on the signing pages. Prints each agent's step as it happens.
 */
import { Connection } from '@jsforce/jsforce-node';
import type { RunningServer } from '../server.ts';
import { demoScenario } from '@dealdesk/local-org';
import { LOCAL_ORG_API_VERSION } from '@dealdesk/local-org';
import { soqlString } from '@dealdesk/contracts';

export interface ClosureView {
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

/** Where the demo talks to: the middleware's URL, its API key and the local org's token. */
export interface DemoTarget {
  url: string;
  apiKey: string;
  orgToken: string;
}

export interface StartedClosure {
  target: DemoTarget;
  closureId: string;
  dealClosureId: string;
  opportunityId: string;
  requestsBefore: number;
  startedAt: number;
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
const stdout: Print = (l) => process.stdout.write(`${l}\n`);

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${res.url}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

export function targetOf(server: RunningServer): DemoTarget {
  if (!server.localOrg) throw new Error('the demo runs in local mode');
  return { url: server.url, apiKey: server.apiKey, orgToken: server.localOrg.token };
}

/** Talks to the middleware and the local org as the people in the demo would. */
class DemoClient {
  readonly target: DemoTarget;
  readonly admin: Connection;
  constructor(target: DemoTarget) {
    this.target = target;
    this.admin = new Connection({
      instanceUrl: target.url,
      accessToken: target.orgToken,
      version: LOCAL_ORG_API_VERSION,
    });
  }
  api(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.target.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${this.target.apiKey}`,
        'Content-Type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
  }
  async session(username: string): Promise<Connection> {
    const res = await fetch(`${this.target.url}/local/sessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.target.orgToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ username }),
    });
    const body = await json<{ access_token: string }>(res);
    return new Connection({
      instanceUrl: this.target.url,
      accessToken: body.access_token,
      version: LOCAL_ORG_API_VERSION,
    });
  }
  async requestCount(): Promise<number> {
    const res = await fetch(`${this.target.url}/local/stats`, {
      headers: { Authorization: `Bearer ${this.target.orgToken}` },
    });
    return (await json<{ total: number }>(res)).total;
  }
}

export async function runDemo(
  server: RunningServer,
  print: Print = stdout,
  timeoutMs = 90_000,
): Promise<DemoResult> {
  const started = await startDemoClosure(targetOf(server), print);
  return driveToCompletion(started, print, timeoutMs);
}

/** What the rep's Close Deal click does: a Queued Deal_Closure__c, then the callout. */
export async function startDemoClosure(target: DemoTarget, print: Print = stdout): Promise<StartedClosure> {
  const client = new DemoClient(target);
  const scenario = demoScenario('verbal-yes');
  const found = await client.admin.query<{
    Id: string;
    Name: string;
    Amount: number;
    CurrencyIsoCode: string;
    Account: { Name: string };
  }>(
    `SELECT Id, Name, Amount, CurrencyIsoCode, Account.Name FROM Opportunity WHERE Name = ${soqlString(scenario.opportunityName)}`,
  );
  const opp = found.records[0];
  if (!opp)
    throw new Error(
      `the seeded opportunity "${scenario.opportunityName}" is missing; start from a fresh data directory`,
    );
  print(
    `Closing "${opp.Name}" (${opp.Account.Name}, ${opp.CurrencyIsoCode} ${opp.Amount.toLocaleString('en-US')}) as ${scenario.ownerUsername}`,
  );
  // The record page in Lightning Local, where the timeline shows each step as it happens.
  print(
    `Watch it in a browser: ${target.url}/lightning/r/Opportunity/${opp.Id}/view (sign in with the admin's token)`,
  );
  const rep = await client.session(scenario.ownerUsername);
  const note = 'Verbal yes on the call; please close.';
  const closure = await rep.sobject('Deal_Closure__c').create({
    Opportunity__c: opp.Id,
    Status__c: 'Queued',
    Trigger__c: 'Rep',
    Note__c: note,
    Started_At__c: new Date().toISOString(),
  });
  if (!closure.success || !closure.id) throw new Error('could not create the Deal_Closure__c');
  // From here on, every Salesforce request is the middleware's.
  const requestsBefore = await client.requestCount();
  const startedAt = Date.now();
  const start = await json<{ closureId: string; status: string }>(
    await client.api('/v1/closures', {
      method: 'POST',
      headers: { 'Idempotency-Key': closure.id },
      body: JSON.stringify({ opportunityId: opp.Id, trigger: 'Rep', dealClosureId: closure.id, note }),
    }),
  );
  print(`Closure ${start.closureId} accepted (${start.status})`);
  return {
    target,
    closureId: start.closureId,
    dealClosureId: closure.id,
    opportunityId: opp.Id,
    requestsBefore,
    startedAt,
  };
}

export async function closureView(target: DemoTarget, closureId: string): Promise<ClosureView> {
  return json<ClosureView>(await new DemoClient(target).api(`/v1/closures/${closureId}`));
}

type AfterAction = (what: 'approved' | 'signed', who: string) => Promise<void>;

/** What the drive loop carries from one poll to the next, and how it reports. */
interface Drive {
  client: DemoClient;
  print: Print;
  afterAction: AfterAction;
  /** Each stage's last printed status, so a step prints only when it changes. */
  printed: Map<string, string>;
  approved: Set<string>;
  signed: Set<string>;
}

/** Approves as the assigned approvers and signs as the recipients until the closure completes. */
export async function driveToCompletion(
  started: StartedClosure,
  print: Print = stdout,
  timeoutMs = 90_000,
  /** Called after each approval and signature (the crash test kills the process here). */
  afterAction: AfterAction = async () => undefined,
): Promise<DemoResult> {
  const target = started.target;
  const client = new DemoClient(target);
  const drive: Drive = {
    client,
    print,
    afterAction,
    printed: new Map(),
    approved: new Set(),
    signed: new Set(),
  };
  let callsToSubmitted = -1;
  let msToSubmitted = -1;
  let view: ClosureView | undefined;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (Date.now() > deadline)
      throw new Error(
        `the demo timed out; last status ${view?.status ?? 'unknown'}: ${view?.steps.at(-1)?.reasoning ?? ''}`,
      );
    view = await closureView(target, started.closureId);
    printSteps(drive, view);
    if (view.status === 'Completed') break;
    if (view.status === 'Failed' || view.status === 'Cancelled' || view.status === 'Waiting_Rep') {
      throw new Error(
        `the closure stopped (${view.status}): ${view.error ?? view.steps.at(-1)?.reasoning ?? ''}`,
      );
    }
    if (
      callsToSubmitted < 0 &&
      view.approvals.some((a) => a.status === 'Pending' || a.status === 'Approved')
    ) {
      callsToSubmitted = (await client.requestCount()) - started.requestsBefore;
      msToSubmitted = Date.now() - started.startedAt;
    }
    if (view.status === 'Waiting_Approval') await approveNext(drive, view);
    if (view.status === 'Waiting_Signature') await signNext(drive, view);
    await new Promise((r) => setTimeout(r, 50));
  }
  const totalMs = Date.now() - started.startedAt;
  print('');
  print(
    `Completed in ${totalMs} ms. Salesforce API requests: ${callsToSubmitted} to approvals submitted (in ${msToSubmitted} ms), ${(await client.requestCount()) - started.requestsBefore} in all.`,
  );
  for (const s of view.steps)
    print(`- ${s.agent}: ${s.reasoning.slice(0, 300)}${s.reasoning.length > 300 ? '…' : ''}`);
  return {
    closureId: started.closureId,
    dealClosureId: started.dealClosureId,
    opportunityId: started.opportunityId,
    view,
    apiCallsToApprovalsSubmitted: callsToSubmitted,
    msToApprovalsSubmitted: msToSubmitted,
    totalMs,
  };
}

/** Prints each step whose status or duration changed since the last poll. */
function printSteps({ printed, print }: Drive, view: ClosureView): void {
  for (const s of view.steps) {
    const state = `${s.status}|${s.durationMs}`;
    if (printed.get(s.stage) === state) continue;
    printed.set(s.stage, state);
    const confidence =
      s.confidence === null ? '     ' : `${String(Math.round(s.confidence * 100)).padStart(3)}% `;
    print(
      `  ${s.agent.padEnd(24)} ${s.status.padEnd(10)} ${confidence} ${s.durationMs === null ? `${s.activeMs} ms active` : `${s.durationMs} ms`}`,
    );
  }
}

/** Approves the first pending approval whose work item the org shows, as its assigned approver. */
async function approveNext(
  { client, print, afterAction, approved }: Drive,
  view: ClosureView,
): Promise<void> {
  for (const a of view.approvals.filter((x) => x.status === 'Pending' && !approved.has(x.approvalId))) {
    const items = await client.admin.query<{ Id: string; Actor: { Username: string; Name: string } }>(
      `SELECT Id, Actor.Username, Actor.Name FROM ProcessInstanceWorkitem WHERE ProcessInstance.TargetObjectId = '${a.approvalId}'`,
    );
    const item = items.records[0];
    if (!item) continue;
    const approver = await client.session(item.Actor.Username);
    await new Promise<void>((ok, fail) =>
      approver.process.approval
        .approve(item.Id, `Approved for the demo by ${item.Actor.Name}`)
        .then(() => ok(), fail),
    );
    approved.add(a.approvalId);
    print(`  ${a.role} approved in Salesforce by ${item.Actor.Name}`);
    await afterAction('approved', item.Actor.Name);
    break;
  }
}

/** Signs on the signing page as the next recipient the envelope waits for. */
async function signNext({ print, afterAction, signed }: Drive, view: ClosureView): Promise<void> {
  const next = view.envelope?.recipients?.find((r) => r.status === 'sent' || r.status === 'delivered');
  if (!next?.signingUrl || signed.has(next.name)) return;
  const page = await fetch(next.signingUrl);
  if (page.status !== 200) throw new Error(`signing page for ${next.name} answered ${page.status}`);
  const res = await fetch(next.signingUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({ action: 'sign', signature: next.name, consent: 'on' }).toString(),
  });
  // 409 means this recipient already signed (e.g. before a restart): nothing to do.
  if (res.status >= 300 && res.status !== 409)
    throw new Error(`signing as ${next.name} failed: ${res.status} ${await res.text()}`);
  signed.add(next.name);
  print(`  ${next.name} signed on the signing page`);
  await afterAction('signed', next.name);
}
