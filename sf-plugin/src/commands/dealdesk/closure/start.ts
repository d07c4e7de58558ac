import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { startClosure } from '../../../shared/closures.ts';
import { apiKeyFileFlag, middlewareUrlFlag, opportunityFlag } from '../../../shared/flags.ts';
import { MiddlewareClient, resolveMiddleware } from '../../../shared/middleware.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.closure.start');

export type DealdeskClosureStartResult = {
  dealClosureId: string;
  name: string;
  opportunityId: string;
  runId: string;
  status: string;
  resumed: boolean;
};

export default class DealdeskClosureStart extends SfCommand<DealdeskClosureStartResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    opportunity: opportunityFlag,
    note: Flags.string({ summary: messages.getMessage('flags.note.summary') }),
    'middleware-url': middlewareUrlFlag,
    'api-key-file': apiKeyFileFlag,
  };

  public async run(): Promise<DealdeskClosureStartResult> {
    const { flags } = await this.parse(DealdeskClosureStart);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const target = await resolveMiddleware(conn, flags, { requireKey: true });
    this.spinner.start(messages.getMessage('info.starting', [flags.opportunity, target.url]));
    const outcome = await startClosure(conn, new MiddlewareClient(target), flags.opportunity, flags.note);
    this.spinner.stop();
    this.logSuccess(
      messages.getMessage(outcome.resumed ? 'info.resumed' : 'info.started', [
        outcome.closure.name,
        outcome.runId,
        outcome.status,
      ]),
    );
    this.info(messages.getMessage('info.follow', [flags.opportunity]));
    return {
      dealClosureId: outcome.closure.id,
      name: outcome.closure.name,
      opportunityId: flags.opportunity,
      runId: outcome.runId,
      status: outcome.status,
      resumed: outcome.resumed,
    };
  }
}
