/** The agents' pure pieces that the end-to-end tests and the benches call directly. */
export { RequestedTermSchema, decideFromHistory } from './contract-generation/account-history.ts';
export { loadContractLibrary } from './contract-generation/clause-library.ts';
export { VARIANTS } from './contract-generation/contract-model.ts';
export { generateContract } from './contract-generation/generate-contract.ts';
export { reasonOfflineNow } from './deal-closure/offline-reasoner.ts';
export { DRAFT_INSTRUCTION } from './shared/drafting.ts';
