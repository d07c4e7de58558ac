/**
 * The approval matrix: Approval_Rule__mdt records. Read over SOQL; written as custom metadata
 * source files (the format of force-app/main/default/customMetadata) deployed through the
 * Metadata API, since custom metadata records cannot be written with DML. Imports are validated
 * as a whole against the org (users, currencies) before anything is deployed.
 */
import type { Connection } from '@salesforce/core';
import { SfError } from '@salesforce/core';
import { z } from 'zod';
import { soqlStringList } from '@dealdesk/contracts';
import { queryAll } from './soql.ts';

export const ROLES = ['Finance', 'Legal', 'Sales_VP', 'InfoSec', 'Executive'] as const;
export type Role = (typeof ROLES)[number];

export interface ApprovalRule {
  name: string;
  label: string;
  role: Role;
  active: boolean;
  minAmount: number | null;
  minDiscountPercent: number | null;
  currency: string | null;
  requiresCustomTerms: boolean;
  requiresLegalReview: boolean;
  requiresSecurityReview: boolean;
  slaHours: number | null;
  approverUsername: string | null;
  backupUsername: string | null;
  dependsOn: Role[];
}

export const RULE_COLUMNS = [
  'name',
  'label',
  'role',
  'active',
  'minAmount',
  'minDiscountPercent',
  'currency',
  'requiresCustomTerms',
  'requiresLegalReview',
  'requiresSecurityReview',
  'slaHours',
  'approverUsername',
  'backupUsername',
  'dependsOn',
] as const satisfies readonly (keyof ApprovalRule)[];

const RuleRowSchema = z.object({
  DeveloperName: z.string(),
  MasterLabel: z.string(),
  Role__c: z.string().nullable(),
  Active__c: z.boolean().nullable(),
  Min_Amount__c: z.number().nullable(),
  Min_Discount_Percent__c: z.number().nullable(),
  Currency_Iso_Code__c: z.string().nullable(),
  Requires_Custom_Terms__c: z.boolean().nullable(),
  Requires_Legal_Review__c: z.boolean().nullable(),
  Requires_Security_Review__c: z.boolean().nullable(),
  SLA_Hours__c: z.number().nullable(),
  Approver_Username__c: z.string().nullable(),
  Backup_Username__c: z.string().nullable(),
  Depends_On__c: z.string().nullable(),
});

export async function readRules(conn: Connection): Promise<ApprovalRule[]> {
  const rows = await queryAll(
    conn,
    'SELECT DeveloperName, MasterLabel, Role__c, Active__c, Min_Amount__c, Min_Discount_Percent__c, Currency_Iso_Code__c,' +
      ' Requires_Custom_Terms__c, Requires_Legal_Review__c, Requires_Security_Review__c, SLA_Hours__c,' +
      ' Approver_Username__c, Backup_Username__c, Depends_On__c FROM Approval_Rule__mdt ORDER BY DeveloperName',
    RuleRowSchema,
    'Approval_Rule__mdt',
  );
  return rows.map((r) => ({
    name: r.DeveloperName,
    label: r.MasterLabel,
    role: (ROLES as readonly string[]).includes(r.Role__c ?? '') ? (r.Role__c as Role) : 'Finance',
    active: r.Active__c === true,
    minAmount: r.Min_Amount__c,
    minDiscountPercent: r.Min_Discount_Percent__c,
    currency: r.Currency_Iso_Code__c,
    requiresCustomTerms: r.Requires_Custom_Terms__c === true,
    requiresLegalReview: r.Requires_Legal_Review__c === true,
    requiresSecurityReview: r.Requires_Security_Review__c === true,
    slaHours: r.SLA_Hours__c,
    approverUsername: r.Approver_Username__c,
    backupUsername: r.Backup_Username__c,
    dependsOn: splitRoles(r.Depends_On__c ?? '') as Role[],
  }));
}

function splitRoles(text: string): string[] {
  return text
    .split(/[,;]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

// ---------- input: one rule as a file or a flag set gives it ----------

const blankToNull = (v: unknown) => (v === '' || v === undefined ? null : v);
const bool = z.preprocess(
  (v) => {
    if (v === '' || v === undefined || v === null) return false;
    if (typeof v === 'string') {
      const t = v.trim().toLowerCase();
      if (['true', 'yes', '1'].includes(t)) return true;
      if (['false', 'no', '0'].includes(t)) return false;
    }
    return v;
  },
  z.boolean({ error: 'expected true or false' }),
);
const num = (min: number, max: number, what: string, integer = false) =>
  z.preprocess(
    (v) => {
      const b = blankToNull(v);
      if (typeof b === 'string') return b.trim() === '' ? null : Number(b.trim().replace(/_/g, ''));
      return b;
    },
    z
      .number({ error: `expected a number for ${what}` })
      .refine((n) => Number.isFinite(n), `expected a number for ${what}`)
      .refine((n) => n >= min && n <= max, `${what} must be between ${min} and ${max}`)
      .refine((n) => !integer || Number.isInteger(n), `${what} must be a whole number`)
      .nullable(),
  );
const optText = (max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? (v.trim() === '' ? null : v.trim()) : blankToNull(v)),
    z.string().max(max).nullable(),
  );

export const RuleInputSchema = z
  .object({
    name: z
      .string({ error: 'name is required' })
      .trim()
      .regex(
        /^[A-Za-z](?!.*__)[A-Za-z0-9_]{0,39}$/,
        'name must start with a letter, use letters, digits and single underscores, at most 40 characters',
      )
      .refine((s) => !s.endsWith('_'), 'name must not end with an underscore'),
    label: optText(40),
    role: z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` }),
    active: z.preprocess((v) => (v === '' || v === undefined || v === null ? true : v), bool),
    minAmount: num(0, 1e16, 'minAmount'),
    minDiscountPercent: num(0, 100, 'minDiscountPercent'),
    currency: z.preprocess(
      (v) => (typeof v === 'string' ? (v.trim() === '' ? null : v.trim().toUpperCase()) : blankToNull(v)),
      z
        .string()
        .regex(/^[A-Z]{3}$/, 'currency must be a three-letter ISO 4217 code such as USD')
        .nullable(),
    ),
    requiresCustomTerms: bool,
    requiresLegalReview: bool,
    requiresSecurityReview: bool,
    slaHours: num(1, 99_999, 'slaHours', true),
    approverUsername: optText(80),
    backupUsername: optText(80),
    dependsOn: z.preprocess(
      (v) => (Array.isArray(v) ? v : typeof v === 'string' ? splitRoles(v) : v == null ? [] : v),
      z.array(z.enum(ROLES, { error: `dependsOn entries must be roles: ${ROLES.join(', ')}` })),
    ),
  })
  .strict();

export interface SourceRow {
  /** 1-based line in the file where the rule starts. */
  line: number;
  raw: Record<string, unknown>;
}

export type RuleProblem = {
  line: number | null;
  rule: string | null;
  field: string | null;
  message: string;
};

export function formatProblem(p: RuleProblem): string {
  const where = [p.line !== null ? `line ${p.line}` : null, p.rule, p.field].filter(Boolean).join(', ');
  return where ? `${where}: ${p.message}` : p.message;
}

export interface OrgFacts {
  /** Active usernames, lower-cased. */
  activeUsernames: Set<string>;
  /** Usernames that exist but are inactive, lower-cased. */
  inactiveUsernames: Set<string>;
  currencies: Set<string>;
}

export async function orgFacts(conn: Connection, usernames: string[]): Promise<OrgFacts> {
  const activeUsernames = new Set<string>();
  const inactiveUsernames = new Set<string>();
  const unique = [...new Set(usernames.map((u) => u.toLowerCase()))];
  for (let i = 0; i < unique.length; i += 200) {
    const chunk = unique.slice(i, i + 200);
    const users = await queryAll(
      conn,
      `SELECT Username, IsActive FROM User WHERE Username IN ${soqlStringList(chunk)}`,
      z.object({ Username: z.string(), IsActive: z.boolean() }),
      'User',
    );
    for (const u of users) (u.IsActive ? activeUsernames : inactiveUsernames).add(u.Username.toLowerCase());
  }
  return { activeUsernames, inactiveUsernames, currencies: await orgCurrencies(conn) };
}

/** Active currencies of a multi-currency org, or the one currency of a single-currency org. */
export async function orgCurrencies(conn: Connection): Promise<Set<string>> {
  try {
    const rows = await queryAll(
      conn,
      'SELECT IsoCode FROM CurrencyType WHERE IsActive = true',
      z.object({ IsoCode: z.string() }),
      'CurrencyType',
    );
    if (rows.length > 0) return new Set(rows.map((r) => r.IsoCode));
  } catch (err) {
    // CurrencyType does not exist in single-currency orgs (INVALID_TYPE); anything else is real.
    if (!/INVALID_TYPE|sObject type 'CurrencyType' is not supported/i.test(String((err as Error).message)))
      throw err;
  }
  const org = await queryAll(
    conn,
    'SELECT DefaultCurrencyIsoCode FROM Organization',
    z.object({ DefaultCurrencyIsoCode: z.string().nullable() }),
    'Organization',
  );
  return new Set(org.map((o) => o.DefaultCurrencyIsoCode).filter((c): c is string => Boolean(c)));
}

/** Parses and checks rules one by one (shape), then as a matrix (names, users, currencies, overlaps, cycles). */
export function validateRules(
  rows: SourceRow[],
  facts: OrgFacts,
  existing: ApprovalRule[] = [],
): { rules: (ApprovalRule & { line: number })[]; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const rules: (ApprovalRule & { line: number })[] = [];
  for (const row of rows) {
    const parsed = RuleInputSchema.safeParse(row.raw);
    const ruleName = typeof row.raw.name === 'string' && row.raw.name.trim() ? row.raw.name.trim() : null;
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push({
          line: row.line,
          rule: ruleName,
          field: issue.path.length > 0 ? issue.path.join('.') : null,
          message:
            issue.code === 'unrecognized_keys'
              ? `unknown column(s) ${issue.keys.join(', ')}; expected ${RULE_COLUMNS.join(', ')}`
              : issue.message,
        });
      continue;
    }
    const r = parsed.data;
    rules.push({ ...r, label: r.label ?? r.name.replace(/_/g, ' ').slice(0, 40), line: row.line });
  }
  const seen = new Map<string, number>();
  for (const r of rules) {
    const at = (field: string | null, message: string) =>
      problems.push({ line: r.line, rule: r.name, field, message });
    const first = seen.get(r.name.toLowerCase());
    if (first !== undefined) at('name', `duplicate rule name (first on line ${first})`);
    else seen.set(r.name.toLowerCase(), r.line);
    if (
      r.minAmount === null &&
      r.minDiscountPercent === null &&
      !r.requiresCustomTerms &&
      !r.requiresLegalReview &&
      !r.requiresSecurityReview
    )
      at(
        null,
        'the rule has no condition (minAmount, minDiscountPercent or a requires* flag), so it never applies',
      );
    if (r.currency !== null && !facts.currencies.has(r.currency))
      at(
        'currency',
        `currency ${r.currency} is not active in the org (active: ${[...facts.currencies].sort().join(', ') || 'none'})`,
      );
    if (r.minAmount !== null && r.currency === null && facts.currencies.size > 1)
      at('currency', 'an amount threshold in a multi-currency org needs a currency');
    for (const field of ['approverUsername', 'backupUsername'] as const) {
      const u = r[field];
      if (u === null) continue;
      if (facts.inactiveUsernames.has(u.toLowerCase())) at(field, `user ${u} is inactive`);
      else if (!facts.activeUsernames.has(u.toLowerCase())) at(field, `no user ${u} in the org`);
    }
    if (r.approverUsername === null) at('approverUsername', 'an approver is required');
    if (
      r.approverUsername &&
      r.backupUsername &&
      r.approverUsername.toLowerCase() === r.backupUsername.toLowerCase()
    )
      at('backupUsername', 'the backup must be someone other than the approver');
    if (r.dependsOn.includes(r.role)) at('dependsOn', `a ${r.role} rule cannot depend on ${r.role} itself`);
  }
  // The org keeps rules the input does not name, so the matrix checks see them too (line 0).
  const names = new Set(rules.map((r) => r.name.toLowerCase()));
  const matrix = [
    ...rules,
    ...existing.filter((r) => !names.has(r.name.toLowerCase())).map((r) => ({ ...r, line: 0 })),
  ];
  problems.push(...overlaps(matrix).filter((p) => p.line !== 0), ...cycles(matrix));
  return { rules, problems };
}

/**
 * Two active rules for the same role on the same threshold kind and currency overlap: every deal
 * above the higher threshold is already above the lower one, so the higher rule never changes who
 * approves — almost always a typo or a forgotten old rule.
 */
function overlaps(rules: (ApprovalRule & { line: number })[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const kinds = [
    {
      key: 'minAmount',
      label: 'amount',
      unit: (r: ApprovalRule) => ` ${r.currency ?? 'corporate currency'}`,
    },
    { key: 'minDiscountPercent', label: 'discount', unit: () => '%' },
  ] as const;
  for (const kind of kinds) {
    const groups = new Map<string, (ApprovalRule & { line: number })[]>();
    for (const r of rules) {
      if (!r.active || r[kind.key] === null) continue;
      const key = `${r.role}|${kind.key === 'minAmount' ? (r.currency ?? '') : ''}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const group of groups.values()) {
      if (group.length < 2) continue;
      const sorted = [...group].sort((a, b) => a[kind.key]! - b[kind.key]!);
      const lowest = sorted[0]!;
      for (const r of sorted.slice(1)) {
        if (r.line === 0 && lowest.line !== 0) {
          problems.push({
            line: lowest.line,
            rule: lowest.name,
            field: kind.key,
            message: `${kind.label} threshold ${lowest[kind.key]}${kind.unit(lowest)} for ${lowest.role} overlaps ${r.name} (in the org, from ${r[kind.key]}${kind.unit(r)}): one ${r.role} rule per threshold kind and currency`,
          });
          continue;
        }
        problems.push({
          line: r.line,
          rule: r.name,
          field: kind.key,
          message: `${kind.label} threshold ${r[kind.key]}${kind.unit(r)} for ${r.role} overlaps ${lowest.name} (${lowest.line ? `line ${lowest.line}` : 'in the org'}, from ${lowest[kind.key]}${kind.unit(lowest)}): one ${r.role} rule per threshold kind and currency`,
        });
      }
    }
  }
  return problems;
}

function cycles(rules: (ApprovalRule & { line: number })[]): RuleProblem[] {
  const deps = new Map<Role, Set<Role>>();
  for (const r of rules.filter((x) => x.active))
    for (const d of r.dependsOn) deps.set(r.role, new Set([...(deps.get(r.role) ?? []), d]));
  const state = new Map<Role, 'visiting' | 'done'>();
  const found: string[] = [];
  const visit = (role: Role, path: Role[]) => {
    if (state.get(role) === 'done') return;
    if (state.get(role) === 'visiting') {
      found.push([...path.slice(path.indexOf(role)), role].join(' → '));
      return;
    }
    state.set(role, 'visiting');
    for (const d of deps.get(role) ?? []) visit(d, [...path, role]);
    state.set(role, 'done');
  };
  for (const role of deps.keys()) visit(role, []);
  return found.map((cycle) => ({
    line: null,
    rule: null,
    field: 'dependsOn',
    message: `approvals depend on each other in a cycle: ${cycle}`,
  }));
}

export class RulesInvalidError extends SfError {
  readonly problems: RuleProblem[];
  constructor(problems: RuleProblem[]) {
    super(
      `${problems.length} problem(s); nothing was written:\n${problems.map((p) => `- ${formatProblem(p)}`).join('\n')}`,
      'RulesInvalid',
      ['Fix every line listed and run the command again.'],
    );
    this.problems = problems;
    this.setData({ problems });
  }
}
