import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { applyRules } from '../../../shared/rules-apply.ts';
import { formatOf, readRulesFile } from '../../../shared/rules-files.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.rules.import');

export type DealdeskRulesImportResult = {
  file: string;
  dryRun: boolean;
  created: string[];
  updated: string[];
  unchanged: string[];
  deployId: string | null;
};

export default class DealdeskRulesImport extends SfCommand<DealdeskRulesImportResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    file: Flags.file({
      char: 'f',
      summary: messages.getMessage('flags.file.summary'),
      required: true,
      exists: true,
    }),
    format: Flags.option({
      summary: messages.getMessage('flags.format.summary'),
      options: ['csv', 'json'] as const,
    })(),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary'), default: false }),
  };

  public async run(): Promise<DealdeskRulesImportResult> {
    const { flags } = await this.parse(DealdeskRulesImport);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const { rows, problems } = await readRulesFile(flags.file, formatOf(flags.file, flags.format));
    this.spinner.start(messages.getMessage('info.validating', [rows.length, flags.file]));
    const outcome = await applyRules(conn, rows, problems, { dryRun: flags['dry-run'] }).finally(() =>
      this.spinner.stop(),
    );
    const summary = [outcome.created.length, outcome.updated.length, outcome.unchanged.length];
    if (flags['dry-run']) this.logSuccess(messages.getMessage('info.dryRun', summary));
    else if (!outcome.deploy)
      this.logSuccess(messages.getMessage('info.nothing', [outcome.unchanged.length]));
    else this.logSuccess(messages.getMessage('info.deployed', [...summary, outcome.deploy.id ?? '-']));
    return {
      file: flags.file,
      dryRun: flags['dry-run'],
      created: outcome.created,
      updated: outcome.updated,
      unchanged: outcome.unchanged,
      deployId: outcome.deploy?.id ?? null,
    };
  }
}
