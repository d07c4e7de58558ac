/**
 * Command-level unit tests: an org from MockTestOrgData, SOQL answered by TestContext's fake
 * connection, the Metadata API (SDR) and the middleware stubbed.
 */
import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import type { AnyJson } from '@salesforce/ts-types';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import { ComponentSet } from '@salesforce/source-deploy-retrieve';
import type { SinonStub } from 'sinon';
import DealdeskRulesImport from '../../../src/commands/dealdesk/rules/import.ts';
import DealdeskRulesSet from '../../../src/commands/dealdesk/rules/set.ts';
import DealdeskClosureStart from '../../../src/commands/dealdesk/closure/start.ts';
import DealdeskClosureRetry from '../../../src/commands/dealdesk/closure/retry.ts';

const RULE_ROW = {
  DeveloperName: 'Finance_Large_Deal',
  MasterLabel: 'Finance: deal of 100k or more',
  Role__c: 'Finance',
  Active__c: true,
  Min_Amount__c: 100000,
  Min_Discount_Percent__c: null,
  Currency_Iso_Code__c: 'USD',
  Requires_Custom_Terms__c: false,
  Requires_Legal_Review__c: false,
  Requires_Security_Review__c: false,
  SLA_Hours__c: 24,
  Approver_Username__c: 'cfo@acme.com',
  Backup_Username__c: null,
  Depends_On__c: null,
};

function records(rows: unknown[]): AnyJson {
  return { totalSize: rows.length, done: true, records: rows } as AnyJson;
}

describe('commands (TestContext, MockTestOrgData)', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let dir: string;
  let soql: string[];
  let deployedXml: string[];

  beforeEach(async () => {
    await $$.stubAuths(testOrg);
    stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-unit-'));
    soql = [];
    deployedXml = [];
    $$.fakeConnectionRequest = (request) => {
      const url = typeof request === 'string' ? request : String((request as { url: string }).url);
      const q = decodeURIComponent(new URL(url, 'http://x').searchParams.get('q') ?? '');
      soql.push(q);
      if (q.includes('FROM Approval_Rule__mdt')) return Promise.resolve(records([RULE_ROW]));
      if (q.includes('FROM User'))
        return Promise.resolve(
          records([
            { Username: 'cfo@acme.com', IsActive: true },
            { Username: 'old@acme.com', IsActive: false },
          ]),
        );
      if (q.includes('FROM CurrencyType'))
        return Promise.resolve(records([{ IsoCode: 'USD' }, { IsoCode: 'EUR' }]));
      if (q.includes('FROM Deal_Closure__c'))
        return Promise.resolve(
          records([
            {
              Id: 'a01000000000001AAA',
              Name: 'DC-0001',
              Opportunity__c: '006000000000001AAA',
              Status__c: 'Waiting_Rep',
              Run_Id__c: 'run-1',
              CreatedDate: '2026-11-25T06:00:00.000+0000',
            },
          ]),
        );
      return Promise.reject(new Error(`unexpected request ${url}`));
    };
    $$.SANDBOX.stub(ComponentSet.prototype, 'deploy').callsFake(async function (this: ComponentSet) {
      for (const c of this.getSourceComponents().toArray()) deployedXml.push(readFileSync(c.xml!, 'utf8'));
      return {
        pollStatus: async () => ({
          response: { id: '0Af000000000001', success: true, status: 'Succeeded' },
          getFileResponses: () => [{ state: 'Created', fullName: 'Approval_Rule.X', type: 'CustomMetadata' }],
        }),
      } as never;
    });
  });
  afterEach(() => $$.restore());

  describe('rules import', () => {
    it('deploys only new and changed rules as custom metadata source through SDR', async () => {
      const file = join(dir, 'rules.json');
      writeFileSync(
        file,
        JSON.stringify([
          {
            name: 'Finance_Large_Deal',
            label: 'Finance: deal of 100k or more',
            role: 'Finance',
            minAmount: 100000,
            currency: 'USD',
            slaHours: 24,
            approverUsername: 'cfo@acme.com',
          },
          {
            name: 'Finance_Eur',
            role: 'Finance',
            minAmount: 90000,
            currency: 'EUR',
            approverUsername: 'cfo@acme.com',
          },
        ]),
      );
      const result = await DealdeskRulesImport.run(['--target-org', testOrg.username, '--file', file]);
      expect(result).to.deep.include({
        created: ['Finance_Eur'],
        updated: [],
        unchanged: ['Finance_Large_Deal'],
        deployId: '0Af000000000001',
      });
      expect(deployedXml).to.have.length(1);
      expect(deployedXml[0]).to.include(
        '<field>Min_Amount__c</field>\n        <value xsi:type="xsd:double">90000.0</value>',
      );
      expect(deployedXml[0]).to.include('<value xsi:type="xsd:string">EUR</value>');
    });

    it('writes nothing when any line is invalid, and says which', async () => {
      const file = join(dir, 'rules.csv');
      writeFileSync(
        file,
        'name,role,minAmount,currency,approverUsername\nA_1,Finance,10,JPY,old@acme.com\nB_1,Legal,,,cfo@acme.com\n',
      );
      const err = (await DealdeskRulesImport.run(['--target-org', testOrg.username, '--file', file]).catch(
        (e: unknown) => e,
      )) as Error & {
        exitCode: number;
        data: { problems: unknown[] };
      };
      expect(err.message).to.match(/line 2, A_1, currency: currency JPY is not active/);
      expect(err.message).to.match(/line 2, A_1, approverUsername: user old@acme.com is inactive/);
      expect(err.message).to.not.match(/overlaps/, 'a JPY threshold does not overlap a USD one');
      expect(err.message).to.match(/line 3, B_1: the rule has no condition/);
      expect(err.exitCode).to.equal(1);
      expect(deployedXml).to.deep.equal([]);
    });

    it('reports a deploy the Metadata API refused, component by component', async () => {
      (ComponentSet.prototype.deploy as unknown as SinonStub).resolves({
        pollStatus: async () => ({
          response: { id: '0Af000000000009', success: false, status: 'Failed' },
          getFileResponses: () => [
            {
              state: 'Failed',
              fullName: 'Approval_Rule.Finance_Eur',
              type: 'CustomMetadata',
              error: 'Invalid value for Role__c',
            },
          ],
        }),
      } as never);
      const file = join(dir, 'rules.csv');
      writeFileSync(
        file,
        'name,role,minAmount,currency,approverUsername\nFinance_Eur,Finance,90000,EUR,cfo@acme.com\n',
      );
      const err = (await DealdeskRulesImport.run(['--target-org', testOrg.username, '--file', file]).catch(
        (e: unknown) => e,
      )) as Error;
      expect(err.name).to.equal('DeployFailed');
      expect(err.message).to.equal(
        'The Metadata API deploy 0Af000000000009 failed: Approval_Rule.Finance_Eur: Invalid value for Role__c',
      );
    });

    it('--dry-run validates without deploying', async () => {
      const file = join(dir, 'rules.csv');
      writeFileSync(
        file,
        'name,role,requiresCustomTerms,approverUsername\nLegal_T,Legal,true,cfo@acme.com\n',
      );
      const result = await DealdeskRulesImport.run([
        '--target-org',
        testOrg.username,
        '--file',
        file,
        '--dry-run',
      ]);
      expect(result.created).to.deep.equal(['Legal_T']);
      expect(result.deployId).to.equal(null);
      expect(deployedXml).to.deep.equal([]);
    });

    it('refuses a file whose format it cannot tell', async () => {
      const file = join(dir, 'rules.txt');
      writeFileSync(file, '');
      const err = (await DealdeskRulesImport.run(['--target-org', testOrg.username, '--file', file]).catch(
        (e: unknown) => e,
      )) as Error;
      expect(err.message).to.match(/name it \.csv or \.json, or pass --format/);
    });
  });

  describe('rules set', () => {
    it('changes one value of an existing rule and deploys just that rule', async () => {
      const result = await DealdeskRulesSet.run([
        '--target-org',
        testOrg.username,
        '--name',
        'Finance_Large_Deal',
        '--min-amount',
        '250000',
      ]);
      expect(result).to.include({ created: false, changed: true });
      expect(deployedXml).to.have.length(1);
      expect(deployedXml[0]).to.include('<value xsi:type="xsd:double">250000.0</value>');
      expect(deployedXml[0]).to.include('<value xsi:type="xsd:string">cfo@acme.com</value>');
    });

    it("does not deploy when the values are already the org's", async () => {
      const result = await DealdeskRulesSet.run([
        '--target-org',
        testOrg.username,
        '--name',
        'Finance_Large_Deal',
        '--sla-hours',
        '24',
      ]);
      expect(result.changed).to.equal(false);
      expect(deployedXml).to.deep.equal([]);
    });

    it('needs a role to create a rule', async () => {
      const err = (await DealdeskRulesSet.run([
        '--target-org',
        testOrg.username,
        '--name',
        'New_Rule',
        '--min-amount',
        '5',
      ]).catch((e: unknown) => e)) as Error;
      expect(err.message).to.match(/has no rule New_Rule; to create it, pass --role/);
    });
  });

  describe('closure', () => {
    it('start requires an API key and says where to get one', async () => {
      const err = (await DealdeskClosureStart.run([
        '--target-org',
        testOrg.username,
        '--opportunity',
        '006000000000001AAA',
        '--middleware-url',
        'https://mw.example.com',
      ]).catch((e: unknown) => e)) as Error;
      expect(err.name).to.equal('NoApiKey');
    });

    it('start rejects a malformed middleware URL and a non-Opportunity id', async () => {
      const keyFile = join(dir, 'key');
      writeFileSync(keyFile, 'k'.repeat(32));
      const bad = (await DealdeskClosureStart.run([
        '--target-org',
        testOrg.username,
        '--opportunity',
        '006000000000001AAA',
        '--middleware-url',
        'ftp://x',
        '--api-key-file',
        keyFile,
      ]).catch((e: unknown) => e)) as Error;
      expect(bad.message).to.match(/must be http\(s\)/);
      const notOpp = (await DealdeskClosureStart.run([
        '--target-org',
        testOrg.username,
        '--opportunity',
        '001000000000001AAA',
      ]).catch((e: unknown) => e)) as Error;
      expect(notOpp.message).to.match(/006/);
    });

    it("retry reports the middleware's refusal with its code and exits 1", async () => {
      const keyFile = join(dir, 'key');
      writeFileSync(keyFile, 'k'.repeat(32));
      const fetchStub = $$.SANDBOX.stub(globalThis, 'fetch').resolves(
        new Response(
          JSON.stringify({
            error: { code: 'INVALID_STATE', message: 'Only a closure waiting for the rep can be retried' },
          }),
          {
            status: 409,
          },
        ),
      );
      const err = (await DealdeskClosureRetry.run([
        '--target-org',
        testOrg.username,
        '--opportunity',
        '006000000000001AAA',
        '--middleware-url',
        'https://mw.example.com/',
        '--api-key-file',
        keyFile,
      ]).catch((e: unknown) => e)) as Error & { exitCode: number };
      expect(err.message).to.equal(
        'Only a closure waiting for the rep can be retried (INVALID_STATE, HTTP 409)',
      );
      expect(err.exitCode).to.equal(1);
      const [url, init] = fetchStub.firstCall.args as [string, RequestInit];
      expect(url).to.equal('https://mw.example.com/v1/closures/run-1/retry');
      expect((init.headers as Record<string, string>).Authorization).to.equal(`Bearer ${'k'.repeat(32)}`);
    });
  });
});
