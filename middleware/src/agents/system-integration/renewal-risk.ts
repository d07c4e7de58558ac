/**
 * Renewal risk: a 0–100 score with the factors that raised it, from what the sale revealed.
 * Each factor adds points with its reason; the score is their sum, capped at 100, so the number
 * always explains itself.
 */
import type { DealContext } from '../../ports/crm.ts';
import type { AssessedSignal } from '../deal-closure/assessment.ts';

export interface RiskFactor {
  factor:
    'discount_depth' | 'custom_terms' | 'signature_cycle' | 'competitor' | 'champion' | 'implementation';
  points: number;
  reason: string;
}

export interface RenewalRisk {
  score: number;
  level: 'Low' | 'Medium' | 'High';
  factors: RiskFactor[];
}

export interface RenewalRiskInput {
  deal: DealContext;
  signals: AssessedSignal[];
  customTerms: boolean;
  /** Time from sending the envelope to the last signature, and the median of earlier deals. */
  signatureMs: number | null;
  peerSignatureMedianMs: number | null;
}

export function renewalRisk(input: RenewalRiskInput): RenewalRisk {
  const factors: RiskFactor[] = [];
  const { deal } = input;
  const listMinor = deal.lineItems.reduce((s, li) => s + Math.round(li.quantity * li.unitPriceMinor), 0);
  const netMinor = deal.lineItems.reduce((s, li) => s + li.totalPriceMinor, 0);
  const discount = listMinor > 0 ? (1 - netMinor / listMinor) * 100 : 0;
  // Deep first-year discounts make the renewal price a visible increase.
  if (discount >= 10) {
    factors.push({
      factor: 'discount_depth',
      points: Math.min(25, Math.round(discount)),
      reason: `${Math.round(discount * 10) / 10}% discount across the deal makes list price at renewal a visible increase`,
    });
  }
  if (input.customTerms)
    factors.push({
      factor: 'custom_terms',
      points: 10,
      reason: 'non-standard terms must be honoured and renegotiated at renewal',
    });
  if (
    input.signatureMs !== null &&
    input.peerSignatureMedianMs !== null &&
    input.peerSignatureMedianMs > 0 &&
    input.signatureMs > 1.5 * input.peerSignatureMedianMs
  ) {
    factors.push({
      factor: 'signature_cycle',
      points: 10,
      reason: `signature took ${Math.round((input.signatureMs / input.peerSignatureMedianMs) * 10) / 10}× the median of earlier deals`,
    });
  }
  const competitor = input.signals.filter((s) => s.type === 'competitor_mention');
  if (competitor.length > 0)
    factors.push({
      factor: 'competitor',
      points: Math.min(20, 8 * competitor.length),
      reason: `a competitor came up ${competitor.length} time(s) during the sale`,
    });
  const roles = deal.contactRoles;
  const sponsor = roles.some((r) =>
    /economic buyer|economic decision maker|executive sponsor|decision maker/i.test(r.role ?? ''),
  );
  const champion = roles.some((r) => r.isPrimary);
  if (!sponsor || !champion || roles.length < 3) {
    factors.push({
      factor: 'champion',
      points: (!sponsor ? 10 : 0) + (!champion ? 10 : 0) + (roles.length < 3 ? 5 : 0),
      reason: [
        !sponsor ? 'no economic buyer or sponsor on record' : null,
        !champion ? 'no primary contact' : null,
        roles.length < 3 ? `only ${roles.length} contact role(s)` : null,
      ]
        .filter(Boolean)
        .join('; '),
    });
  }
  const services = deal.lineItems.filter((li) =>
    /services|implementation|onboarding|integration/i.test(`${li.family ?? ''} ${li.productName}`),
  );
  if (deal.lineItems.length >= 5 || services.length > 0) {
    factors.push({
      factor: 'implementation',
      points: Math.min(15, 3 * deal.lineItems.length + 5 * services.length),
      reason: `${deal.lineItems.length} products${services.length > 0 ? ` including ${services.length} implementation/services line(s)` : ''}: adoption depends on a complex rollout`,
    });
  }
  const score = Math.min(
    100,
    factors.reduce((s, f) => s + f.points, 0),
  );
  return { score, level: score >= 50 ? 'High' : score >= 25 ? 'Medium' : 'Low', factors };
}
