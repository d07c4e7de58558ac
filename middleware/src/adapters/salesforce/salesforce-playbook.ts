/**
 * The playbook port on Salesforce's REST API: a suggestion and the deciding user read in one
 * composite call, the decision written as one update of the record's decision fields only.
 */
import type { PlaybookPort, PlaybookSuggestion } from '../../ports/playbook.ts';
import { PlaybookSuggestionSchema } from '../../ports/playbook.ts';
import {
  DECISION_NOTE_MAX_LENGTH,
  PLAYBOOK_SUGGESTION_OBJECT,
  PlaybookSuggestionRowSchema,
  soqlString,
  type PlaybookSuggestionRow,
} from '@dealdesk/contracts';
import { UserRowSchema } from './salesforce-records.ts';
import { errorOf } from './salesforce-errors.ts';
import { createSalesforceCalls, querySubrequest, type SalesforceCrmDeps } from './salesforce-calls.ts';
import { parseRows } from './selectors/rows.ts';
import { toCrmUser, usersByUsernameSoql } from './selectors/user.ts';
import { truncate } from './field-values.ts';

const OBJECT = PLAYBOOK_SUGGESTION_OBJECT;
const NOTE_MAX = DECISION_NOTE_MAX_LENGTH;
const SuggestionRowSchema = PlaybookSuggestionRowSchema;

export const SUGGESTION_FIELDS =
  'Id, Name, Idempotency_Key__c, Category__c, Title__c, Suggestion__c, Status__c, Decided_By__c, Decided_At__c, Decision_Note__c, Target__c, Supporting_Deals__c';

function toSuggestion(r: PlaybookSuggestionRow): PlaybookSuggestion {
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
