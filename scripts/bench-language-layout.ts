/**
 * The language model's weight layout, measured: the seeded verbal-yes deal read alternately with
 * the passage and sentence rows side by side (as `loadModel` lays them out) and with each model's
 * rows apart (as they are stored on disk), 12 rounds of 25 reads each, CPU time per deal. Both
 * layouts must give the same reading. `node scripts/bench-language-layout.ts`
 */
import { loadModel, type LinearModel, OfflineLanguageReader } from '@dealdesk/middleware/language-model';
import { reasonOfflineNow } from '@dealdesk/middleware/agents';
import { seededVerbalYes } from './bench-lib.ts';

/** One model's rows copied out of an interleaved table. */
function apart(m: LinearModel): LinearModel {
  const { stride, offset, ...rest } = m;
  if (stride === undefined) return m;
  const H = m.heads;
  const w = new Int8Array((1 << m.bits) * H);
  for (let f = 0; f < 1 << m.bits; f++) {
    const from = f * stride + (offset ?? 0);
    w.set(m.weights.subarray(from, from + H), f * H);
  }
  return { ...rest, weights: w };
}

const sideBySide = loadModel();
const readers = {
  sideBySide: new OfflineLanguageReader(sideBySide),
  apart: new OfflineLanguageReader({
    ...sideBySide,
    passage: apart(sideBySide.passage),
    sentence: apart(sideBySide.sentence),
  }),
};
const input = {
  deal: await seededVerbalYes(),
  transcript: null,
  note: 'Verbal yes on the call; please close.',
  now: new Date(),
  repDiscountAuthorityPercent: 10,
  trigger: 'Rep' as const,
};
const reading = (r: OfflineLanguageReader) => JSON.stringify(reasonOfflineNow(input, r).reading);
if (reading(readers.sideBySide) !== reading(readers.apart))
  throw new Error('the two layouts read differently');
for (let i = 0; i < 30; i++) for (const r of Object.values(readers)) reasonOfflineNow(input, r);
const cpuMs = { sideBySide: 0, apart: 0 };
for (let round = 0; round < 12; round++)
  for (const [name, r] of Object.entries(readers) as [keyof typeof readers, OfflineLanguageReader][]) {
    const start = process.cpuUsage();
    for (let i = 0; i < 25; i++) reasonOfflineNow(input, r);
    const used = process.cpuUsage(start);
    cpuMs[name] += (used.user + used.system) / 1000;
  }
const perDeal = (ms: number) => Math.round((ms / 300) * 100) / 100;
console.log(
  JSON.stringify({
    cpuMsPerDeal: { sideBySide: perDeal(cpuMs.sideBySide), apart: perDeal(cpuMs.apart) },
    saving: Math.round((1 - cpuMs.sideBySide / cpuMs.apart) * 1000) / 1000,
  }),
);
