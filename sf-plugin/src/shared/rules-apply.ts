/** Validate-then-deploy, shared by `rules import` and `rules set`: nothing is written unless every rule passes. */
import type { Connection } from '@salesforce/core';
import { deployRules, type DeployOutcome, type SourceDeployer } from './rules-deploy.ts';
import {
  orgFacts,
  readRules,
  RULE_COLUMNS,
  RulesInvalidError,
  validateRules,
  type ApprovalRule,
  type RuleProblem,
  type SourceRow,
} from './rules.ts';

export interface ApplyOutcome {
  created: string[];
  updated: string[];
  unchanged: string[];
  deploy: DeployOutcome | null;
}

function same(a: ApprovalRule, b: ApprovalRule): boolean {
  // A rule file's columns are exactly the fields the org stores: equal in all means nothing to deploy.
  const pick = (r: ApprovalRule) => JSON.stringify(RULE_COLUMNS.map((f) => r[f]));
  return pick(a) === pick(b);
}

export async function applyRules(
  conn: Connection,
  rows: SourceRow[],
  earlierProblems: RuleProblem[],
  options: { dryRun: boolean; deployer?: SourceDeployer },
): Promise<ApplyOutcome> {
  const usernames = rows.flatMap((r) =>
    [r.raw.approverUsername, r.raw.backupUsername]
      .filter((u): u is string => typeof u === 'string' && u.trim() !== '')
      .map((u) => u.trim()),
  );
  const [existing, facts] = await Promise.all([readRules(conn), orgFacts(conn, usernames)]);
  const { rules, problems } = validateRules(rows, facts, existing);
  const all = [...earlierProblems, ...problems].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  if (all.length > 0) throw new RulesInvalidError(all);
  const byName = new Map(existing.map((r) => [r.name.toLowerCase(), r]));
  const created: string[] = [];
  const updated: string[] = [];
  const unchanged: string[] = [];
  const changed: ApprovalRule[] = [];
  for (const { line: _line, ...rule } of rules) {
    const before = byName.get(rule.name.toLowerCase());
    if (!before) created.push(rule.name);
    else if (same(before, { ...rule, name: before.name })) {
      unchanged.push(rule.name);
      continue;
    } else updated.push(rule.name);
    changed.push(rule);
  }
  if (options.dryRun || changed.length === 0) return { created, updated, unchanged, deploy: null };
  const deploy = await deployRules(conn, changed, options.deployer);
  return { created, updated, unchanged, deploy };
}
