/**
 * The Signature Management Agent's decisions, without a CRM or e-sign fake: `decide` gets states,
 * provider events, the rep's actions, timers and facts, and the tests read its commands and
 * outcome. Where a turn needs an answer from outside (the envelope created, a read), the test
 * gives it as the observation the agent would.
 */
import assert from 'node:assert/strict';
import type { Envelope, EsignEvent } from '../../ports/esign.ts';
import { startTracking, type TrackedEnvelope } from './envelope-tracking.ts';
import { DEFAULT_POLICY } from './routing.ts';
import { decide } from './signature-decide.ts';
import {
  progressOf,
  type SignatureAction,
  type SignatureCommand,
  type SignatureDecision,
  type SignatureFacts,
  type SignatureInput,
  type SignatureObservation,
  type SignatureState,
} from './signature-model.ts';
import { describePrediction, type SignerPrediction } from './signer-prediction.ts';

const RUN = 'run-7';
const ANN = '003Dd000000ANNAAA';
const NOW = new Date('2026-03-02T09:00:00.000Z');
const HOUR = 3_600_000;

const facts = (over: Partial<SignatureFacts> = {}): SignatureFacts => ({
  runId: RUN,
  generation: 0,
  now: NOW,
  deal: {
    opportunityId: '006Dd000000OPPAAA',
    opportunityName: 'Northwind renewal',
    ownerId: '005Dd000000REPAAA',
    accountName: 'Northwind Traders',
    contactRoles: [
      {
        id: '00KDd000000ROLAAA',
        contactId: ANN,
        name: 'Ann Ode',
        title: 'General Counsel',
        email: 'ann@northwind.example',
        department: null,
        description: null,
        role: 'Legal Counsel',
        isPrimary: false,
      },
    ],
  },
  contract: {
    fileName: 'Northwind-MSA-v1.pdf',
    templateTitle: 'Master Services Agreement',
    // The provider first in the contract; the routing puts it last.
    signers: [
      {
        role: 'Provider',
        name: 'Pat Seller',
        title: null,
        email: 'pat@seller.example',
        contactId: null,
        anchor: '/sig2/',
      },
      {
        role: 'Customer',
        name: 'Ann Ode',
        title: 'General Counsel',
        email: 'ann@northwind.example',
        contactId: ANN,
        anchor: '/sig1/',
      },
    ],
  },
  policy: DEFAULT_POLICY,
  provider: 'DocuSign',
  canCorrect: true,
  canResend: true,
  earlierEnvelopes: [],
  ...over,
});

/** The envelope the provider made of the request: its own ids, the first routing order sent. */
function created(id: string, over: { annEmail?: string } = {}): Envelope {
  return {
    envelopeId: id,
    provider: 'DocuSign',
    status: 'sent',
    sentAt: '2026-03-02T09:00:01Z',
    recipients: [
      {
        recipientKey: 'provider-1',
        recipientId: '1',
        name: 'Pat Seller',
        email: 'pat@seller.example',
        role: 'Provider countersignature',
        routingOrder: 2,
        status: 'created',
      },
      {
        recipientKey: ANN,
        recipientId: '2',
        name: 'Ann Ode',
        email: over.annEmail ?? 'ann@northwind.example',
        role: 'Customer signer (General Counsel)',
        routingOrder: 1,
        status: 'sent',
      },
    ],
  };
}

const fresh = (): SignatureState => ({
  round: 0,
  tracked: null,
  corrections: {},
  notified: [],
  timersFor: null,
});
const sending = (id = 'env-1', over: Partial<SignatureState> = {}): SignatureState => {
  const tracked = startTracking(created(id));
  return { ...fresh(), tracked, timersFor: progressOf(tracked), ...over };
};

let n = 0;
function provider(
  kind: EsignEvent['kind'],
  at: string,
  more: { recipientId?: string; reason?: string; envelopeId?: string; eventId?: string } = {},
): SignatureInput {
  const { envelopeId = 'env-1', eventId = `evt-${++n}`, ...rest } = more;
  return { kind: 'provider', event: { eventId, envelopeId, kind, occurredAt: at, ...rest } };
}
const rep = (action: SignatureAction): SignatureInput => ({ kind: 'rep', action });

/** Runs a whole turn, answering what its commands ask as `answer` says; returns every command. */
function turn(
  state: SignatureState,
  inputs: SignatureInput[],
  f: SignatureFacts,
  answer: (c: SignatureCommand) => SignatureObservation | undefined = () => undefined,
): SignatureDecision {
  const all: SignatureCommand[] = [];
  let d = decide(state, inputs, f);
  for (let i = 0; i < 10; i++) {
    all.push(...d.commands);
    if (d.outcome) return { ...d, commands: all };
    const seen = d.commands.flatMap((c) => answer(c) ?? []);
    d = decide(d.state, seen, f);
  }
  throw new Error('the turn did not end');
}
const only = <K extends SignatureCommand['kind']>(cs: SignatureCommand[], kind: K) =>
  cs.filter((c): c is Extract<SignatureCommand, { kind: K }> => c.kind === kind);
const outputOf = (d: SignatureDecision) =>
  d.outcome!.output as {
    status: string;
    round: number;
    recipients: { recipientKey: string; email: string; status: string }[];
  };
const sendsAs =
  (id: string) =>
  (c: SignatureCommand): SignatureObservation | undefined =>
    c.kind === 'send-envelope'
      ? {
          kind: 'envelope-sent',
          envelope: created(id, {
            annEmail: c.request.recipients.find((r) => r.recipientKey === ANN)?.email,
          }),
        }
      : undefined;

describe('signature decisions', () => {
  it('sends the first envelope in the contact roles’ order, then waits with idle timers set', () => {
    const first = decide(fresh(), [], facts());
    assert.equal(first.outcome, undefined, 'it waits for the envelope');
    assert.deepEqual(
      first.commands.map((c) => c.kind),
      ['send-envelope'],
    );
    const send = only(first.commands, 'send-envelope')[0]!;
    assert.equal(send.round, 0);
    assert.equal(send.request.idempotencyKey, RUN);
    assert.equal(send.request.subject, 'Please sign: Northwind Traders — Master Services Agreement');
    assert.equal(send.request.documentName, 'Northwind-MSA-v1.pdf');
    assert.deepEqual(
      send.request.recipients.map((r) => [
        r.recipientKey,
        r.routingOrder,
        r.role,
        r.signAnchor,
        r.dateAnchor,
      ]),
      [
        ['provider-1', 2, 'Provider countersignature', '/sig2/', '/date2/'],
        [ANN, 1, 'Customer signer (General Counsel)', '/sig1/', '/date1/'],
      ],
    );

    const d = decide(first.state, [{ kind: 'envelope-sent', envelope: created('env-1') }], facts());
    assert.equal(d.outcome?.status, 'waiting');
    assert.equal(d.outcome.waitingFor, 'signature');
    assert.equal(d.outcome.message, 'Waiting for Ann Ode to sign');
    const [timers] = only(d.commands, 'schedule');
    const progress = progressOf(d.state.tracked!);
    assert.deepEqual(timers!.timers, [
      {
        kind: 'signature-reminder',
        dueAt: new Date(NOW.getTime() + 48 * HOUR),
        payload: { envelopeId: 'env-1', progress },
      },
      {
        kind: 'signature-reconcile',
        dueAt: new Date(NOW.getTime() + 24 * HOUR),
        payload: { envelopeId: 'env-1', progress },
      },
    ]);
    const saved = only(d.commands, 'save').map((c) => c.values);
    assert.deepEqual(saved.find((v) => v.tracked)?.tracked?.round, 0);
    assert.ok(saved.some((v) => v.timersFor === progress));
    assert.deepEqual(d.outcome.writes, [
      {
        kind: 'envelope',
        envelopeId: 'env-1',
        provider: 'DocuSign',
        status: 'Sent',
        sentAt: '2026-03-02T09:00:01Z',
        completedAt: null,
        recipients: [
          {
            key: `${RUN}:envelope:env-1:provider-1`,
            name: 'Pat Seller',
            email: 'pat@seller.example',
            role: 'Provider countersignature',
            routingOrder: 2,
            status: 'Created',
            signedAt: null,
          },
          {
            key: `${RUN}:envelope:env-1:${ANN}`,
            name: 'Ann Ode',
            email: 'ann@northwind.example',
            role: 'Customer signer (General Counsel)',
            routingOrder: 1,
            status: 'Sent',
            signedAt: null,
          },
        ],
      },
    ]);
  });

  it('stops for the rep when a signer has no email address, and does nothing else', () => {
    const f = facts();
    f.contract = {
      ...f.contract,
      signers: f.contract.signers.map((s) => (s.contactId ? { ...s, email: null } : s)),
    };
    const d = decide(fresh(), [], f);
    assert.equal(d.outcome?.status, 'failed');
    assert.match(d.outcome.error!, /No email address for Ann Ode/);
    assert.deepEqual(d.commands, []);
    // A corrected address the rep gave earlier is enough.
    const fixed = decide({ ...fresh(), corrections: { [ANN]: { email: 'ann@fixed.example' } } }, [], f);
    assert.equal(only(fixed.commands, 'send-envelope')[0]!.request.recipients[1]!.email, 'ann@fixed.example');
  });

  it('moves statuses forward only, however provider events are ordered or repeated', () => {
    const events = [
      provider('recipient-signed', '2026-03-02T10:05:00Z', { recipientId: '2', eventId: 'signed-ann' }),
      provider('recipient-delivered', '2026-03-02T10:01:00Z', { recipientId: '2' }),
      provider('envelope-delivered', '2026-03-02T10:01:30Z'),
      provider('recipient-signed', '2026-03-02T10:05:00Z', { recipientId: '2', eventId: 'signed-ann' }),
      provider('recipient-sent', '2026-03-02T09:59:00Z', { recipientId: '2' }),
    ];
    for (const order of [events, [...events].reverse()]) {
      const d = turn(sending(), order, facts());
      const out = outputOf(d);
      assert.equal(out.status, 'delivered');
      assert.deepEqual(
        out.recipients.map((r) => [r.recipientKey, r.status]),
        [
          ['provider-1', 'sent'],
          [ANN, 'signed'],
        ],
      );
      assert.equal(
        d.outcome!.message,
        'Waiting for Pat Seller to sign',
        'the envelope moved to the next signer',
      );
    }
    // Delivered again in a later run, an event changes nothing, nor does a late "sent".
    const after = turn(sending(), events, facts());
    const late = turn(after.state, [events[0]!, provider('envelope-sent', '2026-03-02T09:00:00Z')], facts());
    assert.equal(outputOf(late).status, 'delivered');
    assert.equal(outputOf(late).recipients[1]!.status, 'signed');
    assert.equal(
      late.state.tracked!.seen.length,
      after.state.tracked!.seen.length + 1,
      'the repeat is not progress',
    );
  });

  it('ignores events about another envelope', () => {
    const d = turn(
      sending(),
      [provider('envelope-voided', '2026-03-02T10:00:00Z', { envelopeId: 'env-0' })],
      facts(),
    );
    assert.equal(outputOf(d).status, 'sent');
    assert.equal(d.outcome!.waitingFor, 'signature');
  });

  it('tells the rep why a signer declined and what to do, once', () => {
    const events = [
      provider('recipient-declined', '2026-03-02T11:00:00Z', {
        recipientId: '2',
        reason: 'Our legal entity name is wrong',
      }),
      provider('envelope-declined', '2026-03-02T11:00:01Z'),
      provider('recipient-signed', '2026-03-02T11:05:00Z', { recipientId: '2' }),
    ];
    const d = turn(sending(), events, facts());
    assert.equal(d.outcome!.status, 'waiting');
    assert.equal(d.outcome!.waitingFor, 'rep');
    assert.equal(d.outcome!.message, 'Signature declined by Ann Ode');
    assert.match(d.outcome!.reasoning, /declined by Ann Ode: "Our legal entity name is wrong"/);
    const [told] = only(d.commands, 'notify').map((c) => c.notification);
    assert.equal(told!.audience, 'rep');
    assert.equal(told!.userId, '005Dd000000REPAAA');
    assert.equal(told!.subject, 'Ann Ode declined to sign Northwind renewal');
    assert.match(told!.body, /"Our legal entity name is wrong"/);
    assert.ok(told!.body.includes(`POST /v1/closures/${RUN}/signers/${ANN}`));
    assert.ok(told!.body.includes(`POST /v1/closures/${RUN}/signature/resend`));
    assert.ok(told!.body.includes(`POST /v1/closures/${RUN}/cancel`));
    assert.equal(
      outputOf(d).recipients[1]!.status,
      'declined',
      'a signature after the decline changes nothing',
    );
    assert.deepEqual(only(d.commands, 'schedule'), [], 'no reminders for an ended envelope');
    assert.deepEqual(only(d.commands, 'save').at(-1)!.values, { notified: [] });

    // The rep names another signer: the declined envelope cannot be corrected, so a new one goes out.
    const another = rep({
      action: 'correct',
      recipientKey: ANN,
      email: 'bo@northwind.example',
      name: 'Bo Ode',
      at: '2026-03-02T13:00:00Z',
    });
    const next = turn(d.state, [another], facts(), sendsAs('env-2'));
    assert.deepEqual(only(next.commands, 'correct-recipient'), []);
    assert.deepEqual(only(next.commands, 'void-replaced'), [], 'a declined envelope needs no void');
    const sent = only(next.commands, 'send-envelope')[0]!;
    assert.deepEqual(
      [sent.round, sent.request.recipients[1]!.name, sent.request.recipients[1]!.email],
      [1, 'Bo Ode', 'bo@northwind.example'],
    );
    assert.equal(next.outcome!.waitingFor, 'signature');

    // Once delivered, the same decline is not told again.
    const again = turn(
      { ...d.state, notified: [told!.key] },
      [provider('envelope-declined', '2026-03-02T11:00:02Z')],
      facts(),
    );
    assert.deepEqual(only(again.commands, 'notify'), []);
    assert.equal(again.outcome!.waitingFor, 'rep');
  });

  it('asks the rep for the right address after a bounce; the correction fixes the live envelope', () => {
    const bounced = turn(
      sending(),
      [provider('recipient-auto-responded', '2026-03-02T10:00:00Z', { recipientId: '2' })],
      facts(),
    );
    assert.equal(bounced.outcome!.waitingFor, 'rep');
    assert.equal(bounced.outcome!.message, 'Email to Ann Ode bounced: correct address needed');
    const [asked] = only(bounced.commands, 'notify').map((c) => c.notification);
    assert.equal(asked!.subject, 'Email to Ann Ode bounced or auto-replied: give the right address');
    assert.match(asked!.body, /Ann Ode <ann@northwind\.example> bounced/);
    assert.ok(asked!.body.includes(`/signers/${ANN}`));

    const fix = rep({
      action: 'correct',
      recipientKey: ANN,
      email: 'ann.ode@northwind.example',
      at: '2026-03-02T12:00:00Z',
    });
    const d = turn(bounced.state, [fix], facts());
    assert.deepEqual(only(d.commands, 'correct-recipient'), [
      {
        kind: 'correct-recipient',
        envelopeId: 'env-1',
        recipientKey: ANN,
        change: { email: 'ann.ode@northwind.example' },
      },
    ]);
    assert.deepEqual(only(d.commands, 'send-envelope'), [], 'the envelope is not restarted');
    assert.equal(d.outcome!.waitingFor, 'signature');
    const ann = outputOf(d).recipients[1]!;
    assert.deepEqual([ann.email, ann.status], ['ann.ode@northwind.example', 'sent']);
    assert.match(
      d.outcome!.reasoning,
      /corrected Ann Ode's address to ann\.ode@northwind\.example on the live envelope/,
    );
    assert.deepEqual(only(d.commands, 'save')[0]!.values, {
      corrections: { [ANN]: { email: 'ann.ode@northwind.example' } },
    });
    // The correction is progress: the idle timers start again for it.
    assert.equal(only(d.commands, 'schedule')[0]!.timers[0]!.payload.progress, progressOf(d.state.tracked!));
  });

  it('replaces the envelope when the provider cannot correct in place: the old one is voided first', () => {
    const fix = rep({
      action: 'correct',
      recipientKey: ANN,
      email: 'ann.ode@northwind.example',
      name: 'Ann B. Ode',
      at: '2026-03-02T12:00:00Z',
    });
    const d = turn(sending(), [fix], facts({ canCorrect: false }), sendsAs('env-2'));
    const kinds = d.commands.map((c) => c.kind);
    assert.ok(kinds.indexOf('void-replaced') < kinds.indexOf('send-envelope'));
    assert.deepEqual(only(d.commands, 'void-replaced'), [
      { kind: 'void-replaced', round: 0, envelopeId: 'env-1', reason: 'Replaced by a corrected envelope' },
    ]);
    const moved = only(d.commands, 'save').find((c) => c.values.round !== undefined)!.values;
    assert.equal(moved.round, 1);
    assert.equal(moved.tracked!.round, 0);
    assert.equal(moved.tracked!.envelope.status, 'voided');
    const send = only(d.commands, 'send-envelope')[0]!;
    assert.equal(send.round, 1);
    assert.equal(send.request.idempotencyKey, `${RUN}:g0:r1`);
    assert.deepEqual(send.request.recipients[1]!.email, 'ann.ode@northwind.example');
    assert.deepEqual(send.request.recipients[1]!.name, 'Ann B. Ode');
    assert.deepEqual(
      (d.outcome!.writes ?? []).map((w) => (w.kind === 'envelope' ? [w.envelopeId, w.status] : w.kind)),
      [
        ['env-1', 'Voided'],
        ['env-2', 'Sent'],
      ],
    );
    assert.equal(outputOf(d).round, 1);
    assert.match(d.outcome!.reasoning, /sent a new envelope env-2 \(recipient 003Dd000000ANNAAA corrected\)/);
  });

  it('tells the rep an envelope expired, and a resend sends a fresh one without voiding', () => {
    const expired = turn(sending(), [provider('envelope-expired', '2026-04-01T00:00:00Z')], facts());
    assert.equal(expired.outcome!.message, 'Signature expired');
    const [told] = only(expired.commands, 'notify').map((c) => c.notification);
    assert.equal(told!.subject, 'The signature envelope for Northwind renewal expired');
    assert.match(
      told!.body,
      /env-1 expired before everyone signed\. One action sends a fresh one: POST \/v1\/closures\/run-7\/signature\/resend/,
    );

    const d = turn(
      expired.state,
      [rep({ action: 'resend', at: '2026-04-01T10:00:00Z' })],
      facts(),
      sendsAs('env-2'),
    );
    assert.deepEqual(only(d.commands, 'void-replaced'), [], 'an expired envelope needs no void');
    assert.deepEqual(only(d.commands, 'resend'), []);
    assert.equal(only(d.commands, 'send-envelope')[0]!.round, 1);
    assert.equal(d.outcome!.waitingFor, 'signature');
    assert.match(d.outcome!.reasoning, /sent a new envelope env-2 \(resend after the envelope was expired\)/);
    assert.deepEqual(
      (d.outcome!.writes ?? []).map((w) => (w.kind === 'envelope' ? w.status : w.kind)),
      ['Expired', 'Sent'],
    );
  });

  it('tells the rep an envelope was voided at the provider, and no event revives it', () => {
    const d = turn(
      sending(),
      [
        provider('envelope-voided', '2026-03-03T08:00:00Z'),
        provider('recipient-delivered', '2026-03-03T09:00:00Z', { recipientId: '2' }),
        provider('envelope-delivered', '2026-03-03T09:00:01Z'),
      ],
      facts(),
    );
    assert.equal(outputOf(d).status, 'voided');
    assert.equal(d.outcome!.waitingFor, 'rep');
    assert.equal(d.outcome!.message, 'Signature voided');
    const [told] = only(d.commands, 'notify').map((c) => c.notification);
    assert.equal(told!.subject, 'The signature envelope for Northwind renewal was voided');
    assert.match(told!.body, /^The envelope env-1 was voided\. One action sends a fresh one/);
    assert.deepEqual(only(d.commands, 'schedule'), []);
  });

  it('resends a live envelope in place when the rep asks', () => {
    const d = turn(sending(), [rep({ action: 'resend', at: '2026-03-03T10:00:00Z' })], facts());
    assert.deepEqual(only(d.commands, 'resend'), [{ kind: 'resend', envelopeId: 'env-1' }]);
    assert.deepEqual(only(d.commands, 'send-envelope'), []);
    assert.match(d.outcome!.reasoning, /This time: resent the envelope to the current signers\./);
    const without = turn(
      sending(),
      [rep({ action: 'resend', at: '2026-03-03T10:00:00Z' })],
      facts({ canResend: false }),
    );
    assert.deepEqual(only(without.commands, 'resend'), []);
  });

  it('reminds the signer whose turn it is when the envelope is idle, and only then', () => {
    // Ann signed; the next signer is the provider's.
    const signed = turn(
      sending(),
      [provider('recipient-signed', '2026-03-02T10:05:00Z', { recipientId: '2' })],
      facts(),
    );
    const progress = progressOf(signed.state.tracked!);
    assert.equal(only(signed.commands, 'schedule')[0]!.timers[0]!.payload.progress, progress);
    const timer = (p: string): SignatureInput => ({
      kind: 'timer',
      timer: 'signature-reminder',
      payload: { envelopeId: 'env-1', progress: p },
    });

    const d = turn(signed.state, [timer(progress)], facts());
    const reminders = only(d.commands, 'notify').map((c) => c.notification);
    assert.deepEqual(
      reminders.map((r) => [r.audience, r.email, r.kind]),
      [['signer', 'pat@seller.example', 'reminder']],
    );
    assert.match(
      reminders[0]!.body,
      /^Pat Seller, the agreement for Northwind renewal is waiting for your signature\./,
    );
    assert.deepEqual(only(d.commands, 'resend'), [{ kind: 'resend', envelopeId: 'env-1' }]);
    assert.deepEqual(only(d.commands, 'schedule'), [], 'the timers for this state are set already');
    assert.match(d.outcome!.reasoning, /This time: reminded the current signer\./);

    // A timer set before the last event finds progress, and does nothing.
    const stale = turn(signed.state, [timer(progressOf(sending().tracked!))], facts());
    assert.deepEqual(only(stale.commands, 'notify'), []);
    assert.deepEqual(only(stale.commands, 'resend'), []);
    // Delivered once, a reminder for the same state is not sent again.
    const twice = turn({ ...signed.state, notified: [reminders[0]!.key] }, [timer(progress)], facts());
    assert.deepEqual(only(twice.commands, 'notify'), []);
  });

  it('reads a silent envelope with the provider once the budget allows, else an hour later', () => {
    const state = sending();
    const payload = { envelopeId: 'env-1', progress: progressOf(state.tracked!) };
    const timer: SignatureInput = { kind: 'timer', timer: 'signature-reconcile', payload };
    const asked = decide(state, [timer], facts());
    assert.equal(asked.outcome, undefined);
    assert.deepEqual(asked.commands.at(-1), { kind: 'reconcile', envelopeId: 'env-1', payload });

    const later = decide(asked.state, [{ kind: 'budget-spent', payload }], facts());
    assert.deepEqual(only(later.commands, 'schedule')[0], {
      kind: 'schedule',
      timers: [{ kind: 'signature-reconcile', dueAt: new Date(NOW.getTime() + HOUR), payload }],
    });
    assert.equal(later.outcome!.waitingFor, 'signature');

    const read = created('env-1');
    read.status = 'delivered';
    read.recipients[1]!.status = 'delivered';
    const checked = decide(asked.state, [{ kind: 'envelope-read', envelope: read }], facts());
    assert.equal(outputOf(checked).status, 'delivered');
    assert.match(checked.outcome!.reasoning, /checked the silent envelope with the provider/);
  });

  it('on completion reads the envelope once and attaches the signed agreement and the certificate', () => {
    const events = [
      provider('envelope-completed', '2026-03-02T12:00:00Z'),
      provider('recipient-signed', '2026-03-02T11:00:00Z', { recipientId: '2' }),
      provider('recipient-signed', '2026-03-02T11:59:00Z', { recipientId: '1' }),
      provider('envelope-completed', '2026-03-02T12:00:00Z'),
    ];
    const first = decide(sending(), events, facts());
    assert.equal(first.outcome, undefined);
    assert.deepEqual(first.commands.at(-1), { kind: 'read-envelope', envelopeId: 'env-1' });

    const read = created('env-1');
    read.status = 'completed';
    read.completedAt = '2026-03-02T12:00:00Z';
    for (const r of read.recipients) r.status = 'completed';
    const d = decide(first.state, [{ kind: 'envelope-read', envelope: read }], facts());
    assert.equal(d.outcome?.status, 'succeeded');
    assert.equal(d.outcome.message, 'Contract signed by all parties');
    assert.match(d.outcome.reasoning, /^Signed by all 2 recipients in order through DocuSign/);
    assert.match(
      d.outcome.reasoning,
      /Ann Ode \(Customer signer \(General Counsel\), order 1\): signed at 2026-03-02T11:00:00Z/,
    );
    assert.deepEqual(only(d.commands, 'attach-signed'), [
      {
        kind: 'attach-signed',
        envelopeId: 'env-1',
        linkedTo: '006Dd000000OPPAAA',
        files: [
          {
            key: `${RUN}:signed:combined`,
            part: 'combined',
            title: 'Northwind renewal — signed agreement',
            fileName: 'Northwind-Traders-MSA-signed.pdf',
          },
          {
            key: `${RUN}:signed:certificate`,
            part: 'certificate',
            title: 'Northwind renewal — certificate of completion',
            fileName: 'Northwind-Traders-certificate-of-completion.pdf',
          },
        ],
      },
    ]);
    const write = d.outcome.writes!.at(-1)!;
    assert.equal(write.kind === 'envelope' && write.status, 'Completed');
    assert.equal(write.kind === 'envelope' && write.completedAt, '2026-03-02T12:00:00Z');
    assert.deepEqual(only(d.commands, 'schedule'), []);
  });

  it('a new generation voids the envelope still out for signature before it sends its own', () => {
    const live = startTracking(created('env-old'));
    const done: TrackedEnvelope = { ...startTracking(created('env-done')), status: 'completed' };
    const ended: TrackedEnvelope = { ...startTracking(created('env-ended')), status: 'declined' };
    const f = facts({ generation: 2, earlierEnvelopes: [done, live, ended] });
    const first = decide(fresh(), [], f);
    assert.deepEqual(
      first.commands.map((c) => c.kind),
      ['void-superseded', 'send-envelope'],
    );
    assert.deepEqual(first.commands[0], {
      kind: 'void-superseded',
      envelopeId: 'env-old',
      reason: 'Superseded by a new envelope for the same deal',
    });
    assert.equal(only(first.commands, 'send-envelope')[0]!.request.idempotencyKey, `${RUN}:g2:r0`);
    const d = decide(first.state, [{ kind: 'envelope-sent', envelope: created('env-new') }], f);
    assert.deepEqual(
      (d.outcome!.writes ?? []).map((w) => (w.kind === 'envelope' ? [w.envelopeId, w.status] : w.kind)),
      [
        ['env-old', 'Voided'],
        ['env-new', 'Sent'],
      ],
    );
    // The first generation voids nothing, whatever it is told of.
    assert.deepEqual(
      only(decide(fresh(), [], facts({ earlierEnvelopes: [live] })).commands, 'void-superseded'),
      [],
    );
  });

  it('is pure: the state it is given stays as it was, and the same inputs decide the same', () => {
    const state = sending();
    const before = structuredClone(state);
    const inputs = [
      provider('recipient-auto-responded', '2026-03-02T10:00:00Z', { recipientId: '2', eventId: 'b1' }),
      rep({
        action: 'correct',
        recipientKey: ANN,
        email: 'ann.ode@northwind.example',
        at: '2026-03-02T12:00:00Z',
      }),
    ];
    const a = decide(state, inputs, facts());
    const b = decide(state, inputs, facts());
    assert.deepEqual(state, before);
    assert.deepEqual(a, b);
  });

  it('refuses an observation the turn did not ask for', () => {
    const first = decide(fresh(), [], facts());
    assert.throws(
      () => decide(first.state, [{ kind: 'envelope-read', envelope: created('env-1') }], facts()),
      /waits for envelope-sent, not envelope-read/,
    );
  });
});

describe('signature decisions with completion predictions', () => {
  /** What the org's history said about a signer: 8 of 9 past General Counsel signers signed. */
  const predicted = (medianHours: number, p80Hours: number): SignerPrediction => ({
    level: 'title',
    group: 'General Counsel signers',
    samples: 9,
    signed: 8,
    probability: 8 / 9,
    interval: [0.62, 0.98],
    probabilityWithin: 7 / 9,
    horizonHours: 72,
    medianHours,
    p80Hours,
    skipped: [],
  });
  const sentWith = (f: SignatureFacts) =>
    decide(decide(fresh(), [], f).state, [{ kind: 'envelope-sent', envelope: created('env-1') }], f);
  const reminderAt = (d: SignatureDecision) =>
    only(d.commands, 'schedule')[0]!.timers.find((t) => t.kind === 'signature-reminder')!.dueAt;

  it('reminds the signer when comparable signers typically have signed: the reminder moves with the prediction', () => {
    assert.deepEqual(reminderAt(sentWith(facts())), new Date(NOW.getTime() + 48 * HOUR));
    const fast = sentWith(facts({ predictions: { [ANN]: predicted(19, 40) } }));
    assert.deepEqual(reminderAt(fast), new Date(NOW.getTime() + 19 * HOUR));
    const slow = sentWith(facts({ predictions: { [ANN]: predicted(30, 60) } }));
    assert.deepEqual(reminderAt(slow), new Date(NOW.getTime() + 30 * HOUR));
    // The reconciliation read keeps its own time.
    const reconcile = only(slow.commands, 'schedule')[0]!.timers.find(
      (t) => t.kind === 'signature-reconcile',
    )!;
    assert.deepEqual(reconcile.dueAt, new Date(NOW.getTime() + 24 * HOUR));
    assert.match(
      fast.outcome!.reasoning,
      /Ann Ode will be reminded at 2026-03-03T04:00:00\.000Z, the typical signing time of past General Counsel signers \(19 h\)/,
    );
  });

  it('shows each unsigned signer’s prediction on the timeline and keeps it with the recipient', () => {
    const p = predicted(19, 40);
    const d = sentWith(facts({ predictions: { [ANN]: p } }));
    assert.equal(d.outcome!.message, 'Waiting for Ann Ode to sign: 78% within 3 days, typically 19 h');
    assert.match(
      d.outcome!.reasoning,
      /Predicted from the org's signing history: Ann Ode \(General Counsel\): 78% within 3 days \(89% sign at all, 90% interval 62–98%\), typically 19 h, 80% of signatures by 40 h; from 9 past General Counsel signers\./,
    );
    const [write] = d.outcome!.writes!;
    assert.equal(write!.kind, 'envelope');
    const recipients = write!.kind === 'envelope' ? write!.recipients : [];
    assert.deepEqual(recipients.find((r) => r.key.endsWith(ANN))!.prediction, {
      probability: 8 / 9,
      medianHours: 19,
      p80Hours: 40,
      summary: describePrediction(p),
    });
    // No prediction for the provider's signer: its fields are left as they are.
    assert.equal('prediction' in recipients.find((r) => r.key.endsWith('provider-1'))!, false);
  });

  it("counts the next signer's reminder from when their turn came, not from the last news", () => {
    const f = facts({
      now: new Date('2026-03-02T11:00:00Z'),
      predictions: { [ANN]: predicted(19, 40), 'provider-1': predicted(8, 20) },
    });
    // Ann signed at 10:05, heard of at 11:00; the provider's countersigner typically signs 8 h
    // after their turn came: 18:05, not 19:00.
    const signed = turn(
      sending(),
      [provider('recipient-signed', '2026-03-02T10:05:00Z', { recipientId: '2' })],
      f,
    );
    assert.deepEqual(reminderAt(signed), new Date(Date.parse('2026-03-02T10:05:00Z') + 8 * HOUR));
    assert.match(
      signed.outcome!.message,
      /^Waiting for Pat Seller to sign: 78% within 3 days, typically 8 h$/,
    );
    // Heard of only at 19:05, past the typical time: at the 80th percentile, 20 h after 10:05.
    const late = turn(
      sending(),
      [provider('recipient-signed', '2026-03-02T10:05:00Z', { recipientId: '2' })],
      { ...f, now: new Date(Date.parse('2026-03-02T10:05:00Z') + 9 * HOUR) },
    );
    assert.deepEqual(reminderAt(late), new Date(Date.parse('2026-03-02T10:05:00Z') + 20 * HOUR));
  });
});
