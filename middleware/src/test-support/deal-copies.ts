/**
 * Copies of the seeded verbal-yes deal (the opportunity and every record hanging off it), so
 * load, replica and crash tests close many deals of the same shape.
 */
import { demoCompany } from '../local/org/seed/demo-company.ts';
import type { SeedRecord, SeedValue } from '../local/org/seed/seed-types.ts';

export const COPY_REF = /^opportunity\.verbal-yes#\d+$/;

export function dealCopies(n: number, tag = ''): SeedRecord[] {
  const base = 'opportunity.verbal-yes';
  const refersTo = (v: SeedValue, ref: string) =>
    typeof v === 'object' && v !== null && 'ref' in v && v.ref === ref;
  const children = demoCompany.filter((r) => Object.values(r.fields).some((v) => refersTo(v, base)));
  const opp = demoCompany.find((r) => r.ref === base)!;
  const out: SeedRecord[] = [];
  for (let i = 1; i <= n; i++) {
    const ref = `${base}#${i}`;
    out.push({ ...opp, ref, fields: { ...opp.fields, Name: `${String(opp.fields.Name)} ${tag}#${i}` } });
    for (const c of children) {
      const fields = Object.fromEntries(
        Object.entries(c.fields).map(([k, v]) => [k, refersTo(v, base) ? { ref } : v]),
      );
      out.push({ ...c, ref: `${c.ref}#${i}`, fields });
    }
  }
  return out;
}
