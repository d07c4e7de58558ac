import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DealText } from '../ports/language.ts';
import { DealReadingSchema } from '../ports/language.ts';
import { MODEL_DIR } from './artifact.ts';
import { sharedLanguageReader } from './index.ts';
import { HEADS } from './heads.ts';
import { loadCorpus } from './training.ts';
import { segment } from './text.ts';

const text = (t: string, over: Partial<DealText> = {}): DealText => ({
  recordId: '00TDd0000000001AAA',
  source: 'email',
  text: t,
  occurredAt: '2026-11-20T10:00:00.000Z',
  direction: 'inbound',
  ...over,
});

describe('the language module', () => {
  const reader = sharedLanguageReader();

  it('is the model trained from the corpus checked in beside it', () => {
    const { trainingSha256 } = loadCorpus({ withTest: false });
    const meta = JSON.parse(readFileSync(join(MODEL_DIR, 'model.json'), 'utf8')) as { corpusSha256: string };
    assert.equal(
      meta.corpusSha256,
      trainingSha256,
      'the training corpus changed since the model was trained: run `npm run train` and commit the artifact',
    );
    assert.deepEqual(reader.model.meta.heads, [...HEADS], 'the artifact has the heads this code reads');
  });

  it('cites every passage and every piece of evidence by record and character span', () => {
    const body =
      "Hi Dana,\n\nThe board approved the budget yesterday. We're ready to sign: please send the order form. We need 45-day payment terms and EU hosting.\n\nOn Tue, 3 Mar 2026, Dana Whitfield wrote:\n> Any news from the board?";
    const reading = reader.read([text(body)], { sellerNames: ['Dana Whitfield'] });
    DealReadingSchema.parse(reading);
    for (const p of reading.passages)
      assert.equal(
        body.slice(p.span.start, p.span.end).slice(0, 600),
        p.excerpt.replace(/…$/, '').slice(0, 599) +
          (p.excerpt.endsWith('…') ? body.slice(p.span.start, p.span.end)[599]! : ''),
      );
    for (const list of Object.values(reading.signals))
      for (const e of list) assert.equal(body.slice(e.span.start, e.span.end).slice(0, 600), e.excerpt);
    if (reading.readiness.basis) {
      const b = reading.readiness.basis;
      assert.equal(body.slice(b.span.start, b.span.end), b.excerpt);
    }
  });

  it('tells the buyer, the seller and an older quoted message apart', () => {
    const seg = segment(
      text('Rep: So we are ready to go?\nIngrid (CFO): Not yet, no.\nRep: Fine.', {
        source: 'transcript',
        direction: null,
      }),
      ['Dana Whitfield'],
    );
    assert.deepEqual(
      seg.passages.flatMap((p) => p.units.map((u) => u.voice)),
      ['seller', 'buyer', 'seller'],
    );
    const mail = segment(text('Agreed.\n\nAm 03.03.2026 schrieb Dana Whitfield:\n> Sind Sie bereit?'), []);
    assert.deepEqual(
      mail.passages.flatMap((p) => p.units.map((u) => u.voice)),
      ['buyer', 'quoted', 'quoted'],
    );
  });

  it('answers clearly and within bounds on hostile input', () => {
    const empty = reader.read([text('')], { sellerNames: [] });
    assert.equal(empty.passages.length, 0);
    assert.ok(empty.readiness.probability > 0 && empty.readiness.probability < 1);
    assert.equal(empty.readiness.basis, null);

    const junk = Buffer.from(createHash('sha512').update('junk').digest()).toString('latin1').repeat(200);
    const binary = reader.read([text(`\u0000\u0007${junk}\uD800`)], { sellerNames: [] });
    DealReadingSchema.parse(binary);

    const line = 'Buyer (Ana Ruiz, CFO): We are still comparing options and nothing is decided. ';
    const huge = line.repeat(Math.ceil(1_048_576 / line.length));
    const started = performance.now();
    const big = reader.read([text(huge, { source: 'transcript', direction: null })], { sellerNames: [] });
    const ms = performance.now() - started;
    assert.equal(big.truncated, true, 'a 1 MB transcript is read in its most recent part, and says so');
    assert.ok(big.passages.length > 0 && big.passages.length <= 400);
    assert.ok(ms < 20_000, `bounded time (${Math.round(ms)} ms)`);

    const mixed = reader.read(
      [text('Wir sind ready. On y va. Adelante con el contrato. Send the order form please.')],
      { sellerNames: [] },
    );
    DealReadingSchema.parse(mixed);
  });

  it('reads German, French and Spanish, not only English', () => {
    const de = reader.read(
      [
        text(
          'Wir haben uns entschieden: Bitte schicken Sie uns den Vertrag, wir unterschreiben diese Woche.',
        ),
      ],
      { sellerNames: [] },
    );
    assert.equal(de.passages[0]!.language, 'de');
    const fr = reader.read([text("Nous ne sommes pas prêts à signer, le budget n'est pas encore validé.")], {
      sellerNames: [],
    });
    assert.equal(fr.passages[0]!.language, 'fr');
    assert.ok(
      de.readiness.probability > fr.readiness.probability,
      'a German yes reads readier than a French not-yet',
    );
  });
});
