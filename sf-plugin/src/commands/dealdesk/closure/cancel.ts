import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { requireLatestClosure, requireRunId } from '../../../shared/closures.ts';
import { apiKeyFileFlag, middlewareUrlFlag, opportunityFlag } from '../../../shared/flags.ts';
import { MiddlewareClient, resolveMiddleware } from '../../../shared/middleware.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.closure.cancel');

export type DealdeskClosureCancelResult = {
  dealClosureId: string;
  name: string;
  runId: string;
  accepted: string;
};

export default class DealdeskClosureCancel extends SfCommand<DealdeskClosureCancelResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    opportunity: opportunityFlag,
    comment: Flags.string({ summary: messages.getMessage('flags.comment.summary') }),
    'middleware-url': middlewareUrlFlag,
    'api-key-file': apiKeyFileFlag,
  };

  public async run(): Promise<DealdeskClosureCancelResult> {
    const { flags } = await this.parse(DealdeskClosureCancel);
    if (flags.comment !== undefined && flags.comment.length > 4000)
      throw messages.createError('error.CommentTooLong');
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const closure = await requireLatestClosure(conn, flags.opportunity);
    const runId = requireRunId(closure);
    const client = new MiddlewareClient(await resolveMiddleware(conn, flags, { requireKey: true }));
    const res = await client.act(runId, 'cancel', flags.comment);
    this.logSuccess(messages.getMessage('info.accepted', [closure.name, runId]));
    return { dealClosureId: closure.id, name: closure.name, runId, accepted: res.accepted };
  }
}
