/**
 * The completion prediction on constructed histories: titles compared by meaning, each past
 * recipient's outcome read from its envelope, the Kaplan–Meier curve against hand-worked
 * figures, the back-off from title to role to all signers with its reasons, and the reminder
 * times the prediction gives.
 */
import assert from 'node:assert/strict';
import type { SignatureHistoryEnvelope } from '../../ports/crm.ts';
import {
  describePrediction,
  pastSigners,
  predictSigner,
  receivedAt,
  reminderDelay,
  signerLabel,
  signingCurve,
  signingQuantile,
  signedWithin,
  splitRecipientRole,
  titleKey,
  titleLabel,
  wilson,
  type PastSigner,
  type SignerPrediction,
} from './signer-prediction.ts';

const NOW = new Date('2026-03-10T12:00:00Z');
const T0 = Date.parse('2026-03-01T09:00:00Z');
const iso = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();

type Recipient = SignatureHistoryEnvelope['recipients'][number];
const recipient = (
  role: string,
  order: number,
  status: Recipient['status'],
  signedHour?: number,
): Recipient => ({
  role,
  routingOrder: order,
  status,
  signedAt: signedHour === undefined ? null : iso(signedHour),
});
const envelope = (
  id: string,
  status: SignatureHistoryEnvelope['status'],
  recipients: Recipient[],
): SignatureHistoryEnvelope => ({ envelopeId: id, status, sentAt: iso(0), completedAt: null, recipients });

/** `n` past signers of a role who each signed after the given hours. */
const signedAfter = (role: string, title: string | null, ...hours: number[]): PastSigner[] =>
  hours.map((h) => ({ role, title, kind: 'signed' as const, hours: h }));
const declined = (role: string, title: string | null, n: number): PastSigner[] =>
  Array.from({ length: n }, () => ({
    role,
    title,
    kind: 'unsigned' as const,
    hours: Number.POSITIVE_INFINITY,
  }));

describe('signer completion prediction', () => {
  it('compares titles by meaning, not by spelling', () => {
    assert.equal(titleKey('Chief Financial Officer'), 'cfo');
    assert.equal(titleKey('CFO'), 'cfo');
    assert.equal(titleKey('Chief Operating Officer (Member of the Executive Board)'), 'coo');
    assert.equal(titleKey('Chief Information Security Officer'), 'ciso');
    assert.equal(titleKey('CEO & Co-founder'), 'ceo');
    for (const t of [
      'VP of Operations',
      'Vice President, Operations',
      'Vice-President Operations',
      'VP Operations',
    ])
      assert.equal(titleKey(t), 'vp operations', t);
    assert.equal(titleKey('Senior Vice President Sales'), 'svp sales');
    assert.notEqual(titleKey('Associate General Counsel'), titleKey('General Counsel'));
    assert.equal(titleKey(''), null);
    assert.equal(titleKey(null), null);
    assert.equal(titleLabel('Chief Operating Officer (Member of the Executive Board)'), 'COO');
    assert.equal(titleLabel('Director of Warehouse Operations'), 'Director of Warehouse Operations');
    assert.equal(signerLabel('Ann Ode', 'Customer signer (Chief Financial Officer)'), 'Ann Ode (CFO)');
    assert.equal(
      signerLabel('Pat Seller', 'Provider countersignature'),
      'Pat Seller (Provider countersignature)',
    );
  });

  it('reads the role and title the envelope wrote, even when Role__c cut the title short', () => {
    assert.deepEqual(splitRecipientRole('Customer signer (General Counsel)'), {
      role: 'Customer signer',
      title: 'General Counsel',
    });
    assert.deepEqual(splitRecipientRole('Customer signer (Chief Operating Officer (Member of the Exec'), {
      role: 'Customer signer',
      title: 'Chief Operating Officer (Member of the Exec',
    });
    assert.deepEqual(splitRecipientRole('Provider countersignature'), {
      role: 'Provider countersignature',
      title: null,
    });
  });

  it("counts a signer's time from when their turn came, and knows what each past signer did", () => {
    const history = [
      // Legal first (30 h), then the CFO (6 h after Legal signed), then the provider (2 h).
      envelope('done', 'Completed', [
        recipient('Customer signer (General Counsel)', 1, 'Signed', 30),
        recipient('Customer signer (CFO)', 2, 'Signed', 36),
        recipient('Provider countersignature', 3, 'Signed', 38),
      ]),
      // The CFO declined; the provider's turn never came.
      envelope('declined', 'Declined', [
        recipient('Customer signer (CFO)', 1, 'Declined'),
        recipient('Provider countersignature', 2, 'Created'),
      ]),
      // Let it expire: did not sign.
      envelope('expired', 'Expired', [recipient('Customer signer (VP Operations)', 1, 'Delivered')]),
      // Withdrawn by the seller: says nothing about the signer.
      envelope('voided', 'Voided', [recipient('Customer signer (CFO)', 1, 'Delivered')]),
      // Still out: seen for the 219 h since it was sent, no further.
      envelope('open', 'Sent', [recipient('Customer signer (CFO)', 1, 'Sent')]),
      envelope('mine', 'Sent', [recipient('Customer signer (CFO)', 1, 'Sent')]),
    ];
    const past = pastSigners(history, NOW, new Set(['mine']));
    assert.deepEqual(
      past.map((p) => [p.role, p.title, p.kind, p.hours]),
      [
        ['customer signer', 'general counsel', 'signed', 30],
        ['customer signer', 'cfo', 'signed', 6],
        ['provider countersignature', null, 'signed', 2],
        ['customer signer', 'cfo', 'unsigned', Number.POSITIVE_INFINITY],
        ['customer signer', 'vp operations', 'unsigned', Number.POSITIVE_INFINITY],
        ['customer signer', 'cfo', 'open', 219],
      ],
    );
    // The turn of a later routing order comes when the last earlier signer signed.
    const rs = [
      { routingOrder: 1, signedAt: '2026-03-01T10:00:00.000+0000' },
      { routingOrder: 1, signedAt: '2026-03-01T12:00:00Z' },
      { routingOrder: 2, signedAt: null },
    ];
    assert.equal(receivedAt('2026-03-01T09:00:00Z', rs, 2), '2026-03-01T12:00:00Z');
    assert.equal(receivedAt('2026-03-01T09:00:00Z', rs, 1), '2026-03-01T09:00:00Z');
    assert.equal(receivedAt('2026-03-01T09:00:00Z', [...rs, { routingOrder: 3, signedAt: null }], 3), null);
  });

  it('estimates the curve with still-open signers censored and non-signers never signing', () => {
    // Worked by hand: at 10 h 1 of 5 signs (F 0.2); the open one leaves at 15 h; at 20 h 1 of 3
    // signs (F 1 - 0.8·2/3 = 0.4667); at 30 h 1 of 2 (F 1 - 0.5333·0.5 = 0.7333). The one who
    // declined stays at risk and never signs, so 73% sign at all, not 3 of 4 nor 3 of 5.
    const group: PastSigner[] = [
      ...signedAfter('customer signer', 'cfo', 10, 20, 30),
      { role: 'customer signer', title: 'cfo', kind: 'open', hours: 15 },
      ...declined('customer signer', 'cfo', 1),
    ];
    const curve = signingCurve(group);
    assert.equal(curve.samples, 5);
    assert.equal(curve.signed, 3);
    assert.deepEqual(
      curve.steps.map((s) => [s.hours, Number(s.signedBy.toFixed(4))]),
      [
        [10, 0.2],
        [20, 0.4667],
        [30, 0.7333],
      ],
    );
    assert.equal(Number(curve.probability.toFixed(4)), 0.7333);
    assert.equal(Number(signedWithin(curve, 24).toFixed(4)), 0.4667);
    assert.equal(signedWithin(curve, 5), 0);
    // Among those who sign: half by 20 h (0.4667 ≥ 0.3667), 80% by 30 h.
    assert.equal(signingQuantile(curve, 0.5), 20);
    assert.equal(signingQuantile(curve, 0.8), 30);
    // Without censoring the curve is the plain share signed by each time.
    const plain = signingCurve([...signedAfter('r', null, 1, 2, 3), ...declined('r', null, 1)]);
    assert.deepEqual(
      plain.steps.map((s) => s.signedBy),
      [0.25, 0.5, 0.75],
    );
  });

  it("uses the signer's title with enough history, else their role, else everyone, and says why", () => {
    const past = [
      ...signedAfter('customer signer', 'cfo', 8, 12, 19, 20, 30, 52),
      ...declined('customer signer', 'cfo', 1),
      ...signedAfter('customer signer', 'coo', 70, 90),
      ...signedAfter('customer signer', 'general counsel', 60, 80, 100, 120),
      ...signedAfter('provider countersignature', null, 2, 3, 4, 5, 6),
    ];
    const cfo = predictSigner(past, { role: 'Customer signer (Chief Financial Officer)' });
    assert.equal(cfo.level, 'title');
    assert.equal(cfo.group, 'CFO signers');
    assert.deepEqual([cfo.samples, cfo.signed, cfo.skipped], [7, 6, []]);
    assert.equal(Number(cfo.probability!.toFixed(4)), 0.8571);
    assert.equal(cfo.medianHours, 19);
    assert.equal(cfo.p80Hours, 30);
    // All six signatures came within 3 days: 6 of 7.
    assert.equal(Number(cfo.probabilityWithin!.toFixed(4)), 0.8571);

    const coo = predictSigner(past, { role: 'Customer signer (COO)' });
    assert.equal(coo.level, 'role');
    assert.equal(coo.group, 'customer signers');
    assert.equal(coo.samples, 13);
    assert.deepEqual(coo.skipped, ['COO signers: n=2 (2 signed)']);
    // Slower signers weigh in at the role level: the median moves from 19 h to 52 h.
    assert.equal(coo.medianHours, 52);

    const provider = predictSigner(past, { role: 'Provider countersignature' });
    assert.equal(provider.level, 'role');
    assert.equal(provider.medianHours, 4);
    assert.deepEqual(provider.skipped, []);

    const thin = predictSigner(signedAfter('customer signer', 'cfo', 8, 12), {
      role: 'Customer signer (CFO)',
    });
    assert.equal(thin.level, 'none');
    assert.equal(thin.probability, null);
    assert.equal(thin.medianHours, null);
    assert.deepEqual(thin.skipped, [
      'CFO signers: n=2 (2 signed)',
      'customer signers: n=2 (2 signed)',
      'signers of every role: n=2 (2 signed)',
    ]);
    assert.match(
      describePrediction(thin),
      /^No prediction: CFO signers: n=2 \(2 signed\);.*not enough history/,
    );

    const empty = predictSigner([], { role: 'Provider countersignature' });
    assert.equal(empty.level, 'none');
    assert.deepEqual(empty.skipped, ['provider countersignatures: n=0', 'signers of every role: n=0']);
  });

  it('says the prediction with its figures and the history it stands on', () => {
    // By hand: CFO 5 of 7 within 72 h, 6 of 7 at all; median the 3rd signature, p80 the 5th;
    // Wilson at 90% for 6/7 is 0.548–0.967. Customer signers: 6 of 8 within 72 h, 7 of 8 at all.
    const past = [
      ...signedAfter('customer signer', 'cfo', 8, 12, 19, 20, 30, 100),
      ...declined('customer signer', 'cfo', 1),
      ...signedAfter('customer signer', 'coo', 70),
    ];
    const cfo = predictSigner(past, { role: 'Customer signer (CFO)' });
    assert.equal(
      describePrediction(cfo),
      '71% within 3 days (86% sign at all, 90% interval 55–97%), typically 19 h, 80% of signatures by 30 h; from 7 past CFO signers',
    );
    const coo = predictSigner(past, { role: 'Customer signer (COO)' });
    assert.equal(
      describePrediction(coo),
      '75% within 3 days (88% sign at all, 90% interval 59–97%), typically 20 h, 80% of signatures by 2.9 days; from 8 past customer signers; COO signers: n=1 (1 signed), not enough history',
    );
  });

  it('gives a wide interval for a thin history and a narrow one for a long history', () => {
    const [lo5, hi5] = wilson(0.8, 5)!;
    const [lo50, hi50] = wilson(0.8, 50)!;
    assert.ok(hi5 - lo5 > 0.45, `${lo5}–${hi5}`);
    assert.ok(hi50 - lo50 < 0.2, `${lo50}–${hi50}`);
    assert.equal(wilson(0.5, 0), null);
  });

  it('times the reminder at the typical signing time, then the 80th percentile, else the idle time', () => {
    const p = (medianHours: number | null, p80Hours: number | null): SignerPrediction => ({
      level: 'title',
      group: 'CFO signers',
      samples: 10,
      signed: 9,
      probability: 0.9,
      interval: [0.7, 0.97],
      probabilityWithin: 0.85,
      horizonHours: 72,
      medianHours,
      p80Hours,
      skipped: [],
    });
    assert.deepEqual(reminderDelay(undefined, 0, 48), { hours: 48, at: 'idle' });
    assert.deepEqual(reminderDelay(p(19, 40), 0, 48), { hours: 19, at: 'median' });
    assert.deepEqual(reminderDelay(p(30, 40), 0, 48), { hours: 30, at: 'median' });
    // News 10 h after the turn came: still at the median, 9 h from now.
    assert.deepEqual(reminderDelay(p(19, 40), 10, 48), { hours: 9, at: 'median' });
    // Just before the median: not sooner than 4 h after the news.
    assert.deepEqual(reminderDelay(p(19, 40), 17, 48), { hours: 4, at: 'median' });
    // Past the median: at the 80th percentile.
    assert.deepEqual(reminderDelay(p(19, 40), 25, 48), { hours: 15, at: 'p80' });
    // Past both: the idle time, as without a prediction.
    assert.deepEqual(reminderDelay(p(19, 40), 45, 48), { hours: 48, at: 'idle' });
    // Bounded: never within the first 4 h, never after a week.
    assert.deepEqual(reminderDelay(p(0.5, 1), 0, 48), { hours: 4, at: 'median' });
    assert.deepEqual(reminderDelay(p(500, 900), 0, 48), { hours: 168, at: 'median' });
    // A prediction without times (not enough history) keeps the idle time.
    assert.deepEqual(reminderDelay(p(null, null), 0, 48), { hours: 48, at: 'idle' });
  });
});
