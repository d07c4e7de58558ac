/**
 * What the stages after Deal Closure and Contract Generation build on: the deal as read, the
 * closure assessment and the contract, as those stages memoised them in the run.
 */
import type { DealContext } from '../../ports/crm.ts';
import type { StageContext } from '../../orchestrator/stage.ts';
import type { DealClosureOutput } from '../deal-closure/deal-closure-agent.ts';
import type { ContractOutput } from '../contract-generation/contract-agent.ts';

export interface EarlierResults {
  deal: DealContext;
  contract: ContractOutput;
  closure: DealClosureOutput | undefined;
}

export function earlierResults(ctx: StageContext): EarlierResults {
  // After the rep fixes the deal and retries, Contract Generation reads it again: its copy is the
  // one the contract was made from, so every later stage must use it rather than the first read.
  const deal =
    ctx.recall<DealContext>('contract_generation', 'deal') ?? ctx.recall<DealContext>('deal_closure', 'deal');
  const contract = ctx.recall<ContractOutput>('contract_generation', 'contract');
  if (!deal || !contract)
    throw new Error(`${ctx.stage} needs the deal and the contract from the earlier steps`);
  return { deal, contract, closure: ctx.recall<DealClosureOutput>('deal_closure', 'assessment') };
}
