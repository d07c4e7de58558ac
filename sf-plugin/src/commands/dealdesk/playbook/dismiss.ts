import { Messages } from '@salesforce/core';
import { SfCommand } from '@salesforce/sf-plugins-core';
import {
  decideSuggestion,
  decisionFlags,
  decisionLine,
  type PlaybookDecisionResult,
} from '../../../shared/playbook.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.playbook.dismiss');

export type DealdeskPlaybookDismissResult = PlaybookDecisionResult;

export default class DealdeskPlaybookDismiss extends SfCommand<DealdeskPlaybookDismissResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');
  public static override readonly flags = decisionFlags;

  public async run(): Promise<DealdeskPlaybookDismissResult> {
    const { flags } = await this.parse(DealdeskPlaybookDismiss);
    const result = await decideSuggestion(
      flags['target-org'].getConnection(flags['api-version']),
      flags,
      'dismiss',
    );
    this.logSuccess(decisionLine(messages, result));
    return result;
  }
}
