/**
 * Everyday phrasings of yes and not-yet, written for these tests (not taken from the corpus the
 * model is trained or evaluated on), read by the language module as the Deal Closure Agent reads
 * a record. A statistical reader may miss a phrasing; the share it misses may not grow past a
 * tenth, and the test names the ones it missed.
 */
import assert from 'node:assert/strict';
import { sharedLanguageReader } from '../../language/index.ts';
import type { TextSource } from '../../ports/language.ts';

const READY: [string, TextSource][] = [
  ["We're good to go on our end.", 'email'],
  ["Let's make it official.", 'email'],
  ["You've got yourself a deal.", 'email'],
  ["We're signing today.", 'email'],
  ['Consider us committed.', 'email'],
  ['Count us in for the three-year term.', 'email'],
  ['Our legal team has approved the MSA, so please send the DocuSign.', 'email'],
  ["We'll go with you.", 'email'],
  ['Please go ahead and book the implementation kickoff.', 'email'],
  ['The contract is signed and attached.', 'email'],
  ['We have approval to purchase.', 'email'],
  ['Procurement has issued PO 4500123.', 'email'],
  ["Send me the final version and I'll sign it tonight.", 'email'],
  ['We would like to place the order.', 'email'],
  ["You're our chosen vendor.", 'email'],
  ["It's approved. Where do I sign?", 'email'],
  ['Please prepare the final agreement for signature.', 'email'],
  ["Our board approved the investment this morning, so we'd like to proceed.", 'email'],
  ['Spoke with Marta (COO). She gave the verbal and wants the paperwork by Friday.', 'note'],
  [
    'Priya confirmed they will sign the 2-year agreement next week; legal already cleared the redlines.',
    'note',
  ],
  ['CFO approved. PO to follow.', 'note'],
  ['They agreed to the pricing and want to start in January.', 'note'],
  ['We are pleased to inform you that your proposal has been selected.', 'email'],
  ['Please find attached the signed order form.', 'email'],
  ["Buyer (Ida Berg, CEO): Alright, we're in. Let's do the three-year option.", 'transcript'],
  ["Buyer (Ken Ito, VP Sales): Fine by me. Send it and I'll get it through today.", 'transcript'],
  ['Wir haben intern grünes Licht bekommen. Bitte schicken Sie uns den Vertrag zur Unterschrift.', 'email'],
  [
    'Le comité de direction a validé votre proposition ce matin, vous pouvez nous envoyer le bon de commande.',
    'email',
  ],
  ['Ya tenemos la aprobación de dirección: adelante, mándenos el contrato para firmar.', 'email'],
];

const NOT_READY: [string, TextSource][] = [
  ["We're not in a position to sign this quarter.", 'email'],
  ["Let's revisit after the budget cycle.", 'email'],
  ['If the price drops 10% we would sign.', 'email'],
  ['Would you be able to sign by Friday?', 'email'],
  ['Last quarter we nearly signed, then the reorg happened.', 'email'],
  ["I doubt we'll sign before March.", 'email'],
  ['The CFO said she might look at it next month.', 'email'],
  ["Sure, we'll sign, once you halve the price.", 'email'],
  ["We're hoping to move forward soon but nothing is decided.", 'email'],
  ['No budget until Q3.', 'email'],
  ["Buyer (Ana Ruiz, CFO): We'll need another round of approvals before anything gets signed.", 'transcript'],
  ['They said they want to proceed, but only if we add the SSO module at no cost.', 'note'],
  ['We would love to move forward at some point, just not this fiscal year.', 'email'],
  ['Unfortunately we have decided to go with another supplier.', 'email'],
  ['Procurement has put the purchase on hold pending the audit.', 'note'],
  [
    'Rep: Can we get this signed this week?\nBuyer (Ole Lund, IT Lead): I need to check with my boss.',
    'transcript',
  ],
  ['Wir brauchen noch etwas Zeit, das Budget ist erst im Herbst frei.', 'email'],
  ["Nous ne sommes pas prêts à signer pour l'instant, la direction hésite encore.", 'email'],
  ['Por ahora no podemos avanzar; el presupuesto quedó congelado hasta el próximo año.', 'email'],
];

function ready(text: string, source: TextSource): number {
  const reading = sharedLanguageReader().read(
    [
      {
        recordId: 'r1',
        source,
        text,
        occurredAt: '2026-11-20T10:00:00.000Z',
        direction: source === 'email' ? 'inbound' : null,
      },
    ],
    { sellerNames: [] },
  );
  return reading.readiness.probability;
}

describe('everyday phrasings', () => {
  it('reads at least nine in ten of them right, yes and not yet', () => {
    const wrong = [
      ...READY.filter(([text, source]) => ready(text, source) < 0.5).map(([t]) => `missed yes: ${t}`),
      ...NOT_READY.filter(([text, source]) => ready(text, source) >= 0.5).map(([t]) => `false yes: ${t}`),
    ];
    const total = READY.length + NOT_READY.length;
    assert.ok(wrong.length <= total / 10, `${wrong.length} of ${total} wrong:\n${wrong.join('\n')}`);
  });
});
