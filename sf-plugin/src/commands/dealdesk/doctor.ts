import { Messages, SfError } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { runDoctor, type DoctorCheck, type DoctorOptions } from '../../shared/doctor.ts';
import { middlewareUrlFlag } from '../../shared/flags.ts';
import { resolveMiddleware } from '../../shared/middleware.ts';
import { sourceDir } from '../../shared/source.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.doctor');

export type DealdeskDoctorResult = {
  ok: boolean;
  passed: number;
  failed: number;
  skipped: number;
  checks: DoctorCheck[];
};

const MARK = { pass: '✔ pass', fail: '✖ fail', skip: '– skip' } as const;

export function summarize(checks: DoctorCheck[]): DealdeskDoctorResult {
  const count = (s: DoctorCheck['status']) => checks.filter((c) => c.status === s).length;
  return {
    ok: count('fail') === 0,
    passed: count('pass'),
    failed: count('fail'),
    skipped: count('skip'),
    checks,
  };
}

export default class DealdeskDoctor extends SfCommand<DealdeskDoctorResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    'middleware-url': middlewareUrlFlag,
    'source-dir': Flags.directory({ summary: messages.getMessage('flags.source-dir.summary'), exists: true }),
  };

  public async run(): Promise<DealdeskDoctorResult> {
    const { flags } = await this.parse(DealdeskDoctor);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    let middleware: DoctorOptions['middleware'];
    try {
      middleware = await resolveMiddleware(conn, flags, { requireKey: false });
    } catch (err) {
      if (!(err instanceof SfError) || err.name !== 'NoMiddlewareUrl') throw err;
      middleware = { unavailable: messages.getMessage('info.noMiddleware') };
    }
    this.spinner.start(messages.getMessage('info.running'));
    const checks = await runDoctor(conn, { sourceDir: sourceDir(flags['source-dir']), middleware });
    this.spinner.stop();
    this.table({
      data: checks.map((c) => ({
        check: c.name,
        status: MARK[c.status],
        detail: c.message,
        fix: c.fix ?? '',
      })),
      columns: ['check', 'status', 'detail', 'fix'],
    });
    const result = summarize(checks);
    this.log(messages.getMessage('info.summary', [result.passed, result.failed, result.skipped]));
    if (!result.ok) process.exitCode = 1;
    return result;
  }
}
