/**
 * Error analysis on the dev split only (never the test split): per requested-term field and per
 * signal, how the offline reader's deal reading disagrees with the labels, with examples.
 * `node scripts/language-dev-errors.ts [field] [limit]`
 */
import { OfflineLanguageReader, asDealText, loadCorpus } from '@dealdesk/middleware/language-model';

const [field = 'summary', limitArg = '15'] = process.argv.slice(2);
const limit = Number(limitArg);
const reader = new OfflineLanguageReader();
const { passages } = loadCorpus({ withTest: false });
const dev = passages.filter((p) => p.split === 'dev' && !p.file.startsWith('signals/'));
const fields = [
  'payment_days',
  'billing',
  'residency',
  'health_data',
  'security_review',
  'multi_year',
  'non_standard',
] as const;
const wrong: Record<string, number> = {};
const examples: unknown[] = [];
let exact = 0;
for (const p of dev) {
  const r = reader.read([asDealText(p.line)], { sellerNames: [p.line.rep] });
  const t = r.terms;
  const said: Record<string, unknown> = {
    payment_days: t.paymentDays,
    billing: t.billing,
    residency: t.residency,
    health_data: t.healthData,
    security_review: t.securityReview,
    multi_year: t.multiYear,
    non_standard: t.nonStandard
      .map((n) => n.kind)
      .sort()
      .join(','),
  };
  const want: Record<string, unknown> = {
    ...p.line.terms,
    non_standard: [...p.line.terms.non_standard].sort().join(','),
  };
  let ok = true;
  for (const f of fields) {
    if (JSON.stringify(said[f]) !== JSON.stringify(want[f])) {
      ok = false;
      wrong[f] = (wrong[f] ?? 0) + 1;
      if (f === field && examples.length < limit)
        examples.push({
          id: p.line.id,
          lang: p.line.lang,
          want: want[f],
          said: said[f],
          text: p.line.text.slice(0, 400),
        });
    }
  }
  if (ok) exact++;
}
process.stdout.write(
  `${JSON.stringify({ dev: dev.length, exact: exact / dev.length, wrong, examples }, null, 1)}\n`,
);
