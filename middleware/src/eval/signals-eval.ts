/**
 * Evaluates the offline reasoner's closing-signal detection on the labeled corpus
 * (test/fixtures/signals/corpus.jsonl): readiness as a binary classification (accuracy,
 * precision, recall, F1, confusion matrix) and each signal type's detection, per split.
 * The reasoner is tuned on the dev split only; the test split is reported as held out.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { classifySnippet, SIGNAL_TYPES, type SignalType } from '../agents/deal-closure/signal-detector.ts';

export const CorpusItemSchema = z.object({
  id: z.string(),
  split: z.enum(['dev', 'test']),
  source: z.enum(['transcript', 'email', 'note']),
  text: z.string().min(1),
  ready: z.boolean(),
  signals: z.array(z.enum(SIGNAL_TYPES)),
  hard: z.string().nullable(),
  notes: z.string().optional(),
});
export type CorpusItem = z.infer<typeof CorpusItemSchema>;

export function loadCorpus(path: string): CorpusItem[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((line, i) => {
      const parsed = CorpusItemSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${path}:${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

interface Binary {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);

function metrics(c: Binary) {
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  return {
    n: c.tp + c.fp + c.tn + c.fn,
    accuracy: ratio(c.tp + c.tn, c.tp + c.fp + c.tn + c.fn),
    precision,
    recall,
    f1:
      precision !== null && recall !== null && precision + recall > 0
        ? Math.round(((2 * precision * recall) / (precision + recall)) * 10_000) / 10_000
        : null,
    confusion: { truePositive: c.tp, falsePositive: c.fp, trueNegative: c.tn, falseNegative: c.fn },
  };
}

export function evaluateSignals(items: CorpusItem[]) {
  const splits: Record<
    string,
    {
      ready: Binary;
      perType: Record<SignalType, Binary>;
      byHard: Record<string, { n: number; correct: number }>;
      errors: { id: string; expected: boolean; got: boolean; reason: string }[];
    }
  > = {};
  for (const item of items)
    for (const split of [item.split, 'all']) {
      const s = (splits[split] ??= {
        ready: { tp: 0, fp: 0, tn: 0, fn: 0 },
        perType: Object.fromEntries(SIGNAL_TYPES.map((t) => [t, { tp: 0, fp: 0, tn: 0, fn: 0 }])) as Record<
          SignalType,
          Binary
        >,
        byHard: {},
        errors: [],
      });
      const verdict = classifySnippet(item.text, item.source);
      const got = verdict.ready;
      if (got && item.ready) s.ready.tp++;
      else if (got && !item.ready) s.ready.fp++;
      else if (!got && item.ready) s.ready.fn++;
      else s.ready.tn++;
      if (got !== item.ready)
        s.errors.push({ id: item.id, expected: item.ready, got, reason: verdict.reason });
      const hard = item.hard ?? 'none';
      const h = (s.byHard[hard] ??= { n: 0, correct: 0 });
      h.n++;
      if (got === item.ready) h.correct++;
      const detected = new Set(
        verdict.signals
          .filter((x) => !(x.polarity === 0 && x.qualifiers.some((q) => q.startsWith('negated'))))
          .map((x) => x.type),
      );
      for (const t of SIGNAL_TYPES) {
        const expected = item.signals.includes(t);
        const found = detected.has(t);
        const c = s.perType[t];
        if (found && expected) c.tp++;
        else if (found) c.fp++;
        else if (expected) c.fn++;
        else c.tn++;
      }
    }
  return Object.fromEntries(
    Object.entries(splits).map(([split, s]) => [
      split,
      {
        readiness: metrics(s.ready),
        signalTypes: Object.fromEntries(
          SIGNAL_TYPES.map((t) => {
            const m = metrics(s.perType[t]);
            return [
              t,
              {
                precision: m.precision,
                recall: m.recall,
                f1: m.f1,
                support: s.perType[t].tp + s.perType[t].fn,
              },
            ];
          }),
        ),
        accuracyByHardCase: Object.fromEntries(
          Object.entries(s.byHard).map(([k, v]) => [k, { n: v.n, accuracy: ratio(v.correct, v.n) }]),
        ),
        errors: s.errors,
      },
    ]),
  );
}
