/**
 * The post-signature write-back against the local org: the exact records, at most three
 * Salesforce API requests for System Integration, and a replayed completion that changes nothing.
 */
import assert from 'node:assert/strict';
import { startPostSignature, type PostSignatureHarness } from '../../test-support/post-signature.ts';
import { monthlySchedule } from '../../domain/revenue-schedule.ts';

describe('post-signature write-back (local org)', () => {
  let h: PostSignatureHarness;
  let runId: string;
  before(async () => {
    h = await startPostSignature();
    runId = await h.close();
  });
  after(async () => h?.dispose());

  const query = async <T extends Record<string, unknown>>(soql: string) =>
    (await h.org.conn.query<T>(soql)).records;

  it('writes Closed Won, the activated contract, the schedule, the renewal and its plan', async () => {
    const [opp] = await query<{ StageName: string; Amount: number; ContractId: string; CloseDate: string }>(
      `SELECT StageName, Amount, ContractId, CloseDate FROM Opportunity WHERE Id = '${h.opportunityId}'`,
    );
    assert.equal(opp!.StageName, 'Closed Won');
    const [contract] = await query<{
      Status: string;
      StartDate: string;
      EndDate: string;
      ContractTerm: number;
    }>(`SELECT Status, StartDate, EndDate, ContractTerm FROM Contract WHERE Id = '${opp!.ContractId}'`);
    const { attributes: _a, ...fields } = contract as typeof contract & { attributes: unknown };
    assert.deepEqual(fields, {
      Status: 'Activated',
      StartDate: '2026-12-15',
      EndDate: '2029-12-14',
      ContractTerm: 36,
    });
    const schedule = await query<{ Period_Start__c: string; Amount__c: number }>(
      `SELECT Period_Start__c, Amount__c FROM Revenue_Schedule__c WHERE Opportunity__c = '${h.opportunityId}' ORDER BY Period_Start__c`,
    );
    const expected = monthlySchedule(Math.round(opp!.Amount * 100), '2026-12-15', 36);
    assert.deepEqual(
      schedule.map((r) => [r.Period_Start__c, Math.round(r.Amount__c * 100)]),
      expected.map((p) => [p.periodStart, p.amountMinor]),
    );
    const tasks = await query<{ Subject: string; ActivityDate: string; DealDesk_Key__c: string }>(
      `SELECT Subject, ActivityDate, DealDesk_Key__c FROM Task WHERE WhatId = '${h.opportunityId}' AND DealDesk_Key__c LIKE '${runId}:task:%' ORDER BY ActivityDate`,
    );
    assert.deepEqual(
      tasks
        .filter((t) => !t.DealDesk_Key__c.includes(':kickoff:'))
        .map((t) => [t.Subject.split(':')[0], t.ActivityDate]),
      [
        ['6-month check-in', '2027-06-15'],
        ['9-month check-in', '2027-09-15'],
        ['Renewal campaign', '2027-12-15'],
      ],
    );
    const renewals = await query<{ CloseDate: string; Type: string }>(
      `SELECT CloseDate, Type FROM Opportunity WHERE DealDesk_Key__c = '${runId}:renewal'`,
    );
    assert.deepEqual(
      renewals.map((r) => [r.Type, r.CloseDate]),
      [['Renewal', '2029-10-16']],
    );
  });

  it('hands off four packages to their rule-assigned owners, each with a kickoff Task', async () => {
    const packages = await query<{
      Team__c: string;
      OwnerId: string;
      Completeness__c: number;
      Owner: { Username: string };
    }>(
      `SELECT Team__c, OwnerId, Owner.Username, Completeness__c FROM Handoff_Package__c WHERE Idempotency_Key__c LIKE '${runId}:handoff:%' ORDER BY Team__c`,
    );
    assert.deepEqual(
      packages.map((p) => [p.Team__c, p.Owner.Username.split('@')[0]]),
      [
        ['Customer_Success', 'nina.hoffmann'],
        ['Finance', 'raj.patel'],
        ['Implementation', 'felix.wagner'],
        ['Support', 'lena.novak'],
      ],
    );
    const kickoffs = await query<{ OwnerId: string; DealDesk_Key__c: string }>(
      `SELECT OwnerId, DealDesk_Key__c FROM Task WHERE DealDesk_Key__c LIKE '${runId}:task:kickoff:%'`,
    );
    assert.deepEqual(kickoffs.map((t) => t.OwnerId).sort(), packages.map((p) => p.OwnerId).sort());
  });

  it('records what stood out and celebrates the win with its facts, on the opportunity and the channel', async () => {
    const insights = await query<{ Category__c: string; Metric__c: string }>(
      `SELECT Category__c, Metric__c FROM Win_Insight__c WHERE Idempotency_Key__c LIKE '${runId}:insight:%' ORDER BY Metric__c`,
    );
    assert.ok(insights.some((i) => i.Metric__c === 'cycle_time_hours'));
    assert.ok(insights.some((i) => i.Metric__c === 'discount_percent'));
    assert.ok(
      insights.some((i) => i.Category__c === 'Process'),
      'the slowest phase',
    );
    const posts = await query<{ Body: string }>(
      `SELECT Body FROM FeedItem WHERE ParentId = '${h.opportunityId}'`,
    );
    assert.equal(posts.length, 1);
    assert.match(
      posts[0]!.Body,
      /^Closed Won: Brennecke Antriebstechnik GmbH signed .* — €530,558\.00 over 36 months\./,
    );
    assert.match(posts[0]!.Body, /Handed off to Nina Hoffmann \(Customer Success\)/);
    const [sent] = h.notifications.filter((n) => n.kind === 'celebration');
    assert.equal(sent?.audience, 'channel');
    assert.equal(sent?.body, posts[0]!.Body);
  });

  it('costs System Integration at most 3 Salesforce API requests', () => {
    const n = h.requests.system_integration;
    assert.ok(n !== undefined && n > 0, 'measured');
    assert.ok(n <= 3, `System Integration made ${n} API requests`);
  });

  it('changes nothing when the completion is replayed', async () => {
    const before = h.snapshot();
    await h.replay(runId);
    const after = h.snapshot();
    const counts = (s: typeof before) =>
      Object.fromEntries([...s].map(([object, records]) => [object, records.size]));
    // The replay writes its step records and timeline events again; the deal's records stay as they were.
    const ignore = new Set(['Agent_Step__c', 'Deal_Closure__c']);
    for (const [object, records] of before) {
      if (ignore.has(object)) continue;
      assert.deepEqual(after.get(object), records, `${object} changed on replay`);
    }
    assert.deepEqual(counts(after), counts(before));
    assert.equal(
      h.notifications.filter((n) => n.kind === 'celebration').length,
      1,
      'the channel hears of the win once',
    );
    assert.ok((h.requests.system_integration ?? 0) <= 3, 'the replay stays within the budget');
  });
});

describe('post-signature write-back in a three-decimal currency (local org)', () => {
  let h: PostSignatureHarness;
  after(async () => h?.dispose());

  it('stores a KWD schedule exactly and the cross-check passes', async () => {
    h = await startPostSignature({
      // Opportunity.Amount has two decimals, so the contract value is whole fils of ten; the entries are not.
      prepare: async (org, id) => {
        await org.conn.sobject('Opportunity').update({ Id: id, CurrencyIsoCode: 'KWD', Amount: 100_000.01 });
      },
      contract: { currency: 'KWD', totalMinor: 100_000_010, termMonths: 7, startDate: '2027-01-31' },
    });
    await h.close();
    const rows = (
      await h.org.conn.query<{ Amount__c: number }>(
        `SELECT Amount__c FROM Revenue_Schedule__c WHERE Opportunity__c = '${h.opportunityId}'`,
      )
    ).records;
    assert.equal(rows.length, 8);
    assert.equal(
      rows.reduce((s, r) => s + Math.round(r.Amount__c * 1000), 0),
      100_000_010,
    );
    assert.ok(
      rows.some((r) => Math.round(r.Amount__c * 1000) % 10 !== 0),
      'some entries use the third decimal',
    );
  });
});

describe('post-signature cross-check (local org)', () => {
  let h: PostSignatureHarness;
  after(async () => h?.dispose());

  it('fails the step with the mismatch when Salesforce does not hold the signed value', async () => {
    // The signed contract is a cent more than the opportunity Salesforce keeps (line items decide Amount).
    h = await startPostSignature({ contract: { totalMinor: 530_558_01 } });
    await assert.rejects(
      h.close(),
      /Salesforce does not match the signed contract: opportunity amount 530558 differs from the contract value 530558\.01/,
    );
    assert.equal(h.requests.system_integration, 2, 'the write with its read-back, then the failed step');
  });
});
