/**
 * The CRM port on Salesforce's REST API through jsforce. The same code serves a real org and
 * the local org. This file wires the parts: the calls with their retries (salesforce-calls),
 * the SOQL reads per object (selectors/), the subrequests of each write kind (write-mappers)
 * and a step's one all-or-none write-back (step-commit).
 */
import { createHash } from 'node:crypto';
import type { CrmPort, DealContext } from '../../ports/crm.ts';
import { looksLikeSalesforceId } from '@dealdesk/contracts';
import { OpportunityRowSchema, QueryResultSchema, UserRowSchema } from './salesforce-records.ts';
import { CrmError, errorOf } from './salesforce-errors.ts';
import {
  createSalesforceCalls,
  querySubrequest,
  type SalesforceCalls,
  type SalesforceCrmDeps,
  type Subrequest,
  type Subresponses,
} from './salesforce-calls.ts';
import { APPROVAL_RULES_SOQL, toApprovalRules } from './selectors/approval-rule.ts';
import { closedWonReads, parseClosedWon } from './selectors/closed-won.ts';
import { CURRENCY_RATES_SOQL, toCurrencyRates } from './selectors/currency-type.ts';
import {
  accountContractsBesideDeal,
  contractHistorySoql,
  toEarlierContracts,
} from './selectors/contract-history.ts';
import { dealHistorySubrequest, historyBesideDeal, loadDealHistory } from './selectors/deal-history.ts';
import { existingKeysSoql, fileByKeySoql, versionDataUrl } from './selectors/keyed-records.ts';
import { dealSoql, toDealContext } from './selectors/opportunity.ts';
import { parseRows } from './selectors/rows.ts';
import { signatureHistorySoql, toSignatureHistory } from './selectors/signature-history.ts';
import { toCrmUser, usersByUsernameSoql } from './selectors/user.ts';
import { planStepCommit } from './step-commit.ts';
import { failedSubmissions, submissionRequests, submissionResults } from './approval-submissions.ts';

export { CrmError };
export type { SalesforceCrmDeps };
export { APPROVAL_PROCESS_NAME } from './approval-submissions.ts';

export function createSalesforceCrm(deps: SalesforceCrmDeps): CrmPort {
  const calls = createSalesforceCalls(deps);
  const { base } = calls;
  return {
    loadDeal: async (opportunityId, options) =>
      (await loadDeal(calls, opportunityId, options.activityDays)).deal,

    loadDealHistory: ({ sinceDays }) => loadDealHistory(calls, sinceDays),

    async loadDealWithHistory(opportunityId, { activityDays, historyDays }) {
      const history = dealHistorySubrequest(base, historyDays);
      const { deal, results } = await loadDeal(calls, opportunityId, activityDays, [history]);
      return { deal, history: await historyBesideDeal(calls, results.get(history.referenceId), deal) };
    },

    loadApprovalRules: async () => toApprovalRules(await calls.query(APPROVAL_RULES_SOQL)),

    async findUsers(usernames) {
      if (usernames.length === 0) return [];
      const body = await calls.query(usersByUsernameSoql(usernames));
      return parseRows(UserRowSchema, body, 'User').map(toCrmUser);
    },

    async commitStep(closure, patch, step, writes, message) {
      const commit = planStepCommit(base, { closure, patch, step, writes, message });
      return commit.result(await calls.composite(commit.subrequests, true));
    },

    loadContractHistory: async (opportunityId) =>
      toEarlierContracts(await calls.query(contractHistorySoql(opportunityId))),

    async existingKeys(kind, keys) {
      if (keys.length === 0) return new Set();
      const { soql, field } = existingKeysSoql(kind, keys);
      const rows = QueryResultSchema.parse(await calls.query(soql)).records as Record<string, unknown>[];
      return new Set(rows.map((r) => String(r[field])));
    },

    readFile: (key, sha256) => readFile(calls, key, sha256),

    async submitApprovals(submissions) {
      if (submissions.length === 0) return [];
      let raw: unknown;
      try {
        raw = await calls.processApprovals(submissionRequests(submissions));
      } catch (err) {
        return failedSubmissions(submissions, err);
      }
      return submissionResults(submissions, raw);
    },

    signatureHistory: async ({ limit }) => toSignatureHistory(await calls.query(signatureHistorySoql(limit))),

    async readClosedWon(opportunityId, contractKey, scheduleKeys) {
      const results = await calls.composite(closedWonReads(base, opportunityId), true);
      return parseClosedWon(results, contractKey, scheduleKeys);
    },
  };
}

/** The deal, the currency rates and the approval rules (and any `extra` reads), in one composite read. */
async function loadDeal(
  calls: SalesforceCalls,
  opportunityId: string,
  activityDays: number,
  extra: Subrequest[] = [],
): Promise<{ deal: DealContext; results: Subresponses }> {
  if (!looksLikeSalesforceId(opportunityId, '006')) {
    throw new CrmError('INVALID_ID', `not an Opportunity id: ${opportunityId}`);
  }
  const results = await calls.composite(
    [
      querySubrequest(calls.base, 'deal', dealSoql(opportunityId, activityDays)),
      querySubrequest(calls.base, 'rates', CURRENCY_RATES_SOQL),
      querySubrequest(calls.base, 'rules', APPROVAL_RULES_SOQL),
      querySubrequest(calls.base, 'accountContracts', contractHistorySoql(opportunityId)),
      ...extra,
    ],
    false,
  );
  const dealResult = results.get('deal');
  if (!dealResult || dealResult.status >= 400) throw errorOf(dealResult?.body);
  const [row] = parseRows(OpportunityRowSchema, dealResult.body, 'Opportunity');
  if (!row) throw new CrmError('NOT_FOUND', `no Opportunity with id ${opportunityId}`);
  const deal = toDealContext(row, toCurrencyRates(results.get('rates'), row.CurrencyIsoCode));
  const rules = results.get('rules');
  if (!rules || rules.status >= 400) throw errorOf(rules?.body);
  return {
    deal: {
      ...deal,
      approvalRules: toApprovalRules(rules.body),
      readAt: new Date().toISOString(),
      ...accountContractsBesideDeal(results.get('accountContracts')),
    },
    results,
  };
}

/** A file this app attached, checked against the SHA-256 recorded when it was generated. */
async function readFile(calls: SalesforceCalls, key: string, sha256: string): Promise<Buffer | undefined> {
  const found = QueryResultSchema.parse(await calls.query(fileByKeySoql(key))).records[0] as
    { Id?: unknown } | undefined;
  if (!found?.Id) return undefined;
  const bytes = await calls.blob(versionDataUrl(calls.base, String(found.Id)));
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== sha256)
    throw new CrmError(
      'FILE_CHANGED',
      `the file ${key} in Salesforce is not the one that was generated and approved (SHA-256 ${digest.slice(0, 12)}…, expected ${sha256.slice(0, 12)}…)`,
    );
  return bytes;
}
