/** The contract terms the language module reads from buyers' words, as the clause library names them. */
export const RESIDENCY_REGIONS = ['EU', 'UK', 'US', 'other'] as const;
export const NON_STANDARD_REQUESTS = [
  'termination_for_convenience',
  'source_code_escrow',
  'mfn_pricing',
  'uncapped_liability',
  'governing_law',
] as const;
