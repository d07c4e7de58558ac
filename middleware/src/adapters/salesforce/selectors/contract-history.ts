/**
 * Contract_Version__c as history: the full-variant versions of the contracts an opportunity's
 * account signed on its other opportunities, with what the customer asked for and how it was
 * settled. Read in the deal's own composite round trip, so the history costs no extra request.
 */
import { z } from 'zod';
import type { EarlierContract } from '../../../ports/crm.ts';
import { soqlString } from '@dealdesk/contracts';
import { str } from '../salesforce-records.ts';
import { parseRows } from './rows.ts';

/**
 * Enough rows for the last few signed contracts even when each went through several versions;
 * an account with more history than that is read newest first, so only the oldest fall off.
 */
const HISTORY_ROWS = 60;

/**
 * The account is named through the opportunity (a semi-join), so the query needs no earlier read
 * of the deal; `Account__c` is an indexed lookup, so it stays selective in a large org.
 */
export function contractHistorySoql(opportunityId: string): string {
  const id = soqlString(opportunityId);
  return [
    'SELECT Name, Version__c, Requested_Terms__c, Settled_Terms__c, Deal_Closure__r.Opportunity__c,',
    ' Deal_Closure__r.Opportunity__r.Name, Deal_Closure__r.Opportunity__r.CloseDate',
    " FROM Contract_Version__c WHERE Variant__c = 'Full'",
    ` AND Account__c IN (SELECT AccountId FROM Opportunity WHERE Id = ${id})`,
    ` AND Deal_Closure__r.Opportunity__c != ${id} AND Deal_Closure__r.Opportunity__r.IsWon = true`,
    ' ORDER BY Deal_Closure__r.Opportunity__r.CloseDate DESC, Version__c DESC',
    ` LIMIT ${HISTORY_ROWS}`,
  ].join('');
}

const ContractVersionRowSchema = z.object({
  Name: z.string(),
  Version__c: z.number().int(),
  Requested_Terms__c: str,
  Settled_Terms__c: str,
  Deal_Closure__r: z.object({
    Opportunity__c: z.string(),
    Opportunity__r: z.object({ Name: z.string(), CloseDate: str }),
  }),
});

export function toEarlierContracts(body: unknown): EarlierContract[] {
  return parseRows(ContractVersionRowSchema, body, 'Contract_Version__c').map((r) => ({
    name: r.Name,
    version: r.Version__c,
    opportunityId: r.Deal_Closure__r.Opportunity__c,
    opportunityName: r.Deal_Closure__r.Opportunity__r.Name,
    closeDate: r.Deal_Closure__r.Opportunity__r.CloseDate,
    requestedTerms: r.Requested_Terms__c,
    settledTerms: r.Settled_Terms__c,
  }));
}

/**
 * The history read beside the deal: left out when that part of the read failed, so the deal
 * stands and the contract stage reads the history alone (where its error, if it recurs, belongs).
 */
export function accountContractsBesideDeal(result: { status: number; body: unknown } | undefined): {
  accountContracts?: EarlierContract[];
} {
  return result && result.status < 400 ? { accountContracts: toEarlierContracts(result.body) } : {};
}
