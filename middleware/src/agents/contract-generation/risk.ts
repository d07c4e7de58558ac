/**
 * Contract risk: points for each policy factor, Low (0), Medium (1–2) or High (3 or more), and
 * whether Legal must review. The policy is written out in test/fixtures/contracts/README.md,
 * from which the evaluation labels were derived by hand.
 */
import type { DealFacts } from '@dealdesk/contracts';
import type { SelectedClause } from './selection.ts';

export interface RiskPolicy {
  /** Discount a rep may give without approval, in percent. */
  discountAuthorityPercent: number;
  /** Contract value (corporate currency, major units) from which size itself is a risk. */
  largeDealCorporate: number;
  /** The seller's country: contracts under its law are home jurisdiction. */
  sellerCountry: string;
}

export interface RiskFactor {
  factor:
    | 'non_standard_clauses'
    | 'liability_cap'
    | 'discount_beyond_authority'
    | 'unusual_payment_terms'
    | 'new_jurisdiction'
    | 'large_deal'
    | 'legal_topics';
  points: number;
  detail: string;
}

export interface RiskAssessment {
  level: 'Low' | 'Medium' | 'High';
  points: number;
  factors: RiskFactor[];
  legalReviewRequired: boolean;
}

export function assessRisk(
  facts: DealFacts,
  clauses: SelectedClause[],
  figures: { liabilityCap: string; totalValue: string; capToValue: number; corporateValue: string },
  policy: RiskPolicy,
): RiskAssessment {
  const factors: RiskFactor[] = [];
  const nonStandard = clauses.filter((c) => c.nonStandard);
  if (nonStandard.length > 0)
    factors.push({
      factor: 'non_standard_clauses',
      points: 2,
      detail: `${nonStandard.length} non-standard clause${nonStandard.length > 1 ? 's' : ''} requested by the customer`,
    });
  if (figures.capToValue > 1)
    factors.push({
      factor: 'liability_cap',
      points: 1,
      detail: `liability cap ${figures.liabilityCap} is ${figures.capToValue.toFixed(1)}x the contract value ${figures.totalValue}`,
    });
  const discount = facts.maxDiscountPercent ?? 0;
  const authority = policy.discountAuthorityPercent;
  if (discount > authority)
    factors.push({
      factor: 'discount_beyond_authority',
      points: discount > 2 * authority ? 2 : 1,
      detail: `discount of ${discount}% is beyond the ${authority}% authority${discount > 2 * authority ? ' (more than twice it)' : ''}`,
    });
  const days = facts.requestedPaymentDays ?? 30;
  const daysPoints = days > 45 ? 2 : days > 30 ? 1 : 0;
  const billing = facts.billingFrequency ?? 'annual';
  const billingPoints = billing === 'annual' ? 0 : 1;
  if (daysPoints + billingPoints > 0)
    factors.push({
      factor: 'unusual_payment_terms',
      points: daysPoints + billingPoints,
      detail: [
        daysPoints > 0 ? `payment terms of net ${days} days instead of net 30` : null,
        billingPoints > 0 ? `${billing} instead of annual invoicing` : null,
      ]
        .filter(Boolean)
        .join(' and '),
    });
  const law = clauses.find((c) => c.group === 'governing-law');
  if (law?.newJurisdiction && facts.billingCountry !== policy.sellerCountry)
    factors.push({
      factor: 'new_jurisdiction',
      points: 2,
      detail: `no governing-law clause for ${facts.billingCountry}: a new jurisdiction for the contract`,
    });
  if ((facts.contractValueCorporate ?? 0) >= policy.largeDealCorporate)
    factors.push({
      factor: 'large_deal',
      points: 1,
      detail: `contract value ${figures.corporateValue} (corporate currency) is at least ${policy.largeDealCorporate.toLocaleString('en-US')}`,
    });
  if (facts.legalConcern)
    factors.push({
      factor: 'legal_topics',
      points: 1,
      detail: 'legal topics (redlines, DPA or BAA, liability, indemnities) came up during the sale',
    });
  const points = factors.reduce((s, f) => s + f.points, 0);
  const level = points >= 3 ? 'High' : points >= 1 ? 'Medium' : 'Low';
  return {
    level,
    points,
    factors,
    legalReviewRequired:
      nonStandard.length > 0 || level === 'High' || factors.some((f) => f.factor === 'new_jurisdiction'),
  };
}
