/**
 * The record-only commands end to end: the middleware in local mode (embedded org + API) started
 * here, the plugin logged in with an access token through @salesforce/core, commands run as
 * `sf dealdesk ...` would run them.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import sinon from 'sinon';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import DealdeskClosureStart from '../../src/commands/dealdesk/closure/start.ts';
import DealdeskClosureShow from '../../src/commands/dealdesk/closure/show.ts';
import DealdeskClosureCancel from '../../src/commands/dealdesk/closure/cancel.ts';
import DealdeskClosureRetry from '../../src/commands/dealdesk/closure/retry.ts';
import DealdeskRulesList from '../../src/commands/dealdesk/rules/list.ts';
import DealdeskRulesExport from '../../src/commands/dealdesk/rules/export.ts';
import DealdeskRulesImport from '../../src/commands/dealdesk/rules/import.ts';
import DealdeskDoctor from '../../src/commands/dealdesk/doctor.ts';
import DealdeskSetup from '../../src/commands/dealdesk/setup.ts';
import { assignStage } from '../../src/shared/setup.ts';
import DealdeskTemplatesPush from '../../src/commands/dealdesk/templates/push.ts';
import DealdeskTemplatesList from '../../src/commands/dealdesk/templates/list.ts';
import { readLibrary } from '../../src/shared/templates.ts';
import { cpSync } from 'node:fs';
import { ruleToXml } from '../../src/shared/rules-deploy.ts';
import { startLocalStack, type LocalStack } from '../support/local-stack.ts';
import { AuthInfo } from '@salesforce/core';

const FORCE_APP = fileURLToPath(new URL('../../../force-app/main/default/customMetadata/', import.meta.url));

describe('e2e: sf dealdesk against the local org (access-token login)', () => {
  let stack: LocalStack;
  let sandbox: sinon.SinonSandbox;
  let ux: ReturnType<typeof stubSfCommandUx>;
  before(async () => (stack = await startLocalStack()));
  after(async () => stack?.close());
  beforeEach(() => {
    sandbox = sinon.createSandbox();
    ux = stubSfCommandUx(sandbox);
    stubSpinner(sandbox);
  });
  afterEach(() => sandbox.restore());

  const openOpportunity = async (name: string) => {
    const res = await stack.org
      .getConnection()
      .query<{ Id: string }>(`SELECT Id FROM Opportunity WHERE Name LIKE '%${name}%' AND IsClosed = false`);
    return res.records[0]!.Id;
  };

  it('logs in the way sf org login access-token does: the auth file names the admin and the org', async () => {
    const fields = stack.org.getConnection().getAuthInfoFields();
    expect(fields.username).to.equal('alex.morgan@dealdesk-demo.example');
    expect(fields.instanceUrl).to.equal(stack.url);
    expect(fields.orgId).to.match(/^00D/);
    expect(fields.orgEdition, 'determineOrg read the Organization').to.equal('Developer Edition');
  });

  describe('setup and doctor', () => {
    afterEach(() => (process.exitCode = 0));
    // Not a rep in the demo company, so not assigned anything yet.
    const newcomer = 'lena.novak@dealdesk-demo.example';

    it('setup --dry-run plans the assignments, and skips what the local org lacks with the reason', async () => {
      const result = await DealdeskSetup.run([
        '--target-org',
        stack.alias,
        '--middleware-url',
        stack.url,
        '--user',
        newcomer,
        '--dry-run',
      ]);
      expect(result.stages.map((s) => [s.stage, s.outcome])).to.deep.equal([
        ['deploy', 'skipped'],
        ['assign', 'planned'],
        ['key', 'skipped'],
      ]);
      expect(result.stages[0]!.detail).to.match(
        /^the local org has no Metadata API: it serves force-app's objects and fields and its 6 approval rules/,
      );
      // The admin (the login's user) already holds DealDesk_Admin, as after an install.
      expect(result.stages[1]!.detail).to.equal(`assign DealDesk_User → ${newcomer}`);
      expect(result.stages[2]!.detail).to.match(/^the local org has no External Credentials/);
      const conn = stack.org.getConnection();
      const assigned = await conn.query(
        `SELECT Id FROM PermissionSetAssignment WHERE Assignee.Username = '${newcomer}'`,
      );
      expect(assigned.totalSize, 'a dry run assigns nothing').to.equal(0);
    });

    it("setup's assign stage creates assignments over the data API once, and refuses unknown users", async () => {
      const conn = stack.org.getConnection();
      const wanted = [{ username: newcomer, permissionSet: 'DealDesk_User' as const }];
      expect((await assignStage(conn, wanted, { dryRun: false })).outcome).to.equal('changed');
      expect((await assignStage(conn, wanted, { dryRun: false })).outcome).to.equal('unchanged');
      const rows = await conn.query<{ Assignee: { Username: string } }>(
        "SELECT Assignee.Username FROM PermissionSetAssignment WHERE PermissionSet.Name = 'DealDesk_User' ORDER BY Assignee.Username",
      );
      expect(rows.records.map((r) => r.Assignee.Username)).to.deep.equal([
        'dana.whitfield@dealdesk-demo.example',
        'jordan.keller@dealdesk-demo.example',
        newcomer,
        'tom.hadley@dealdesk-demo.example',
      ]);
      const err = (await assignStage(conn, [{ username: 'ghost@acme.com', permissionSet: 'DealDesk_User' }], {
        dryRun: false,
      }).catch((e: unknown) => e)) as Error;
      expect(err.message).to.equal('Cannot assign permission sets: no user ghost@acme.com');
    });

    it('setup completes: deploy and key skipped with the reason, assignments made, doctor passing', async () => {
      const approver = 'laura.jennings@dealdesk-demo.example';
      const result = await DealdeskSetup.run([
        '--target-org',
        stack.alias,
        '--middleware-url',
        stack.url,
        '--approver-user',
        approver,
        '--user',
        'diego.ramos@dealdesk-demo.example',
        '--json',
      ]);
      expect(result.stages.map((s) => [s.stage, s.outcome])).to.deep.equal([
        ['deploy', 'skipped'],
        ['assign', 'changed'],
        ['key', 'skipped'],
        ['doctor', 'unchanged'],
      ]);
      // The approver already has DealDesk_Approver from the demo company; only the new rep is assigned.
      expect(result.stages[1]!.detail).to.equal('assigned DealDesk_User → diego.ramos@dealdesk-demo.example');
      expect(result.apiKeyFile).to.equal(null);
      expect(result.checks.filter((c) => c.status === 'fail')).to.deep.equal([]);
      expect(result.changed).to.equal(true);
      expect(process.exitCode).to.not.equal(1);
      const again = await DealdeskSetup.run(['--target-org', stack.alias, '--middleware-url', stack.url]);
      expect(again.changed, 'a second run changes nothing').to.equal(false);
      expect(again.stages[1]!.outcome).to.equal('unchanged');
    });

    it('doctor passes on the fresh local org and reports what it cannot answer as skipped', async () => {
      const result = await DealdeskDoctor.run(['--target-org', stack.alias, '--middleware-url', stack.url]);
      expect(Object.fromEntries(result.checks.map((c) => [c.name, c.status]))).to.deep.equal({
        connection: 'pass',
        metadata: 'pass',
        apex: 'skip',
        'permission-sets': 'pass',
        'named-credential': 'skip',
        'middleware-ready': 'pass',
        'middleware-reaches-org': 'pass',
        'approval-process': 'pass',
        'recent-closures': 'pass',
      });
      expect(result.checks[0]!.message).to.equal(
        `connected to ${stack.url} as alex.morgan@dealdesk-demo.example: the local org of the middleware's local mode (no Metadata API, Apex or External Credentials)`,
      );
      expect(result.checks.find((c) => c.name === 'permission-sets')!.message).to.match(
        /^DealDesk_Admin: 1, DealDesk_Approver: 10, DealDesk_Integration: 1, DealDesk_User: \d+$/,
      );
      expect(result.checks.find((c) => c.name === 'apex')!.message).to.match(/local org has no Apex/);
      expect(result).to.include({ ok: true, failed: 0, skipped: 2 });
      expect(process.exitCode).to.not.equal(1);
    });

    it('doctor on a login whose session the org no longer accepts blames the connection, not the metadata', async () => {
      const local = stack.server.localOrg!;
      const session = local.createSession('marcus.bell@dealdesk-demo.example');
      const authInfo = await AuthInfo.create({
        accessTokenOptions: { accessToken: session.accessToken, instanceUrl: stack.url, loginUrl: stack.url },
      });
      await authInfo.save();
      await authInfo.handleAliasAndDefaultSettings({
        alias: 'expired',
        setDefault: false,
        setDefaultDevHub: false,
      });
      local.expireSessions(session.userId);
      const result = await DealdeskDoctor.run(['--target-org', 'expired', '--middleware-url', stack.url]);
      const by = Object.fromEntries(result.checks.map((c) => [c.name, c]));
      expect(by.connection!.status).to.equal('fail');
      expect(by.connection!.message).to.equal(`${stack.url} refused the session: Session expired or invalid`);
      expect(by.metadata!.status).to.equal('skip');
      expect(by['permission-sets']!.message).to.match(/^not checked: the connection to the org failed/);
      expect(by['middleware-reaches-org']!.status, "the middleware's own session is fine").to.equal('pass');
      expect(result.failed).to.equal(1);
      expect(process.exitCode).to.equal(1);
      const setup = (await DealdeskSetup.run([
        '--target-org',
        'expired',
        '--middleware-url',
        stack.url,
      ]).catch((e: unknown) => e)) as Error;
      expect(setup.name).to.equal('OrgConnectionFailed');
    });

    it('doctor without a middleware skips the middleware checks and says why', async () => {
      const result = await DealdeskDoctor.run(['--target-org', stack.alias, '--json']);
      const mw = result.checks.filter((c) => c.name.startsWith('middleware'));
      expect(mw.map((c) => c.status)).to.deep.equal(['skip', 'skip']);
      expect(mw[0]!.message).to.match(/no middleware URL/);
    });

    it('doctor fails, with a fix and exit code 1, when the middleware is down', async () => {
      const result = await DealdeskDoctor.run([
        '--target-org',
        stack.alias,
        '--middleware-url',
        'http://127.0.0.1:9',
      ]);
      const ready = result.checks.find((c) => c.name === 'middleware-ready')!;
      expect(ready.status).to.equal('fail');
      expect(ready.fix).to.match(/Start the middleware/);
      expect(process.exitCode).to.equal(1);
    });
  });

  describe('templates', () => {
    const LIBRARY = fileURLToPath(new URL('../../../config/contracts/', import.meta.url));

    it('push stores each library file as a Salesforce File, versions changes, and skips what the org has', async () => {
      const dir = join(stack.dir, 'contracts');
      cpSync(LIBRARY, dir, { recursive: true });
      // Templates, partials and the JSON data files, in path order.
      const library = (await readLibrary(dir)).map((f) => f.file);
      expect(library).to.include.members(['clauses.json', 'msa.mustache', 'templates.json']);
      const first = await DealdeskTemplatesPush.run(['--target-org', stack.alias, '--dir', dir]);
      expect(first.files.map((f) => [f.file, f.outcome])).to.deep.equal(library.map((f) => [f, 'created']));
      const again = await DealdeskTemplatesPush.run(['--target-org', stack.alias, '--dir', dir]);
      expect(again.files.map((f) => f.outcome)).to.deep.equal(library.map(() => 'unchanged'));

      writeFileSync(
        join(dir, 'msa.mustache'),
        `${await readFile(join(dir, 'msa.mustache'), 'utf8')}\nAmended.\n`,
      );
      const changed = await DealdeskTemplatesPush.run([
        '--target-org',
        stack.alias,
        '--dir',
        dir,
        '--reason',
        'amended',
      ]);
      expect(changed.files.map((f) => f.outcome)).to.deep.equal(
        library.map((f) => (f === 'msa.mustache' ? 'new-version' : 'unchanged')),
      );

      const latest = await DealdeskTemplatesList.run(['--target-org', stack.alias]);
      expect(
        [...latest.versions]
          .sort((a, b) => a.file.localeCompare(b.file))
          .map((v) => [v.file, v.versionNumber, v.latest]),
      ).to.deep.equal(library.map((f) => [f, f === 'msa.mustache' ? '2' : '1', true]));
      const clauses = JSON.parse(await readFile(join(dir, 'clauses.json'), 'utf8')) as { version: string };
      expect(latest.versions.find((v) => v.file === 'clauses.json')!.libraryVersion).to.equal(
        clauses.version,
      );
      const all = await DealdeskTemplatesList.run(['--target-org', stack.alias, '--all']);
      expect(all.versions).to.have.length(library.length + 1);
      const conn = stack.org.getConnection();
      const docs = await conn.query("SELECT Id FROM ContentDocument WHERE Title = 'dealdesk msa.mustache'");
      expect(docs.totalSize, 'a new version of the same file, not a second file').to.equal(1);
    });

    it('push validates the whole library first and pushes nothing when any file is wrong', async () => {
      const dir = join(stack.dir, 'bad-contracts');
      cpSync(LIBRARY, dir, { recursive: true });
      const lib = JSON.parse(await readFile(join(dir, 'clauses.json'), 'utf8')) as {
        clauses: { id: string; body: string; when: string }[];
      };
      lib.clauses[1]!.id = lib.clauses[0]!.id;
      lib.clauses[2]!.body = 'unclosed {{#section}}';
      lib.clauses[3]!.when = 'sometimes';
      writeFileSync(join(dir, 'clauses.json'), JSON.stringify(lib));
      writeFileSync(join(dir, 'msa.mustache'), '{{#lines}} no end');
      const before = (await DealdeskTemplatesList.run(['--target-org', stack.alias, '--all'])).versions
        .length;
      const err = (await DealdeskTemplatesPush.run(['--target-org', stack.alias, '--dir', dir]).catch(
        (e: unknown) => e,
      )) as Error;
      expect(err.message).to.match(/nothing was pushed/);
      expect(err.message).to.match(/clauses.json: clauses.3.when: /);
      expect(err.message).to.match(/duplicate clause id/);
      expect(err.message).to.match(/clauses.2.body .*Unclosed section/i);
      expect(err.message).to.match(/msa.mustache: Unclosed section/i);
      expect(
        (await DealdeskTemplatesList.run(['--target-org', stack.alias, '--all'])).versions.length,
      ).to.equal(before);
    });
  });

  describe('rules', () => {
    it('list returns the seeded matrix, read over SOQL', async () => {
      const result = await DealdeskRulesList.run(['--target-org', stack.alias]);
      expect(result.rules.map((r) => r.name)).to.deep.equal([
        'Executive_Large_Deal',
        'Finance_Large_Deal',
        'InfoSec_Security_Clauses',
        'Legal_Custom_Terms',
        'Legal_Review_Flag',
        'Sales_VP_Discount',
      ]);
      const finance = result.rules.find((r) => r.name === 'Finance_Large_Deal')!;
      expect(finance).to.include({
        role: 'Finance',
        minAmount: 100000,
        currency: 'USD',
        slaHours: 24,
        active: true,
      });
      expect(ux.table.calledOnce).to.equal(true);
    });

    it('regenerates the force-app source of every rule byte for byte from what SOQL returns', async () => {
      const { rules } = await DealdeskRulesList.run(['--target-org', stack.alias, '--json']);
      for (const rule of rules) {
        const onDisk = await readFile(join(FORCE_APP, `Approval_Rule.${rule.name}.md-meta.xml`), 'utf8');
        expect(ruleToXml(rule), rule.name).to.equal(onDisk);
      }
    });

    it('export writes a CSV that import validates against the org as unchanged', async () => {
      const file = join(stack.dir, 'rules.csv');
      const exported = await DealdeskRulesExport.run(['--target-org', stack.alias, '--file', file]);
      expect(exported.count).to.equal(6);
      const imported = await DealdeskRulesImport.run([
        '--target-org',
        stack.alias,
        '--file',
        file,
        '--dry-run',
      ]);
      expect(imported.unchanged).to.have.length(6);
      expect(imported.created).to.deep.equal([]);
    });

    it('import reports every problem by line, checking users and currencies in the org', async () => {
      const file = join(stack.dir, 'bad.csv');
      writeFileSync(
        file,
        [
          'name,role,minAmount,currency,approverUsername',
          'Finance_Mid,Finance,50000,USD,elena.petrova@dealdesk-demo.example',
          'Legal_Big,Legal,100000,XYZ,nobody@dealdesk-demo.example',
        ].join('\n'),
      );
      const err = (await DealdeskRulesImport.run(['--target-org', stack.alias, '--file', file]).catch(
        (e: unknown) => e,
      )) as { name: string; message: string; exitCode: number };
      expect(err.name).to.equal('RulesInvalid');
      expect(err.message).to.match(
        /line 2, Finance_Mid, minAmount: .*overlaps Finance_Large_Deal \(in the org/,
      );
      expect(err.message).to.match(/line 3, Legal_Big, currency: currency XYZ is not active/);
      expect(err.message).to.match(
        /line 3, Legal_Big, approverUsername: no user nobody@dealdesk-demo.example/,
      );
      expect(err.exitCode).to.equal(1);
    });
  });

  describe('closure', () => {
    it('start hands a Rep closure to the middleware; show renders its timeline from Agent_Step__c', async () => {
      const opp = await openOpportunity('');
      const started = await DealdeskClosureStart.run([
        '--target-org',
        stack.alias,
        '--opportunity',
        opp,
        '--middleware-url',
        stack.url,
        '--api-key-file',
        stack.apiKeyFile,
        '--note',
        'Verbal yes on the call',
      ]);
      expect(started.runId).to.be.a('string').and.not.equal('');
      expect(started.resumed).to.equal(false);
      const conn = stack.org.getConnection();
      const rec = (await conn.sobject('Deal_Closure__c').retrieve(started.dealClosureId)) as Record<
        string,
        unknown
      >;
      expect(rec.Trigger__c).to.equal('Rep');
      expect(rec.Note__c).to.equal('Verbal yes on the call');

      // The run writes its first step back asynchronously, with the closure's Run_Id__c in the same
      // composite; show reads the closure and its steps in two queries, so one read can fall on
      // either side of that commit: wait until both are there.
      const deadline = Date.now() + 30_000;
      let shown = await DealdeskClosureShow.run(['--target-org', stack.alias, '--opportunity', opp]);
      while ((shown.steps.length === 0 || !shown.closure.runId) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        shown = await DealdeskClosureShow.run(['--target-org', stack.alias, '--opportunity', opp]);
      }
      expect(shown.closure.id).to.equal(started.dealClosureId);
      expect(shown.closure.runId).to.equal(started.runId);
      expect(shown.steps[0]!.agent).to.equal('Deal_Closure');
      expect(ux.table.called).to.equal(true);

      const again = (await DealdeskClosureStart.run([
        '--target-org',
        stack.alias,
        '--opportunity',
        opp,
        '--middleware-url',
        stack.url,
        '--api-key-file',
        stack.apiKeyFile,
      ]).catch((e: unknown) => e)) as Error;
      expect(again.message).to.match(/already running for this opportunity/);
    });

    it('cancel stops the running closure and retry then explains why it cannot', async () => {
      const opp = (
        await DealdeskClosureShow.run([
          '--target-org',
          stack.alias,
          '--opportunity',
          await openOpportunity(''),
        ])
      ).closure.opportunityId;
      const flags = [
        '--target-org',
        stack.alias,
        '--opportunity',
        opp,
        '--middleware-url',
        stack.url,
        '--api-key-file',
        stack.apiKeyFile,
      ];
      const status = (await DealdeskClosureShow.run(['--target-org', stack.alias, '--opportunity', opp]))
        .closure.status;
      if (status !== 'Completed') {
        const cancelled = await DealdeskClosureCancel.run([...flags, '--comment', 'test']);
        expect(cancelled.accepted).to.equal('cancel');
      }
      const err = (await DealdeskClosureRetry.run(flags).catch((e: unknown) => e)) as Error;
      expect(err.message).to.match(/INVALID_STATE|Only a closure waiting/);
    });

    it('a start that could not reach the middleware is finished by running it again', async () => {
      const conn = stack.org.getConnection();
      // An open deal no earlier test has closed, with a primary contact so that it can start.
      const open = await conn.query<{ Id: string }>(
        `SELECT Id FROM Opportunity WHERE IsClosed = false
           AND Id IN (SELECT OpportunityId FROM OpportunityContactRole WHERE IsPrimary = true)
           AND Id NOT IN (SELECT Opportunity__c FROM Deal_Closure__c) ORDER BY Name`,
      );
      const opp = open.records[0]!.Id;
      const args = ['--target-org', stack.alias, '--opportunity', opp, '--api-key-file', stack.apiKeyFile];
      const err = (await DealdeskClosureStart.run([...args, '--middleware-url', 'http://127.0.0.1:9']).catch(
        (e: unknown) => e,
      )) as Error;
      expect(err.message).to.match(/Cannot reach the middleware at http:\/\/127.0.0.1:9/);
      const queued = await conn.query<{ Id: string; Status__c: string; Run_Id__c: string | null }>(
        `SELECT Id, Status__c, Run_Id__c FROM Deal_Closure__c WHERE Opportunity__c = '${opp}'`,
      );
      expect(queued.records.map((r) => [r.Status__c, r.Run_Id__c])).to.deep.equal([['Queued', null]]);

      const resumed = await DealdeskClosureStart.run([...args, '--middleware-url', stack.url]);
      expect(resumed.resumed).to.equal(true);
      expect(resumed.dealClosureId).to.equal(queued.records[0]!.Id);
      const after = await conn.query(`SELECT Id FROM Deal_Closure__c WHERE Opportunity__c = '${opp}'`);
      expect(after.totalSize, 'no second closure record').to.equal(1);
    });

    it('refuses an unknown opportunity before calling the middleware', async () => {
      const err = (await DealdeskClosureStart.run([
        '--target-org',
        stack.alias,
        '--opportunity',
        '006Dd00000009ZZIAY',
        '--middleware-url',
        stack.url,
        '--api-key-file',
        stack.apiKeyFile,
      ]).catch((e: unknown) => e)) as Error;
      expect(err.message).to.match(/does not exist or you do not have access/);
    });
  });
});
