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
  const deal = ctx.recall<DealContext>('deal_closure', 'deal');
  const contract = ctx.recall<ContractOutput>('contract_generation', 'contract');
  if (!deal || !contract)
    throw new Error(`${ctx.stage} needs the deal and the contract from the earlier steps`);
  return { deal, contract, closure: ctx.recall<DealClosureOutput>('deal_closure', 'assessment') };
}
