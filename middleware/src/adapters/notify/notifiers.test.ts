import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { startLocalOrg, type LocalOrgHarness } from '@dealdesk/local-org/testing';
import { LOCAL_ORG_API_VERSION } from '@dealdesk/local-org';
import { createLogger } from '../../logger.ts';
import type { Notification, Notifier } from '../../ports/notify.ts';
import { createSalesforceNotifier } from './salesforce-notifier.ts';
import { createSlackNotifier, escapeSlack } from './slack-notifier.ts';
import { RECENT_NOTIFICATIONS } from './dedupe.ts';
import { createFanOutNotifier } from './fan-out-notifier.ts';

const silent = createLogger({ level: 'silent' });

describe('notifiers', () => {
  describe('Salesforce (Chatter mention, Simple Email action) against the local org', () => {
    let h: LocalOrgHarness;
    let userId: string;
    let accountId: string;
    beforeEach(async () => {
      h = await startLocalOrg();
      const ids = h.org.seed([
        {
          ref: 'user.elena',
          type: 'User',
          fields: {
            Username: 'elena@notify.example',
            FirstName: 'Elena',
            LastName: 'Petrova',
            Email: 'elena@notify.example',
            Alias: 'epetrova',
            IsActive: true,
          },
        },
        { ref: 'account', type: 'Account', fields: { Name: 'Northwind' } },
      ]).ids;
      userId = ids.get('user.elena')!;
      accountId = ids.get('account')!;
    });
    afterEach(async () => h.close());

    const note = (over: Partial<Notification> = {}): Notification => ({
      audience: 'approver',
      userId,
      recordId: accountId,
      subject: 'Approval needed (Finance): Northwind, $120,000.00',
      body: 'Look at the payment terms.',
      dueAt: '2026-03-03T09:00:00.000Z',
      key: 'k1',
      kind: 'approval_request',
      ...over,
    });

    it('posts on the record and mentions the person, once per key', async () => {
      const notifier = createSalesforceNotifier({
        conn: h.conn,
        apiVersion: LOCAL_ORG_API_VERSION,
        logger: silent,
      });
      assert.deepEqual(await notifier.notify(note()), [{ channel: 'salesforce-chatter', delivered: true }]);
      await notifier.notify(note());
      const posts = await h.conn.query<{ Body: string }>(
        `SELECT Body FROM FeedItem WHERE ParentId = '${accountId}'`,
      );
      assert.equal(posts.totalSize, 1, 'the same key is delivered once');
      assert.match(posts.records[0]!.Body, /^@Elena Petrova Approval needed \(Finance\)/);
      assert.match(posts.records[0]!.Body, /Due: 2026-03-03 09:00 UTC/);
    });

    it('emails people without a user and reports failures without throwing', async () => {
      const notifier = createSalesforceNotifier({
        conn: h.conn,
        apiVersion: LOCAL_ORG_API_VERSION,
        logger: silent,
      });
      const { userId: _u, ...rest } = note({ audience: 'signer', key: 'k2' });
      const [mail] = await notifier.notify({ ...rest, email: 'cfo@northwind.example' });
      assert.deepEqual(mail, { channel: 'salesforce-email', delivered: true });
      assert.deepEqual(h.org.outbox[0]!.to, ['cfo@northwind.example']);
      const [bad] = await notifier.notify(note({ key: 'k3', userId: '005Dd0000000999AAA' }));
      assert.equal(bad!.delivered, false);
      assert.match(bad!.detail!, /not an active user/);
      const [channel] = await notifier.notify({ ...rest, audience: 'channel', key: 'k4' });
      assert.equal(channel!.delivered, false);
    });
  });

  describe('Slack incoming webhook', () => {
    let server: Server;
    let received: { path: string; body: unknown }[];
    let status = 200;
    let url: string;
    beforeEach(async () => {
      received = [];
      status = 200;
      server = createServer((req, res) => {
        let data = '';
        req.on('data', (c: Buffer) => (data += c.toString()));
        req.on('end', () => {
          received.push({ path: req.url ?? '', body: JSON.parse(data) as unknown });
          res.writeHead(status, { 'Content-Type': 'text/plain' });
          res.end(status === 200 ? 'ok' : 'invalid_payload');
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/s3cr3tT0kenValue`;
    });
    afterEach(() => new Promise<void>((r) => server.close(() => r())));

    const n: Notification = {
      audience: 'rep',
      userId: '005Dd0000000001AAA',
      recordId: '006Dd0000000001AAA',
      subject: 'Priya Raman rejected <Northwind> & co',
      body: '"15% is too deep"',
      key: 'r1',
      kind: 'rejection',
    };

    it('posts a mrkdwn message with the record link, escaped', async () => {
      const slack = createSlackNotifier({
        webhookUrl: url,
        logger: silent,
        recordUrl: (id) => `https://acme.my.salesforce.com/${id}`,
      });
      assert.deepEqual(await slack.notify(n), [{ channel: 'slack', delivered: true }]);
      assert.deepEqual(await slack.notify(n), [
        { channel: 'slack', delivered: true, detail: 'already delivered' },
      ]);
      assert.equal(received.length, 1);
      const body = received[0]!.body as { text: string; blocks: { text: { type: string; text: string } }[] };
      assert.equal(body.blocks[0]!.text.type, 'mrkdwn');
      assert.match(body.blocks[0]!.text.text, /rejected &lt;Northwind&gt; &amp; co/);
      assert.match(
        body.blocks[0]!.text.text,
        /<https:\/\/acme\.my\.salesforce\.com\/006Dd0000000001AAA\|Open in Salesforce>/,
      );
      assert.equal(escapeSlack('a<b>&'), 'a&lt;b&gt;&amp;');
    });

    it('reports refusals and outages without the webhook URL', async () => {
      const lines: string[] = [];
      const logger = createLogger({
        level: 'info',
        secrets: [url],
        destination: new Writable({
          write(chunk: Buffer, _enc, done) {
            lines.push(chunk.toString());
            done();
          },
        }),
      });
      status = 400;
      const slack = createSlackNotifier({ webhookUrl: url, logger });
      const [refused] = await slack.notify(n);
      assert.deepEqual(refused, { channel: 'slack', delivered: false, detail: 'HTTP 400: invalid_payload' });
      const down = createSlackNotifier({
        webhookUrl: 'http://127.0.0.1:1/services/x/y/s3cr3tT0kenValue',
        logger,
      });
      const [failed] = await down.notify({ ...n, key: 'r2' });
      assert.equal(failed!.delivered, false);
      assert.ok(!JSON.stringify([refused, failed]).includes('s3cr3t'));
      assert.ok(lines.length >= 2 && !lines.join('').includes('s3cr3t'), 'no webhook URL in the logs');
    });
  });

  it('fans out to every channel; one failing does not stop the others', async () => {
    const ok: Notifier = { notify: async () => [{ channel: 'console', delivered: true }] };
    const broken: Notifier = {
      notify: async () => {
        throw new Error('boom');
      },
    };
    const fan = createFanOutNotifier([
      { name: 'console', notifier: ok },
      { name: 'slack', notifier: broken },
    ]);
    const results = await fan.notify({
      audience: 'channel',
      recordId: '006Dd0000000001AAA',
      subject: 's',
      body: 'b',
      key: 'f1',
      kind: 'info',
    });
    assert.deepEqual(results, [
      { channel: 'console', delivered: true },
      { channel: 'slack', delivered: false, detail: 'boom' },
    ]);
    assert.equal(fan.sent.length, 1);
  });

  it('keeps only the most recent notifications it sent, so a long-running process does not grow', async () => {
    const fan = createFanOutNotifier([{ name: 'console', notifier: { notify: async () => [] } }]);
    for (let i = 0; i < RECENT_NOTIFICATIONS + 50; i++)
      await fan.notify({
        audience: 'channel',
        recordId: '006Dd0000000001AAA',
        subject: `s${i}`,
        body: 'b',
        key: `k${i}`,
        kind: 'info',
      });
    assert.equal(fan.sent.length, RECENT_NOTIFICATIONS);
    assert.equal(fan.sent[0]!.subject, 's50');
    assert.equal(fan.sent.at(-1)!.subject, `s${RECENT_NOTIFICATIONS + 49}`);
  });
});
