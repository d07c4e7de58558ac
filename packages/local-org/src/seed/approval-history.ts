/**
 * Past approvals in the demo org: the Deal_Approval__c records of earlier closures, as the
 * approval process left them (submitted at CreatedDate, decided at Decided_At__c). They give the
 * Approval Orchestration Agent precedent for its decision briefs and decision times to predict
 * from. The deals and their outcomes match the history opportunities' descriptions.
 */
import { at, ref, type SeedRecord } from './seed-types.ts';

interface PastApproval {
  role: 'Finance' | 'Legal' | 'Sales_VP' | 'InfoSec' | 'Executive';
  approver: string;
  rule: string;
  reason: string;
  status: 'Approved' | 'Rejected' | 'Recalled';
  /** Days from today and UTC time the request was submitted, and hours until the decision. */
  submitted: [number, string];
  hours: number | null;
  comment: string | null;
}

interface PastClosure {
  key: string;
  opportunity: string;
  status: 'Completed' | 'Cancelled';
  approvals: PastApproval[];
}

const CLOSURES: PastClosure[] = [
  {
    key: 'van-dijk-platform',
    opportunity: 'opportunity.van-dijk-platform',
    status: 'Completed',
    approvals: [
      {
        role: 'Finance',
        approver: 'user.finance',
        rule: 'Finance_Large_Deal',
        reason: 'amount $159,180.00 (€146,445.60) is at or above $100,000.00',
        status: 'Approved',
        submitted: [-218, '10:00'],
        hours: 6,
        comment: 'Payment terms standard; fine.',
      },
      {
        role: 'Legal',
        approver: 'user.legal',
        rule: 'Legal_Custom_Terms',
        reason: 'the contract carries non-standard terms',
        status: 'Approved',
        submitted: [-218, '10:00'],
        hours: 46,
        comment: 'EU Data Residency Addendum v1 approved as drafted.',
      },
      {
        role: 'InfoSec',
        approver: 'user.infosec',
        rule: 'InfoSec_Security_Clauses',
        reason: 'security topics came up during the sale',
        status: 'Approved',
        submitted: [-218, '10:00'],
        hours: 52,
        comment: 'Frankfurt-only hosting and EU support staff confirmed.',
      },
    ],
  },
  {
    key: 'pinecrest-platform',
    opportunity: 'opportunity.pinecrest-platform',
    status: 'Completed',
    approvals: [
      {
        role: 'Finance',
        approver: 'user.finance',
        rule: 'Finance_Large_Deal',
        reason: 'amount $198,112.00 is at or above $100,000.00',
        status: 'Approved',
        submitted: [-158, '14:00'],
        hours: 9,
        comment: 'OK.',
      },
      {
        role: 'Legal',
        approver: 'user.legal',
        rule: 'Legal_Custom_Terms',
        reason: 'the contract carries non-standard terms',
        status: 'Approved',
        submitted: [-158, '14:00'],
        hours: 30,
        comment: 'BAA with a 7-business-day breach notification is acceptable.',
      },
      {
        role: 'InfoSec',
        approver: 'user.infosec',
        rule: 'InfoSec_Security_Clauses',
        reason: 'security topics came up during the sale',
        status: 'Approved',
        submitted: [-158, '14:00'],
        hours: 40,
        comment: 'SOC 2 Type II and pen test summary suffice; no SCIM.',
      },
    ],
  },
  {
    key: 'van-dijk-iot',
    opportunity: 'opportunity.van-dijk-iot',
    status: 'Completed',
    approvals: [
      {
        role: 'Sales_VP',
        approver: 'user.sales-vp',
        rule: 'Sales_VP_Discount',
        reason: 'discount 25% is at or above 15%',
        status: 'Approved',
        submitted: [-106, '09:00'],
        hours: 3,
        comment: 'Displaces an in-house build; worth it.',
      },
      {
        role: 'Executive',
        approver: 'user.exec',
        rule: 'Executive_Deep_Discount',
        reason: 'discount 25% is above the 20% the CRO signs off',
        status: 'Approved',
        submitted: [-106, '12:00'],
        hours: 20,
        comment: 'Approved; revisit pricing at renewal.',
      },
    ],
  },
  {
    key: 'summit-valley',
    opportunity: 'opportunity.summit-valley-lost',
    status: 'Cancelled',
    approvals: [
      {
        role: 'Finance',
        approver: 'user.finance',
        rule: 'Finance_Large_Deal',
        reason: 'amount $299,640.00 is at or above $100,000.00',
        status: 'Approved',
        submitted: [-436, '15:00'],
        hours: 7,
        comment: 'Fine.',
      },
      {
        role: 'Legal',
        approver: 'user.legal',
        rule: 'Legal_Custom_Terms',
        reason: 'the contract carries non-standard terms',
        status: 'Rejected',
        submitted: [-436, '15:00'],
        hours: 70,
        comment:
          'A 5-business-day breach notification and an uncapped BAA liability are outside policy; hold at 10 days and the standard cap.',
      },
      {
        role: 'InfoSec',
        approver: 'user.infosec',
        rule: 'InfoSec_Security_Clauses',
        reason: 'security topics came up during the sale',
        status: 'Recalled',
        submitted: [-436, '15:00'],
        hours: null,
        comment: null,
      },
    ],
  },
];

/** Days and time a number of hours after a seed moment. */
export function after([days, time]: [number, string], hours: number) {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const total = h * 60 + m + hours * 60;
  const dayShift = Math.floor(total / (24 * 60));
  const rest = total - dayShift * 24 * 60;
  return at(
    days + dayShift,
    `${String(Math.floor(rest / 60)).padStart(2, '0')}:${String(rest % 60).padStart(2, '0')}`,
  );
}

export const approvalHistory: SeedRecord[] = CLOSURES.flatMap((c) => [
  {
    ref: `closure.history.${c.key}`,
    type: 'Deal_Closure__c',
    fields: {
      Opportunity__c: ref(c.opportunity),
      Status__c: c.status,
      Trigger__c: 'Rep',
      Run_Id__c: `run-history-${c.key}`,
      Started_At__c: at(c.approvals[0]!.submitted[0] - 1, '09:00'),
    },
  },
  ...c.approvals.map((a): SeedRecord => ({
    ref: `approval.history.${c.key}.${a.role}`,
    type: 'Deal_Approval__c',
    fields: {
      Deal_Closure__c: ref(`closure.history.${c.key}`),
      Approver_Role__c: a.role,
      Approver__c: ref(a.approver),
      Reason__c: a.reason,
      Rule__c: a.rule,
      Status__c: a.status,
      CreatedDate: at(a.submitted[0], a.submitted[1]),
      Decided_At__c: a.hours === null ? null : after(a.submitted, a.hours),
      Comments__c: a.comment,
      Escalation_Level__c: 0,
      Idempotency_Key__c: `run-history-${c.key}:approval:${a.role}`,
    },
  })),
]);
