/** Unit tests of the read-only commands with TestContext's fake connection. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import type { AnyJson } from '@salesforce/ts-types';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import DealdeskClosureShow from '../../../src/commands/dealdesk/closure/show.ts';
import DealdeskClosureCancel from '../../../src/commands/dealdesk/closure/cancel.ts';
import DealdeskRulesList from '../../../src/commands/dealdesk/rules/list.ts';
import DealdeskRulesExport from '../../../src/commands/dealdesk/rules/export.ts';
import DealdeskTemplatesList from '../../../src/commands/dealdesk/templates/list.ts';
import DealdeskTemplatesPush from '../../../src/commands/dealdesk/templates/push.ts';
import { DEFAULT_LIBRARY_DIR, readLibrary } from '../../../src/shared/templates.ts';

const rows = (records: unknown[]): AnyJson => ({ totalSize: records.length, done: true, records }) as AnyJson;

describe('read commands (TestContext, MockTestOrgData)', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let ux: ReturnType<typeof stubSfCommandUx>;
  let answers: Record<string, unknown[]>;
  let created: Record<string, unknown>[];

  beforeEach(async () => {
    await $$.stubAuths(testOrg);
    ux = stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
    answers = {};
    created = [];
    $$.fakeConnectionRequest = (request) => {
      const url = typeof request === 'string' ? request : String((request as { url: string }).url);
      if (url.endsWith('/sobjects/ContentVersion')) {
        const body = JSON.parse(String((request as { body?: string }).body)) as Record<string, unknown>;
        created.push(body);
        return created.length === 2
          ? Promise.reject(
              Object.assign(new Error('storage limit exceeded'), { errorCode: 'STORAGE_LIMIT_EXCEEDED' }),
            )
          : Promise.resolve({ id: `068${created.length}`, success: true, errors: [] } as AnyJson);
      }
      const q = new URL(url, 'https://x').searchParams.get('q') ?? '';
      const object = /FROM (\w+)/.exec(q)?.[1] ?? '';
      const answer = answers[object];
      return answer ? Promise.resolve(rows(answer)) : Promise.reject(new Error(`unexpected ${url}`));
    };
  });
  afterEach(() => $$.restore());

  it('closure show prints the timeline as a table and returns every field', async () => {
    answers.Deal_Closure__c = [
      {
        Id: 'a0A1',
        Name: 'DC-7',
        Opportunity__c: '006000000000001AAA',
        Status__c: 'Waiting_Approval',
        Run_Id__c: 'run-7',
        Decision__c: 'Go',
        Closing_Confidence__c: 82,
        CreatedDate: '2026-11-25T06:00:00.000+0000',
      },
    ];
    answers.Agent_Step__c = [
      {
        Id: 's1',
        Agent__c: 'Deal_Closure',
        Status__c: 'Succeeded',
        Confidence__c: 82,
        Reasoning__c: `Signals: ${'x'.repeat(200)}`,
        Duration_Ms__c: 1530,
        Started_At__c: '2026-11-25T06:00:01.000+0000',
      },
      {
        Id: 's2',
        Agent__c: 'Contract_Generation',
        Status__c: 'Failed',
        Error__c: 'FIELD_CUSTOM_VALIDATION_EXCEPTION: Billing country required',
        Duration_Ms__c: null,
      },
    ];
    const result = await DealdeskClosureShow.run([
      '--target-org',
      testOrg.username,
      '--opportunity',
      '006000000000001AAA',
    ]);
    expect(result.closure).to.include({
      name: 'DC-7',
      status: 'Waiting_Approval',
      runId: 'run-7',
      confidence: 82,
    });
    expect(result.steps.map((s) => s.agent)).to.deep.equal(['Deal_Closure', 'Contract_Generation']);
    expect(result.steps[0]!.reasoning).to.have.length(209);
    const table = ux.table.firstCall.args[0] as { data: Record<string, unknown>[] };
    expect(table.data[0]).to.include({ agent: 'Deal_Closure', duration: '1.5 s', confidence: 82 });
    expect(String(table.data[0]!.reasoning)).to.have.length(80);
    expect(table.data[1]!.reasoning).to.equal('FIELD_CUSTOM_VALIDATION_EXCEPTION: Billing country required');
  });

  it('closure show and cancel say how to start one when the opportunity has none', async () => {
    answers.Deal_Closure__c = [];
    const err = (await DealdeskClosureShow.run([
      '--target-org',
      testOrg.username,
      '--opportunity',
      '006000000000001AAA',
    ]).catch((e: unknown) => e)) as Error & { exitCode: number };
    expect(err.message).to.match(/has no deal closure\. Start one with sf dealdesk closure start/);
    expect(err.exitCode).to.equal(1);
    const cancel = (await DealdeskClosureCancel.run([
      '--target-org',
      testOrg.username,
      '--opportunity',
      '006000000000001AAA',
    ]).catch((e: unknown) => e)) as Error;
    expect(cancel.name).to.equal('NoClosure');
  });

  it('closure cancel refuses a closure the middleware never acknowledged', async () => {
    answers.Deal_Closure__c = [
      {
        Id: 'a0A1',
        Name: 'DC-8',
        Opportunity__c: '006000000000001AAA',
        Status__c: 'Queued',
        Run_Id__c: null,
        CreatedDate: '2026-11-25T06:00:00.000+0000',
      },
    ];
    const err = (await DealdeskClosureCancel.run([
      '--target-org',
      testOrg.username,
      '--opportunity',
      '006000000000001AAA',
    ]).catch((e: unknown) => e)) as Error;
    expect(err.message).to.match(/DC-8 has no Run_Id__c/);
  });

  it('rules list and export read the matrix; an empty org gets a warning', async () => {
    answers.Approval_Rule__mdt = [
      {
        DeveloperName: 'Sales_VP_Discount',
        MasterLabel: 'VP',
        Role__c: 'Sales_VP',
        Active__c: true,
        Min_Amount__c: null,
        Min_Discount_Percent__c: 15,
        Currency_Iso_Code__c: 'USD',
        Requires_Custom_Terms__c: false,
        Requires_Legal_Review__c: false,
        Requires_Security_Review__c: false,
        SLA_Hours__c: 24,
        Approver_Username__c: 'vp@acme.com',
        Backup_Username__c: null,
        Depends_On__c: 'Finance; Legal',
      },
    ];
    const list = await DealdeskRulesList.run(['--target-org', testOrg.username]);
    expect(list.rules[0]).to.include({ name: 'Sales_VP_Discount', minDiscountPercent: 15 });
    expect(list.rules[0]!.dependsOn).to.deep.equal(['Finance', 'Legal']);
    expect((ux.table.firstCall.args[0] as { data: Record<string, unknown>[] }).data[0]!.when).to.equal(
      'discount ≥ 15%',
    );
    const json = await DealdeskRulesExport.run([
      '--target-org',
      testOrg.username,
      '--format',
      'json',
      '--json',
    ]);
    expect(JSON.parse(json.content)).to.deep.equal([
      {
        name: 'Sales_VP_Discount',
        label: 'VP',
        role: 'Sales_VP',
        active: true,
        minAmount: null,
        minDiscountPercent: 15,
        currency: 'USD',
        requiresCustomTerms: false,
        requiresLegalReview: false,
        requiresSecurityReview: false,
        slaHours: 24,
        approverUsername: 'vp@acme.com',
        backupUsername: null,
        dependsOn: ['Finance', 'Legal'],
      },
    ]);
    answers.Approval_Rule__mdt = [];
    await DealdeskRulesList.run(['--target-org', testOrg.username]);
    expect(ux.warn.lastCall.args[0]).to.match(/no Approval_Rule__mdt records/);
  });

  it('templates list shows the latest version of each file unless --all', async () => {
    const sha = 'a'.repeat(64);
    answers.ContentVersion = [
      {
        Id: '0681',
        ContentDocumentId: '0691',
        VersionNumber: '1',
        IsLatest: false,
        DealDesk_Key__c: `dealdesk-template:msa.mustache:${sha}`,
        Description: 'dealdesk contract template',
        CreatedDate: '2026-11-01T00:00:00.000+0000',
      },
      {
        Id: '0682',
        ContentDocumentId: '0691',
        VersionNumber: '2',
        IsLatest: true,
        DealDesk_Key__c: `dealdesk-template:msa.mustache:${'b'.repeat(64)}`,
        Description: null,
        CreatedDate: '2026-11-02T00:00:00.000+0000',
      },
      {
        Id: '0683',
        ContentDocumentId: '0692',
        VersionNumber: '1',
        IsLatest: true,
        DealDesk_Key__c: `dealdesk-template:clauses.json:${sha}`,
        Description: 'dealdesk contract library: clause library 2026.11',
        CreatedDate: '2026-11-01T00:00:00.000+0000',
      },
    ];
    const latest = await DealdeskTemplatesList.run(['--target-org', testOrg.username]);
    expect(latest.versions.map((v) => [v.file, v.versionNumber, v.libraryVersion])).to.deep.equal([
      ['msa.mustache', '2', null],
      ['clauses.json', '1', '2026.11'],
    ]);
    expect(
      (await DealdeskTemplatesList.run(['--target-org', testOrg.username, '--all'])).versions,
    ).to.have.length(3);
  });

  it('templates push: a failure part-way stops with the error; files already pushed are skipped on the rerun', async () => {
    answers.ContentVersion = [];
    const err = (await DealdeskTemplatesPush.run(['--target-org', testOrg.username]).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err.message).to.match(/storage limit exceeded/);
    const library = (await readLibrary(DEFAULT_LIBRARY_DIR)).map((f) => f.file);
    expect(library[0]).to.equal('clauses.json');
    // The second file failed: nothing after it was tried.
    expect(created.map((c) => c.PathOnClient)).to.deep.equal(library.slice(0, 2));
    const first = created[0]!;
    expect(Buffer.from(String(first.VersionData), 'base64').toString('utf8')).to.equal(
      readFileSync(join(DEFAULT_LIBRARY_DIR, 'clauses.json'), 'utf8'),
    );
    // The org now has clauses.json; the rerun pushes only the template.
    answers.ContentVersion = [
      {
        Id: '0681',
        ContentDocumentId: '0691',
        VersionNumber: '1',
        IsLatest: true,
        DealDesk_Key__c: first.DealDesk_Key__c,
        Description: first.Description,
        CreatedDate: '2026-11-25T06:00:00.000+0000',
      },
    ];
    created = [{}, {}]; // past the one failing create
    const rerun = await DealdeskTemplatesPush.run(['--target-org', testOrg.username]);
    expect(rerun.files.map((f) => [f.file, f.outcome])).to.deep.equal(
      library.map((file) => [file, file === 'clauses.json' ? 'unchanged' : 'created']),
    );
  });
});
