/**
 * The Learning agent's playbook suggestions (Playbook_Suggestion__c) as a manager reviews them:
 * read from the org with SOQL, decided through the middleware (POST
 * /v1/playbook/suggestions/:id/decision), which records the status, the manager and the time.
 * The manager is the user the command runs as; before calling the middleware the command checks,
 * with that user's own describe, that the org lets them edit the decision (DealDesk_Admin or
 * DealDesk_Approver), so the middleware's key does not stand in for the org's permissions.
 */
import type { Connection } from '@salesforce/core';
import { Messages, SfError } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { apiKeyFileFlag, middlewareUrlFlag } from './flags.ts';
import { MiddlewareClient, resolveMiddleware } from './middleware.ts';
import {
  DECISION_NOTE_MAX_LENGTH,
  looksLikeSalesforceId,
  PLAYBOOK_SUGGESTION_OBJECT,
  PlaybookSuggestionRowSchema,
  soqlString,
  suggestionFromRow,
  type SuggestionStatus,
} from '@dealdesk/contracts';
import { queryAll } from './soql.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const shared = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.shared');

export { SUGGESTION_STATUSES, type SuggestionStatus } from '@dealdesk/contracts';

export interface Suggestion {
  id: string;
  name: string;
  key: string | null;
  category: string | null;
  title: string | null;
  suggestion: string | null;
  evidence: string | null;
  status: string;
  supportingDeals: number | null;
  target: string | null;
  evidenceAsOf: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  note: string | null;
}

/** The suggestions, newest evidence first; only those with `status` when given. */
export async function listSuggestions(conn: Connection, status?: SuggestionStatus): Promise<Suggestion[]> {
  const where = status ? ` WHERE Status__c = ${soqlString(status)}` : '';
  const rows = await queryAll(
    conn,
    'SELECT Id, Name, Idempotency_Key__c, Category__c, Title__c, Suggestion__c, Evidence__c, Status__c, Supporting_Deals__c,' +
      ' Target__c, Evidence_As_Of__c, Decided_By__r.Name, Decided_At__c, Decision_Note__c' +
      ` FROM ${PLAYBOOK_SUGGESTION_OBJECT}${where} ORDER BY Evidence_As_Of__c DESC NULLS LAST, Name DESC`,
    PlaybookSuggestionRowSchema,
    PLAYBOOK_SUGGESTION_OBJECT,
  );
  // The plugin names the deciding user; the id is the middleware's.
  return rows.map((r) => {
    const { decidedById: _id, ...suggestion } = suggestionFromRow(r);
    return suggestion;
  });
}

/** Whether the org lets this user record a decision: the decision fields are editable for them. */
export async function canDecide(conn: Connection): Promise<boolean> {
  let fields: { name: string; updateable: boolean }[];
  try {
    fields = (await conn.describe(PLAYBOOK_SUGGESTION_OBJECT)).fields;
  } catch (err) {
    throw new SfError(
      `Cannot read ${PLAYBOOK_SUGGESTION_OBJECT} in this org (${(err as Error).message}). Deploy dealdesk with sf dealdesk setup, or check that you hold DealDesk_Admin or DealDesk_Approver.`,
      'NoPlaybookAccess',
    );
  }
  const decision = ['Status__c', 'Decided_By__c', 'Decided_At__c'];
  return decision.every((name) => fields.some((f) => f.name === name && f.updateable));
}

/** What `playbook accept` and `playbook dismiss` return (and print with --json). */
export type PlaybookDecisionResult = {
  suggestionId: string;
  name: string;
  status: 'Accepted' | 'Dismissed';
  /** The User id the middleware recorded as deciding. */
  decidedById: string | null;
  decidedAt: string | null;
  /** False when the suggestion was already decided the same way: nothing was recorded. */
  changed: boolean;
  /** The username the decision was made as (the target org's user). */
  decidedBy: string;
};

/** Asks the middleware to record this user's decision on a suggestion. */
export async function decideSuggestion(
  conn: Connection,
  flags: { id: string; note?: string; 'middleware-url'?: string; 'api-key-file'?: string },
  decision: 'accept' | 'dismiss',
): Promise<PlaybookDecisionResult> {
  if (!looksLikeSalesforceId(flags.id))
    throw new SfError(`"${flags.id}" is not a Salesforce record id (15 or 18 characters).`, 'InvalidId');
  if (flags.note !== undefined && flags.note.length > DECISION_NOTE_MAX_LENGTH)
    throw new SfError(`The note is longer than ${DECISION_NOTE_MAX_LENGTH} characters.`, 'NoteTooLong');
  const username = conn.getUsername();
  if (!username)
    throw new SfError('The target org has no username to record as the deciding manager.', 'NoUsername');
  if (!(await canDecide(conn)))
    throw new SfError(
      `${username} may not decide playbook suggestions: the decision fields of ${PLAYBOOK_SUGGESTION_OBJECT} are read-only for this user.`,
      'NoDecisionAccess',
      ['Assign DealDesk_Admin or DealDesk_Approver: sf org assign permset -n DealDesk_Approver -o <org>'],
    );
  const client = new MiddlewareClient(await resolveMiddleware(conn, flags, { requireKey: true }));
  const result = await client.decideSuggestion(flags.id, {
    decision,
    decidedBy: username,
    ...(flags.note?.trim() ? { note: flags.note.trim() } : {}),
  });
  return { ...result, decidedBy: username };
}

/** The flags of `playbook accept` and `playbook dismiss`. */
export const decisionFlags = {
  'target-org': Flags.requiredOrg(),
  'api-version': Flags.orgApiVersion(),
  id: Flags.salesforceId({
    summary: shared.getMessage('flags.suggestion-id.summary'),
    length: 'both',
    required: true,
  }),
  note: Flags.string({ summary: shared.getMessage('flags.decision-note.summary') }),
  'middleware-url': middlewareUrlFlag,
  'api-key-file': apiKeyFileFlag,
};

/** The line a decision command prints: recorded now, or already so. */
export function decisionLine(messages: Messages<string>, result: PlaybookDecisionResult): string {
  return messages.getMessage(result.changed ? 'info.decided' : 'info.unchanged', [
    result.name,
    result.status,
    result.decidedAt ?? '-',
  ]);
}
