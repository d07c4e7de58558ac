import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { applyRules } from '../../../shared/rules-apply.ts';
import { readRules, ROLES, type ApprovalRule } from '../../../shared/rules.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.rules.set');

export type DealdeskRulesSetResult = {
  name: string;
  created: boolean;
  changed: boolean;
  dryRun: boolean;
  rule: Record<string, unknown>;
  deployId: string | null;
};

/** `none` clears an optional value; anything else is validated like an imported cell. */
function cell(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  return value.trim().toLowerCase() === 'none' ? '' : value;
}

export default class DealdeskRulesSet extends SfCommand<DealdeskRulesSetResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ char: 'n', summary: messages.getMessage('flags.name.summary'), required: true }),
    label: Flags.string({ summary: messages.getMessage('flags.label.summary') }),
    role: Flags.option({ summary: messages.getMessage('flags.role.summary'), options: ROLES })(),
    active: Flags.boolean({ summary: messages.getMessage('flags.active.summary'), allowNo: true }),
    'min-amount': Flags.string({ summary: messages.getMessage('flags.min-amount.summary') }),
    'min-discount-percent': Flags.string({
      summary: messages.getMessage('flags.min-discount-percent.summary'),
    }),
    currency: Flags.string({ summary: messages.getMessage('flags.currency.summary') }),
    'requires-custom-terms': Flags.boolean({
      summary: messages.getMessage('flags.requires-custom-terms.summary'),
      allowNo: true,
    }),
    'requires-legal-review': Flags.boolean({
      summary: messages.getMessage('flags.requires-legal-review.summary'),
      allowNo: true,
    }),
    'requires-security-review': Flags.boolean({
      summary: messages.getMessage('flags.requires-security-review.summary'),
      allowNo: true,
    }),
    'sla-hours': Flags.string({ summary: messages.getMessage('flags.sla-hours.summary') }),
    approver: Flags.string({ summary: messages.getMessage('flags.approver.summary') }),
    backup: Flags.string({ summary: messages.getMessage('flags.backup.summary') }),
    'depends-on': Flags.string({ summary: messages.getMessage('flags.depends-on.summary') }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary'), default: false }),
  };

  public async run(): Promise<DealdeskRulesSetResult> {
    const { flags } = await this.parse(DealdeskRulesSet);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const current = (await readRules(conn)).find((r) => r.name.toLowerCase() === flags.name.toLowerCase());
    const base: Partial<ApprovalRule> = current ?? {};
    const changes: Record<string, unknown> = {
      label: flags.label,
      role: flags.role,
      active: flags.active,
      minAmount: cell(flags['min-amount']),
      minDiscountPercent: cell(flags['min-discount-percent']),
      currency: cell(flags.currency),
      requiresCustomTerms: flags['requires-custom-terms'],
      requiresLegalReview: flags['requires-legal-review'],
      requiresSecurityReview: flags['requires-security-review'],
      slaHours: cell(flags['sla-hours']),
      approverUsername: cell(flags.approver),
      backupUsername: cell(flags.backup),
      dependsOn: cell(flags['depends-on']),
    };
    if (current && Object.values(changes).every((v) => v === undefined))
      throw messages.createError('error.NoChange');
    if (!current && !flags.role) throw messages.createError('error.RoleRequired', [flags.name]);
    const raw: Record<string, unknown> = { ...base, name: current?.name ?? flags.name };
    for (const [k, v] of Object.entries(changes)) if (v !== undefined) raw[k] = v;
    const outcome = await applyRules(conn, [{ line: 1, raw }], [], { dryRun: flags['dry-run'] });
    const changed = outcome.created.length + outcome.updated.length > 0;
    const key = !current ? 'info.created' : changed ? 'info.updated' : 'info.unchanged';
    this.logSuccess(
      messages.getMessage(key, [String(raw.name)]) +
        (flags['dry-run'] && changed ? messages.getMessage('info.dryRun') : ''),
    );
    return {
      name: String(raw.name),
      created: !current,
      changed,
      dryRun: flags['dry-run'],
      rule: raw,
      deployId: outcome.deploy?.id ?? null,
    };
  }
}
