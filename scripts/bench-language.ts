/**
 * The language module's cost (in `npm run bench`): every training and dev passage of the corpus
 * read three times, the last two timed, in this thread; and the seeded verbal-yes deal (what the
 * closure bench reads for every closure) read through the Deal Closure Agent's offline reasoning.
 */
import { sharedLanguageReader, loadCorpus } from '@dealdesk/middleware/language-model';
import { timing } from '@dealdesk/middleware/eval';
import { reasonOfflineNow } from '@dealdesk/middleware/agents';
import { seededVerbalYes } from './bench-lib.ts';

export async function benchLanguage() {
  const reader = sharedLanguageReader();
  const { passages } = loadCorpus({ withTest: false });
  const corpus = timing(reader, passages);
  const deal = await seededVerbalYes();
  const input = {
    deal,
    transcript: null,
    note: 'Verbal yes on the call; please close.',
    now: new Date(),
    repDiscountAuthorityPercent: 10,
    trigger: 'Rep' as const,
  };
  for (let i = 0; i < 20; i++) reasonOfflineNow(input, reader);
  const times: number[] = [];
  let read = reasonOfflineNow(input, reader);
  for (let i = 0; i < 100; i++) {
    const t0 = performance.now();
    read = reasonOfflineNow(input, reader);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const passagesPerDeal = Object.values(read.reading.languages).reduce((a, b) => a + b, 0);
  return {
    model: reader.version,
    corpus: { ...corpus, target: 1, met: corpus.msPerPassage <= 1 },
    seededDeal: {
      passages: passagesPerDeal,
      medianMsPerDeal: Math.round(times[50]! * 100) / 100,
      p95MsPerDeal: Math.round(times[95]! * 100) / 100,
      msPerPassage: Math.round((times[50]! / passagesPerDeal) * 1000) / 1000,
    },
  };
}
