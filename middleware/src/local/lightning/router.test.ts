import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import type { LocalOrg } from '@dealdesk/local-org';
import { createLogger } from '../../logger.ts';
import { soqlString } from '@dealdesk/contracts';
import {
  TEST_DATA_DIR,
  closureInFlight,
  demoOrg,
  openOpportunities,
  userId,
} from '../../test-support/lightning-fixtures.ts';
import { createLightningLocal, type LightningLocal } from './router.ts';

describe('Lightning Local router', function () {
  // The first run compiles the components (about a minute on a busy machine); later runs reuse the cache.
  this.timeout(300_000);
  let org: LocalOrg;
  let lightning: LightningLocal;
  let app: express.Express;
  let enqueued: string[];

  before(async () => {
    org = demoOrg();
    enqueued = [];
    lightning = await createLightningLocal({
      localOrg: org,
      dataDir: TEST_DATA_DIR,
      logger: createLogger({ level: 'silent' }),
      enqueueStart: (id) => enqueued.push(id),
    });
    await lightning.bundle;
    app = express();
    app.use(lightning.router);
  });
  after(() => {
    lightning.close();
    org.close();
  });

  /** A browser session of a demo user, signed in with their own local-org token. */
  const signIn = async (usernamePrefix: string) => {
    const agent = request.agent(app);
    const username = String(
      org.query(`SELECT Username FROM User WHERE Id = ${soqlString(userId(org, usernamePrefix))}`).records[0]!
        .Username,
    );
    await agent
      .post('/lightning/login')
      .type('form')
      .send({ token: org.createSession(username).accessToken })
      .expect(303);
    return agent;
  };
  const apex = (agent: ReturnType<typeof request.agent>, method: string, params: Record<string, unknown>) =>
    agent.post('/lightning/apex').send({ classname: 'DealDeskController', method, params });

  it('sends people without a session to log in, and refuses component calls', async () => {
    const id = openOpportunities(org)[0]!.Id;
    const page = await request(app).get(`/lightning/r/Opportunity/${id}/view`).expect(303);
    assert.equal(
      page.headers.location,
      `/lightning/login?retURL=${encodeURIComponent(`/lightning/r/Opportunity/${id}/view`)}`,
    );
    const call = await request(app)
      .post('/lightning/apex')
      .send({ classname: 'DealDeskController', method: 'getTimeline', params: { recordId: id } })
      .expect(401);
    assert.match(call.body.error.message, /session has ended/);
    await request(app).get('/lightning/stream?channel=/event/Deal_Closure_Event__e').expect(401);
  });

  it('logs in with a local org token, returns to the page asked for, and refuses other tokens', async () => {
    const bad = await request(app).post('/lightning/login').type('form').send({ token: 'nope' }).expect(401);
    assert.match(bad.text, /That token does not sign in to the local org/);
    const admin = org.adminSession()!;
    const ok = await request(app)
      .post('/lightning/login')
      .type('form')
      .send({ token: admin.accessToken, retURL: '/lightning/approvals' })
      .expect(303);
    assert.equal(ok.headers.location, '/lightning/approvals');
    assert.match(String(ok.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    const offsite = await request(app)
      .post('/lightning/login')
      .type('form')
      .send({ token: admin.accessToken, retURL: '//evil.example/lightning' })
      .expect(303);
    assert.equal(offsite.headers.location, '/lightning/o/Opportunity/list');
  });

  it('lists the open opportunities with account, stage, amount, close date and owner', async () => {
    const agent = await signIn('jordan.keller');
    const res = await agent.get('/lightning/o/Opportunity/list').expect(200);
    assert.match(
      res.text,
      /<link rel="stylesheet" href="\/lightning\/assets\/styles\/salesforce-lightning-design-system\.min\.css">/,
    );
    const open = org.query(
      'SELECT Id, Name, Account.Name, StageName, Owner.Name FROM Opportunity WHERE IsClosed = false',
    ).records;
    assert.ok(open.length > 0);
    for (const opp of open) {
      const row = new RegExp(
        `<tr class="slds-hint-parent" data-id="${String(opp.Id)}">([\\s\\S]*?)</tr>`,
      ).exec(res.text);
      assert.ok(row, `row of ${String(opp.Name)}`);
      for (const value of [
        opp.Name,
        (opp.Account as { Name: string }).Name,
        opp.StageName,
        (opp.Owner as { Name: string }).Name,
      ])
        assert.ok(
          row[1]!.includes(String(value).replaceAll('&', '&amp;')),
          `${String(value)} in the row of ${String(opp.Name)}`,
        );
    }
    const closed = org.query('SELECT Id FROM Opportunity WHERE IsClosed = true LIMIT 1').records[0]!;
    assert.ok(!res.text.includes(String(closed.Id)), 'closed deals are not in the open list');
    const all = await agent.get('/lightning/o/Opportunity/list?filterName=All').expect(200);
    assert.ok(all.text.includes(String(closed.Id)));
  });

  it('renders a record page with the compiled components, SLDS and a strict CSP', async () => {
    const agent = await signIn('jordan.keller');
    const opp = openOpportunities(org)[0]!;
    const res = await agent.get(`/lightning/r/Opportunity/${opp.Id}/view`).expect(200);
    const { key } = await lightning.bundle;
    assert.ok(res.text.includes(`<script type="module" src="/lightning/app/${key}/app.js"></script>`));
    assert.ok(res.text.includes(`data-ll-component="c-deal-closure-timeline" data-record-id="${opp.Id}"`));
    assert.ok(
      res.text.includes(
        `data-ll-quick-action="c-close-deal" data-record-id="${opp.Id}" data-label="Close Deal">Close Deal</button>`,
      ),
    );
    assert.ok(res.text.includes(opp.Name.replaceAll('&', '&amp;')));
    assert.match(String(res.headers['content-security-policy']), /script-src 'self';/);
    const bundle = await agent.get(`/lightning/app/${key}/app.js`).expect(200);
    assert.match(String(bundle.headers['content-type']), /javascript/);
    assert.match(String(bundle.headers['cache-control']), /immutable/);
    // The package's own templates and the base components they use, compiled into the bundle.
    for (const text of [
      'No deal closure yet. Use Close Deal to start one.',
      'Note for the agents',
      '/event/Deal_Closure_Event__e',
      'lightning-card',
      'lightning-textarea',
    ])
      assert.ok(bundle.text.includes(text), `the bundle holds ${text}`);
    await agent.get('/lightning/app/0000000000000000/app.js').expect(404);
    const css = await agent
      .get('/lightning/assets/styles/salesforce-lightning-design-system.min.css')
      .expect(200);
    assert.match(String(css.headers['content-type']), /text\/css/);
    assert.ok(css.text.includes('.slds-card'));
    await agent.get('/lightning/assets/icons/utility-sprite/svg/symbols.svg').expect(200);
  });

  it('mounts the components on the page of an unknown record, which then show the Apex error', async () => {
    const agent = await signIn('jordan.keller');
    const res = await agent.get('/lightning/r/Opportunity/006Dd000009zzzz/view').expect(200);
    assert.match(res.text, /This record does not exist, or you do not have access to it\./);
    assert.ok(res.text.includes('data-ll-quick-action="c-close-deal" data-record-id="006Dd000009zzzz"'));
    const preview = await apex(agent, 'getClosurePreview', { opportunityId: '006Dd000009zzzz' }).expect(200);
    assert.deepEqual(preview.body, {
      error: {
        message: 'The opportunity does not exist or you do not have access to it.',
        exceptionType: 'System.AuraHandledException',
        isUserDefinedException: false,
      },
      statusCode: 400,
    });
    await agent.get('/lightning/r/Account/001Dd0000000001IAA/view').expect(404);
  });

  it('shows a deal closure page and answers the timeline for it', async () => {
    const opp = openOpportunities(org)[1]!;
    const flight = closureInFlight(org, opp.Id, 'elena.petrova');
    const agent = await signIn('dana.whitfield');
    const page = await agent.get(`/lightning/r/${flight.closureId}/view`).expect(302);
    assert.equal(page.headers.location, `/lightning/r/Deal_Closure__c/${flight.closureId}/view`);
    const res = await agent.get(page.headers.location!).expect(200);
    assert.ok(res.text.includes(flight.closureName));
    assert.match(res.text, /data-id="status">Waiting Approval</);
    const timeline = await apex(agent, 'getTimeline', { recordId: flight.closureId }).expect(200);
    assert.equal(timeline.body.returnValue.closure.name, flight.closureName);
    assert.deepEqual(
      timeline.body.returnValue.approvals.map((a: { approverName: string }) => a.approverName),
      ['Elena Petrova'],
    );
  });

  it('starts a closure through the Apex stand-in and refuses people and calls it would refuse', async () => {
    const opp = openOpportunities(org).find(
      (o) =>
        !org.query(`SELECT Id FROM Deal_Closure__c WHERE Opportunity__c = ${soqlString(o.Id)}`).records
          .length,
    )!;
    const rep = await signIn('jordan.keller');
    const started = await apex(rep, 'startClosure', {
      opportunityId: opp.Id,
      note: 'Verbal yes',
      transcript: null,
    }).expect(200);
    assert.deepEqual(enqueued.slice(-1), [started.body.returnValue]);
    const again = await apex(rep, 'startClosure', { opportunityId: opp.Id }).expect(200);
    assert.match(
      again.body.error.message,
      /^A deal closure is already running for this opportunity \(DC-\d+, Queued\)\.$/,
    );
    const support = await signIn('lena.novak');
    const denied = await apex(support, 'getClosurePreview', { opportunityId: opp.Id }).expect(200);
    assert.equal(denied.body.statusCode, 403);
    assert.equal(
      denied.body.error.message,
      "You do not have access to the Apex class named 'DealDeskController'.",
    );
    await rep.post('/lightning/apex').send({ method: 'getTimeline' }).expect(400);
    await rep
      .post('/lightning/apex')
      .set('Origin', 'http://evil.example')
      .send({ classname: 'DealDeskController', method: 'getTimeline', params: {} })
      .expect(403);
  });

  it('lets an administrator log in as another user and back, and nobody else', async () => {
    const admin = org.adminSession()!;
    const agent = request.agent(app);
    await agent.post('/lightning/login').type('form').send({ token: admin.accessToken }).expect(303);
    const list = await agent.get('/lightning/o/Opportunity/list').expect(200);
    assert.match(list.text, /<option value="[^"]+">Priya Raman \(VP of Sales, Enterprise\)<\/option>/);
    assert.ok(!list.text.includes('>DealDesk Integration'), 'the integration user is not offered');
    await agent
      .post('/lightning/session/login-as')
      .type('form')
      .send({ userId: userId(org, 'priya.raman') })
      .expect(303);
    const asPriya = await agent.get('/lightning/approvals').expect(200);
    assert.match(asPriya.text, /data-id="current-user">Priya Raman/);
    assert.match(asPriya.text, /Logged in as Priya Raman/);
    await agent.post('/lightning/session/logout-as').expect(303);
    const back = await agent.get('/lightning/approvals').expect(200);
    const adminName = String(
      org.query(`SELECT Name FROM User WHERE Id = ${soqlString(admin.userId)}`).records[0]!.Name,
    );
    assert.ok(back.text.includes(`data-id="current-user">${adminName}`));
    assert.ok(!back.text.includes('Logged in as'));
    const rep = await signIn('jordan.keller');
    const refused = await rep
      .post('/lightning/session/login-as')
      .type('form')
      .send({ userId: userId(org, 'priya.raman') })
      .expect(403);
    assert.match(refused.text, /Only an administrator can log in as another user\./);
  });

  it('shows Items to Approve to the approver and their delegate, and records the decision with its comment', async () => {
    const open = openOpportunities(org);
    const forPriya = closureInFlight(org, open.at(-2)!.Id, 'priya.raman');
    const forHannah = closureInFlight(org, open.at(-1)!.Id, 'hannah.brooks');
    const priya = await signIn('priya.raman');
    const inbox = await priya.get('/lightning/approvals').expect(200);
    assert.ok(inbox.text.includes(`data-id="${forPriya.workitemId}"`));
    assert.ok(!inbox.text.includes(`data-id="${forHannah.workitemId}"`), "not someone else's request");

    const rep = await signIn('jordan.keller');
    await rep
      .post(`/lightning/approvals/${forPriya.workitemId}`)
      .type('form')
      .send({ action: 'Approve' })
      .expect(303);
    const refused = await rep.get('/lightning/approvals').expect(200);
    assert.match(
      refused.text,
      /only the assigned approver, their delegated approver or an administrator can act on this request/,
    );
    const status = () =>
      org.query(`SELECT Status__c FROM Deal_Approval__c WHERE Id = ${soqlString(forPriya.approvalId)}`)
        .records[0]!.Status__c;
    assert.equal(status(), 'Pending');

    await priya
      .post(`/lightning/approvals/${forPriya.workitemId}`)
      .type('form')
      .send({ action: 'Approve', comments: 'Discount fits the EMEA plan.' })
      .expect(303);
    const after = await priya.get('/lightning/approvals').expect(200);
    assert.match(after.text, /You approved the request\./);
    assert.ok(!after.text.includes(`data-id="${forPriya.workitemId}"`));
    assert.equal(status(), 'Approved');
    const step = org.query(
      `SELECT Comments, ActorId FROM ProcessInstanceStep WHERE StepStatus = 'Approved' AND ProcessInstance.TargetObjectId = ${soqlString(forPriya.approvalId)}`,
    ).records[0]!;
    assert.deepEqual(
      [step.Comments, step.ActorId],
      ['Discount fits the EMEA plan.', userId(org, 'priya.raman')],
    );

    // Hannah is out of office; Oliver is her delegated approver.
    const oliver = await signIn('oliver.grant');
    const delegated = await oliver.get('/lightning/approvals').expect(200);
    assert.match(delegated.text, new RegExp(`data-id="${forHannah.workitemId}"[\\s\\S]*?for Hannah Brooks`));
    await oliver
      .post(`/lightning/approvals/${forHannah.workitemId}`)
      .type('form')
      .send({ action: 'Reject', comments: 'Liability cap too high.' })
      .expect(303);
    assert.equal(
      org.query(`SELECT Status__c FROM Deal_Approval__c WHERE Id = ${soqlString(forHannah.approvalId)}`)
        .records[0]!.Status__c,
      'Rejected',
    );
    await oliver
      .post(`/lightning/approvals/${forHannah.workitemId}`)
      .type('form')
      .send({ action: 'Maybe' })
      .expect(303);
    assert.match((await oliver.get('/lightning/approvals')).text, /data-id="flash"/);
  });

  it('streams Deal_Closure_Event__e to subscribers as empApi delivers it', async () => {
    const server = app.listen(0);
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const token = org.createSession('jordan.keller@dealdesk-demo.example').accessToken;
      const login = await fetch(`${base}/lightning/login`, {
        method: 'POST',
        body: new URLSearchParams({ token }),
        redirect: 'manual',
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const refusal = async (channel: string) => {
        const res = await fetch(`${base}/lightning/stream?channel=${encodeURIComponent(channel)}`, {
          headers: { cookie },
        });
        assert.equal(res.status, 200);
        return res.text();
      };
      assert.equal(
        await refusal('/topic/Nope'),
        `event: refused\ndata: ${JSON.stringify({ error: 'channel must be /event/<Platform_Event__e>' })}\n\n`,
      );
      assert.match(
        await refusal('/event/Nope__e'),
        /^event: refused\ndata: \{"error":"No such channel: \/event\/Nope__e"\}/,
      );
      const supportToken = org.createSession('lena.novak@dealdesk-demo.example').accessToken;
      const supportLogin = await fetch(`${base}/lightning/login`, {
        method: 'POST',
        body: new URLSearchParams({ token: supportToken }),
        redirect: 'manual',
      });
      const supportCookie = supportLogin.headers.get('set-cookie')!.split(';')[0]!;
      const denied = await fetch(`${base}/lightning/stream?channel=/event/Deal_Closure_Event__e`, {
        headers: { cookie: supportCookie },
      });
      assert.match(
        await denied.text(),
        /event: refused\ndata: \{"error":"You cannot subscribe to \/event\/Deal_Closure_Event__e"\}/,
      );
      const res = await fetch(`${base}/lightning/stream?channel=/event/Deal_Closure_Event__e&replayId=-1`, {
        headers: { cookie },
      });
      assert.equal(res.status, 200);
      assert.match(String(res.headers.get('content-type')), /text\/event-stream/);
      const reader = res.body!.getReader();
      const readUntil = async (pattern: RegExp, r = reader) => {
        let text = '';
        while (!pattern.test(text)) {
          const chunk = await r.read();
          assert.ok(!chunk.done, 'the stream stayed open');
          text += new TextDecoder().decode(chunk.value);
        }
        return text;
      };
      // Publish once the subscription is confirmed, then read until the event arrives.
      await readUntil(/event: subscribed\n/);
      org.transact(org.integrationUserId, (dml) =>
        dml.insert('Deal_Closure_Event__e', {
          Closure_Id__c: 'a0EDd000001Dc2IAC',
          Status__c: 'Running',
          Message__c: 'Contract drafted',
          Agent__c: 'Contract_Generation',
        }),
      );
      const text = await readUntil(/event: event\ndata: .*\n\n/);
      await reader.cancel();
      const [, id, data] = /id: (\d+)\nevent: event\ndata: (.*)\n\n/.exec(text)!;
      const message = JSON.parse(data!) as {
        schema: string;
        payload: Record<string, unknown>;
        event: { replayId: number };
      };
      assert.equal(message.event.replayId, Number(id));
      assert.equal(message.payload.Message__c, 'Contract drafted');
      assert.equal(message.payload.Closure_Id__c, 'a0EDd000001Dc2IAC');
      assert.ok(!('Id' in message.payload) && !('ReplayId' in message.payload));
      assert.match(message.schema, /^[\w-]{22}$/);
      // A late subscriber asking for every retained event (-2) gets it too.
      const replay = await fetch(
        `${base}/lightning/stream?channel=/event/Deal_Closure_Event__e&replayId=-2`,
        {
          headers: { cookie },
        },
      );
      const replayReader = replay.body!.getReader();
      assert.match(await readUntil(/event: event\ndata: .*\n\n/, replayReader), new RegExp(`id: ${id}\n`));
      await replayReader.cancel();
    } finally {
      lightning.close();
      server.close();
    }
  });
});
