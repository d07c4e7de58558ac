import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { LocalOrg } from '@dealdesk/local-org';
import { createLogger } from '../logger.ts';
import { soqlString } from '@dealdesk/contracts';
import { demoOrg, openOpportunities } from '../test-support/lightning-fixtures.ts';
import { installPackageAutomation, type PackageAutomation } from './package-automation.ts';

describe('package automation: DealClosureStartQueueable for closures a rep started', () => {
  let org: LocalOrg;
  let server: Server;
  let automation: PackageAutomation;
  let received: { body: Record<string, unknown>; key: string | undefined }[];
  let answer: { status: number; body: unknown };

  beforeEach(async () => {
    org = demoOrg();
    received = [];
    const app = express();
    app.post('/v1/closures', express.json(), (req, res) => {
      received.push({ body: req.body as Record<string, unknown>, key: req.get('Idempotency-Key') });
      res.status(answer.status).json(answer.body);
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((ok) => server.once('listening', () => ok()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    automation = installPackageAutomation({
      org,
      middlewareUrl: () => url,
      apiKey: 'test-key',
      logger: createLogger({ level: 'silent' }),
      maxAttempts: 1,
    });
  });
  afterEach(async () => {
    automation.stop();
    await new Promise<void>((ok) => server.close(() => ok()));
    org.close();
  });

  const queuedClosure = (note: string | null) =>
    org.transact(
      org.integrationUserId,
      (dml) =>
        dml.insert('Deal_Closure__c', {
          Opportunity__c: openOpportunities(org)[0]!.Id,
          Status__c: 'Queued',
          Trigger__c: 'Rep',
          Note__c: note,
        }),
      { system: true },
    ).Id;
  const closure = (id: string) =>
    org.query(`SELECT Status__c, Error__c FROM Deal_Closure__c WHERE Id = ${soqlString(id)}`).records[0]!;

  it('calls POST /v1/closures with the closure, keyed by its id, and leaves an accepted one to the middleware', async () => {
    answer = { status: 202, body: { closureId: 'run-1', status: 'Running' } };
    const id = queuedClosure('Verbal yes');
    automation.startClosure(id);
    await automation.idle();
    assert.deepEqual(received, [
      {
        body: {
          opportunityId: openOpportunities(org)[0]!.Id,
          trigger: 'Rep',
          note: 'Verbal yes',
          dealClosureId: id,
        },
        key: id,
      },
    ]);
    assert.equal(closure(id).Status__c, 'Queued');
  });

  it("marks a refused closure Failed with the middleware's reason, as the Queueable does", async () => {
    answer = {
      status: 422,
      body: { error: { code: 'INVALID_OPPORTUNITY', message: 'The opportunity has no amount' } },
    };
    const refused = queuedClosure(null);
    automation.startClosure(refused);
    await automation.idle();
    assert.ok(!('note' in received[0]!.body), 'no note is sent when there is none');
    assert.deepEqual(
      { ...closure(refused), attributes: undefined },
      {
        attributes: undefined,
        Status__c: 'Failed',
        Error__c: 'The opportunity has no amount (INVALID_OPPORTUNITY)',
      },
    );
    answer = {
      status: 409,
      body: { error: { code: 'CLOSURE_RUNNING', message: 'A closure is already running' } },
    };
    const running = queuedClosure(null);
    automation.startClosure(running);
    await automation.idle();
    assert.equal(closure(running).Error__c, 'A closure is already running');
  });

  it('leaves closures that are no longer Queued alone', async () => {
    answer = { status: 202, body: { closureId: 'run-2', status: 'Running' } };
    const id = queuedClosure(null);
    org.transact(
      org.integrationUserId,
      (dml) => dml.update('Deal_Closure__c', id, { Status__c: 'Cancelled' }),
      {
        system: true,
      },
    );
    automation.startClosure(id);
    await automation.idle();
    assert.deepEqual(received, []);
  });
});
