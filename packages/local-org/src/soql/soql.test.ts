import assert from 'node:assert/strict';
import { startLocalOrg, type LocalOrgHarness } from '../testing.ts';
import { at, daysFromToday, ref, type SeedRecord } from '../seed/seed-types.ts';

const NOW = new Date('2026-03-18T15:00:00Z'); // a Wednesday

const fixture: SeedRecord[] = [
  { ref: 'eur', type: 'CurrencyType', fields: { IsoCode: 'EUR', ConversionRate: 0.92, IsActive: true } },
  {
    ref: 'acme',
    type: 'Account',
    fields: {
      Name: 'Acme Corp',
      Industry: 'Manufacturing',
      NumberOfEmployees: 4200,
      BillingCountry: 'Germany',
    },
  },
  {
    ref: 'globex',
    type: 'Account',
    fields: {
      Name: 'Globex',
      Industry: 'Technology',
      NumberOfEmployees: 150,
      BillingCountry: 'United Kingdom',
    },
  },
  {
    ref: 'initech',
    type: 'Account',
    fields: { Name: "Initech's Labs", Industry: 'Healthcare', NumberOfEmployees: null },
  },
  {
    ref: 'c1',
    type: 'Contact',
    fields: { FirstName: 'Ada', LastName: 'Lovelace', AccountId: ref('acme'), Email: 'ada@acme.example' },
  },
  {
    ref: 'o1',
    type: 'Opportunity',
    fields: {
      Name: 'Acme rollout',
      AccountId: ref('acme'),
      StageName: 'Negotiation/Review',
      Amount: 120000,
      CloseDate: daysFromToday(10),
    },
  },
  {
    ref: 'o2',
    type: 'Opportunity',
    fields: {
      Name: 'Acme expansion',
      AccountId: ref('acme'),
      StageName: 'Closed Won',
      Amount: 50000,
      CloseDate: daysFromToday(-40),
    },
  },
  {
    ref: 'o3',
    type: 'Opportunity',
    fields: {
      Name: 'Globex pilot',
      AccountId: ref('globex'),
      StageName: 'Prospecting',
      Amount: 8000,
      CloseDate: daysFromToday(-100),
    },
  },
  {
    ref: 'o4',
    type: 'Opportunity',
    fields: {
      Name: 'Initech audit',
      AccountId: ref('initech'),
      StageName: 'Closed Lost',
      Amount: null,
      CloseDate: daysFromToday(0),
    },
  },
  {
    ref: 'r1',
    type: 'OpportunityContactRole',
    fields: { OpportunityId: ref('o1'), ContactId: ref('c1'), Role: 'Economic Buyer', IsPrimary: true },
  },
  {
    ref: 't1',
    type: 'Task',
    fields: {
      Subject: 'Call: ready to sign',
      WhatId: ref('o1'),
      WhoId: ref('c1'),
      Status: 'Completed',
      ActivityDate: daysFromToday(-2),
      CreatedDate: at(-2, '10:00'),
    },
  },
  {
    ref: 't2',
    type: 'Task',
    fields: {
      Subject: 'Old intro call',
      WhatId: ref('o1'),
      Status: 'Completed',
      ActivityDate: daysFromToday(-120),
      CreatedDate: at(-120, '10:00'),
    },
  },
  {
    ref: 't3',
    type: 'Task',
    fields: {
      Subject: 'Send paperwork',
      WhatId: ref('o1'),
      Status: 'Not Started',
      ActivityDate: daysFromToday(3),
      CreatedDate: at(0, '08:00'),
    },
  },
];

describe('local org SOQL (through jsforce)', () => {
  let h: LocalOrgHarness;
  let ids: Map<string, string>;
  before(async () => {
    h = await startLocalOrg({ clock: () => NOW });
    ids = h.org.seed(fixture).ids;
  });
  after(async () => h.close());

  const names = (records: { Name?: unknown }[]) => records.map((r) => r.Name);

  it('selects fields, parent fields and child subqueries', async () => {
    const res = await h.conn.query<Record<string, unknown>>(
      "SELECT Id, Name, Amount, Account.Name, Account.Owner.Name, (SELECT Role, Contact.Email FROM OpportunityContactRoles), (SELECT Subject FROM Tasks ORDER BY Subject) FROM Opportunity WHERE Name = 'Acme rollout'",
    );
    assert.equal(res.totalSize, 1);
    const opp = res.records[0]!;
    assert.equal(opp.Amount, 120000);
    assert.deepEqual((opp.Account as Record<string, unknown>).Name, 'Acme Corp');
    assert.equal(
      ((opp.Account as Record<string, unknown>).Owner as Record<string, unknown>).Name,
      'DealDesk Integration',
    );
    const roles = opp.OpportunityContactRoles as { totalSize: number; records: Record<string, unknown>[] };
    assert.equal(roles.totalSize, 1);
    assert.equal((roles.records[0]!.Contact as Record<string, unknown>).Email, 'ada@acme.example');
    const tasks = opp.Tasks as { records: { Subject: string }[] };
    assert.deepEqual(
      tasks.records.map((t) => t.Subject),
      ['Call: ready to sign', 'Old intro call', 'Send paperwork'],
    );
    assert.deepEqual(opp.attributes, {
      type: 'Opportunity',
      url: `/services/data/v65.0/sobjects/Opportunity/${ids.get('o1')}`,
    });
  });

  it('returns null for an empty child relationship and for a missing parent', async () => {
    const res = await h.conn.query<Record<string, unknown>>(
      "SELECT Name, Pricebook2.Name, (SELECT Id FROM OpportunityLineItems) FROM Opportunity WHERE Name = 'Globex pilot'",
    );
    assert.equal(res.records[0]!.OpportunityLineItems, null);
    assert.equal(res.records[0]!.Pricebook2, null);
  });

  it('answers id and reference lookups exactly as a scan would, after updates too', async () => {
    const opp = ids.get('o1')!;
    const tasks = async (where: string) =>
      (
        await h.conn.query<{ Subject: string }>(`SELECT Subject FROM Task WHERE ${where} ORDER BY Subject`)
      ).records.map((r) => r.Subject);
    const all = ['Call: ready to sign', 'Old intro call', 'Send paperwork'];
    // Looked up by the WhatId index, then filtered; the OR form cannot use it and scans.
    assert.deepEqual(await tasks(`WhatId = '${opp}'`), all);
    const completed = ['Call: ready to sign', 'Old intro call'];
    assert.deepEqual(await tasks(`WhatId = '${opp}' AND Status = 'Completed'`), completed);
    assert.deepEqual(await tasks(`Status = 'Not Started' AND WhatId = '${opp}'`), ['Send paperwork']);
    assert.deepEqual(await tasks(`(WhatId = '${opp}' OR Subject = 'x') AND Status = 'Completed'`), completed);
    assert.deepEqual(await tasks(`WhatId = '${opp.slice(0, 15)}'`), all, 'a 15-character id scans');
    assert.deepEqual(await tasks(`NOT WhatId = '${opp}'`), []);
    const byId = await h.conn.query<{ Name: string }>(`SELECT Name FROM Opportunity WHERE Id = '${opp}'`);
    assert.deepEqual(names(byId.records), ['Acme rollout']);
    const wrongType = await h.conn.query(`SELECT Name FROM Account WHERE Id = '${opp}'`);
    assert.equal(wrongType.totalSize, 0);
    // The index follows updates: a task moved to another opportunity leaves this one's answer.
    const moved = (await h.conn.query<{ Id: string }>("SELECT Id FROM Task WHERE Subject = 'Send paperwork'"))
      .records[0]!;
    await h.conn.sobject('Task').update({ Id: moved.Id, WhatId: ids.get('o2')! });
    assert.deepEqual(await tasks(`WhatId = '${opp}'`), ['Call: ready to sign', 'Old intro call']);
    assert.deepEqual(await tasks(`WhatId = '${ids.get('o2')!}'`), ['Send paperwork']);
    await h.conn.sobject('Task').update({ Id: moved.Id, WhatId: opp });
    assert.deepEqual(await tasks(`WhatId = '${opp}'`), all);
  });

  it('evaluates AND / OR / NOT with parentheses', async () => {
    const res = await h.conn.query<{ Name: string }>(
      "SELECT Name FROM Opportunity WHERE (StageName = 'Closed Won' OR Amount > 100000) AND NOT Name LIKE '%expansion' ORDER BY Name",
    );
    assert.deepEqual(names(res.records), ['Acme rollout']);
    const res2 = await h.conn.query<{ Name: string }>(
      "SELECT Name FROM Opportunity WHERE NOT (StageName = 'Prospecting' OR StageName = 'Closed Lost') ORDER BY Name",
    );
    assert.deepEqual(names(res2.records), ['Acme expansion', 'Acme rollout']);
  });

  it('compares numbers, strings (case-insensitively), booleans, nulls and IN lists', async () => {
    const q = async (where: string) =>
      names(
        (await h.conn.query<{ Name: string }>(`SELECT Name FROM Opportunity WHERE ${where} ORDER BY Name`))
          .records,
      );
    assert.deepEqual(await q('Amount >= 50000 AND Amount < 120000'), ['Acme expansion']);
    assert.deepEqual(await q("name = 'ACME ROLLOUT'"), ['Acme rollout']);
    assert.deepEqual(await q('IsClosed = true'), ['Acme expansion', 'Initech audit']);
    assert.deepEqual(await q('Amount = null'), ['Initech audit']);
    assert.deepEqual(await q('Amount != null AND IsWon = false'), ['Acme rollout', 'Globex pilot']);
    assert.deepEqual(await q("StageName IN ('Prospecting', 'Closed Lost')"), [
      'Globex pilot',
      'Initech audit',
    ]);
    assert.deepEqual(await q("StageName NOT IN ('Prospecting', 'Closed Lost')"), [
      'Acme expansion',
      'Acme rollout',
    ]);
    assert.deepEqual(await q("Account.Industry = 'Manufacturing' AND Account.NumberOfEmployees > 1000"), [
      'Acme expansion',
      'Acme rollout',
    ]);
    assert.deepEqual(
      await q(`AccountId = '${ids.get('globex')!.slice(0, 15)}'`),
      ['Globex pilot'],
      '15-character ids match',
    );
  });

  it('handles LIKE wildcards and escaped quotes', async () => {
    const res = await h.conn.query<{ Name: string }>(
      "SELECT Name FROM Account WHERE Name LIKE 'initech\\'s%'",
    );
    assert.deepEqual(names(res.records), ["Initech's Labs"]);
    const res2 = await h.conn.query<{ Name: string }>("SELECT Name FROM Account WHERE Name LIKE 'Gl_bex'");
    assert.deepEqual(names(res2.records), ['Globex']);
  });

  it('supports date literals relative to the org clock', async () => {
    const q = async (where: string) =>
      (
        await h.conn.query<{ Subject: string }>(`SELECT Subject FROM Task WHERE ${where} ORDER BY Subject`)
      ).records.map((r) => r.Subject);
    assert.deepEqual(await q('CreatedDate = LAST_N_DAYS:90'), ['Call: ready to sign', 'Send paperwork']);
    assert.deepEqual(await q('CreatedDate < LAST_N_DAYS:90'), ['Old intro call']);
    assert.deepEqual(await q('ActivityDate = NEXT_N_DAYS:7'), ['Send paperwork']);
    assert.deepEqual(await q('CreatedDate = TODAY'), ['Send paperwork']);
    assert.deepEqual(await q('ActivityDate = THIS_WEEK'), ['Call: ready to sign', 'Send paperwork']);
    assert.deepEqual(await q('ActivityDate > 2026-01-01 AND CreatedDate < 2026-03-17T00:00:00Z'), [
      'Call: ready to sign',
    ]);
    const opps = await h.conn.query<{ Name: string }>(
      'SELECT Name FROM Opportunity WHERE CloseDate = THIS_QUARTER ORDER BY Name',
    );
    assert.deepEqual(names(opps.records), ['Acme expansion', 'Acme rollout', 'Initech audit']);
  });

  it('orders with NULLS FIRST / LAST and pages with LIMIT / OFFSET', async () => {
    const asc = await h.conn.query<{ Name: string }>('SELECT Name FROM Opportunity ORDER BY Amount');
    assert.deepEqual(names(asc.records), ['Initech audit', 'Globex pilot', 'Acme expansion', 'Acme rollout']);
    const desc = await h.conn.query<{ Name: string }>(
      'SELECT Name FROM Opportunity ORDER BY Amount DESC NULLS FIRST LIMIT 2 OFFSET 1',
    );
    assert.deepEqual(names(desc.records), ['Acme rollout', 'Acme expansion']);
    const multi = await h.conn.query<{ Name: string }>(
      'SELECT Name FROM Opportunity ORDER BY Account.Name DESC, Name ASC',
    );
    assert.deepEqual(names(multi.records), [
      'Initech audit',
      'Globex pilot',
      'Acme expansion',
      'Acme rollout',
    ]);
  });

  it('counts and aggregates with GROUP BY', async () => {
    const count = await h.conn.query("SELECT COUNT() FROM Opportunity WHERE Account.Name = 'Acme Corp'");
    assert.equal(count.totalSize, 2);
    assert.deepEqual(count.records, []);
    const grouped = await h.conn.query<Record<string, unknown>>(
      'SELECT AccountId, COUNT(Id) n, SUM(Amount), MAX(CloseDate) FROM Opportunity GROUP BY AccountId ORDER BY COUNT(Id) DESC, AccountId',
    );
    const acme = grouped.records[0]!;
    assert.equal(acme.AccountId, ids.get('acme'));
    assert.equal(acme.n, 2);
    assert.equal(acme.expr0, 170000);
    assert.equal(acme.expr1, new Date(NOW.getTime() + 10 * 86_400_000).toISOString().slice(0, 10));
    assert.deepEqual(acme.attributes, { type: 'AggregateResult' });
  });

  it('supports semi-joins and anti-joins', async () => {
    const res = await h.conn.query<{ Name: string }>(
      'SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity WHERE IsWon = true)',
    );
    assert.deepEqual(names(res.records), ['Acme Corp']);
    const res2 = await h.conn.query<{ Name: string }>(
      'SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Opportunity WHERE IsClosed = true) ORDER BY Name',
    );
    assert.deepEqual(names(res2.records), ['Globex']);
  });

  it('pages large results with nextRecordsUrl, which jsforce follows', async () => {
    h.org.seed(
      Array.from({ length: 450 }, (_, i): SeedRecord => ({
        ref: `bulk${i}`,
        type: 'Product2',
        fields: { Name: `Bulk ${String(i).padStart(3, '0')}`, Family: 'Add-on' },
      })),
    );
    const raw = await h.conn.request<{
      totalSize: number;
      done: boolean;
      nextRecordsUrl?: string;
      records: unknown[];
    }>({
      method: 'GET',
      url: `/services/data/v65.0/query?q=${encodeURIComponent("SELECT Name FROM Product2 WHERE Name LIKE 'Bulk%' ORDER BY Name")}`,
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
    });
    assert.equal(raw.totalSize, 450);
    assert.equal(raw.done, false);
    assert.equal(raw.records.length, 200);
    assert.match(raw.nextRecordsUrl ?? '', /^\/services\/data\/v65\.0\/query\/01g[A-Za-z0-9]{15}-200$/);
    const all = await h.conn
      .query<{ Name: string }>("SELECT Name FROM Product2 WHERE Name LIKE 'Bulk%' ORDER BY Name", {
        headers: { 'Sforce-Query-Options': 'batchSize=200' },
      })
      .run({ autoFetch: true, maxFetch: 1000 });
    assert.equal(all.records.length, 450);
    assert.equal(all.records[449]!.Name, 'Bulk 449');
    assert.equal(
      h.org.requestStats().byOperation['GET query/{locator}'],
      2,
      'jsforce fetched the two further pages',
    );
  });

  it('answers bad queries with Salesforce error codes, never a 500', async () => {
    const cases: [string, string][] = [
      ['SELEC Id FROM Account', 'MALFORMED_QUERY'],
      ['SELECT Id FROM Account WHERE', 'MALFORMED_QUERY'],
      ['SELECT Nope__c FROM Account', 'INVALID_FIELD'],
      ['SELECT Id FROM Account WHERE Bogus = 1', 'INVALID_FIELD'],
      ['SELECT Owner.Nope FROM Account', 'INVALID_FIELD'],
      ['SELECT Id, (SELECT Id FROM Nopes) FROM Account', 'INVALID_FIELD'],
      ['SELECT Id FROM Nope__c', 'INVALID_TYPE'],
      ["SELECT Id FROM Opportunity WHERE Amount = '100'", 'INVALID_QUERY_FILTER_OPERATOR'],
      ["SELECT Id FROM Opportunity WHERE CloseDate = '2026-01-01'", 'INVALID_QUERY_FILTER_OPERATOR'],
      ["SELECT Id FROM Opportunity WHERE Id = 'not-an-id'", 'INVALID_QUERY_FILTER_OPERATOR'],
      ['SELECT Name, COUNT(Id) FROM Opportunity', 'MALFORMED_QUERY'],
    ];
    for (const [soql, code] of cases) {
      await assert.rejects(
        async () => void (await h.conn.query(soql)),
        (err: { errorCode?: string }) => {
          assert.equal(err.errorCode, code, soql);
          return true;
        },
      );
    }
  });

  it('queries custom objects through their metadata relationships', async () => {
    const closure = await h.conn
      .sobject('Deal_Closure__c')
      .create({ Opportunity__c: ids.get('o1'), Status__c: 'Running', Run_Id__c: 'run-1' });
    await h.conn.sobject('Agent_Step__c').create({
      Deal_Closure__c: closure.id,
      Agent__c: 'Deal_Closure',
      Status__c: 'Succeeded',
      Step_Key__c: 'run-1:deal_closure',
    });
    const res = await h.conn.query<Record<string, unknown>>(
      "SELECT Name, Opportunity__r.Name, (SELECT Agent__c, Status__c FROM Agent_Steps__r) FROM Deal_Closure__c WHERE Run_Id__c = 'run-1'",
    );
    const rec = res.records[0]!;
    assert.match(String(rec.Name), /^DC-\d{6}$/);
    assert.equal((rec.Opportunity__r as Record<string, unknown>).Name, 'Acme rollout');
    assert.equal(
      (rec.Agent_Steps__r as { records: Record<string, unknown>[] }).records[0]!.Agent__c,
      'Deal_Closure',
    );
  });
});
