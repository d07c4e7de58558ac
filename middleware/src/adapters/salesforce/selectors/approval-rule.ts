/** Approval_Rule__mdt: the org's approval policy, one custom metadata record per rule. */
import { ApprovalRuleSchema, type ApprovalRule } from '../../../ports/crm.ts';
import { toMinor } from '../../../domain/money.ts';
import { ApprovalRuleRowSchema } from '../salesforce-records.ts';
import { CrmError } from '../salesforce-errors.ts';
import { parseRows } from './rows.ts';

export const APPROVAL_RULES_SOQL =
  'SELECT DeveloperName, Role__c, Min_Amount__c, Min_Discount_Percent__c, Requires_Custom_Terms__c, Requires_Security_Review__c,' +
  ' Requires_Legal_Review__c, SLA_Hours__c, Approver_Username__c, Backup_Username__c, Currency_Iso_Code__c, Depends_On__c, Active__c' +
  ' FROM Approval_Rule__mdt ORDER BY DeveloperName';

function isRole(role: string | null): role is ApprovalRule['role'] {
  return ApprovalRuleSchema.shape.role.safeParse(role).success;
}

export function toApprovalRules(queryResult: unknown): ApprovalRule[] {
  const rows = parseRows(ApprovalRuleRowSchema, queryResult, 'Approval_Rule__mdt');
  const rules: ApprovalRule[] = [];
  for (const r of rows) {
    const role = r.Role__c;
    // A rule routed to no known role would silently approve nothing: the policy is broken.
    if (!isRole(role)) {
      throw new CrmError(
        'INVALID_RULE',
        `Approval rule ${r.DeveloperName} has no valid Role__c (got ${String(role)})`,
      );
    }
    const currency = r.Currency_Iso_Code__c;
    rules.push({
      name: r.DeveloperName,
      role,
      minAmountMinor: r.Min_Amount__c === null ? null : toMinor(r.Min_Amount__c, currency ?? 'USD'),
      currency,
      minDiscountPercent: r.Min_Discount_Percent__c,
      requiresCustomTerms: r.Requires_Custom_Terms__c,
      requiresSecurityReview: r.Requires_Security_Review__c,
      requiresLegalReview: r.Requires_Legal_Review__c,
      slaHours: r.SLA_Hours__c,
      approverUsername: r.Approver_Username__c,
      backupUsername: r.Backup_Username__c,
      dependsOn: (r.Depends_On__c ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
      active: r.Active__c,
    });
  }
  return rules;
}
