import { Messages } from '@salesforce/core';
import { SfCommand } from '@salesforce/sf-plugins-core';
import {
  decideSuggestion,
  decisionFlags,
  decisionLine,
  type PlaybookDecisionResult,
} from '../../../shared/playbook.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.playbook.accept');

export type DealdeskPlaybookAcceptResult = PlaybookDecisionResult;

export default class DealdeskPlaybookAccept extends SfCommand<DealdeskPlaybookAcceptResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');
  public static override readonly flags = decisionFlags;

  public async run(): Promise<DealdeskPlaybookAcceptResult> {
    const { flags } = await this.parse(DealdeskPlaybookAccept);
    const result = await decideSuggestion(
      flags['target-org'].getConnection(flags['api-version']),
      flags,
      'accept',
    );
    this.logSuccess(decisionLine(messages, result));
    return result;
  }
}
