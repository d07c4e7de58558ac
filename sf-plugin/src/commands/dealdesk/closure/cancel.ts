import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { actOnLatestClosure, type ClosureActionResult } from '../../../shared/closures.ts';
import { apiKeyFileFlag, middlewareUrlFlag, opportunityFlag } from '../../../shared/flags.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.closure.cancel');

export type DealdeskClosureCancelResult = ClosureActionResult;

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
    const { closure, result } = await actOnLatestClosure(conn, flags, 'cancel', flags.comment);
    this.logSuccess(messages.getMessage('info.accepted', [closure.name, result.runId]));
    return result;
  }
}
