import { expect } from 'chai';
import { formatProblem, validateRules, type ApprovalRule, type OrgFacts } from '../../src/shared/rules.ts';
import { parseCsv, parseJson, rulesToCsv } from '../../src/shared/rules-files.ts';

const facts: OrgFacts = {
  activeUsernames: new Set(['cfo@acme.com', 'vp@acme.com', 'counsel@acme.com']),
  inactiveUsernames: new Set(['gone@acme.com']),
  currencies: new Set(['USD', 'EUR']),
};

const row = (line: number, raw: Record<string, unknown>) => ({ line, raw });
const finance = {
  name: 'Finance_Big',
  role: 'Finance',
  minAmount: '100000',
  currency: 'USD',
  approverUsername: 'cfo@acme.com',
};

describe('approval rule validation', () => {
  it('accepts a well-formed matrix and fills defaults', () => {
    const { rules, problems } = validateRules(
      [
        row(2, finance),
        row(3, {
          name: 'Legal_Terms',
          role: 'Legal',
          requiresCustomTerms: 'yes',
          approverUsername: 'counsel@acme.com',
          dependsOn: 'Finance',
        }),
      ],
      facts,
    );
    expect(problems).to.deep.equal([]);
    expect(rules[0]).to.include({ active: true, minAmount: 100000, label: 'Finance Big', slaHours: null });
    expect(rules[1]!.dependsOn).to.deep.equal(['Finance']);
  });

  it('reports every problem with its line, rule and field', () => {
    const { problems } = validateRules(
      [
        row(2, finance),
        row(3, { ...finance, name: 'Finance_Huge', minAmount: '500000' }),
        row(4, {
          name: 'Legal_x',
          role: 'Legal',
          minAmount: 'lots',
          currency: 'usd',
          approverUsername: 'counsel@acme.com',
        }),
        row(5, {
          name: 'VP',
          role: 'Sales_VP',
          minDiscountPercent: 120,
          approverUsername: 'nobody@acme.com',
        }),
        row(6, { name: 'Exec', role: 'Boss', approverUsername: 'gone@acme.com' }),
        row(7, {
          name: 'Sec',
          role: 'InfoSec',
          currency: 'GBP',
          minAmount: 1,
          approverUsername: 'gone@acme.com',
          backupUsername: 'gone@acme.com',
        }),
        row(8, { ...finance, name: 'Finance_Big' }),
        row(9, { name: 'Odd', role: 'Legal', colour: 'blue' }),
      ],
      facts,
    );
    const text = problems.map(formatProblem);
    expect(text).to.include.members([
      'line 3, Finance_Huge, minAmount: amount threshold 500000 USD for Finance overlaps Finance_Big (line 2, from 100000 USD): one Finance rule per threshold kind and currency',
      'line 4, Legal_x, minAmount: expected a number for minAmount',
      'line 5, VP, minDiscountPercent: minDiscountPercent must be between 0 and 100',
      'line 6, Exec, role: role must be one of Finance, Legal, Sales_VP, InfoSec, Executive',
      'line 7, Sec, currency: currency GBP is not active in the org (active: EUR, USD)',
      'line 7, Sec, approverUsername: user gone@acme.com is inactive',
      'line 7, Sec, backupUsername: the backup must be someone other than the approver',
      'line 8, Finance_Big, name: duplicate rule name (first on line 2)',
    ]);
    expect(text.some((t) => t.startsWith('line 9, Odd: unknown column(s) colour'))).to.equal(true);
  });

  it('flags rules that never apply, and dependency cycles', () => {
    const { problems } = validateRules(
      [
        row(2, { name: 'Nothing', role: 'Legal', approverUsername: 'counsel@acme.com' }),
        row(3, { ...finance, dependsOn: 'Legal' }),
        row(4, {
          name: 'Legal_T',
          role: 'Legal',
          requiresLegalReview: true,
          approverUsername: 'counsel@acme.com',
          dependsOn: 'Finance',
        }),
      ],
      facts,
    );
    const text = problems.map(formatProblem);
    expect(text).to.include(
      'line 2, Nothing: the rule has no condition (minAmount, minDiscountPercent or a requires* flag), so it never applies',
    );
    expect(text.some((t) => /cycle: (Finance → Legal → Finance|Legal → Finance → Legal)/.test(t))).to.equal(
      true,
    );
  });

  it('checks imported rules against rules already in the org', () => {
    const inOrg: ApprovalRule = {
      name: 'Finance_Org',
      label: 'x',
      role: 'Finance',
      active: true,
      minAmount: 10000,
      minDiscountPercent: null,
      currency: 'USD',
      requiresCustomTerms: false,
      requiresLegalReview: false,
      requiresSecurityReview: false,
      slaHours: 24,
      approverUsername: 'cfo@acme.com',
      backupUsername: null,
      dependsOn: [],
    };
    const { problems } = validateRules([row(2, finance)], facts, [inOrg]);
    expect(problems.map(formatProblem)[0]).to.match(
      /^line 2, Finance_Big, minAmount: .* overlaps Finance_Org \(in the org/,
    );
    // Replacing the org's rule by name is not an overlap.
    expect(
      validateRules([row(2, { ...finance, name: 'Finance_Org' })], facts, [inOrg]).problems,
    ).to.deep.equal([]);
  });
});

describe('rule files', () => {
  it('numbers CSV rows by the line they start on, quoted newlines included', () => {
    const { rows } = parseCsv('name,role,label\nA,Finance,"two\nlines"\nB,Legal,x\n');
    expect(rows.map((r) => [r.line, r.raw.name])).to.deep.equal([
      [2, 'A'],
      [4, 'B'],
    ]);
  });

  it('numbers JSON rules by the line their object starts on, top level or under "rules"', () => {
    const text = '[\n  {"name": "A", "role": "Finance"},\n\n  {\n    "name": "B"\n  }\n]';
    expect(parseJson(text).rows.map((r) => r.line)).to.deep.equal([2, 4]);
    const wrapped =
      '{\n  "version": "1",\n  "rules": [\n    {"name": "A", "x": [1, {"y": "]"}]},\n    {"name": "B"}\n  ]\n}';
    expect(parseJson(wrapped).rows.map((r) => r.line)).to.deep.equal([4, 5]);
    expect(parseJson('[{"name": }]').problems[0]!.message).to.match(/invalid JSON/);
  });

  it('writes CSV that reads back to the same rules', () => {
    const rules: ApprovalRule[] = [
      {
        name: 'Exec',
        label: 'Exec, big',
        role: 'Executive',
        active: true,
        minAmount: 500000,
        minDiscountPercent: null,
        currency: 'USD',
        requiresCustomTerms: false,
        requiresLegalReview: false,
        requiresSecurityReview: false,
        slaHours: 48,
        approverUsername: 'vp@acme.com',
        backupUsername: null,
        dependsOn: ['Legal', 'Finance'],
      },
    ];
    const back = validateRules(parseCsv(rulesToCsv(rules)).rows, facts);
    expect(back.problems).to.deep.equal([]);
    const { line: _line, ...rule } = back.rules[0]!;
    expect(rule).to.deep.equal(rules[0]);
  });
});
