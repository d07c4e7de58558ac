/**
 * Accuracy of the Contract Generation Agent on the labeled scenarios: template accuracy,
 * clause-selection precision and recall, mandatory-clause recall, risk-level and legal-review
 * accuracy. Selection and risk are evaluated on the plan (no PDF rendering needed).
 */
import { join } from 'node:path';
import { loadContractLibrary, type ContractLibrary } from '../agents/contract-generation/clause-library.ts';
import { planContract } from '../agents/contract-generation/generate-contract.ts';
import { contractInputFromDeal } from '../test-support/contract-input.ts';
import { loadScenarios, scenarioDeal, type Scenario } from './contract-scenarios.ts';

export interface ContractEvalReport {
  scenarios: number;
  templateAccuracy: number;
  clausePrecision: number;
  clauseRecall: number;
  mandatoryClauseRecall: number;
  riskAccuracy: number;
  legalReviewAccuracy: number;
  errors: { id: string; problems: string[] }[];
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : Math.round((a / b) * 10000) / 10000);

export function evaluateContracts(scenarios: Scenario[], library: ContractLibrary): ContractEvalReport {
  const mandatory = new Set(library.clauses.filter((c) => c.mandatory).map((c) => c.id));
  let templateHits = 0;
  let riskHits = 0;
  let legalHits = 0;
  let tp = 0;
  let selectedCount = 0;
  let expectedCount = 0;
  let mandatoryExpected = 0;
  let mandatoryFound = 0;
  const errors: ContractEvalReport['errors'] = [];
  for (const s of scenarios) {
    const { deal } = scenarioDeal(s);
    // As production: the Deal Closure Agent's offline reading of the deal, then the contract.
    const { model } = planContract(
      contractInputFromDeal(deal, {
        library,
        agreementNumber: 'EVAL0001',
        createdAt: new Date('2026-11-25T09:00:00Z'),
      }),
    );
    const selected = new Set(
      model.clauses.map((c) =>
        c.nonStandard ? `non-standard:${c.title.replace(/^Special terms \((.*)\)$/, '$1')}` : c.id,
      ),
    );
    const expected = new Set(s.expected.clauses);
    const problems: string[] = [];
    if (model.template.id === s.expected.template) templateHits++;
    else problems.push(`template ${model.template.id}, expected ${s.expected.template}`);
    if (model.risk.level === s.expected.risk) riskHits++;
    else
      problems.push(
        `risk ${model.risk.level} (${model.risk.factors.map((f) => `${f.factor} +${f.points}`).join(', ') || 'no factors'}), expected ${s.expected.risk}`,
      );
    if (model.risk.legalReviewRequired === s.expected.legalReview) legalHits++;
    else problems.push(`legal review ${model.risk.legalReviewRequired}, expected ${s.expected.legalReview}`);
    for (const id of selected) {
      selectedCount++;
      if (expected.has(id)) tp++;
      else problems.push(`unexpected clause ${id}`);
    }
    for (const id of expected) {
      expectedCount++;
      if (mandatory.has(id)) {
        mandatoryExpected++;
        if (selected.has(id)) mandatoryFound++;
      }
      if (!selected.has(id)) problems.push(`missing clause ${id}`);
    }
    if (problems.length > 0) errors.push({ id: s.id, problems });
  }
  return {
    scenarios: scenarios.length,
    templateAccuracy: ratio(templateHits, scenarios.length),
    clausePrecision: ratio(tp, selectedCount),
    clauseRecall: ratio(tp, expectedCount),
    mandatoryClauseRecall: ratio(mandatoryFound, mandatoryExpected),
    riskAccuracy: ratio(riskHits, scenarios.length),
    legalReviewAccuracy: ratio(legalHits, scenarios.length),
    errors,
  };
}

/** The `contracts` section of `npm run eval`. */
export function contractsReport(root: string, showErrors: boolean) {
  const file = 'test/fixtures/contracts/scenarios.json';
  const report = evaluateContracts(
    loadScenarios(join(root, file)),
    loadContractLibrary(join(root, 'config/contracts')),
  );
  return {
    corpus: file,
    targets: { riskAccuracy: 0.93, mandatoryClauseRecall: 1 },
    ...report,
    errors: showErrors ? report.errors : report.errors.length,
  };
}
