import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { listSuggestions, SUGGESTION_STATUSES, type Suggestion } from '../../../shared/playbook.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.playbook.list');

export type DealdeskPlaybookListResult = {
  suggestions: Suggestion[];
};

const SUGGESTION_WIDTH = 90;

export default class DealdeskPlaybookList extends SfCommand<DealdeskPlaybookListResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    status: Flags.option({
      summary: messages.getMessage('flags.status.summary'),
      options: SUGGESTION_STATUSES,
    })(),
  };

  public async run(): Promise<DealdeskPlaybookListResult> {
    const { flags } = await this.parse(DealdeskPlaybookList);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const suggestions = await listSuggestions(conn, flags.status);
    if (suggestions.length === 0) this.warn(messages.getMessage('info.empty'));
    else
      this.table({
        data: suggestions.map((s) => ({
          id: s.id,
          name: s.name,
          category: s.category ?? '',
          status: s.status,
          deals: s.supportingDeals ?? '',
          suggestion: shorten(s.suggestion ?? s.title ?? ''),
          decided: s.decidedBy ? `${s.decidedBy} ${s.decidedAt?.slice(0, 10) ?? ''}`.trim() : '',
        })),
        columns: ['id', 'name', 'category', 'status', 'deals', 'suggestion', 'decided'],
      });
    return { suggestions };
  }
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SUGGESTION_WIDTH ? `${flat.slice(0, SUGGESTION_WIDTH - 1)}…` : flat;
}
