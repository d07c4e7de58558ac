/**
 * Past envelopes in the demo org: the Signature_Envelope__c and Envelope_Recipient__c records of
 * the earlier closed-won deals, as the Signature Management Agent left them. They give it a
 * signing history to predict from: how long customer signers of each title and the seller's own
 * countersigner took once their turn came, and who did not sign (two declines; one envelope
 * voided, which says nothing about its signer). The deals, dates and people match the history
 * opportunities' descriptions and notes (approval-history.ts has the same closures' approvals).
 */
import { after } from './approval-history.ts';
import { at, ref, type SeedRecord } from './seed-types.ts';

/** Hours after their turn came that they signed, or what they did instead. */
type Outcome = number | 'declined' | 'waiting';

interface PastRecipient {
  name: string;
  email: string;
  /** The customer signer's title; null for the seller's countersignature. */
  title: string | null;
  outcome: Outcome;
}

interface PastEnvelope {
  closure: string;
  /** A DocuSign envelope id. */
  id: string;
  status: 'Completed' | 'Declined' | 'Voided';
  /** Days from today and UTC time it was sent. */
  sent: [number, string];
  /** In routing order, one signer at a time. */
  recipients: PastRecipient[];
}

const SELLER = 'dealdesk-demo.example';
/** A signer of the history; called with what they did on one envelope. */
const signer =
  (name: string, email: string, title: string | null) =>
  (outcome: Outcome): PastRecipient => ({ name, email, title, outcome });
const keller = signer('Jordan Keller', `jordan.keller@${SELLER}`, null);
const hadley = signer('Tom Hadley', `tom.hadley@${SELLER}`, null);
const albrecht = signer('Dr. Jens Albrecht', 'jens.albrecht@brennecke-antriebe.example', 'General Counsel');
const feldmann = signer(
  'Markus Feldmann',
  'markus.feldmann@brennecke-antriebe.example',
  'Head of Maintenance & Reliability (Group)',
);
const price = signer('Gareth Price', 'gareth.price@merciarail.example', 'Depot Engineering Manager');
const marsh = signer('Helen Marsh', 'helen.marsh@merciarail.example', 'Procurement Lead');
const devries = signer(
  'Pieter de Vries',
  'pieter.devries@vandijk-logistics.example',
  'Director of Warehouse Operations',
);
const sullivan = signer(
  'Nathan Sullivan',
  'nathan.sullivan@pinecrestseniorliving.example',
  'Chief Compliance & Privacy Officer',
);
const ramirez = signer(
  'Gloria Ramirez',
  'gloria.ramirez@pinecrestseniorliving.example',
  'VP Facilities & Environmental Services',
);

/** Closures of deals whose approvals needed none: the envelopes hang off them. */
const CLOSURES = [
  { key: 'brennecke-pilot', opportunity: 'opportunity.brennecke-pilot', started: -349 },
  { key: 'mercia-depots', opportunity: 'opportunity.mercia-depots', started: -275 },
];

const envelope = (
  n: number,
  closure: string,
  status: PastEnvelope['status'],
  sent: [number, string],
  ...recipients: PastRecipient[]
): PastEnvelope => ({ closure, id: `3f6d2a10-5c1e-4b8e-9a01-7d1c2e4b0a0${n}`, status, sent, recipients });

const ENVELOPES: PastEnvelope[] = [
  envelope(1, 'brennecke-pilot', 'Completed', [-347, '08:00'], albrecht(30), feldmann(6), keller(13)),
  // The order form named the Frankfurt region; voided for the London one before anyone signed.
  envelope(2, 'mercia-depots', 'Voided', [-274, '10:00'], price('waiting'), hadley('waiting')),
  envelope(3, 'mercia-depots', 'Completed', [-273, '09:00'], price(26), marsh(20), hadley(3)),
  // Declined: "The EU Data Residency Addendum is not attached to the order."
  envelope(4, 'van-dijk-platform', 'Declined', [-215, '09:00'], devries('declined'), hadley('waiting')),
  envelope(5, 'van-dijk-platform', 'Completed', [-212, '10:00'], devries(21), hadley(4)),
  // Declined: the BAA still said 10 business days for breach notification, not the 7 agreed.
  envelope(6, 'pinecrest-platform', 'Declined', [-156, '10:00'], sullivan('declined'), keller('waiting')),
  envelope(7, 'pinecrest-platform', 'Completed', [-152, '19:00'], sullivan(14), ramirez(30), keller(2)),
  envelope(8, 'van-dijk-iot', 'Completed', [-103, '15:00'], devries(40), hadley(5)),
];

type Moment = [number, string];
const moment = (m: Moment, hours: number): Moment => {
  const later = after(m, hours);
  return [later.days, later.time ?? '09:00'];
};

/** One envelope's records: each signer's turn comes when the one before has signed. */
function envelopeRecords(e: PastEnvelope): SeedRecord[] {
  const envelopeRef = `envelope.history.${e.id}`;
  let turn: Moment | null = e.sent;
  const recipients = e.recipients.map((r, i): SeedRecord => {
    const reached: Moment | null = turn;
    const signed = reached && typeof r.outcome === 'number' ? moment(reached, r.outcome) : null;
    turn = signed;
    const status = signed
      ? 'Signed'
      : reached && r.outcome === 'declined'
        ? 'Declined'
        : reached
          ? 'Delivered'
          : 'Created';
    const recipientKey = r.title === null ? `provider-${i + 1}` : r.email;
    return {
      ref: `${envelopeRef}.${i + 1}`,
      type: 'Envelope_Recipient__c',
      fields: {
        Signature_Envelope__c: ref(envelopeRef),
        Name__c: r.name,
        Email__c: r.email,
        Role__c: r.title === null ? 'Provider countersignature' : `Customer signer (${r.title})`,
        Routing_Order__c: i + 1,
        Status__c: status,
        Signed_At__c: signed ? at(...signed) : null,
        Idempotency_Key__c: `run-history-${e.closure}:envelope:${e.id}:${recipientKey}`,
      },
    };
  });
  const completed: Moment | null = e.status === 'Completed' ? turn : null;
  return [
    {
      ref: envelopeRef,
      type: 'Signature_Envelope__c',
      fields: {
        Deal_Closure__c: ref(`closure.history.${e.closure}`),
        Provider__c: 'DocuSign',
        Envelope_Id__c: e.id,
        Status__c: e.status,
        CreatedDate: at(...e.sent),
        Sent_At__c: at(...e.sent),
        Completed_At__c: completed ? at(...completed) : null,
      },
    },
    ...recipients,
  ];
}

export const signatureHistory: SeedRecord[] = [
  ...CLOSURES.map((c): SeedRecord => ({
    ref: `closure.history.${c.key}`,
    type: 'Deal_Closure__c',
    fields: {
      Opportunity__c: ref(c.opportunity),
      Status__c: 'Completed',
      Trigger__c: 'Rep',
      Run_Id__c: `run-history-${c.key}`,
      Started_At__c: at(c.started, '09:00'),
    },
  })),
  ...ENVELOPES.flatMap(envelopeRecords),
];
