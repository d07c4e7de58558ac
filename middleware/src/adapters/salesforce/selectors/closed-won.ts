/**
 * The read-back of System Integration's write: the Opportunity with the Contract it points at,
 * and its Revenue_Schedule__c rows. Two queries, so together with the write's two sObject
 * collections a composite stays within Salesforce's five query-or-collection subrequests.
 */
import type { ClosedWonReadBack } from '../../../ports/crm.ts';
import { soqlString } from '@dealdesk/contracts';
import { QueryResultSchema } from '../salesforce-records.ts';
import { querySubrequest, type Subrequest, type Subresponses } from '../salesforce-calls.ts';

/** `prefix` keeps the referenceIds apart from a commit's own when the reads ride along in it. */
export function closedWonReads(base: string, opportunityId: string, prefix = ''): Subrequest[] {
  const id = soqlString(opportunityId);
  return [
    querySubrequest(
      base,
      `${prefix}opp`,
      `SELECT StageName, Amount, IsWon, ContractId, Contract.Id, Contract.Status, Contract.StartDate, Contract.EndDate, Contract.ContractTerm, Contract.DealDesk_Key__c FROM Opportunity WHERE Id = ${id}`,
    ),
    querySubrequest(
      base,
      `${prefix}schedule`,
      `SELECT Idempotency_Key__c, Period_Start__c, Amount__c FROM Revenue_Schedule__c WHERE Opportunity__c = ${id} ORDER BY Period_Start__c`,
    ),
  ];
}

export function parseClosedWon(
  results: Subresponses,
  contractKey: string,
  scheduleKeys: string[],
  prefix = '',
): ClosedWonReadBack {
  const opp = (QueryResultSchema.parse(results.get(`${prefix}opp`)?.body).records[0] ?? {}) as Record<
    string,
    unknown
  >;
  const linked = (opp.Contract ?? null) as Record<string, unknown> | null;
  // Only the contract this closure created counts: one the opportunity pointed at before is a mismatch.
  const contract = linked && linked.DealDesk_Key__c === contractKey ? linked : null;
  const wanted = new Set(scheduleKeys);
  const schedule = QueryResultSchema.parse(results.get(`${prefix}schedule`)?.body)
    .records.map((r) => r as Record<string, unknown>)
    .filter((r) => wanted.has(String(r.Idempotency_Key__c)))
    .map((r) => ({
      key: String(r.Idempotency_Key__c),
      periodStart: String(r.Period_Start__c),
      amount: Number(r.Amount__c),
    }));
  return {
    opportunity: {
      stageName: String(opp.StageName ?? ''),
      amount: typeof opp.Amount === 'number' ? opp.Amount : null,
      isWon: opp.IsWon === true,
      contractId: typeof opp.ContractId === 'string' ? opp.ContractId : null,
    },
    contract: contract
      ? {
          id: String(contract.Id),
          status: String(contract.Status),
          startDate: typeof contract.StartDate === 'string' ? contract.StartDate : null,
          endDate: typeof contract.EndDate === 'string' ? contract.EndDate : null,
          termMonths: typeof contract.ContractTerm === 'number' ? contract.ContractTerm : null,
        }
      : null,
    schedule,
  };
}
