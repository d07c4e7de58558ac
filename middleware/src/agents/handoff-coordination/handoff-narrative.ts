/**
 * A package's text for its receiving team, written by templates over its facts: each sentence
 * carries facts of this deal (names, figures, quotes with their records), so no two deals read
 * alike. A section without facts is left out; the closing sentence counts the required facts
 * found and names each missing one with who can supply it.
 */
import type { Fact } from './handoff-facts.ts';
import type { Section, Team } from './teams.ts';

/** How each section's sentence begins. */
export const LEAD: Record<Section, string> = {
  stakeholders: 'Stakeholders',
  executiveSponsor: 'Executive sponsor',
  priorities: 'What they said matters to them',
  communication: 'How they have been in touch',
  successCriteria: 'Success means',
  commitments: 'Promised during the sale',
  risks: 'Risks',
  competitorContext: 'Competition',
  commercialTerms: 'Terms',
  billing: 'Billing',
  billingContact: 'Billing contact',
  supportContacts: 'Support contacts',
  products: 'Products',
  serviceLevels: 'Service level',
  technicalRequirements: 'Technical requirements',
  technicalContact: 'Technical contact',
  timeline: 'Timeline',
};
/** Facts per section in the text; the package's context holds them all. */
const IN_TEXT = 4;

export interface MissingItem {
  item: Section;
  supplier: string;
}

export interface NarrativeInput {
  team: Team;
  /** The customer, as the deal names it. */
  account: string;
  owner: { name: string; reason: string };
  sections: Section[];
  facts: Record<Section, Fact[]>;
  required: Section[];
  missing: MissingItem[];
}

export const teamLabel = (team: Team) => team.replace('_', ' ');

/** `executiveSponsor (from Jordan Keller (the rep) …)` for each missing item. */
export const missingList = (missing: MissingItem[]) =>
  missing.map((m) => `${m.item} (from ${m.supplier})`).join('; ');

function sentence(section: Section, facts: Fact[]): string {
  // One line per section: facts that span lines (a contact's description, special terms) are joined.
  const shown = facts.slice(0, IN_TEXT).map((f) => f.text.replace(/\s+/g, ' ').replace(/[.\s]+$/, ''));
  const more = facts.length > IN_TEXT ? `; and ${facts.length - IN_TEXT} more in the package` : '';
  return `${LEAD[section]}: ${shown.join('; ')}${more}.`;
}

/** The count of required facts found, and what is missing and from whom. */
export function completenessSentence(
  x: Pick<NarrativeInput, 'team' | 'account' | 'required' | 'missing'>,
): string {
  const found = x.required.length - x.missing.length;
  return `${x.account}: ${found} of ${x.required.length} required facts for ${teamLabel(x.team)} found${
    x.missing.length > 0 ? `; missing ${missingList(x.missing)}` : ''
  }.`;
}

/** Who owns the package and why, and a sentence per section with facts. */
export function narrativeLines(x: NarrativeInput): string[] {
  return [
    `${x.account} for ${teamLabel(x.team)}, owned by ${x.owner.name} (${x.owner.reason}).`,
    ...x.sections.filter((s) => x.facts[s].length > 0).map((s) => sentence(s, x.facts[s])),
  ];
}

export function narrate(x: NarrativeInput): string {
  return [...narrativeLines(x), completenessSentence(x)].join('\n');
}
