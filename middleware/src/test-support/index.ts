/** The middleware's own harnesses, for its tests and the end-to-end tests; never built into dist. */
export { contractInputFromDeal, shippedContractLibrary } from './contract-input.ts';
export { runCrashHarness } from './crash-harness.ts';
export { CLUSTER_API_KEY, DealCluster } from './deal-cluster.ts';
export { seedDealCopies } from './deal-copies.ts';
