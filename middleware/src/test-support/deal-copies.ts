/**
 * Copies of the seeded verbal-yes deal (the opportunity and every record hanging off it), for
 * benchmarks and load, fault and soak tests that close many deals at once.
 */
import { demoCompany } from '@dealdesk/local-org';
import type { SeedRecord, SeedValue } from '@dealdesk/local-org';
import type { LocalOrg } from '@dealdesk/local-org';

const BASE = 'opportunity.verbal-yes';

export function dealCopies(n: number, tag = ''): SeedRecord[] {
  const refersTo = (v: SeedValue, ref: string) =>
    typeof v === 'object' && v !== null && 'ref' in v && v.ref === ref;
  const children = demoCompany.filter((r) => Object.values(r.fields).some((v) => refersTo(v, BASE)));
  const opp = demoCompany.find((r) => r.ref === BASE)!;
  const out: SeedRecord[] = [];
  for (let i = 1; i <= n; i++) {
    const ref = `${BASE}#${tag}${i}`;
    out.push({ ...opp, ref, fields: { ...opp.fields, Name: `${String(opp.fields.Name)} #${tag}${i}` } });
    for (const c of children) {
      const fields = Object.fromEntries(
        Object.entries(c.fields).map(([k, v]) => [k, refersTo(v, BASE) ? { ref } : v]),
      );
      out.push({ ...c, ref: `${c.ref}#${tag}${i}`, fields });
    }
  }
  return out;
}

/** Seeds `n` copies and returns their Opportunity ids in order. */
export function seedDealCopies(org: LocalOrg, n: number, tag = ''): string[] {
  const seeded = org.seed(dealCopies(n, tag));
  const pattern = new RegExp(`^${BASE.replace('.', '\\.')}#${tag}\\d+$`);
  return [...seeded.ids.entries()].filter(([ref]) => pattern.test(ref)).map(([, id]) => id);
}
