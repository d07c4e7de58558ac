/**
 * The approval cycle against the local org with the test's clock (no real waits): submission
 * with a decision brief and a prediction, a reminder at 50% of the SLA, reassignment to the
 * backup at 100%, escalation to the executive at 150%, approvals through Salesforce's approval
 * process, a rejection, and the rep's revision that resubmits only what changed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@jsforce/jsforce-node';
import {
  loadConfig,
  createLogger,
  startServer,
  type RunningServer,
  createRuntime,
  type Notification,
} from '@dealdesk/middleware';
import { startDemoClosure, targetOf, type StartedClosure } from '@dealdesk/middleware/demo';

interface View {
  status: string;
  waitingFor: string | null;
  steps: { stage: string; status: string; reasoning: string }[];
  approvals: { approvalId: string; role: string; approver: string; status: string; comment: string | null }[];
}

const HOUR = 3_600_000;

describe('approval cycle: remind, reassign, escalate, approve, reject, revise (local org, test clock)', () => {
  let dir: string;
  let server: RunningServer;
  let admin: Connection;
  let started: StartedClosure;
  let nowMs = Date.parse('2026-03-02T09:00:00.000Z');
  const sent = () => (server.system.notifier as unknown as { sent: Notification[] }).sent;

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
    });
  const view = async () => (await (await api(`/v1/closures/${started.closureId}`)).json()) as View;
  const settle = async () => {
    for (let i = 0; i < 50; i++) {
      await server.system.orchestrator.idle();
      await server.automation!.idle();
      await new Promise((r) => setTimeout(r, 10));
      await server.system.orchestrator.idle();
      await server.automation!.idle();
      if (i > 2) return;
    }
  };
  const until = async (what: string, ok: (v: View) => boolean) => {
    for (let i = 0; i < 400; i++) {
      await settle();
      const v = await view();
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 25));
    }
    const v = await view();
    throw new Error(`timed out waiting for ${what}; status ${v.status}: ${v.steps.at(-1)?.reasoning ?? ''}`);
  };
  const advance = async (hours: number) => {
    nowMs += hours * HOUR;
    await server.system.orchestrator.tick();
    await settle();
  };
  const session = async (username: string) => {
    const res = await fetch(`${server.url}/local/sessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.localOrg!.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ username }),
    });
    const body = (await res.json()) as { access_token: string };
    return new Connection({ instanceUrl: server.url, accessToken: body.access_token, version: '65.0' });
  };
  const workitem = async (approvalId: string) =>
    (
      await admin.query<{ Id: string; ActorId: string; Actor: { Username: string; Name: string } }>(
        `SELECT Id, ActorId, Actor.Username, Actor.Name FROM ProcessInstanceWorkitem WHERE ProcessInstance.TargetObjectId = '${approvalId}'`,
      )
    ).records[0];
  const decide = async (approvalId: string, action: 'approve' | 'reject', comment: string) => {
    const item = await workitem(approvalId);
    assert.ok(item, `approval ${approvalId} has a pending request`);
    const conn = await session(item.Actor.Username);
    await new Promise<void>((ok, fail) =>
      conn.process.approval[action](item.Id, comment).then(() => ok(), fail),
    );
    await settle();
  };
  const feed = async (approvalId: string) =>
    (
      await admin.query<{ Body: string }>(`SELECT Body FROM FeedItem WHERE ParentId = '${approvalId}'`)
    ).records.map((r) => r.Body);
  const byRole = (v: View, role: string) => v.approvals.find((a) => a.role === role)!;
  const userId = async (username: string) =>
    (await admin.query<{ Id: string }>(`SELECT Id FROM User WHERE Username = '${username}'`)).records[0]!.Id;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-approvals-'));
    const config = loadConfig({ PORT: '0', DEALDESK_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    server = await startServer(
      config,
      createRuntime({ logger: createLogger({ level: 'silent' }), clock: () => new Date(nowMs) }),
      { timerPollMs: 0 },
    );
    admin = new Connection({ instanceUrl: server.url, accessToken: server.localOrg!.token, version: '65.0' });
    started = await startDemoClosure(targetOf(server), () => undefined);
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let first: View;
  it('submits the independent approvals in parallel with a decision brief and a prediction', async () => {
    first = await until('approvals submitted', (v) => v.approvals.some((a) => a.status === 'Pending'));
    assert.equal(first.status, 'Waiting_Approval');
    assert.deepEqual(
      first.approvals.map((a) => [a.role, a.status]).sort(),
      [
        ['Executive', 'Planned'],
        ['Finance', 'Pending'],
        ['InfoSec', 'Pending'],
        ['Legal', 'Pending'],
        ['Sales_VP', 'Pending'],
      ],
      'the executive waits for Finance and Legal',
    );
    // Hannah Brooks delegated her approvals: Legal goes to her backup at once.
    assert.equal(byRole(first, 'Legal').approver, 'Oliver Grant');
    const step = first.steps.find((s) => s.stage === 'approval_orchestration')!;
    assert.match(
      step.reasoning,
      /Predicted approval by .* UTC \(p90 .* UTC\), (meets|misses) the close date/,
    );
    assert.match(
      step.reasoning,
      /Finance \[Finance_Large_Deal\]: amount \$[\d,.]+ \(€[\d,.]+\) is at or above \$100,000\.00/,
    );
    const comments = (
      await admin.query<{ Comments: string }>(
        `SELECT Comments FROM ProcessInstanceStep WHERE ProcessInstance.TargetObjectId = '${byRole(first, 'Finance').approvalId}' AND StepStatus = 'Started'`,
      )
    ).records[0]!.Comments;
    assert.match(comments, /Why you \(Finance_Large_Deal\): amount/);
    assert.match(comments, /Risk: (Low|Medium|High)/);
    // The seeded history: Summit Valley (USD 299,640, within half to double this deal) was approved by Finance in 7 hours.
    assert.match(
      comments,
      /Precedent: Summit Valley Health - Clinical Engineering Work Orders \(\$299,640\.00\) approved in 7 h/,
    );
    assert.match(step.reasoning, /Elena Petrova ~7 h \(p90 8\.6 h, 3 past decisions\)/);
    // The Finance brief is written from the deal: list against net, the authority, the payment terms.
    assert.match(comments, /^At list the order comes to €[\d,.]+; net it is €530,558\.00/m);
    assert.match(comments, /^Payment terms: net 45 days, invoiced annually, instead of the standard net 30/m);
    const record = (
      await admin.query<{ Brief__c: string }>(
        `SELECT Brief__c FROM Deal_Approval__c WHERE Id = '${byRole(first, 'Legal').approvalId}'`,
      )
    ).records[0]!;
    assert.match(
      record.Brief__c,
      /^Non-standard clause non-standard-1 \(/m,
      'Legal reads the non-standard clauses',
    );
    assert.match(
      record.Brief__c,
      /\n {2}\[Contract non-standard-1 rule: /,
      'each statement with its sources',
    );
    const request = sent().find(
      (n) => n.kind === 'approval_request' && n.recordId === byRole(first, 'Finance').approvalId,
    );
    assert.ok(request, 'Finance was told');
    assert.match(request.body, /total contract value, payment terms/);
    assert.equal(request.userId, await userId('elena.petrova@dealdesk-demo.example'));
  });

  it('reminds at 50% of the SLA, reassigns to the backup at 100%, escalates to the executive at 150%', async () => {
    const finance = byRole(first, 'Finance').approvalId;
    await advance(12.1); // Finance's SLA is 24 h
    assert.ok((await feed(finance)).some((b) => /reminded Elena Petrova/.test(b)));
    assert.ok(sent().some((n) => n.kind === 'reminder' && n.recordId === finance));
    assert.equal((await workitem(finance))!.Actor.Name, 'Elena Petrova');

    await advance(12);
    assert.equal((await workitem(finance))!.Actor.Name, 'Raj Patel', 'reassigned to the backup');
    assert.ok(
      (await feed(finance)).some((b) => /reassigned this request from Elena Petrova to Raj Patel/.test(b)),
    );
    const raj = await userId('raj.patel@dealdesk-demo.example');
    const toBackup = sent().find((n) => n.recordId === finance && n.userId === raj);
    assert.ok(toBackup, 'the backup was told');
    assert.match(toBackup.body, /did not decide within the 24 h SLA/);

    await advance(12);
    assert.equal((await workitem(finance))!.Actor.Name, 'Marcus Bell', 'escalated to the executive');
    assert.ok(sent().some((n) => n.kind === 'escalation' && n.recordId === finance));
    const v = await view();
    assert.match(
      v.steps.find((s) => s.stage === 'approval_orchestration')!.reasoning,
      /escalated to the executive Marcus Bell/,
    );
    // A timer that fires again changes nothing.
    await server.system.orchestrator.tick();
    await settle();
    assert.equal((await workitem(finance))!.Actor.Name, 'Marcus Bell');
  });

  let rejected: View;
  it('submits the executive once Finance and Legal approve, and stops on a rejection', async () => {
    await decide(byRole(first, 'Finance').approvalId, 'approve', 'Fine at this price');
    await decide(byRole(first, 'Legal').approvalId, 'approve', 'Residency addendum is acceptable');
    const v = await until('executive submitted', (x) => byRole(x, 'Executive').status === 'Pending');
    assert.equal(byRole(v, 'Executive').approver, 'Marcus Bell');
    await decide(
      byRole(first, 'Sales_VP').approvalId,
      'reject',
      '15% is too deep for a two-year term; 12% at most',
    );
    rejected = await until('rejection', (x) => x.status === 'Waiting_Rep');
    assert.match(
      rejected.steps.find((s) => s.stage === 'approval_orchestration')!.reasoning,
      /rejected: "15% is too deep/,
    );
    assert.equal(
      rejected.steps.find((s) => s.stage === 'signature_management'),
      undefined,
      'no signature',
    );
    const told = sent().find((n) => n.kind === 'rejection');
    assert.ok(told, 'the rep was told');
    assert.equal(told.audience, 'rep');
    assert.match(told.body, /15% is too deep/);
  });

  it('answers decisions that change nothing with 409', async () => {
    const again = await api(`/v1/approvals/${byRole(first, 'Finance').approvalId}/decision`, {
      method: 'POST',
      body: JSON.stringify({ decision: 'reject' }),
    });
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'ALREADY_DECIDED');
    const retry = await api(`/v1/closures/${started.closureId}/retry`, { method: 'POST', body: '{}' });
    assert.equal(retry.status, 409);
    assert.match(((await retry.json()) as { error: { message: string } }).error.message, /revise/);
    assert.equal((await view()).status, 'Waiting_Rep');
  });

  it('on revision recalls and resubmits only the approvals whose reason changed', async () => {
    const lines = await admin.query<{ Id: string; Discount: number }>(
      `SELECT Id, Discount FROM OpportunityLineItem WHERE OpportunityId = '${started.opportunityId}' AND Discount > 12`,
    );
    assert.ok(lines.records.length > 0);
    const rep = await session('jordan.keller@dealdesk-demo.example');
    for (const l of lines.records)
      await rep.sobject('OpportunityLineItem').update({ Id: l.Id, Discount: 12 });
    const res = await api(`/v1/closures/${started.closureId}/revise`, {
      method: 'POST',
      body: JSON.stringify({ comment: 'Discount down to 12%' }),
    });
    assert.equal(res.status, 202);
    const revised = await until(
      'resubmission',
      (x) => x.status === 'Waiting_Approval' && byRole(x, 'Finance')?.status === 'Pending',
    );
    const versions = await admin.query<{ Version__c: number }>(
      `SELECT Version__c FROM Contract_Version__c WHERE Deal_Closure__c = '${started.dealClosureId}' AND Variant__c = 'Full' ORDER BY Version__c`,
    );
    assert.deepEqual(
      versions.records.map((r) => r.Version__c),
      [1, 2],
    );
    // Legal and InfoSec did not change: the same requests, Legal still approved, InfoSec still pending.
    assert.equal(byRole(revised, 'Legal').approvalId, byRole(first, 'Legal').approvalId);
    assert.equal(byRole(revised, 'Legal').status, 'Approved');
    assert.equal(byRole(revised, 'InfoSec').approvalId, byRole(first, 'InfoSec').approvalId);
    assert.ok(await workitem(byRole(first, 'InfoSec').approvalId), 'InfoSec was not recalled');
    // The amount changed: Finance and the executive approve again; the discount no longer needs the VP.
    assert.notEqual(byRole(revised, 'Finance').approvalId, byRole(first, 'Finance').approvalId);
    assert.equal(byRole(revised, 'Sales_VP'), undefined);
    const oldExec = (await admin
      .sobject('Deal_Approval__c')
      .retrieve(byRole(rejected, 'Executive').approvalId)) as {
      Status__c: string;
    };
    assert.equal(oldExec.Status__c, 'Recalled');
    const late = await api(`/v1/approvals/${byRole(rejected, 'Executive').approvalId}/decision`, {
      method: 'POST',
      body: JSON.stringify({ decision: 'approve' }),
    });
    assert.equal(late.status, 409);
    assert.equal(((await late.json()) as { error: { code: string } }).error.code, 'APPROVAL_SUPERSEDED');

    await decide(byRole(revised, 'Finance').approvalId, 'approve', 'OK at 12%');
    const exec = await until('executive resubmitted', (x) => byRole(x, 'Executive').status === 'Pending');
    await decide(byRole(exec, 'Executive').approvalId, 'approve', 'Go');
    await decide(byRole(first, 'InfoSec').approvalId, 'approve', 'SOC 2 report covers it');
    const done = await until('approval complete', (x) =>
      x.steps.some((s) => s.stage === 'signature_management'),
    );
    assert.equal(done.steps.find((s) => s.stage === 'approval_orchestration')!.status, 'Succeeded');
  });
});
