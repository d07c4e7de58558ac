/**
 * The approval matrix: which roles must approve a deal and why, from Approval_Rule__mdt rules
 * evaluated on the deal's facts. Thresholds are in the rule's currency (the org's corporate
 * currency by default) and the deal amount is converted with the org's rates.
 */
import type { ApprovalRule } from '../../ports/crm.ts';
import { formatMoney, minorUnitDigits, toMinor } from '../../domain/money.ts';

export interface DealFacts {
  amountMinor: number;
  currency: string;
  corporateCurrency: string;
  /** Units of each currency per one unit of the corporate currency (CurrencyType.ConversionRate). */
  rates: Record<string, number>;
  maxDiscountPercent: number;
  customTerms: boolean;
  securityReview: boolean;
  legalReview: boolean;
}

export interface RequiredApproval {
  role: ApprovalRule['role'];
  rule: string;
  reason: string;
  slaHours: number;
  approverUsername: string | null;
  backupUsername: string | null;
  dependsOn: ApprovalRule['role'][];
}

export class ApprovalMatrixError extends Error {}

export interface CoveragePolicy {
  /** The rep may discount up to this on their own; deeper discounts need someone's approval. */
  repDiscountAuthorityPercent: number;
}

/**
 * Facts of the deal that policy says someone must approve, but that no active rule picked up:
 * the org's rules have a gap, and skipping approval would let the deal through unreviewed.
 */
export function uncoveredRequirements(
  rules: ApprovalRule[],
  deal: DealFacts,
  policy: CoveragePolicy,
): string[] {
  const active = rules.filter((r) => r.active);
  const gaps: string[] = [];
  if (deal.legalReview && !active.some((r) => r.requiresLegalReview))
    gaps.push('the contract was flagged for legal review, but no active rule sets Requires_Legal_Review__c');
  if (deal.customTerms && !active.some((r) => r.requiresCustomTerms))
    gaps.push('the contract carries non-standard terms, but no active rule sets Requires_Custom_Terms__c');
  if (deal.securityReview && !active.some((r) => r.requiresSecurityReview))
    gaps.push('security topics came up, but no active rule sets Requires_Security_Review__c');
  // The rules' own discount thresholds are the policy; the gap is an org with none at all.
  if (
    deal.maxDiscountPercent > policy.repDiscountAuthorityPercent &&
    !active.some((r) => r.minDiscountPercent !== null)
  )
    gaps.push(
      `the ${deal.maxDiscountPercent}% discount exceeds the rep's ${policy.repDiscountAuthorityPercent}% authority, but no active rule sets Min_Discount_Percent__c`,
    );
  return gaps;
}

/**
 * Converts minor units between currencies with the org's rates (units per corporate unit),
 * through major units: a yen has no cents, so JPY and USD minor units differ by more than the rate.
 */
export function convertMinor(
  amountMinor: number,
  from: string,
  to: string,
  rates: Record<string, number>,
): number {
  if (from === to) return amountMinor;
  const fromRate = rates[from];
  const toRate = rates[to];
  if (!fromRate || !toRate)
    throw new ApprovalMatrixError(
      `no conversion rate between ${from} and ${to}; add the currency in Setup > Manage Currencies`,
    );
  return toMinor((amountMinor / 10 ** minorUnitDigits(from) / fromRate) * toRate, to);
}

export function requiredApprovals(
  rules: ApprovalRule[],
  deal: DealFacts,
  defaultSlaHours = 24,
): RequiredApproval[] {
  const byRole = new Map<ApprovalRule['role'], RequiredApproval>();
  for (const rule of rules.filter((r) => r.active)) {
    const unknown = rule.dependsOn.filter((d) => !ROLES.includes(d));
    if (unknown.length > 0)
      throw new ApprovalMatrixError(
        `approval rule ${rule.name} depends on ${unknown.join(', ')}, which is not a role (${ROLES.join(', ')}); fix Depends_On__c`,
      );
    const reasons: string[] = [];
    let applies = false;
    if (rule.minAmountMinor !== null) {
      const ruleCurrency = rule.currency ?? deal.corporateCurrency;
      const amount = convertMinor(deal.amountMinor, deal.currency, ruleCurrency, deal.rates);
      if (amount >= rule.minAmountMinor) {
        applies = true;
        reasons.push(
          `amount ${formatMoney(amount, ruleCurrency)}${ruleCurrency !== deal.currency ? ` (${formatMoney(deal.amountMinor, deal.currency)})` : ''} is at or above ${formatMoney(rule.minAmountMinor, ruleCurrency)}`,
        );
      }
    }
    if (rule.minDiscountPercent !== null && deal.maxDiscountPercent >= rule.minDiscountPercent) {
      applies = true;
      reasons.push(`discount ${deal.maxDiscountPercent}% is at or above ${rule.minDiscountPercent}%`);
    }
    if (rule.requiresCustomTerms && deal.customTerms) {
      applies = true;
      reasons.push('the contract carries non-standard terms');
    }
    if (rule.requiresSecurityReview && deal.securityReview) {
      applies = true;
      reasons.push('security topics came up during the sale');
    }
    if (rule.requiresLegalReview && deal.legalReview) {
      applies = true;
      reasons.push('the contract was flagged for legal review');
    }
    if (!applies) continue;
    const existing = byRole.get(rule.role);
    if (existing) {
      // Several rules for one role: one approval, every reason, every prerequisite, the strictest SLA.
      existing.reason += `; ${reasons.join('; ')}`;
      existing.rule += `, ${rule.name}`;
      existing.dependsOn = [...new Set([...existing.dependsOn, ...knownRoles(rule.dependsOn)])];
      existing.slaHours = Math.min(existing.slaHours, rule.slaHours ?? defaultSlaHours);
      continue;
    }
    byRole.set(rule.role, {
      role: rule.role,
      rule: rule.name,
      reason: reasons.join('; '),
      slaHours: rule.slaHours ?? defaultSlaHours,
      approverUsername: rule.approverUsername,
      backupUsername: rule.backupUsername,
      dependsOn: knownRoles(rule.dependsOn),
    });
  }
  const required = [...byRole.values()];
  // Dependencies only bind between approvals that are both required.
  for (const r of required) r.dependsOn = r.dependsOn.filter((d) => byRole.has(d));
  assertAcyclic(required);
  return required;
}

const ROLES: readonly string[] = ['Finance', 'Legal', 'Sales_VP', 'InfoSec', 'Executive'];
function knownRoles(names: string[]): ApprovalRule['role'][] {
  return names.filter((d): d is ApprovalRule['role'] => ROLES.includes(d));
}

function assertAcyclic(required: RequiredApproval[]): void {
  const byRole = new Map(required.map((r) => [r.role, r]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (role: string, path: string[]) => {
    if (state.get(role) === 'done') return;
    if (state.get(role) === 'visiting')
      throw new ApprovalMatrixError(
        `approval rules depend on each other in a cycle: ${[...path, role].join(' → ')}; fix Depends_On__c`,
      );
    state.set(role, 'visiting');
    for (const d of byRole.get(role as RequiredApproval['role'])?.dependsOn ?? []) visit(d, [...path, role]);
    state.set(role, 'done');
  };
  for (const r of required) visit(r.role, []);
}
