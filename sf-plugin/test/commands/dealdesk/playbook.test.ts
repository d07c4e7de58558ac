/** `sf dealdesk playbook list|accept|dismiss` with TestContext's fake connection and the middleware stubbed. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import type { AnyJson } from '@salesforce/ts-types';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import DealdeskPlaybookList from '../../../src/commands/dealdesk/playbook/list.ts';
import DealdeskPlaybookAccept from '../../../src/commands/dealdesk/playbook/accept.ts';
import DealdeskPlaybookDismiss from '../../../src/commands/dealdesk/playbook/dismiss.ts';

const SUGGESTION_ID = 'a0B000000000001AAA';
const ROW = {
  Id: SUGGESTION_ID,
  Name: 'PS-000001',
  Idempotency_Key__c: 'playbook:competitive:plantpulse',
  Category__c: 'Competitive',
  Title__c: 'Competitive playbook: PlantPulse',
  Suggestion__c: `Against PlantPulse, 3 wins on record share a median 12% discount (3 of 3 within 5 points of it). ${'More. '.repeat(20)}`,
  Evidence__c: 'Wins naming PlantPulse: 3',
  Status__c: 'Proposed',
  Supporting_Deals__c: 3,
  Target__c: null,
  Evidence_As_Of__c: '2026-11-30T10:00:00.000+0000',
  Decided_By__r: null,
  Decided_At__c: null,
  Decision_Note__c: null,
};

describe('playbook commands (TestContext, MockTestOrgData)', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let ux: ReturnType<typeof stubSfCommandUx>;
  let soql: string[];
  let updateable: boolean;
  let keyFile: string;

  beforeEach(async () => {
    await $$.stubAuths(testOrg);
    ux = stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
    soql = [];
    updateable = true;
    keyFile = join(mkdtempSync(join(tmpdir(), 'dealdesk-playbook-')), 'key');
    writeFileSync(keyFile, 'k'.repeat(32));
    $$.fakeConnectionRequest = (request) => {
      const url = typeof request === 'string' ? request : String((request as { url: string }).url);
      if (url.endsWith('/sobjects/Playbook_Suggestion__c/describe'))
        return Promise.resolve({
          name: 'Playbook_Suggestion__c',
          fields: ['Status__c', 'Decided_By__c', 'Decided_At__c', 'Decision_Note__c'].map((name) => ({
            name,
            updateable,
          })),
        } as AnyJson);
      const q = new URL(url, 'https://x').searchParams.get('q') ?? '';
      soql.push(q);
      if (q.includes('FROM Playbook_Suggestion__c'))
        return Promise.resolve({ totalSize: 1, done: true, records: [ROW] } as AnyJson);
      return Promise.reject(new Error(`unexpected ${url}`));
    };
  });
  afterEach(() => $$.restore());

  const decisionArgs = (...extra: string[]) => [
    '--target-org',
    testOrg.username,
    '--id',
    SUGGESTION_ID,
    '--middleware-url',
    'https://mw.example.com',
    '--api-key-file',
    keyFile,
    ...extra,
  ];

  it('list shows the suggestions as a table, filters by status and returns every field', async () => {
    const result = await DealdeskPlaybookList.run(['--target-org', testOrg.username, '--status', 'Proposed']);
    expect(soql.find((q) => q.includes('Playbook_Suggestion__c'))).to.match(
      /FROM Playbook_Suggestion__c WHERE Status__c = 'Proposed' ORDER BY Evidence_As_Of__c DESC/,
    );
    expect(result.suggestions[0]).to.include({
      id: SUGGESTION_ID,
      name: 'PS-000001',
      status: 'Proposed',
      supportingDeals: 3,
      evidence: 'Wins naming PlantPulse: 3',
      decidedBy: null,
    });
    const row = (ux.table.firstCall.args[0] as { data: Record<string, unknown>[] }).data[0]!;
    expect(row).to.include({
      id: SUGGESTION_ID,
      category: 'Competitive',
      status: 'Proposed',
      deals: 3,
      decided: '',
    });
    expect(String(row.suggestion)).to.have.length(90);
    const bad = (await DealdeskPlaybookList.run([
      '--target-org',
      testOrg.username,
      '--status',
      'Maybe',
    ]).catch((e: unknown) => e)) as Error;
    expect(bad.message).to.match(/Expected --status=Maybe to be one of: Proposed, Accepted, Dismissed/);
  });

  it('accept posts the decision as the target org user and reports it', async () => {
    const fetchStub = $$.SANDBOX.stub(globalThis, 'fetch').resolves(
      new Response(
        JSON.stringify({
          suggestionId: SUGGESTION_ID,
          name: 'PS-000001',
          status: 'Accepted',
          decidedById: '005000000000001AAA',
          decidedAt: '2026-12-01T09:00:00.000Z',
          changed: true,
        }),
        { status: 200 },
      ),
    );
    const result = await DealdeskPlaybookAccept.run(decisionArgs('--note', ' Added to the battlecard '));
    expect(result).to.deep.equal({
      suggestionId: SUGGESTION_ID,
      name: 'PS-000001',
      status: 'Accepted',
      decidedById: '005000000000001AAA',
      decidedAt: '2026-12-01T09:00:00.000Z',
      changed: true,
      decidedBy: testOrg.username,
    });
    const [url, init] = fetchStub.firstCall.args as [string, RequestInit];
    expect(url).to.equal(`https://mw.example.com/v1/playbook/suggestions/${SUGGESTION_ID}/decision`);
    expect(init.method).to.equal('POST');
    expect(JSON.parse(String(init.body))).to.deep.equal({
      decision: 'accept',
      decidedBy: testOrg.username,
      note: 'Added to the battlecard',
    });
    expect((init.headers as Record<string, string>).Authorization).to.equal(`Bearer ${'k'.repeat(32)}`);
    expect(ux.logSuccess.firstCall.args[0]).to.equal(
      'PS-000001 is Accepted (recorded at 2026-12-01T09:00:00.000Z).',
    );
  });

  it('dismiss is refused before calling the middleware when the user may not edit the decision', async () => {
    updateable = false;
    const fetchStub = $$.SANDBOX.stub(globalThis, 'fetch').rejects(new Error('must not be called'));
    const err = (await DealdeskPlaybookDismiss.run(decisionArgs()).catch((e: unknown) => e)) as Error & {
      exitCode: number;
    };
    expect(err.name).to.equal('NoDecisionAccess');
    expect(err.message).to.match(/may not decide playbook suggestions/);
    expect(err.exitCode).to.equal(1);
    expect(fetchStub.called).to.equal(false);
  });

  it("dismiss reports the middleware's refusal of a reversed decision", async () => {
    $$.SANDBOX.stub(globalThis, 'fetch').resolves(
      new Response(
        JSON.stringify({
          error: { code: 'ALREADY_DECIDED', message: 'Suggestion PS-000001 is already Accepted' },
        }),
        { status: 409 },
      ),
    );
    const err = (await DealdeskPlaybookDismiss.run(decisionArgs()).catch((e: unknown) => e)) as Error & {
      exitCode: number;
    };
    expect(err.message).to.equal('Suggestion PS-000001 is already Accepted (ALREADY_DECIDED, HTTP 409)');
    expect(err.exitCode).to.equal(1);
  });

  it('accept refuses a note over 4,000 characters and a malformed id without calling anyone', async () => {
    const fetchStub = $$.SANDBOX.stub(globalThis, 'fetch').rejects(new Error('must not be called'));
    const long = (await DealdeskPlaybookAccept.run([
      '--target-org',
      testOrg.username,
      '--id',
      SUGGESTION_ID,
      '--note',
      'x'.repeat(4001),
    ]).catch((e: unknown) => e)) as Error;
    expect(long.name).to.equal('NoteTooLong');
    const badId = (await DealdeskPlaybookAccept.run(['--target-org', testOrg.username, '--id', 'nope']).catch(
      (e: unknown) => e,
    )) as Error;
    expect(badId.message).to.match(/id/i);
    expect(fetchStub.called).to.equal(false);
  });
});
