/**
 * Contract versions: a fingerprint of everything a contract says (except its own version
 * number), so regenerating an unchanged deal reuses the version and its identical files, and a
 * readable diff of clauses and amounts when something changed.
 */
import { createHash } from 'node:crypto';
import { formatDate, moneyFormatter, type ContractModel, type VariantName } from './contract-model.ts';

export interface VersionSnapshot {
  version: number;
  fingerprint: string;
  totalValue: string;
  term: string;
  payment: string;
  riskLevel: string;
  lines: { product: string; quantity: number; total: string }[];
  clauses: { id: string; version: number; title: string; text: string }[];
  hashes: Partial<Record<VariantName, string>>;
}

/** Stable JSON: keys sorted, so the fingerprint does not depend on property order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

export function fingerprintOf(model: ContractModel, libraryVersion: string): string {
  return createHash('sha256')
    .update(canonical({ ...model, version: 0, libraryVersion }))
    .digest('hex');
}

export function snapshotOf(
  model: ContractModel,
  fingerprint: string,
  hashes: Partial<Record<VariantName, string>>,
): VersionSnapshot {
  const money = moneyFormatter(model.currency, model.locale);
  return {
    version: model.version,
    fingerprint,
    totalValue: money(model.totalMinor),
    term: `${model.termMonths} months, ${formatDate(model.startDate)} to ${formatDate(model.endDate)}`,
    payment: `net ${model.paymentDays} days, invoiced ${model.billingFrequency}`,
    riskLevel: model.risk.level,
    lines: model.lines.map((l) => ({ product: l.product, quantity: l.quantity, total: money(l.totalMinor) })),
    clauses: model.clauses.map((c) => ({ id: c.id, version: c.version, title: c.title, text: c.text })),
    hashes,
  };
}

/** What changed from one version to the next, one readable line per change. */
export function diffVersions(before: VersionSnapshot, after: VersionSnapshot): string[] {
  const changes: string[] = [];
  const field = (name: string, a: string, b: string) => {
    if (a !== b) changes.push(`${name}: ${a} → ${b}`);
  };
  field('Total contract value', before.totalValue, after.totalValue);
  field('Term', before.term, after.term);
  field('Payment', before.payment, after.payment);
  field('Risk', before.riskLevel, after.riskLevel);
  const linesBefore = new Map(before.lines.map((l) => [l.product, l]));
  const linesAfter = new Map(after.lines.map((l) => [l.product, l]));
  for (const [product, l] of linesAfter) {
    const old = linesBefore.get(product);
    if (!old) changes.push(`Line added: ${l.quantity} × ${product}, ${l.total}`);
    else if (old.quantity !== l.quantity || old.total !== l.total)
      changes.push(
        `Line changed: ${product}: ${old.quantity} for ${old.total} → ${l.quantity} for ${l.total}`,
      );
  }
  for (const [product, l] of linesBefore)
    if (!linesAfter.has(product)) changes.push(`Line removed: ${l.quantity} × ${product}, ${l.total}`);
  const clausesBefore = new Map(before.clauses.map((c) => [c.id, c]));
  const clausesAfter = new Map(after.clauses.map((c) => [c.id, c]));
  for (const [id, c] of clausesAfter) {
    const old = clausesBefore.get(id);
    if (!old) changes.push(`Clause added: ${c.title} (${id} v${c.version})`);
    else if (old.version !== c.version)
      changes.push(`Clause updated: ${c.title} (${id} v${old.version} → v${c.version})`);
    else if (old.text !== c.text) changes.push(`Clause figures changed: ${c.title} (${id})`);
  }
  for (const [id, c] of clausesBefore)
    if (!clausesAfter.has(id)) changes.push(`Clause removed: ${c.title} (${id} v${c.version})`);
  return changes;
}
