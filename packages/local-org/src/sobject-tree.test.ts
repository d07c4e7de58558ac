import assert from 'node:assert/strict';
import request from 'supertest';
import { startLocalOrg, type LocalOrgHarness } from './testing.ts';
import { LOCAL_ORG_API_VERSION } from './local-org.ts';

const API = `/services/data/v${LOCAL_ORG_API_VERSION}`;
const AUTH = { Authorization: 'Bearer test-token' };

type Rec = Record<string, unknown>;
const rec = (type: string, referenceId: string, fields: Rec = {}): Rec => ({
  attributes: { type, referenceId },
  ...fields,
});

describe('local org sObject Tree (composite/tree)', () => {
  let h: LocalOrgHarness;
  beforeEach(async () => (h = await startLocalOrg()));
  afterEach(async () => h.close());

  const post = (type: string, body: unknown) =>
    request(h.app)
      .post(`${API}/composite/tree/${type}`)
      .set(AUTH)
      .send(body as object);
  const count = async (soql: string) => (await h.conn.query(soql)).totalSize;

  it("creates trees level by level, links children to their parent and answers in Salesforce's order", async () => {
    // The request body of the REST API Developer Guide's example, with its field names as written.
    const res = await post('Account', {
      records: [
        rec('Account', 'ref1', {
          name: 'SampleAccount',
          phone: '1234567890',
          website: 'www.salesforce.com',
          numberOfEmployees: '100',
          industry: 'Banking',
          Contacts: {
            records: [
              rec('Contact', 'ref2', {
                lastname: 'Smith',
                title: 'President',
                email: 'sample@salesforce.com',
              }),
              rec('Contact', 'ref3', {
                lastname: 'Evans',
                title: 'Vice President',
                email: 'sample@salesforce.com',
              }),
            ],
          },
        }),
        rec('Account', 'ref4', { name: 'SampleAccount2', Contacts: { records: [] } }),
      ],
    }).expect(201);
    assert.equal(res.body.hasErrors, false);
    assert.deepEqual(
      res.body.results.map((r: { referenceId: string }) => r.referenceId),
      ['ref1', 'ref4', 'ref2', 'ref3'],
    );
    const ids = Object.fromEntries(
      res.body.results.map((r: { referenceId: string; id: string }) => [r.referenceId, r.id]),
    ) as Record<string, string>;
    assert.match(ids.ref1!, /^001/);
    assert.match(ids.ref2!, /^003/);
    const contacts = await h.conn.query<{ LastName: string; AccountId: string; Title: string }>(
      'SELECT LastName, AccountId, Title FROM Contact ORDER BY LastName',
    );
    assert.deepEqual(
      contacts.records.map((c) => [c.LastName, c.AccountId, c.Title]),
      [
        ['Evans', ids.ref1, 'Vice President'],
        ['Smith', ids.ref1, 'President'],
      ],
    );
    const acct = await h.conn.sobject('Account').retrieve(ids.ref1!);
    assert.deepEqual([acct.Name, acct.NumberOfEmployees, acct.Industry], ['SampleAccount', 100, 'Banking']);
  });

  it('links every level to the record it is nested under: Account → Opportunity → Deal_Closure__c', async () => {
    const res = await post('Account', {
      records: [
        rec('Account', 'acct', {
          Name: 'Deep Co',
          Opportunities: {
            records: [
              rec('Opportunity', 'opp', {
                Name: 'Deep deal',
                StageName: 'Prospecting',
                CloseDate: '2026-12-01',
                Deal_Closures__r: { records: [rec('Deal_Closure__c', 'dc', { Run_Id__c: 'run-tree' })] },
              }),
            ],
          },
        }),
      ],
    }).expect(201);
    const ids = Object.fromEntries(
      res.body.results.map((r: { referenceId: string; id: string }) => [r.referenceId, r.id]),
    ) as Record<string, string>;
    const dc = await h.conn.query<{ Opportunity__r: { Account: { Name: string } } }>(
      `SELECT Opportunity__r.Account.Name FROM Deal_Closure__c WHERE Id = '${ids.dc}'`,
    );
    assert.equal(dc.records[0]!.Opportunity__r.Account.Name, 'Deep Co');
  });

  it('rolls the whole request back when one record fails, naming that record in Salesforce’s error shape', async () => {
    const res = await post('Account', {
      records: [
        rec('Account', 'good', {
          Name: 'Good Co',
          Contacts: { records: [rec('Contact', 'c1', { LastName: 'A' })] },
        }),
        rec('Account', 'bad', { Industry: 'Banking' }),
      ],
    }).expect(400);
    assert.deepEqual(res.body, {
      hasErrors: true,
      results: [
        {
          referenceId: 'bad',
          errors: [
            {
              statusCode: 'REQUIRED_FIELD_MISSING',
              message: 'Required fields are missing: [Name]',
              fields: ['Name'],
            },
          ],
        },
      ],
    });
    assert.equal(await count("SELECT COUNT() FROM Account WHERE Name = 'Good Co'"), 0, 'nothing created');
    assert.equal(await count('SELECT COUNT() FROM Contact'), 0);
  });

  it('reports every duplicate reference id, and refuses bad reference ids and mismatched types', async () => {
    const dup = await post('Account', {
      records: [rec('Account', 'x', { Name: 'One' }), rec('Account', 'x', { Name: 'Two' })],
    }).expect(400);
    assert.deepEqual(
      dup.body.results.map((r: { referenceId: string; errors: { statusCode: string }[] }) => [
        r.referenceId,
        r.errors[0]!.statusCode,
      ]),
      [
        ['x', 'INVALID_INPUT'],
        ['x', 'INVALID_INPUT'],
      ],
    );
    const badRef = await post('Account', { records: [rec('Account', '_x-1', { Name: 'One' })] }).expect(400);
    assert.match(badRef.body.results[0].errors[0].message, /Invalid referenceId _x-1/);
    const wrongRoot = await post('Account', { records: [rec('Contact', 'c', { LastName: 'L' })] }).expect(
      400,
    );
    assert.match(wrongRoot.body.results[0].errors[0].message, /does not match the expected type Account/);
    const noAttrs = await post('Account', { records: [{ Name: 'No attributes' }] }).expect(400);
    assert.equal(noAttrs.body.hasErrors, true);
    assert.equal(await count('SELECT COUNT() FROM Account'), 0);
  });

  it('enforces the 200-record limit and refuses unknown types and non-tree bodies', async () => {
    const many = Array.from({ length: 201 }, (_, i) => rec('Account', `a${i}`, { Name: `A${i}` }));
    const tooMany = await post('Account', { records: many }).expect(400);
    assert.equal(tooMany.body[0].errorCode, 'LIMIT_EXCEEDED');
    const ok = await post('Account', { records: many.slice(0, 200) }).expect(201);
    assert.equal(ok.body.results.length, 200);
    const unknown = await post('Nope__c', { records: [rec('Nope__c', 'n')] }).expect(404);
    assert.equal(unknown.body[0].errorCode, 'NOT_FOUND');
    const notTree = await post('Account', [{ Name: 'x' }]).expect(400);
    assert.equal(notTree.body[0].errorCode, 'JSON_PARSER_ERROR');
  });

  it('is what `sf data import tree` calls: one API request counted as composite', async () => {
    await h.conn.request({
      method: 'POST',
      url: '/composite/tree/Account',
      body: JSON.stringify({ records: [rec('Account', 'r', { Name: 'Via jsforce' })] }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(h.org.requestStats().byOperation['POST composite/tree/{type}'], 1);
  });
});
