import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import {
  DEFAULT_LIBRARY_DIR,
  pushLibrary,
  readLibrary,
  type PushOutcome,
} from '../../../shared/templates.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.templates.push');

export type DealdeskTemplatesPushResult = {
  dir: string;
  dryRun: boolean;
  files: PushOutcome[];
};

export default class DealdeskTemplatesPush extends SfCommand<DealdeskTemplatesPushResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    dir: Flags.directory({ char: 'd', summary: messages.getMessage('flags.dir.summary'), exists: true }),
    reason: Flags.string({ summary: messages.getMessage('flags.reason.summary') }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary'), default: false }),
  };

  public async run(): Promise<DealdeskTemplatesPushResult> {
    const { flags } = await this.parse(DealdeskTemplatesPush);
    if (flags.reason !== undefined && flags.reason.length > 1000)
      throw messages.createError('error.ReasonTooLong');
    const dir = flags.dir ?? DEFAULT_LIBRARY_DIR;
    const files = await readLibrary(dir);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const outcomes = await pushLibrary(conn, files, { dryRun: flags['dry-run'], reason: flags.reason });
    this.table({
      data: outcomes.map((o) => ({ file: o.file, outcome: o.outcome, sha256: o.sha256.slice(0, 12) })),
      columns: ['file', 'outcome', 'sha256'],
    });
    const pushed = outcomes.filter((o) => o.outcome === 'created' || o.outcome === 'new-version').length;
    this.logSuccess(
      flags['dry-run']
        ? messages.getMessage('info.dryRun', [outcomes.filter((o) => o.outcome === 'planned').length])
        : messages.getMessage(pushed ? 'info.pushed' : 'info.unchanged', [pushed]),
    );
    return { dir, dryRun: flags['dry-run'], files: outcomes };
  }
}
