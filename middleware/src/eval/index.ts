export {
  APPROVER_PROFILES,
  evaluatePrediction,
  evaluateRouting,
  loadApprovalPolicy,
  loadLabeledDeals,
} from './approvals-eval.ts';
export { contractsReport } from './contracts-eval.ts';
export { evaluateLanguage, timing } from './language-eval.ts';
