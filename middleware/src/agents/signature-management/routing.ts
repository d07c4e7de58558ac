/**
 * Signing order from contact roles, and the reconciliation budget. The order is policy
 * (config `signature.routingOrder`: by default Legal, then the economic buyer, then
 * procurement); the provider's countersignature always comes last, after the customer has
 * signed what they were sent.
 */
import type { ContactRole } from '../../ports/crm.ts';
import type { RunStore } from '../../ports/store.ts';

export interface SignaturePolicy {
  /** Regular expressions over the contact role, earliest signer first. */
  routingOrder: string[];
  idleReminderHours: number;
  reconcileAfterHours: number;
}

export const DEFAULT_POLICY: SignaturePolicy = {
  routingOrder: [
    'legal|counsel',
    'economic buyer|economic decision maker|decision maker|executive sponsor',
    'procurement|purchasing',
  ],
  idleReminderHours: 48,
  reconcileAfterHours: 24,
};

export interface SignerForRouting {
  contactId: string | null;
  role: string;
}

/**
 * 1-based routing orders, one per signer, compacted so the first signer is 1. A customer signer
 * ranks by the first pattern their contact role matches; one matching none signs after those
 * that match; the provider (no contact) signs last.
 */
export function routingOrders(
  signers: SignerForRouting[],
  roles: ContactRole[],
  policy: SignaturePolicy,
): number[] {
  const patterns = policy.routingOrder.map((p) => new RegExp(p, 'i'));
  const providerRank = patterns.length + 2;
  const ranks = signers.map((s) => {
    if (s.role !== 'Customer' || !s.contactId) return providerRank;
    const role = roles.find((r) => r.contactId === s.contactId)?.role ?? '';
    const i = patterns.findIndex((p) => p.test(role));
    return i === -1 ? patterns.length + 1 : i + 1;
  });
  const distinct = [...new Set(ranks)].sort((a, b) => a - b);
  return ranks.map((r) => distinct.indexOf(r) + 1);
}

/**
 * At most `max` provider reads an hour across all runs, so reconciliation never eats the API limit.
 * Counted in the run store, so replicas share one budget: the provider's limit is per account, not
 * per process.
 */
export interface HourlyBudget {
  take(): Promise<boolean>;
}

export function storedHourlyBudget(
  store: Pick<RunStore, 'takeHourlyBudget'>,
  name: string,
  max: number,
  clock: () => Date = () => new Date(),
): HourlyBudget {
  return { take: () => store.takeHourlyBudget(name, max, clock().toISOString()) };
}
