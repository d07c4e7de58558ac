/**
 * Playbook_Suggestion__c as SOQL returns it, read by the middleware (to record a decision) and by
 * `sf dealdesk playbook` (to list and decide). Each side selects the fields it needs; a field it
 * did not select reads as null.
 */
import { z } from 'zod';

export const PLAYBOOK_SUGGESTION_OBJECT = 'Playbook_Suggestion__c';
export const SUGGESTION_STATUSES = ['Proposed', 'Accepted', 'Dismissed'] as const;
export type SuggestionStatus = (typeof SUGGESTION_STATUSES)[number];
/** Decision_Note__c's length. */
export const DECISION_NOTE_MAX_LENGTH = 4000;

const text = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

export const PlaybookSuggestionRowSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  Idempotency_Key__c: text,
  Category__c: text,
  Title__c: text,
  Suggestion__c: text,
  Evidence__c: text,
  Status__c: text,
  Supporting_Deals__c: z
    .number()
    .nullish()
    .transform((v) => v ?? null),
  Target__c: text,
  Evidence_As_Of__c: text,
  Decided_By__c: text,
  /** The deciding user's name, through the lookup. */
  Decided_By__r: z
    .object({ Name: text })
    .nullish()
    .transform((v) => v?.Name ?? null),
  Decided_At__c: text,
  Decision_Note__c: text,
});
export type PlaybookSuggestionRow = z.infer<typeof PlaybookSuggestionRowSchema>;

/** A row in the names both sides use. */
export function suggestionFromRow(r: PlaybookSuggestionRow) {
  return {
    id: r.Id,
    name: r.Name,
    key: r.Idempotency_Key__c,
    category: r.Category__c,
    title: r.Title__c,
    suggestion: r.Suggestion__c,
    evidence: r.Evidence__c,
    // A record written before the picklist had its default is a proposal no one decided.
    status: r.Status__c ?? 'Proposed',
    supportingDeals: r.Supporting_Deals__c,
    target: r.Target__c,
    evidenceAsOf: r.Evidence_As_Of__c,
    decidedBy: r.Decided_By__r,
    decidedById: r.Decided_By__c,
    decidedAt: r.Decided_At__c,
    note: r.Decision_Note__c,
  };
}
