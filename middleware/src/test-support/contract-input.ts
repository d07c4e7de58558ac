/**
 * A contract generation input for a deal: the demo seller (config/dealdesk.json), the shipped
 * clause library and the default risk policy, as the tests, the eval and the bench generate with.
 */
import { join } from 'node:path';
import { CONFIG_DIR } from '../paths.ts';
import type { DealContext } from '../ports/crm.ts';
import { loadContractLibrary, type ContractLibrary } from '../agents/contract-generation/clause-library.ts';
import type { Seller } from '../agents/contract-generation/contract-model.ts';
import type { SaleSignal } from '../agents/contract-generation/deal-facts.ts';
import type { GenerateInput } from '../agents/contract-generation/generate-contract.ts';
import { reasonOfflineNow } from '../agents/deal-closure/offline-reasoner.ts';
import { sharedLanguageReader } from '../language/index.ts';

export const DEMO_SELLER: Seller = {
  name: 'Meridian Software Inc.',
  address: '500 Howard Street, San Francisco, CA 94105, United States',
  country: 'United States',
  governingLaw: 'the State of California',
};

let shipped: ContractLibrary | undefined;

/** The clause library in config/contracts, read once. */
export function shippedContractLibrary(): ContractLibrary {
  shipped ??= loadContractLibrary(join(CONFIG_DIR, 'contracts'));
  return shipped;
}

export function contractInput(
  deal: DealContext,
  signals: SaleSignal[],
  over: Partial<GenerateInput> = {},
): GenerateInput {
  return {
    deal,
    signals,
    terms: null,
    library: shippedContractLibrary(),
    seller: DEMO_SELLER,
    policy: {
      discountAuthorityPercent: 10,
      largeDealCorporate: 1_000_000,
      sellerCountry: DEMO_SELLER.country,
    },
    defaultTermMonths: 12,
    agreementNumber: 'A1B2C3D4',
    createdAt: new Date('2026-11-25T09:30:00Z'),
    ...over,
  };
}

/** The input as production builds it: the Deal Closure Agent's offline reading of the deal first. */
export function contractInputFromDeal(deal: DealContext, over: Partial<GenerateInput> = {}): GenerateInput {
  const { assessment } = reasonOfflineNow(
    {
      deal,
      transcript: null,
      note: null,
      now: new Date('2026-11-25T09:00:00Z'),
      repDiscountAuthorityPercent: 10,
      trigger: 'Signal',
    },
    sharedLanguageReader(),
  );
  return contractInput(deal, assessment.signals, { terms: assessment.terms ?? null, ...over });
}
