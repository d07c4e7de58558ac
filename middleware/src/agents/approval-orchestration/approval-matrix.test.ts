import assert from 'node:assert/strict';
import type { ApprovalRule } from '../../ports/crm.ts';
import {
  ApprovalMatrixError,
  requiredApprovals,
  uncoveredRequirements,
  type DealFacts,
} from './approval-matrix.ts';
import { approvalRule } from '../../test-support/deal-fixtures.ts';

const rule = (over: Partial<ApprovalRule>): ApprovalRule =>
  approvalRule({ name: 'R', approverUsername: 'a@x.example', backupUsername: 'b@x.example', ...over });
const deal = (over: Partial<DealFacts> = {}): DealFacts => ({
  amountMinor: 100_000_00,
  currency: 'USD',
  corporateCurrency: 'USD',
  rates: { USD: 1, EUR: 0.92 },
  maxDiscountPercent: 0,
  customTerms: false,
  securityReview: false,
  legalReview: false,
  ...over,
});
const roles = (r: ReturnType<typeof requiredApprovals>) => r.map((x) => x.role).sort();

describe('approval matrix', () => {
  const rules = [
    rule({ name: 'Finance_100k', role: 'Finance', minAmountMinor: 100_000_00 }),
    rule({ name: 'VP_Discount', role: 'Sales_VP', minDiscountPercent: 15 }),
    rule({ name: 'Legal_Terms', role: 'Legal', requiresCustomTerms: true }),
    rule({ name: 'InfoSec', role: 'InfoSec', requiresSecurityReview: true }),
    rule({
      name: 'Exec_500k',
      role: 'Executive',
      minAmountMinor: 500_000_00,
      dependsOn: ['Finance', 'Legal'],
    }),
    rule({ name: 'Retired', role: 'Legal', minAmountMinor: 1, active: false }),
  ];

  it('applies thresholds at exactly the threshold, not below', () => {
    assert.deepEqual(roles(requiredApprovals(rules, deal({ amountMinor: 100_000_00 }))), ['Finance']);
    assert.deepEqual(roles(requiredApprovals(rules, deal({ amountMinor: 99_999_99 }))), []);
    assert.deepEqual(roles(requiredApprovals(rules, deal({ amountMinor: 0, maxDiscountPercent: 15 }))), [
      'Sales_VP',
    ]);
  });

  it('converts the deal amount into the rule currency with the org rates', () => {
    // EUR 92,000 at 0.92 EUR per USD is USD 100,000.
    assert.deepEqual(roles(requiredApprovals(rules, deal({ amountMinor: 92_000_00, currency: 'EUR' }))), [
      'Finance',
    ]);
    assert.deepEqual(roles(requiredApprovals(rules, deal({ amountMinor: 91_999_00, currency: 'EUR' }))), []);
    assert.throws(() => requiredApprovals(rules, deal({ currency: 'JPY' })), ApprovalMatrixError);
  });

  it('keeps dependencies only between required approvals and says why each applies', () => {
    const big = requiredApprovals(
      rules,
      deal({ amountMinor: 600_000_00, customTerms: true, securityReview: true }),
    );
    assert.deepEqual(roles(big), ['Executive', 'Finance', 'InfoSec', 'Legal']);
    assert.deepEqual(big.find((r) => r.role === 'Executive')!.dependsOn, ['Finance', 'Legal']);
    assert.match(big.find((r) => r.role === 'Finance')!.reason, /at or above \$100,000\.00/);
    const noLegal = requiredApprovals(rules, deal({ amountMinor: 600_000_00 }));
    assert.deepEqual(noLegal.find((r) => r.role === 'Executive')!.dependsOn, ['Finance']);
  });

  it('names a dependency cycle so the admin can fix it', () => {
    const cyclic = [
      rule({ name: 'A', role: 'Finance', minAmountMinor: 1, dependsOn: ['Legal'] }),
      rule({ name: 'B', role: 'Legal', minAmountMinor: 1, dependsOn: ['Finance'] }),
    ];
    assert.throws(
      () => requiredApprovals(cyclic, deal()),
      /cycle: (Finance → Legal → Finance|Legal → Finance → Legal)/,
    );
  });

  it('names the policy gap when a deal needs approval that no rule gives', () => {
    const onlyFinance = [rule({ name: 'Finance_100k', role: 'Finance', minAmountMinor: 100_000_00 })];
    const facts = deal({ amountMinor: 50_000_00, maxDiscountPercent: 25, legalReview: true });
    const required = requiredApprovals(onlyFinance, facts);
    assert.deepEqual(required, []);
    const gaps = uncoveredRequirements(onlyFinance, facts, { repDiscountAuthorityPercent: 10 });
    assert.equal(gaps.length, 2);
    assert.match(gaps[0]!, /legal review.*Requires_Legal_Review__c/);
    assert.match(
      gaps[1]!,
      /25% discount exceeds the rep's 10% authority, but no active rule sets Min_Discount_Percent__c/,
    );
    // Within the rep's authority and no flags: nothing is missing.
    assert.deepEqual(
      uncoveredRequirements(onlyFinance, deal({ maxDiscountPercent: 10 }), {
        repDiscountAuthorityPercent: 10,
      }),
      [],
    );
    // An inactive rule does not cover anything.
    const retired = [rule({ name: 'Old_Legal', role: 'Legal', requiresLegalReview: true, active: false })];
    assert.equal(
      uncoveredRequirements(retired, deal({ legalReview: true }), { repDiscountAuthorityPercent: 10 }).length,
      1,
    );
  });
});
