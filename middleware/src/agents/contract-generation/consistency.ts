/**
 * The cross-variant consistency check: reads the figures back out of each rendered variant's
 * text (what goes into the PDF) and compares them with each other and with the model. Parties,
 * total, term and dates, payment terms, agreement number and clause numbering must agree, and no
 * variant may print an amount the model does not contain.
 */
import {
  formatDate,
  modelAmounts,
  moneyFormatter,
  type ContractModel,
  type VariantName,
} from './contract-model.ts';

export interface ExtractedFigures {
  agreement: string | null;
  customer: string | null;
  provider: string | null;
  totalValue: string | null;
  term: string | null;
  payment: string | null;
  /** When the document is dated. */
  dated: string | null;
  amounts: string[];
  clauses: Map<number, string>;
  /** Priced lines: product → "quantity at unit price, discount%, total" as this variant states them. */
  lines: Map<string, string>;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A pattern for any amount written in this currency and locale. */
function moneyPattern(currency: string, locale: string): RegExp {
  const sample = moneyFormatter(currency, locale)(123456789);
  // The formatter's own digits and separators, generalised to any number of digits.
  const number = String.raw`\d{1,3}(?:[.,\u00a0'\u2019 ]\d{3})*(?:[.,]\d{1,3})?`;
  const symbol = sample.replace(/[\d.,\u00a0'\u2019 -]/g, '').trim();
  const prefix = /^\D/.test(sample.replace(/^-/, ''));
  return prefix
    ? new RegExp(`${escape(symbol)}\\u00a0?\\s?${number}`, 'g')
    : new RegExp(`${number}\\u00a0?\\s?${escape(symbol)}`, 'g');
}

function label(text: string, re: RegExp): string | null {
  return re.exec(text)?.[1]?.trim() ?? null;
}

export function extractFigures(text: string, currency: string, locale: string): ExtractedFigures {
  const clauses = new Map<number, string>();
  const headings = [
    /^## (\d+)\. (.+?)(?: \[NON-STANDARD\])?$/gm,
    /^### Clause (\d+)\. (.+?)(?: \[NON-STANDARD\])?$/gm,
    /^- Clause (\d+), (.+?): /gm,
  ];
  for (const re of headings) for (const m of text.matchAll(re)) clauses.set(Number(m[1]), m[2]!.trim());
  const lines = new Map<string, string>();
  // The order table (full contract) and the price list (executive summary) state the same lines.
  for (const m of text.matchAll(/^\| ([\d.]+) \| (.+?) \| (.+?) \| ([\d.]+)% \| (.+)$/gm))
    lines.set(m[2]!, `${m[1]} at ${m[3]}, ${m[4]}%, ${m[5]}`);
  for (const m of text.matchAll(/^- (.+?): ([\d.]+) at (.+?), ([\d.]+)% discount, (.+)$/gm))
    lines.set(m[1]!, `${m[2]} at ${m[3]}, ${m[4]}%, ${m[5]}`);
  return {
    dated: label(text, /\bdated (\d{1,2} [A-Z][a-z]+ \d{4})/),
    agreement: label(text, /Agreement (\S+, version \d+)/),
    customer: label(text, /^- Customer: (.+)$/m),
    provider: label(text, /^- Provider: (.+)$/m),
    totalValue: label(text, /Total contract value: ([^(\n]+?)(?: \(|$)/m),
    term: label(text, /Term: (\d+ months, from .+? to .+?)$/m),
    payment: label(text, /Payment terms: (net \d+ days, invoiced [a-z ]+)/),
    amounts: [...text.matchAll(moneyPattern(currency, locale))].map((m) => m[0]),
    clauses,
    lines,
  };
}

/** Differences between the variants, and between each variant and the model; empty when consistent. */
export function checkConsistency(model: ContractModel, texts: Record<VariantName, string>): string[] {
  const money = moneyFormatter(model.currency, model.locale);
  const expected = {
    agreement: `${model.agreementNumber}, version ${model.version}`,
    customer: model.customer.name,
    provider: model.seller.name,
    totalValue: money(model.totalMinor),
    term: `${model.termMonths} months, from ${formatDate(model.startDate)} to ${formatDate(model.endDate)}`,
    payment: `net ${model.paymentDays} days, invoiced ${model.billingFrequency}`,
    dated: formatDate(model.effectiveDate),
  };
  // The order table names a product with its code, the price list without.
  const lines = new Map<string, string>();
  for (const l of model.lines) {
    const stated = `${l.quantity} at ${money(l.unitPriceMinor)}, ${l.discountPercent}%, ${money(l.totalMinor)}`;
    lines.set(l.product, stated);
    if (l.productCode) lines.set(`${l.product} (${l.productCode})`, stated);
  }
  const known = modelAmounts(model);
  const numbering = new Map(model.clauses.map((c) => [c.number, c.title]));
  const problems: string[] = [];
  for (const [variant, text] of Object.entries(texts) as [VariantName, string][]) {
    const got = extractFigures(text, model.currency, model.locale);
    for (const [field, want] of Object.entries(expected) as [keyof typeof expected, string][]) {
      const value = got[field];
      if (value === null) problems.push(`${variant}: no ${field} found`);
      else if (value !== want)
        problems.push(`${variant}: ${field} is "${value}", the contract says "${want}"`);
    }
    if (variant !== 'Technical_Appendix')
      for (const l of model.lines)
        if (!got.lines.has(l.product) && !got.lines.has(`${l.product} (${l.productCode})`))
          problems.push(`${variant}: line "${l.product}" is missing`);
    for (const [product, stated] of got.lines) {
      const want = lines.get(product);
      if (want === undefined) problems.push(`${variant}: line "${product}" is not on the order`);
      else if (stated !== want)
        problems.push(`${variant}: line "${product}" reads "${stated}", the order says "${want}"`);
    }
    for (const amount of got.amounts)
      if (!known.has(amount)) problems.push(`${variant}: amount ${amount} is not a figure of the contract`);
    for (const [n, title] of got.clauses) {
      if (n <= 2 || n > model.clauses.length + 2) continue;
      if (numbering.get(n) !== title)
        problems.push(
          `${variant}: clause ${n} is "${title}", the contract's clause ${n} is "${numbering.get(n)}"`,
        );
    }
  }
  const full = extractFigures(texts.Full, model.currency, model.locale).clauses;
  for (const c of model.clauses)
    if (full.get(c.number) !== c.title) problems.push(`Full: clause ${c.number} "${c.title}" is missing`);
  return problems;
}
