/**
 * Template and clause selection: rules from the library evaluated on the deal's facts, each
 * choice kept with the rule that fired and the fact values that made it fire. Customer requests
 * the library does not answer become non-standard clauses that only Legal can approve.
 */
import { evaluate, explain, type DealFacts } from '@dealdesk/contracts';
import type { Clause } from '@dealdesk/contracts';
import type { ContractLibrary, TemplateRule } from './clause-library.ts';
import type { CustomRequest } from './deal-facts.ts';

export interface SelectedClause {
  id: string;
  version: number;
  title: string;
  topic: Clause['topic'];
  mandatory: boolean;
  group: string | null;
  /** The library rule that fired, in words. */
  rule: string;
  /** The fact values that made it fire, e.g. `region = "EU"`. */
  because: string[];
  /** Mustache source, rendered with the contract's figures. */
  body: string;
  nonStandard: boolean;
  newJurisdiction: boolean;
}

export interface TemplateChoice {
  id: TemplateRule['id'];
  title: string;
  rule: string;
  because: string[];
  source: string;
}

export function selectTemplate(library: ContractLibrary, facts: DealFacts): TemplateChoice {
  // The loader guarantees the last template applies always.
  const t = library.templates.find((x) => evaluate(x.when, facts))!;
  return { id: t.id, title: t.title, rule: t.rule, because: explain(t.when, facts), source: t.source };
}

export function selectClauses(library: ContractLibrary, facts: DealFacts): SelectedClause[] {
  const chosenGroups = new Set<string>();
  const out: SelectedClause[] = [];
  for (const c of library.clauses) {
    if (c.group && chosenGroups.has(c.group)) continue;
    if (!evaluate(c.when, facts)) continue;
    if (c.group) chosenGroups.add(c.group);
    out.push({
      id: c.id,
      version: c.version,
      title: c.title,
      topic: c.topic,
      mandatory: c.mandatory,
      group: c.group ?? null,
      rule: c.rule,
      because: explain(c.when, facts),
      body: c.body,
      nonStandard: false,
      newJurisdiction: c.newJurisdiction ?? false,
    });
  }
  return out;
}

/** Wording a model proposed for a request; never approved by being proposed. */
export interface ProposedWording {
  title: string;
  wording: string;
  model: string;
}

/**
 * One clause per request, marked non-standard. The customer's words are always printed verbatim;
 * a model's proposed wording, when there is one, is printed beside them and labelled as such.
 */
export function nonStandardClauses(
  requests: CustomRequest[],
  proposals: (ProposedWording | null)[],
): SelectedClause[] {
  return requests.map((r, i) => {
    // Proposals are indexed like the requests they answer.
    const p = proposals[i] ?? null;
    const requested = `Requested by Customer (${r.topic}; ${r.source}): "${r.text}"`;
    const body = p
      ? `${requested}\n\nProposed wording (drafted by ${p.model}, not yet approved by Legal): ${p.wording}`
      : `${requested}\n\nNo library clause covers this request. Legal drafts and approves the wording before signature; until then it does not bind either party.`;
    return {
      id: `non-standard-${i + 1}`,
      version: 0,
      title: `Special terms (${(p?.title ?? r.topic).replace(/[:()[\]]/g, '')})`,
      topic: 'legal' as const,
      mandatory: false,
      group: null,
      rule: `${r.topic}: requested by the customer (${r.source}); no library clause answers it, so Legal must approve it`,
      because: ['customTermsRequested = true', ...(r.history ? [r.history] : [])],
      // Printed as data: never rendered as a template, so the customer's words stay verbatim.
      body,
      nonStandard: true,
      newJurisdiction: false,
    };
  });
}

/** Requests no selected library clause answers: these, and only these, become non-standard clauses. */
export function uncoveredRequests(requests: CustomRequest[], selected: SelectedClause[]): CustomRequest[] {
  const ids = new Set(selected.map((c) => c.id));
  return requests.filter((r) => !r.coveredBy.some((id) => ids.has(id)));
}
