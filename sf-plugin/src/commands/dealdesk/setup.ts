import { writeFile } from 'node:fs/promises';
import { Messages, SfError } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { runDoctor, type DoctorCheck } from '../../shared/doctor.ts';
import { connectOrg } from '../../shared/connection.ts';
import { apiKeyFileFlag } from '../../shared/flags.ts';
import { parseMiddlewareUrl, readApiKeyFile } from '../../shared/middleware.ts';
import { assignStage, deployStage, keyStage, type Assignment, type StageReport } from '../../shared/setup.ts';
import { sourceDir } from '../../shared/source.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.setup');

export type DealdeskSetupResult = {
  dryRun: boolean;
  changed: boolean;
  stages: StageReport[];
  apiKeyFile: string | null;
  checks: DoctorCheck[];
};

type AssignmentFlags = {
  user?: string[];
  'admin-user'?: string[];
  'approver-user'?: string[];
  'integration-user'?: string[];
};

/** The assignments the flags ask for; DealDesk_Admin goes to the user running setup unless --admin-user says otherwise. */
function wantedAssignments(flags: AssignmentFlags, me: string): Assignment[] {
  const to = (usernames: string[] | undefined, permissionSet: Assignment['permissionSet']): Assignment[] =>
    (usernames ?? []).map((username) => ({ username, permissionSet }));
  return [
    ...to(flags.user, 'DealDesk_User'),
    ...to(flags['admin-user'] ?? [me], 'DealDesk_Admin'),
    ...to(flags['approver-user'], 'DealDesk_Approver'),
    ...to(flags['integration-user'], 'DealDesk_Integration'),
  ];
}

export default class DealdeskSetup extends SfCommand<DealdeskSetupResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    'middleware-url': Flags.string({
      summary: messages.getMessage('flags.middleware-url.summary'),
      required: true,
    }),
    'api-key-file': apiKeyFileFlag,
    'api-key-output': Flags.string({
      summary: messages.getMessage('flags.api-key-output.summary'),
      default: 'dealdesk-api-key',
    }),
    user: Flags.string({ summary: messages.getMessage('flags.user.summary'), multiple: true }),
    'admin-user': Flags.string({ summary: messages.getMessage('flags.admin-user.summary'), multiple: true }),
    'approver-user': Flags.string({
      summary: messages.getMessage('flags.approver-user.summary'),
      multiple: true,
    }),
    'integration-user': Flags.string({
      summary: messages.getMessage('flags.integration-user.summary'),
      multiple: true,
    }),
    'source-dir': Flags.directory({ summary: messages.getMessage('flags.source-dir.summary'), exists: true }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary'), default: false }),
  };

  public async run(): Promise<DealdeskSetupResult> {
    const { flags } = await this.parse(DealdeskSetup);
    const url = parseMiddlewareUrl(flags['middleware-url']);
    const dir = sourceDir(flags['source-dir']);
    const providedKey = flags['api-key-file'] ? await readApiKeyFile(flags['api-key-file']) : undefined;
    const org = flags['target-org'];
    const conn = org.getConnection(flags['api-version']);
    const dryRun = flags['dry-run'];
    // Who the org is, before any stage: a refused session or an org that does not answer stops
    // setup here with that reason, and the local org is told apart by what it says of itself.
    const connection = await connectOrg(conn);
    if (!connection.ok)
      throw new SfError(
        messages.getMessage('error.connection', [
          org.getUsername() ?? conn.instanceUrl,
          connection.problem.message,
        ]),
        'OrgConnectionFailed',
        [connection.problem.fix],
      );
    const localOrg = connection.org.local;
    const assignments = wantedAssignments(flags, org.getUsername()!);
    const stages: StageReport[] = [];
    const stage = async <T extends StageReport>(label: string, work: () => Promise<T>): Promise<T> => {
      this.spinner.start(label);
      try {
        const report = await work();
        this.spinner.stop(report.outcome);
        stages.push({ stage: report.stage, outcome: report.outcome, detail: report.detail });
        return report;
      } catch (err) {
        this.spinner.stop('failed');
        throw err;
      }
    };
    if (dryRun) this.log(messages.getMessage('info.plan'));
    await stage(messages.getMessage('stage.deploy', [dir]), () =>
      deployStage(conn, dir, url, { dryRun, localOrg }),
    );
    await stage(messages.getMessage('stage.assign'), () => assignStage(conn, assignments, { dryRun }));
    const key = await stage(messages.getMessage('stage.key'), () =>
      keyStage(conn, providedKey, { dryRun, localOrg }),
    );
    let apiKeyFile: string | null = null;
    if (key.generatedKey) {
      await writeFile(flags['api-key-output'], `${key.generatedKey}\n`, { mode: 0o600 });
      apiKeyFile = flags['api-key-output'];
      this.warn(messages.getMessage('info.keyWritten', [apiKeyFile]));
    }
    let checks: DoctorCheck[] = [];
    if (!dryRun) {
      this.spinner.start(messages.getMessage('stage.doctor'));
      checks = await runDoctor(conn, {
        sourceDir: dir,
        middleware: { url, apiKey: providedKey, urlSource: 'flag' },
      });
      const failed = checks.filter((c) => c.status === 'fail').length;
      this.spinner.stop(failed ? `${failed} failed` : 'ok');
      stages.push({
        stage: 'doctor',
        outcome: failed ? 'failed' : 'unchanged',
        detail: `${checks.filter((c) => c.status === 'pass').length} passed, ${failed} failed, ${checks.filter((c) => c.status === 'skip').length} skipped`,
      });
    }
    this.table({ data: stages, columns: ['stage', 'outcome', 'detail'] });
    if (checks.length > 0)
      this.table({
        data: checks.map((c) => ({ check: c.name, status: c.status, detail: c.message, fix: c.fix ?? '' })),
        columns: ['check', 'status', 'detail', 'fix'],
      });
    const changed = stages.some((s) => s.outcome === 'changed');
    if (!dryRun) this.logSuccess(messages.getMessage(changed ? 'info.changed' : 'info.unchanged'));
    if (checks.some((c) => c.status === 'fail')) process.exitCode = 1;
    return { dryRun, changed, stages, apiKeyFile, checks };
  }
}
