/**
 * The condition language of the clause library and template rules: a small declarative tree of
 * `all` / `any` / `not` over comparisons of named deal facts. Facts are declared here with their
 * types, so a condition naming a fact that does not exist, or comparing it with the wrong kind
 * of value, is found when the library loads rather than when a deal happens to reach it.
 */
import { z } from 'zod';

export const FACT_TYPES = {
  industry: 'string',
  billingCountry: 'string',
  region: 'string',
  employees: 'number',
  currency: 'string',
  contractValue: 'number',
  contractValueCorporate: 'number',
  annualValueCorporate: 'number',
  termMonths: 'number',
  multiYear: 'boolean',
  maxDiscountPercent: 'number',
  opportunityType: 'string',
  securityConcern: 'boolean',
  legalConcern: 'boolean',
  customTermsRequested: 'boolean',
  requestedPaymentDays: 'number',
  billingFrequency: 'string',
  dataResidency: 'string',
  healthData: 'boolean',
  hasSubscription: 'boolean',
  hasServices: 'boolean',
  servicesOnly: 'boolean',
  hasIot: 'boolean',
  hasPremiumSupport: 'boolean',
} as const;
export type FactName = keyof typeof FACT_TYPES;
type FactValue<N extends FactName> = (typeof FACT_TYPES)[N] extends 'string'
  ? string
  : (typeof FACT_TYPES)[N] extends 'number'
    ? number
    : boolean;
/** Facts may be unknown (null): an Account without an industry, say. Comparisons with null are false. */
export type DealFacts = { [N in FactName]: FactValue<N> | null };

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const ComparisonSchema = z
  .object({
    fact: z.string(),
    eq: Scalar.optional(),
    ne: Scalar.optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    in: z.array(Scalar).min(1).optional(),
    exists: z.boolean().optional(),
  })
  .strict();
export type Comparison = z.infer<typeof ComparisonSchema>;
export type Condition = true | Comparison | { all: Condition[] } | { any: Condition[] } | { not: Condition };

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.literal(true),
    z.object({ all: z.array(ConditionSchema).min(1) }).strict(),
    z.object({ any: z.array(ConditionSchema).min(1) }).strict(),
    z.object({ not: ConditionSchema }).strict(),
    ComparisonSchema,
  ]),
);

const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'exists'] as const;

/** Problems with a condition against the declared facts; empty when it is sound. */
export function checkCondition(c: Condition, path = 'when'): string[] {
  if (c === true) return [];
  if ('all' in c) return c.all.flatMap((x, i) => checkCondition(x, `${path}.all[${i}]`));
  if ('any' in c) return c.any.flatMap((x, i) => checkCondition(x, `${path}.any[${i}]`));
  if ('not' in c) return checkCondition(c.not, `${path}.not`);
  if (!(c.fact in FACT_TYPES))
    return [`${path}: unknown fact "${c.fact}" (known facts: ${Object.keys(FACT_TYPES).join(', ')})`];
  const type = FACT_TYPES[c.fact as FactName];
  const ops = OPERATORS.filter((op) => c[op] !== undefined);
  if (ops.length !== 1) return [`${path}: expected exactly one operator of ${OPERATORS.join(', ')}`];
  const op = ops[0]!;
  const values = op === 'in' ? c.in! : op === 'exists' ? [] : [c[op]];
  const problems: string[] = [];
  for (const v of values)
    if (typeof v !== type)
      problems.push(`${path}: fact "${c.fact}" is a ${type}, compared with ${JSON.stringify(v)}`);
  if (['gt', 'gte', 'lt', 'lte'].includes(op) && type !== 'number')
    problems.push(`${path}: "${op}" needs a number fact, "${c.fact}" is a ${type}`);
  return problems;
}

export function evaluate(c: Condition, facts: DealFacts): boolean {
  if (c === true) return true;
  if ('all' in c) return c.all.every((x) => evaluate(x, facts));
  if ('any' in c) return c.any.some((x) => evaluate(x, facts));
  if ('not' in c) return !evaluate(c.not, facts);
  // The loader rejects unknown facts; a library built some other way must not pass silently.
  if (!(c.fact in FACT_TYPES)) throw new Error(`condition on unknown fact "${c.fact}"`);
  const value = facts[c.fact as FactName];
  if (c.exists !== undefined) return (value !== null && value !== undefined) === c.exists;
  if (value === null || value === undefined) return false;
  if (c.eq !== undefined) return value === c.eq;
  if (c.ne !== undefined) return value !== c.ne;
  if (c.in !== undefined) return c.in.includes(value);
  if (typeof value !== 'number') return false;
  if (c.gt !== undefined) return value > c.gt;
  if (c.gte !== undefined) return value >= c.gte;
  if (c.lt !== undefined) return value < c.lt;
  if (c.lte !== undefined) return value <= c.lte;
  return false;
}

/** The comparisons that made a condition true, with the deal's values: why a rule fired. */
export function explain(c: Condition, facts: DealFacts): string[] {
  if (c === true) return [];
  if ('all' in c) return c.all.flatMap((x) => explain(x, facts));
  if ('any' in c) {
    const hit = c.any.find((x) => evaluate(x, facts));
    return hit ? explain(hit, facts) : [];
  }
  if ('not' in c) return [`not (${describe(c.not)})`];
  return [`${c.fact} = ${JSON.stringify(facts[c.fact as FactName])}`];
}

function describe(c: Condition): string {
  if (c === true) return 'always';
  if ('all' in c) return c.all.map(describe).join(' and ');
  if ('any' in c) return c.any.map(describe).join(' or ');
  if ('not' in c) return `not (${describe(c.not)})`;
  const op = OPERATORS.find((o) => c[o] !== undefined)!;
  return `${c.fact} ${op} ${JSON.stringify(c[op])}`;
}
