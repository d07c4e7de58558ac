/**
 * POST /v1/playbook/suggestions/:id/decision on the middleware in local mode: the real wiring,
 * Salesforce adapter and local org. Bad input gets a 4xx naming what is wrong and records
 * nothing; a decision is recorded once, with the manager and time.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import type { PlaybookPort } from '../ports/playbook.ts';
import { registerPlaybookRoutes } from './playbook-route.ts';
import { loadConfig } from '../config/config.ts';
import { createLogger } from '../logger.ts';
import { startServer, type RunningServer } from '../server.ts';

describe('API v1: playbook suggestion decisions', () => {
  let dir: string;
  let server: RunningServer;
  let ids: Map<string, string>;
  const key = 'p'.repeat(40);
  const auth = { Authorization: `Bearer ${key}` };
  const MANAGER = 'priya.raman@dealdesk-demo.example';
  const path = (id: string) => `/v1/playbook/suggestions/${id}/decision`;
  const record = (ref: string) => {
    const r = server.localOrg!.query(
      `SELECT Status__c, Decided_By__c, Decided_At__c, Decision_Note__c, Suggestion__c FROM Playbook_Suggestion__c WHERE Id = '${ids.get(ref)}'`,
    ).records[0]!;
    return {
      status: r.Status__c,
      by: r.Decided_By__c,
      at: r.Decided_At__c,
      note: r.Decision_Note__c,
      suggestion: r.Suggestion__c,
    };
  };
  const userId = (username: string) =>
    String(server.localOrg!.query(`SELECT Id FROM User WHERE Username = '${username}'`).records[0]!.Id);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-playbook-'));
    const config = loadConfig({
      PORT: '0',
      DEALDESK_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      DEALDESK_API_KEY: key,
    });
    server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 0 });
    const suggestion = (n: number) => ({
      ref: `playbook.test.${n}`,
      type: 'Playbook_Suggestion__c',
      fields: {
        Idempotency_Key__c: `playbook:test:${n}`,
        Category__c: 'Competitive',
        Title__c: `Competitive playbook: Rival ${n}`,
        Suggestion__c: `Against Rival ${n}, 3 wins on record share a median 12% discount.`,
      },
    });
    ids = server.localOrg!.seed([suggestion(1), suggestion(2)]).ids;
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('needs the API key like every /v1 endpoint', async () => {
    await request(server.url)
      .post(path(ids.get('playbook.test.1')!))
      .send({})
      .expect(401);
  });

  it('refuses bad input with the offending fields and records nothing', async () => {
    const id = ids.get('playbook.test.1')!;
    const cases: [string, unknown, string[]][] = [
      [id, { decision: 'approve', decidedBy: MANAGER }, ['decision']],
      [id, { decision: 'accept' }, ['decidedBy']],
      [id, { decision: 'accept', decidedBy: 'priya raman' }, ['decidedBy']],
      [id, { decision: 'accept', decidedBy: MANAGER, note: 'x'.repeat(4001) }, ['note']],
      [id, { decision: 'accept', decidedBy: MANAGER, status: 'Accepted' }, ['(body)']],
      ['not-an-id', { decision: 'accept', decidedBy: MANAGER }, ['']],
    ];
    for (const [target, body, paths] of cases) {
      const res = await request(server.url)
        .post(path(target))
        .set(auth)
        .send(body as object);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'INVALID_REQUEST');
      const got = (res.body.error.details.issues as { path: string }[]).map((i) => i.path);
      for (const p of paths) assert.ok(got.includes(p || '(body)'), `${JSON.stringify(got)} names ${p}`);
    }
    const malformed = await request(server.url)
      .post(path(id))
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"decision": ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.code, 'MALFORMED_JSON');
    assert.deepEqual(
      [record('playbook.test.1').status, record('playbook.test.1').by],
      ['Proposed', null],
      'nothing recorded',
    );
  });

  it('answers 404 for a suggestion that does not exist and 422 for a user who is not in the org', async () => {
    const missing = await request(server.url)
      .post(path('a0Z000000000001AAA'))
      .set(auth)
      .send({ decision: 'accept', decidedBy: MANAGER });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'NOT_FOUND');
    const stranger = await request(server.url)
      .post(path(ids.get('playbook.test.1')!))
      .set(auth)
      .send({ decision: 'accept', decidedBy: 'nobody@elsewhere.example' });
    assert.equal(stranger.status, 422);
    assert.equal(stranger.body.error.code, 'UNKNOWN_USER');
    assert.equal(record('playbook.test.1').status, 'Proposed');
  });

  it('records an acceptance once, with the manager, the time and the note', async () => {
    const id = ids.get('playbook.test.1')!;
    const res = await request(server.url).post(path(id)).set(auth).send({
      decision: 'accept',
      decidedBy: MANAGER,
      note: ' Add the pilot offer to the PlantPulse battlecard. ',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(
      { ...res.body, decidedAt: typeof res.body.decidedAt },
      {
        suggestionId: id,
        name: res.body.name,
        status: 'Accepted',
        decidedById: userId(MANAGER),
        decidedAt: 'string',
        changed: true,
      },
    );
    assert.match(res.body.name, /^PS-\d{6}$/);
    const stored = record('playbook.test.1');
    assert.deepEqual(
      [stored.status, stored.by, stored.note],
      ['Accepted', userId(MANAGER), 'Add the pilot offer to the PlantPulse battlecard.'],
    );
    assert.equal(Date.parse(String(stored.at)), Date.parse(res.body.decidedAt));
    assert.match(String(stored.suggestion), /^Against Rival 1/, 'the suggestion itself is untouched');

    // The same decision again (another manager, or a retried call) changes nothing.
    const again = await request(server.url)
      .post(path(id.slice(0, 15)))
      .set(auth)
      .send({ decision: 'accept', decidedBy: 'alex.morgan@dealdesk-demo.example' });
    assert.equal(again.status, 200);
    assert.deepEqual([again.body.changed, again.body.decidedById], [false, userId(MANAGER)]);
    // Reversing it is refused.
    const reverse = await request(server.url)
      .post(path(id))
      .set(auth)
      .send({ decision: 'dismiss', decidedBy: MANAGER });
    assert.equal(reverse.status, 409);
    assert.equal(reverse.body.error.code, 'ALREADY_DECIDED');
    assert.equal(reverse.body.error.details.status, 'Accepted');
    assert.equal(record('playbook.test.1').status, 'Accepted');
  });

  it('records a dismissal without a note', async () => {
    const res = await request(server.url)
      .post(path(ids.get('playbook.test.2')!))
      .set(auth)
      .send({ decision: 'dismiss', decidedBy: MANAGER });
    assert.equal(res.status, 200);
    assert.deepEqual([record('playbook.test.2').status, record('playbook.test.2').note], ['Dismissed', null]);
  });
});

describe('playbook decisions when Salesforce fails', () => {
  const suggestion = {
    id: 'a0Z000000000001AAA',
    name: 'PS-000001',
    key: 'playbook:competitive:rival',
    category: 'Competitive',
    title: null,
    suggestion: null,
    status: 'Proposed' as const,
    decidedById: null,
    decidedAt: null,
    note: null,
    target: null,
    supportingDeals: 3,
  };
  const manager = {
    id: '005Dd0000000001AAA',
    username: 'm@x.example',
    name: 'M',
    email: null,
    isActive: true,
    delegatedApproverId: null,
    managerId: null,
  };
  const app = (playbook: PlaybookPort) => {
    const router = express.Router();
    router.use(express.json());
    registerPlaybookRoutes(router, { playbook, clock: () => new Date('2026-12-01T09:00:00Z') });
    return express().use(router);
  };

  it('answers 502 and records nothing when the read or the write fails', async () => {
    const decided: unknown[] = [];
    const readFails: PlaybookPort = {
      readForDecision: () => Promise.reject(new Error('socket hang up')),
      decide: async (...args) => void decided.push(args),
    };
    const body = { decision: 'accept', decidedBy: 'm@x.example' };
    const r1 = await request(app(readFails))
      .post(`/v1/playbook/suggestions/${suggestion.id}/decision`)
      .send(body);
    assert.equal(r1.status, 502);
    assert.equal(r1.body.error.code, 'SALESFORCE_UNAVAILABLE');
    assert.deepEqual(decided, []);
    const writeFails: PlaybookPort = {
      readForDecision: async () => ({ suggestion, decider: manager }),
      decide: () => Promise.reject(new Error('UNABLE_TO_LOCK_ROW')),
    };
    const r2 = await request(app(writeFails))
      .post(`/v1/playbook/suggestions/${suggestion.id}/decision`)
      .send(body);
    assert.equal(r2.status, 502);
    assert.match(r2.body.error.message, /nothing was recorded, try again/);
  });

  it('refuses a deactivated manager', async () => {
    const port: PlaybookPort = {
      readForDecision: async () => ({ suggestion, decider: { ...manager, isActive: false } }),
      decide: () => Promise.reject(new Error('must not be called')),
    };
    const res = await request(app(port))
      .post(`/v1/playbook/suggestions/${suggestion.id}/decision`)
      .send({ decision: 'dismiss', decidedBy: 'm@x.example' });
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'UNKNOWN_USER');
  });
});
