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
  suggestionFromRow,
  type PlaybookSuggestionRow,
} from '@dealdesk/contracts';
import { UserRowSchema } from './salesforce-records.ts';
import { errorOf } from './salesforce-errors.ts';
import { createSalesforceCalls, querySubrequest, type SalesforceCrmDeps } from './salesforce-calls.ts';
import { parseRows } from './selectors/rows.ts';
import { toCrmUser, usersByUsernameSoql } from './selectors/user.ts';
import { truncate } from './field-values.ts';

export const SUGGESTION_FIELDS =
  'Id, Name, Idempotency_Key__c, Category__c, Title__c, Suggestion__c, Status__c, Decided_By__c, Decided_At__c, Decision_Note__c, Target__c, Supporting_Deals__c';

/** The port's suggestion: the shared row mapping, with the fields the port does not carry dropped by its schema. */
function toSuggestion(r: PlaybookSuggestionRow): PlaybookSuggestion {
  return PlaybookSuggestionSchema.parse(suggestionFromRow(r));
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
            `SELECT ${SUGGESTION_FIELDS} FROM ${PLAYBOOK_SUGGESTION_OBJECT} WHERE Id = ${soqlString(suggestionId)}`,
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
      const [row] = parseRows(PlaybookSuggestionRowSchema, read('suggestion'), PLAYBOOK_SUGGESTION_OBJECT);
      const [user] = parseRows(UserRowSchema, read('user'), 'User');
      return { suggestion: row ? toSuggestion(row) : undefined, decider: user ? toCrmUser(user) : undefined };
    },

    async decide(suggestionId, decision) {
      await calls.composite(
        [
          {
            method: 'PATCH',
            url: `${calls.base}/sobjects/${PLAYBOOK_SUGGESTION_OBJECT}/${encodeURIComponent(suggestionId)}`,
            referenceId: 'decision',
            body: {
              Status__c: decision.status,
              Decided_By__c: decision.decidedById,
              Decided_At__c: decision.decidedAt,
              Decision_Note__c: truncate(decision.note, DECISION_NOTE_MAX_LENGTH),
            },
          },
        ],
        true,
      );
    },
  };
}
