/**
 * The playbook port: the Learning agent's suggestions (Playbook_Suggestion__c) as a manager
 * decides them. The agent proposes through its step's writes (CrmWrite `playbookSuggestion`);
 * this port reads one suggestion with the deciding user and records the decision.
 */
import { z } from 'zod';
import { SalesforceIdSchema, SUGGESTION_STATUSES } from '@dealdesk/contracts';
import type { CrmUser } from './crm.ts';

const Id = SalesforceIdSchema;

export { SUGGESTION_STATUSES };
export const SuggestionStatusSchema = z.enum(SUGGESTION_STATUSES);
export type SuggestionStatus = z.infer<typeof SuggestionStatusSchema>;

export const PlaybookSuggestionSchema = z.object({
  id: Id,
  name: z.string(),
  key: z.string().nullable(),
  category: z.string().nullable(),
  title: z.string().nullable(),
  suggestion: z.string().nullable(),
  status: SuggestionStatusSchema,
  decidedById: Id.nullable(),
  decidedAt: z.string().nullable(),
  note: z.string().nullable(),
  target: z.string().nullable(),
  supportingDeals: z.number().nullable(),
});
export type PlaybookSuggestion = z.infer<typeof PlaybookSuggestionSchema>;

export interface PlaybookDecision {
  status: Exclude<SuggestionStatus, 'Proposed'>;
  decidedById: string;
  /** ISO datetime. */
  decidedAt: string;
  note: string | null;
}

export interface PlaybookPort {
  /** The suggestion and the user named as deciding it (by username), in one round trip. */
  readForDecision(
    suggestionId: string,
    username: string,
  ): Promise<{ suggestion: PlaybookSuggestion | undefined; decider: CrmUser | undefined }>;
  /** Records the decision on the suggestion (status, decided by and at, note). */
  decide(suggestionId: string, decision: PlaybookDecision): Promise<void>;
}
