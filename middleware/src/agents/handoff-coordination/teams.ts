/** The receiving teams and the sections of context a handoff package can carry. */
export const SECTIONS = [
  'stakeholders',
  'executiveSponsor',
  'priorities',
  'communication',
  'successCriteria',
  'commitments',
  'risks',
  'competitorContext',
  'commercialTerms',
  'billing',
  'billingContact',
  'supportContacts',
  'products',
  'serviceLevels',
  'technicalRequirements',
  'technicalContact',
  'timeline',
] as const;
export type Section = (typeof SECTIONS)[number];
export const TEAMS = ['Customer_Success', 'Finance', 'Support', 'Implementation'] as const;
export type Team = (typeof TEAMS)[number];
