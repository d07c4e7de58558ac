/**
 * Label audit (training writers' files only; the test split is never read): five-fold
 * out-of-fold predictions over train and dev, and the passages whose label the model contradicts
 * with confidence (probability ≥ 0.85 against a 0, ≤ 0.1 against a 1), strongest first, for a
 * person to check against the labelling guide (test/fixtures/language/README.md). The model's
 * opinion only chooses what is looked at; the guide decides the label ("confident learning",
 * Northcutt, Jiang and Chuang 2021).
 *   node scripts/language-label-audit.ts [heads,comma,separated] > suspects.jsonl
 */
import { createHash } from 'node:crypto';
import {
  HEADS,
  fitReadingModels,
  prepareCorpus,
  rowProbabilities,
  type PreparedRow,
} from '@dealdesk/middleware/language-model';

const wanted = (process.argv[2] ?? '').split(',').filter(Boolean);
const heads = HEADS.map((h, i) => ({ h, i })).filter(({ h }) =>
  wanted.length ? wanted.includes(h) : h !== 'ready',
);
const { train, dev } = prepareCorpus();
const rows = [...train, ...dev].filter((r) => !r.file.startsWith('signals/'));
const legacy = [...train, ...dev].filter((r) => r.file.startsWith('signals/'));
const fold = (r: PreparedRow) => createHash('sha256').update(`audit:${r.line.id}`).digest()[0]! % 5;
const out: {
  id: string;
  file: string;
  head: string;
  label: number;
  p: number;
  text: string;
  signals: string[];
  terms: unknown;
}[] = [];
for (let k = 0; k < 5; k++) {
  const held = rows.filter((r) => fold(r) === k);
  const rest = [...rows.filter((r) => fold(r) !== k), ...legacy];
  const models = fitReadingModels(rest, held);
  for (const r of held) {
    const p = rowProbabilities(models, r);
    for (const { h, i } of heads) {
      const y = r.y[i]!;
      if (Number.isNaN(y)) continue;
      if ((y === 0 && p[i]! >= 0.85) || (y === 1 && p[i]! <= 0.1))
        out.push({
          id: r.line.id,
          file: r.file,
          head: h,
          label: y,
          p: Math.round(p[i]! * 1000) / 1000,
          text: r.line.text,
          signals: r.line.signals,
          terms: r.line.terms,
        });
    }
  }
  process.stderr.write(`fold ${k}: ${out.length} flagged so far\n`);
}
out.sort((a, b) => Math.abs(b.p - b.label) - Math.abs(a.p - a.label));
for (const o of out) process.stdout.write(`${JSON.stringify(o)}\n`);
