import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { readRules, type ApprovalRule } from '../../../shared/rules.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.rules.list');

export type DealdeskRulesListResult = {
  rules: ApprovalRule[];
};

export function conditionsOf(r: ApprovalRule): string {
  const parts: string[] = [];
  if (r.minAmount !== null)
    parts.push(`amount ≥ ${r.minAmount.toLocaleString('en-US')} ${r.currency ?? ''}`.trim());
  if (r.minDiscountPercent !== null) parts.push(`discount ≥ ${r.minDiscountPercent}%`);
  if (r.requiresCustomTerms) parts.push('custom terms');
  if (r.requiresLegalReview) parts.push('legal review flag');
  if (r.requiresSecurityReview) parts.push('security review');
  return parts.join(' or ');
}

export default class DealdeskRulesList extends SfCommand<DealdeskRulesListResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
  };

  public async run(): Promise<DealdeskRulesListResult> {
    const { flags } = await this.parse(DealdeskRulesList);
    const rules = await readRules(flags['target-org'].getConnection(flags['api-version']));
    if (rules.length === 0) this.warn(messages.getMessage('info.empty'));
    else
      this.table({
        data: rules.map((r) => ({
          name: r.name,
          role: r.role,
          active: r.active ? 'yes' : 'no',
          when: conditionsOf(r),
          approver: r.approverUsername ?? '',
          backup: r.backupUsername ?? '',
          sla: r.slaHours === null ? '' : `${r.slaHours} h`,
          after: r.dependsOn.join(', '),
        })),
        columns: ['name', 'role', 'active', 'when', 'approver', 'backup', 'sla', 'after'],
      });
    return { rules };
  }
}
