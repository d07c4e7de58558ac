import { writeFile } from 'node:fs/promises';
import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { readRules } from '../../../shared/rules.ts';
import { formatOf, rulesToCsv, rulesToJson, type RulesFormat } from '../../../shared/rules-files.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.rules.export');

export type DealdeskRulesExportResult = {
  file: string | null;
  format: RulesFormat;
  count: number;
  content: string;
};

export default class DealdeskRulesExport extends SfCommand<DealdeskRulesExportResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    file: Flags.string({ char: 'f', summary: messages.getMessage('flags.file.summary') }),
    format: Flags.option({
      summary: messages.getMessage('flags.format.summary'),
      options: ['csv', 'json'] as const,
    })(),
  };

  public async run(): Promise<DealdeskRulesExportResult> {
    const { flags } = await this.parse(DealdeskRulesExport);
    const format = flags.file ? formatOf(flags.file, flags.format) : (flags.format ?? 'csv');
    const rules = await readRules(flags['target-org'].getConnection(flags['api-version']));
    const content = format === 'csv' ? rulesToCsv(rules) : rulesToJson(rules);
    if (flags.file) {
      await writeFile(flags.file, content);
      this.logSuccess(messages.getMessage('info.written', [rules.length, flags.file]));
    } else if (!this.jsonEnabled()) process.stdout.write(content);
    return { file: flags.file ?? null, format, count: rules.length, content };
  }
}
