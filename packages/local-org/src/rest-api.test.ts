import assert from 'node:assert/strict';
import request from 'supertest';
import { startLocalOrg, type LocalOrgHarness } from './testing.ts';
import { LOCAL_ORG_API_VERSION } from './local-org.ts';

const API = `/services/data/v${LOCAL_ORG_API_VERSION}`;
const AUTH = { Authorization: 'Bearer test-token' };

interface SfError {
  errorCode?: string;
  message?: string;
}

async function rejectsWith(promise: Promise<unknown>, code: string, what = code): Promise<void> {
  await assert.rejects(promise, (err: SfError) => {
    assert.equal(err.errorCode, code, `${what}: ${err.message}`);
    return true;
  });
}

describe('local org REST API', () => {
  let h: LocalOrgHarness;
  beforeEach(async () => (h = await startLocalOrg()));
  afterEach(async () => h.close());

  describe('through jsforce', () => {
    it('creates, retrieves, updates and deletes a record', async () => {
      const created = await h.conn
        .sobject('Account')
        .create({ Name: 'Acme', Industry: 'Manufacturing', NumberOfEmployees: 1200 });
      assert.ok(created.success);
      assert.match(created.id!, /^001[A-Za-z0-9]{15}$/);
      const rec = await h.conn.sobject('Account').retrieve(created.id!);
      assert.equal(rec.Name, 'Acme');
      assert.equal(rec.OwnerId, h.org.integrationUserId);
      assert.equal(rec.CurrencyIsoCode, 'USD');
      assert.match(String(rec.CreatedDate), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
      const updated = await h.conn.sobject('Account').update({ Id: created.id!, Industry: 'Technology' });
      assert.ok(updated.success);
      assert.equal((await h.conn.sobject('Account').retrieve(created.id!)).Industry, 'Technology');
      await h.conn.sobject('Account').destroy(created.id!);
      await rejectsWith(h.conn.sobject('Account').retrieve(created.id!), 'NOT_FOUND');
    });

    it('upserts by external id: insert once, then update the same record', async () => {
      const acct = await h.conn.sobject('Account').create({ Name: 'Acme' });
      const opp = await h.conn
        .sobject('Opportunity')
        .create({ Name: 'Deal', AccountId: acct.id, StageName: 'Prospecting', CloseDate: '2026-12-01' });
      const first = await h.conn
        .sobject('Deal_Closure__c')
        .upsert({ Run_Id__c: 'run-42', Opportunity__c: opp.id, Status__c: 'Queued' }, 'Run_Id__c');
      assert.equal((first as { created?: boolean }).created, true);
      const second = await h.conn
        .sobject('Deal_Closure__c')
        .upsert({ Run_Id__c: 'run-42', Status__c: 'Running' }, 'Run_Id__c');
      assert.equal((second as { created?: boolean }).created, false);
      assert.equal(second.id, first.id);
      const all = await h.conn.query<{ Status__c: string }>(
        "SELECT Status__c FROM Deal_Closure__c WHERE Run_Id__c = 'run-42'",
      );
      assert.equal(all.totalSize, 1);
      assert.equal(all.records[0]!.Status__c, 'Running');
      // Collections upsert (what jsforce uses for arrays) is idempotent too.
      const many = await h.conn.sobject('Deal_Closure__c').upsert(
        [
          { Run_Id__c: 'run-42', Status__c: 'Waiting_Approval' },
          { Run_Id__c: 'run-43', Opportunity__c: opp.id, Status__c: 'Queued' },
        ],
        'Run_Id__c',
      );
      assert.deepEqual(
        many.map((r) => [r.success, (r as { created?: boolean }).created]),
        [
          [true, false],
          [true, true],
        ],
      );
      assert.equal((await h.conn.query('SELECT COUNT() FROM Deal_Closure__c')).totalSize, 2);
    });

    it('resolves a parent by its external id inside a body', async () => {
      const acct = await h.conn.sobject('Account').create({ Name: 'Acme' });
      const opp = await h.conn
        .sobject('Opportunity')
        .create({ Name: 'Deal', AccountId: acct.id, StageName: 'Prospecting', CloseDate: '2026-12-01' });
      await h.conn.sobject('Deal_Closure__c').create({ Run_Id__c: 'run-7', Opportunity__c: opp.id });
      const step = await h.conn.sobject('Agent_Step__c').upsert(
        {
          Step_Key__c: 'run-7:contract',
          Deal_Closure__r: { Run_Id__c: 'run-7' },
          Agent__c: 'Contract_Generation',
          Status__c: 'Running',
        },
        'Step_Key__c',
      );
      assert.ok(step.success);
      const res = await h.conn.query<{ Deal_Closure__r: { Run_Id__c: string } }>(
        'SELECT Deal_Closure__r.Run_Id__c FROM Agent_Step__c',
      );
      assert.equal(res.records[0]!.Deal_Closure__r.Run_Id__c, 'run-7');
    });

    it('creates up to 200 records in one collection call and rolls back all-or-none', async () => {
      const ok = await h.conn.sobject('Account').create(
        Array.from({ length: 200 }, (_, i) => ({ Name: `Bulk ${i}` })),
        { allOrNone: true },
      );
      assert.equal(ok.filter((r) => r.success).length, 200);
      const mixed = await h.conn
        .sobject('Account')
        .create([{ Name: 'Good one' }, { Name: 'Bad one'.padEnd(300, '!') }], { allOrNone: true })
        .catch((err: unknown) => err);
      const results = Array.isArray(mixed) ? mixed : [];
      assert.equal(results.length, 2);
      assert.equal(results[0].success, false);
      assert.equal(results[0].errors[0].statusCode, 'ALL_OR_NONE_OPERATION_ROLLED_BACK');
      assert.equal(results[1].errors[0].statusCode, 'STRING_TOO_LONG');
      assert.equal(
        (await h.conn.query("SELECT COUNT() FROM Account WHERE Name = 'Good one'")).totalSize,
        0,
        'rolled back',
      );
      const partial = await h.conn.sobject('Account').create([{ Name: 'Kept' }, { Nope__c: 1 }]);
      assert.deepEqual(
        partial.map((r) => r.success),
        [true, false],
      );
      assert.equal((await h.conn.query("SELECT COUNT() FROM Account WHERE Name = 'Kept'")).totalSize, 1);
    });

    it('runs composite requests with references and rolls back all-or-none', async () => {
      const body = (allOrNone: boolean, badStage: boolean) => ({
        allOrNone,
        compositeRequest: [
          {
            method: 'POST',
            url: `${API}/sobjects/Account`,
            referenceId: 'acct',
            body: { Name: 'Composite Co' },
          },
          {
            method: 'POST',
            url: `${API}/sobjects/Opportunity`,
            referenceId: 'opp',
            body: {
              Name: 'Composite deal',
              AccountId: '@{acct.id}',
              StageName: badStage ? 'Nope' : 'Prospecting',
              CloseDate: '2026-12-01',
            },
          },
          {
            method: 'GET',
            url: `${API}/sobjects/Opportunity/@{opp.id}?fields=Name,AccountId`,
            referenceId: 'read',
          },
          {
            method: 'GET',
            url: `${API}/query?q=SELECT+Id,Name+FROM+Account+WHERE+Id='@{acct.id}'`,
            referenceId: 'q',
          },
          {
            method: 'PATCH',
            url: `${API}/sobjects/Account/@{q.records[0].Id}`,
            referenceId: 'upd',
            body: { Industry: 'Technology' },
          },
        ],
      });
      const ok = await h.conn.requestPost<{
        compositeResponse: { httpStatusCode: number; body: Record<string, unknown>; referenceId: string }[];
      }>(`${API}/composite`, body(true, false));
      assert.deepEqual(
        ok.compositeResponse.map((r) => r.httpStatusCode),
        [201, 201, 200, 200, 204],
        JSON.stringify(ok),
      );
      assert.equal(ok.compositeResponse[2]!.body.AccountId, ok.compositeResponse[0]!.body.id);
      const failed = await h.conn.requestPost<{
        compositeResponse: { httpStatusCode: number; body: { errorCode: string }[] }[];
      }>(`${API}/composite`, body(true, true));
      assert.deepEqual(
        failed.compositeResponse.map((r) => r.httpStatusCode),
        [400, 400, 400, 400, 400],
      );
      assert.equal(failed.compositeResponse[0]!.body[0]!.errorCode, 'PROCESSING_HALTED');
      assert.equal(
        failed.compositeResponse[1]!.body[0]!.errorCode,
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      );
      assert.equal(
        (await h.conn.query("SELECT COUNT() FROM Account WHERE Name = 'Composite Co'")).totalSize,
        1,
        'only the first run committed',
      );
      // Without allOrNone the account stays and dependants fail with a reference error.
      const partial = await h.conn.requestPost<{
        compositeResponse: { httpStatusCode: number; body: { errorCode: string }[] }[];
      }>(`${API}/composite`, body(false, true));
      assert.deepEqual(
        partial.compositeResponse.map((r) => r.httpStatusCode),
        [201, 400, 400, 200, 204],
      );
      assert.equal(partial.compositeResponse[2]!.body[0]!.errorCode, 'INVALID_REFERENCE');
    });

    it('describes custom objects from the force-app metadata', async () => {
      const global = await h.conn.describeGlobal();
      const closure = global.sobjects.find((s) => s.name === 'Deal_Closure__c');
      assert.ok(closure);
      assert.match(closure.keyPrefix!, /^a[0-9A-Za-z]{2}$/);
      assert.ok(global.sobjects.some((s) => s.name === 'Opportunity' && s.keyPrefix === '006'));
      const step = await h.conn.describe('Agent_Step__c');
      const master = step.fields.find((f) => f.name === 'Deal_Closure__c')!;
      assert.equal(master.type, 'reference');
      assert.deepEqual(master.referenceTo, ['Deal_Closure__c']);
      assert.equal(master.relationshipName, 'Deal_Closure__r');
      assert.equal(master.cascadeDelete, true);
      const key = step.fields.find((f) => f.name === 'Step_Key__c')!;
      assert.equal(key.externalId, true);
      assert.equal(key.unique, true);
      const status = step.fields.find((f) => f.name === 'Status__c')!;
      assert.deepEqual(
        status.picklistValues!.map((p) => p.value),
        ['Running', 'Succeeded', 'Failed', 'Skipped', 'Waiting'],
      );
      const parent = await h.conn.describe('Deal_Closure__c');
      assert.ok(
        parent.childRelationships.some(
          (r) => r.relationshipName === 'Agent_Steps__r' && r.childSObject === 'Agent_Step__c',
        ),
      );
      const opp = await h.conn.describe('Opportunity');
      assert.ok(opp.childRelationships.some((r) => r.relationshipName === 'OpportunityLineItems'));
    });

    it('cascades master-detail deletes', async () => {
      const closure = await h.conn.sobject('Deal_Closure__c').create({ Run_Id__c: 'r-del' });
      await h.conn
        .sobject('Agent_Step__c')
        .create({ Deal_Closure__c: closure.id, Agent__c: 'Deal_Closure', Status__c: 'Running' });
      await h.conn.sobject('Deal_Closure__c').destroy(closure.id!);
      assert.equal((await h.conn.query('SELECT COUNT() FROM Agent_Step__c')).totalSize, 0);
    });

    it('stores files: ContentVersion creates its document, link and downloadable data', async () => {
      const acct = await h.conn.sobject('Account').create({ Name: 'Files Inc' });
      const data = Buffer.from('%PDF-1.7 contract body');
      const cv = await h.conn.sobject('ContentVersion').create({
        Title: 'MSA',
        PathOnClient: 'msa.pdf',
        VersionData: data.toString('base64'),
        FirstPublishLocationId: acct.id,
      });
      const rec = await h.conn.sobject('ContentVersion').retrieve(cv.id!);
      assert.equal(rec.ContentSize, data.length);
      assert.equal(rec.FileType, 'PDF');
      assert.match(String(rec.VersionData), new RegExp(`/sobjects/ContentVersion/${cv.id}/VersionData$`));
      const link = await h.conn.query<{ LinkedEntityId: string }>(
        `SELECT LinkedEntityId FROM ContentDocumentLink WHERE ContentDocumentId = '${rec.ContentDocumentId}'`,
      );
      assert.equal(link.records[0]!.LinkedEntityId, acct.id);
      const download = await request(h.app)
        .get(`${API}/sobjects/ContentVersion/${cv.id}/VersionData`)
        .set(AUTH)
        .buffer(true)
        .parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      assert.equal(download.status, 200);
      assert.deepEqual(download.body, data);
    });

    it('keeps Opportunity amounts and line-item prices as a real org does', async () => {
      const product = await h.conn.sobject('Product2').create({ Name: 'Platform' });
      const pb = await h.conn.sobject('Pricebook2').create({ Name: 'List' });
      const pbe = await h.conn
        .sobject('PricebookEntry')
        .create({ Pricebook2Id: pb.id, Product2Id: product.id, UnitPrice: 1000, CurrencyIsoCode: 'USD' });
      const eurPbe = await h.conn
        .sobject('PricebookEntry')
        .create({ Pricebook2Id: pb.id, Product2Id: product.id, UnitPrice: 900, CurrencyIsoCode: 'EUR' });
      const opp = await h.conn
        .sobject('Opportunity')
        .create({ Name: 'Deal', StageName: 'Prospecting', CloseDate: '2026-12-01', Pricebook2Id: pb.id });
      await h.conn.sobject('OpportunityLineItem').create({
        OpportunityId: opp.id,
        PricebookEntryId: pbe.id,
        Quantity: 3,
        UnitPrice: 999.99,
        Discount: 15,
      });
      const rec = await h.conn.sobject('Opportunity').retrieve(opp.id!);
      assert.equal(rec.Amount, 2549.97);
      assert.equal(rec.HasOpportunityLineItem, true);
      assert.equal(rec.Probability, 10);
      await rejectsWith(
        h.conn
          .sobject('OpportunityLineItem')
          .create({ OpportunityId: opp.id, PricebookEntryId: eurPbe.id, Quantity: 1 }),
        'FIELD_INTEGRITY_EXCEPTION',
        'currency mismatch',
      );
      await h.conn.sobject('Opportunity').update({ Id: opp.id!, StageName: 'Closed Won' });
      const won = await h.conn.sobject('Opportunity').retrieve(opp.id!);
      assert.deepEqual(
        [won.IsClosed, won.IsWon, won.Probability, won.ForecastCategoryName],
        [true, true, 100, 'Closed'],
      );
    });
  });

  describe('errors in Salesforce shape', () => {
    it('rejects a bad token with INVALID_SESSION_ID and 401', async () => {
      const res = await request(h.app).get(`${API}/sobjects`).set('Authorization', 'Bearer wrong');
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, [
        { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
      ]);
      const none = await request(h.app).get(`${API}/query?q=SELECT+Id+FROM+Account`);
      assert.equal(none.status, 401);
    });

    it('names unknown fields, oversized strings, missing and bad values', async () => {
      const cases: [string, Record<string, unknown>, string, string[]][] = [
        ['Account', { Name: 'X', Bogus__c: 1 }, 'INVALID_FIELD', ['Bogus__c']],
        ['Account', { Name: 'x'.repeat(256) }, 'STRING_TOO_LONG', ['Name']],
        ['Account', { Industry: 'Technology' }, 'REQUIRED_FIELD_MISSING', ['Name']],
        [
          'Opportunity',
          { Name: 'X', StageName: 'Bogus', CloseDate: '2026-01-01' },
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          ['StageName'],
        ],
        [
          'Opportunity',
          { Name: 'X', StageName: 'Prospecting', CloseDate: '2026-13-45' },
          'JSON_PARSER_ERROR',
          [],
        ],
        [
          'Opportunity',
          { Name: 'X', StageName: 'Prospecting', CloseDate: '2026-01-01', Amount: 'lots' },
          'JSON_PARSER_ERROR',
          [],
        ],
        [
          'Opportunity',
          { Name: 'X', StageName: 'Prospecting', CloseDate: '2026-01-01', AccountId: 'nope' },
          'MALFORMED_ID',
          ['AccountId'],
        ],
        [
          'Opportunity',
          { Name: 'X', StageName: 'Prospecting', CloseDate: '2026-01-01', IsWon: true },
          'INVALID_FIELD_FOR_INSERT_UPDATE',
          ['IsWon'],
        ],
        ['Contact', { LastName: 'X', Email: 'not-an-email' }, 'INVALID_EMAIL_ADDRESS', ['Email']],
        ['Deal_Closure__c', { Status__c: 'Nope' }, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', ['Status__c']],
        [
          'Agent_Step__c',
          { Agent__c: 'Deal_Closure', Status__c: 'Running' },
          'REQUIRED_FIELD_MISSING',
          ['Deal_Closure__c'],
        ],
      ];
      for (const [type, body, code, fields] of cases) {
        const res = await request(h.app).post(`${API}/sobjects/${type}`).set(AUTH).send(body);
        assert.equal(res.status, 400, `${type} ${code}`);
        assert.equal(res.body[0].errorCode, code, JSON.stringify(res.body));
        assert.deepEqual(res.body[0].fields, fields, code);
        assert.equal(typeof res.body[0].message, 'string');
      }
    });

    it('rejects a wrong-type reference and a duplicate external id', async () => {
      const acct = await h.conn.sobject('Account').create({ Name: 'A' });
      await rejectsWith(
        h.conn
          .sobject('Opportunity')
          .create({ Name: 'X', StageName: 'Prospecting', CloseDate: '2026-01-01', Pricebook2Id: acct.id }),
        'FIELD_INTEGRITY_EXCEPTION',
      );
      await h.conn.sobject('Deal_Closure__c').create({ Run_Id__c: 'dup' });
      await rejectsWith(
        h.conn.sobject('Deal_Closure__c').create({ Run_Id__c: 'DUP' }),
        'DUPLICATE_VALUE',
        'external ids are case-insensitive',
      );
    });

    it('answers unknown objects, records and versions with NOT_FOUND, and malformed JSON with JSON_PARSER_ERROR', async () => {
      const unknownType = await request(h.app).post(`${API}/sobjects/Nope__c`).set(AUTH).send({});
      assert.equal(unknownType.status, 404);
      assert.equal(unknownType.body[0].errorCode, 'NOT_FOUND');
      const missing = await request(h.app).get(`${API}/sobjects/Account/001Dd0000000zzzAAA`).set(AUTH);
      assert.equal(missing.status, 404);
      const version = await request(h.app).get('/services/data/v99.0/sobjects').set(AUTH);
      assert.equal(version.status, 404);
      const malformed = await request(h.app)
        .post(`${API}/sobjects/Account`)
        .set(AUTH)
        .set('Content-Type', 'application/json')
        .send('{"Name": ');
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body[0].errorCode, 'JSON_PARSER_ERROR');
      const notObject = await request(h.app).post(`${API}/sobjects/Account`).set(AUTH).send([1, 2]);
      assert.equal(notObject.status, 400);
      const tooMany = await request(h.app)
        .post(`${API}/composite/sobjects`)
        .set(AUTH)
        .send({
          records: Array.from({ length: 201 }, () => ({ attributes: { type: 'Account' }, Name: 'x' })),
        });
      assert.equal(tooMany.body[0].errorCode, 'EXCEEDED_ID_LIMIT');
    });

    it('lists API versions and counts requests per resource at /local/stats', async () => {
      const versions = await request(h.app).get('/services/data');
      assert.deepEqual(versions.body.at(-1), {
        label: "Winter '26",
        url: `/services/data/v${LOCAL_ORG_API_VERSION}`,
        version: LOCAL_ORG_API_VERSION,
      });
      await h.conn.query('SELECT Id FROM Account');
      await h.conn.sobject('Account').create({ Name: 'Counted' });
      await h.conn.requestPost(`${API}/composite`, {
        compositeRequest: [{ method: 'GET', url: `${API}/limits`, referenceId: 'l' }],
      });
      const stats = await request(h.app).get('/local/stats').set(AUTH);
      assert.equal(stats.body.total, 3);
      assert.deepEqual(stats.body.byResource, { query: 1, sobjects: 1, composite: 1 });
      assert.equal((await request(h.app).get('/local/stats')).status, 401);
      await request(h.app).delete('/local/stats').set(AUTH).expect(204);
      assert.equal((await request(h.app).get('/local/stats').set(AUTH)).body.total, 0);
    });
  });
});
