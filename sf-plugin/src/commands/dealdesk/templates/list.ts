import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { listVersions, type TemplateVersion } from '../../../shared/templates.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.templates.list');

export type DealdeskTemplatesListResult = {
  versions: TemplateVersion[];
};

export default class DealdeskTemplatesList extends SfCommand<DealdeskTemplatesListResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    all: Flags.boolean({ summary: messages.getMessage('flags.all.summary'), default: false }),
  };

  public async run(): Promise<DealdeskTemplatesListResult> {
    const { flags } = await this.parse(DealdeskTemplatesList);
    const all = await listVersions(flags['target-org'].getConnection(flags['api-version']));
    const versions = flags.all ? all : all.filter((v) => v.latest);
    if (versions.length === 0) this.warn(messages.getMessage('info.none'));
    else
      this.table({
        data: versions.map((v) => ({
          file: v.file,
          version: v.versionNumber,
          latest: v.latest ? 'yes' : '',
          'clause library': v.libraryVersion ?? '',
          sha256: v.sha256.slice(0, 12),
          pushed: v.createdDate,
        })),
        columns: ['file', 'version', 'latest', 'clause library', 'sha256', 'pushed'],
      });
    return { versions };
  }
}
