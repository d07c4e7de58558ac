/**
 * Cancelling a closure withdraws what it left open: approvers no longer see a request for a
 * deal that is not closing, and signers can no longer sign its contract.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@jsforce/jsforce-node';
import { loadConfig, createLogger, startServer, type RunningServer } from '@dealdesk/middleware';
import {
  closureView,
  driveToCompletion,
  startDemoClosure,
  targetOf,
  type ClosureView,
  type StartedClosure,
} from '@dealdesk/middleware/demo';

describe('cancelling a closure that waits (local mode)', () => {
  let dir: string;
  let server: RunningServer;
  let admin: Connection;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-cancel-'));
    const config = loadConfig({ PORT: '0', DEALDESK_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 50 });
    admin = new Connection({ instanceUrl: server.url, accessToken: server.localOrg!.token, version: '65.0' });
  });
  afterEach(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function until(started: StartedClosure, check: (v: ClosureView) => boolean): Promise<ClosureView> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const view = await closureView(started.target, started.closureId);
      if (check(view)) return view;
      if (Date.now() > deadline) throw new Error(`timed out; closure is ${view.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const cancel = (started: StartedClosure) =>
    fetch(`${server.url}/v1/closures/${started.closureId}/cancel`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
      body: '{}',
    });

  it('recalls the pending approval requests', async () => {
    const started = await startDemoClosure(targetOf(server), () => undefined);
    const waiting = await until(
      started,
      (v) => v.status === 'Waiting_Approval' && v.approvals.some((a) => a.status === 'Pending'),
    );
    const pending = waiting.approvals.filter((a) => a.status === 'Pending').map((a) => a.approvalId);
    assert.equal((await cancel(started)).status, 202);
    const cancelled = await until(started, (v) => v.status === 'Cancelled');
    assert.match(cancelled.steps.at(-1)!.reasoning, /Recalled /);
    const ids = pending.map((id) => `'${id}'`).join(',');
    const approvals = await admin.query<{ Status__c: string }>(
      `SELECT Status__c FROM Deal_Approval__c WHERE Id IN (${ids})`,
    );
    assert.deepEqual(
      approvals.records.map((r) => r.Status__c),
      pending.map(() => 'Recalled'),
    );
    const open = await admin.query(
      `SELECT Id FROM ProcessInstanceWorkitem WHERE ProcessInstance.TargetObjectId IN (${ids})`,
    );
    assert.equal(open.totalSize, 0, 'no approver has the request in their queue');
  });

  it('voids the envelope out for signature', async () => {
    const started = await startDemoClosure(targetOf(server), () => undefined);
    // Approve, and stop driving once the customer has signed: the countersignature is still open.
    await driveToCompletion(
      started,
      () => undefined,
      30_000,
      async (what) => {
        if (what === 'signed') throw new Error('stop driving');
      },
    ).catch((err: unknown) => {
      if (!(err instanceof Error) || err.message !== 'stop driving') throw err;
    });
    const signing = await until(started, (v) => v.status === 'Waiting_Signature');
    const next = signing.envelope?.recipients?.find((r) => r.status === 'sent' || r.status === 'delivered');
    assert.ok(next?.signingUrl, 'a signer is still to sign');
    assert.equal((await cancel(started)).status, 202);
    const cancelled = await until(started, (v) => v.status === 'Cancelled');
    assert.match(cancelled.steps.at(-1)!.reasoning, /Envelope .* voided/);
    const res = await fetch(next.signingUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ action: 'sign', signature: next.name, consent: 'on' }).toString(),
    });
    assert.ok(res.status >= 400, `signing a voided envelope answered ${res.status}`);
  });
});
