import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../config/config.ts';
import { createLogger } from '../logger.ts';
import { startServer, type RunningServer } from '../server.ts';

describe('API v1: closures and approval decisions', () => {
  let dir: string;
  let server: RunningServer;
  let oppId: string;
  const key = 'k'.repeat(40);
  const auth = { Authorization: `Bearer ${key}` };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-api-'));
    const config = loadConfig({
      PORT: '0',
      DEALDESK_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      DEALDESK_API_KEY: `${key},${'n'.repeat(40)}`,
    });
    server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 0 });
    oppId = String(
      server.localOrg!.query("SELECT Id FROM Opportunity WHERE StageName = 'Proposal/Price Quote' LIMIT 1")
        .records[0]!.Id,
    );
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses callers without a valid key, and accepts either of two rotating keys', async () => {
    await request(server.url).get('/v1/closures/run-x').expect(401);
    const wrong = await request(server.url).get('/v1/closures/run-x').set('Authorization', 'Bearer nope');
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, {
      error: { code: 'UNAUTHORIZED', message: 'Missing or invalid bearer token', details: {} },
    });
    await request(server.url)
      .get('/v1/closures/run-x')
      .set('Authorization', `Bearer ${'n'.repeat(40)}`)
      .expect(404);
  });

  it('validates the closure request and names the bad fields', async () => {
    const res = await request(server.url)
      .post('/v1/closures')
      .set(auth)
      .send({ opportunityId: '001xx', trigger: 'Maybe', extra: 1 });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'INVALID_REQUEST');
    const paths = (res.body.error.details.issues as { path: string }[]).map((i) => i.path);
    assert.ok(paths.includes('opportunityId') && paths.includes('trigger'), JSON.stringify(paths));
    const badJson = await request(server.url)
      .post('/v1/closures')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"opportunityId":');
    assert.equal(badJson.status, 400);
    assert.equal(badJson.body.error.code, 'MALFORMED_JSON');
    const badKey = await request(server.url)
      .post('/v1/closures')
      .set(auth)
      .set('Idempotency-Key', 'has spaces in it')
      .send({ opportunityId: oppId, trigger: 'Rep' });
    assert.equal(badKey.status, 400);
  });

  it('returns the same closure for the same Idempotency-Key and 409 for a second one while it runs', async () => {
    const first = await request(server.url)
      .post('/v1/closures')
      .set(auth)
      .set('Idempotency-Key', 'req-1')
      .send({ opportunityId: oppId, trigger: 'Rep' });
    assert.equal(first.status, 202);
    const again = await request(server.url)
      .post('/v1/closures')
      .set(auth)
      .set('Idempotency-Key', 'req-1')
      .send({ opportunityId: oppId, trigger: 'Rep' });
    assert.equal(again.body.closureId, first.body.closureId);
    const second = await request(server.url)
      .post('/v1/closures')
      .set(auth)
      .set('Idempotency-Key', 'req-2')
      .send({ opportunityId: oppId, trigger: 'Rep' });
    assert.equal(second.status, 409);
    assert.equal(second.body.error.code, 'CLOSURE_RUNNING');
    assert.equal(second.body.error.details.closureId, first.body.closureId);
    await server.system.orchestrator.idle();
    const view = await request(server.url)
      .get(`/v1/closures/${String(first.body.closureId)}`)
      .set(auth);
    assert.equal(view.status, 200);
    assert.equal(view.body.steps[0].agent, 'Deal_Closure');
    // The seeded not-ready deal waits for the rep; cancelling ends it.
    assert.equal(view.body.status, 'Waiting_Rep', JSON.stringify(view.body.steps[0]));
    await request(server.url)
      .post(`/v1/closures/${String(first.body.closureId)}/cancel`)
      .set(auth)
      .send({})
      .expect(202);
    await server.system.orchestrator.idle();
    const cancelled = await request(server.url)
      .get(`/v1/closures/${String(first.body.closureId)}`)
      .set(auth);
    assert.equal(cancelled.body.status, 'Cancelled');
    await request(server.url)
      .post(`/v1/closures/${String(first.body.closureId)}/confirm`)
      .set(auth)
      .send({})
      .expect(409);
  });

  it('answers decisions for unknown approvals with 409 and bad decisions with 400', async () => {
    const unknown = await request(server.url)
      .post('/v1/approvals/a00Dd0000000001AAA/decision')
      .set(auth)
      .send({ decision: 'approve' });
    assert.equal(unknown.status, 409);
    assert.match(unknown.body.error.message, /No closure is waiting for approval a00Dd0000000001AAA/);
    assert.equal(unknown.body.error.code, 'UNKNOWN_APPROVAL');
    const bad = await request(server.url)
      .post('/v1/approvals/a00Dd0000000001AAA/decision')
      .set(auth)
      .send({ decision: 'maybe' });
    assert.equal(bad.status, 400);
    const badId = await request(server.url)
      .post('/v1/approvals/not-an-id/decision')
      .set(auth)
      .send({ decision: 'approve' });
    assert.equal(badId.status, 400);
  });
});
