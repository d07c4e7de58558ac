/**
 * The playbook port on Salesforce's REST API: a suggestion and the deciding user read in one
 * composite call, the decision written as one update of the record's decision fields only.
 */
import { z } from 'zod';
import type { PlaybookPort, PlaybookSuggestion } from '../../ports/playbook.ts';
import { PlaybookSuggestionSchema } from '../../ports/playbook.ts';
import { soqlString } from '@dealdesk/contracts';
import { UserRowSchema } from './salesforce-records.ts';
import { errorOf } from './salesforce-errors.ts';
import { createSalesforceCalls, querySubrequest, type SalesforceCrmDeps } from './salesforce-calls.ts';
import { parseRows } from './selectors/rows.ts';
import { toCrmUser, usersByUsernameSoql } from './selectors/user.ts';
import { truncate } from './field-values.ts';

const OBJECT = 'Playbook_Suggestion__c';
const NOTE_MAX = 4000;

const text = z
  .string()
  .nullish()
  .transform((v) => v ?? null);
const SuggestionRowSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  Idempotency_Key__c: text,
  Category__c: text,
  Title__c: text,
  Suggestion__c: text,
  Status__c: text,
  Decided_By__c: text,
  Decided_At__c: text,
  Decision_Note__c: text,
  Target__c: text,
  Supporting_Deals__c: z
    .number()
    .nullish()
    .transform((v) => v ?? null),
});

export const SUGGESTION_FIELDS =
  'Id, Name, Idempotency_Key__c, Category__c, Title__c, Suggestion__c, Status__c, Decided_By__c, Decided_At__c, Decision_Note__c, Target__c, Supporting_Deals__c';

function toSuggestion(r: z.infer<typeof SuggestionRowSchema>): PlaybookSuggestion {
  return PlaybookSuggestionSchema.parse({
    id: r.Id,
    name: r.Name,
    key: r.Idempotency_Key__c,
    category: r.Category__c,
    title: r.Title__c,
    suggestion: r.Suggestion__c,
    // A record written before the picklist had its default is a proposal no one decided.
    status: r.Status__c ?? 'Proposed',
    decidedById: r.Decided_By__c,
    decidedAt: r.Decided_At__c,
    note: r.Decision_Note__c,
    target: r.Target__c,
    supportingDeals: r.Supporting_Deals__c,
  });
}

export function createSalesforcePlaybook(deps: SalesforceCrmDeps): PlaybookPort {
  const calls = createSalesforceCalls(deps);
  return {
    async readForDecision(suggestionId, username) {
      const results = await calls.composite(
        [
          querySubrequest(
            calls.base,
            'suggestion',
            `SELECT ${SUGGESTION_FIELDS} FROM ${OBJECT} WHERE Id = ${soqlString(suggestionId)}`,
          ),
          querySubrequest(calls.base, 'user', usersByUsernameSoql([username])),
        ],
        false,
      );
      const read = (ref: string) => {
        const r = results.get(ref);
        if (!r || r.status >= 400) throw errorOf(r?.body);
        return r.body;
      };
      const [row] = parseRows(SuggestionRowSchema, read('suggestion'), OBJECT);
      const [user] = parseRows(UserRowSchema, read('user'), 'User');
      return { suggestion: row ? toSuggestion(row) : undefined, decider: user ? toCrmUser(user) : undefined };
    },

    async decide(suggestionId, decision) {
      await calls.composite(
        [
          {
            method: 'PATCH',
            url: `${calls.base}/sobjects/${OBJECT}/${encodeURIComponent(suggestionId)}`,
            referenceId: 'decision',
            body: {
              Status__c: decision.status,
              Decided_By__c: decision.decidedById,
              Decided_At__c: decision.decidedAt,
              Decision_Note__c: truncate(decision.note, NOTE_MAX),
            },
          },
        ],
        true,
      );
    },
  };
}
