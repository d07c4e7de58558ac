/**
 * The CRM port: what the agents and the orchestrator need from Salesforce, in the domain's
 * terms. The Salesforce adapter (jsforce) is the only code that knows SObject and field names;
 * it works unchanged against a real org and the local org.
 */
import { z } from 'zod';
import { SalesforceIdSchema } from '@dealdesk/contracts';
import {
  EarlierContractSchema,
  type DealHistoryResult,
  type EarlierContract,
  type PastDeal,
  type SignatureHistoryEnvelope,
} from './crm-history.ts';

export {
  EarlierContractSchema,
  PastDealSchema,
  SignatureHistoryEnvelopeSchema,
  type DealHistoryResult,
  type EarlierContract,
  type PastDeal,
  type SignatureHistoryEnvelope,
} from './crm-history.ts';

const Id = SalesforceIdSchema;

export const LineItemSchema = z.object({
  id: Id,
  productId: Id.nullable(),
  productName: z.string(),
  productCode: z.string().nullable(),
  family: z.string().nullable(),
  quantity: z.number(),
  unitPriceMinor: z.number().int(),
  listPriceMinor: z.number().int().nullable(),
  discountPercent: z.number(),
  totalPriceMinor: z.number().int(),
  description: z.string().nullable(),
  serviceDate: z.string().nullable(),
});
export type LineItem = z.infer<typeof LineItemSchema>;

export const ContactRoleSchema = z.object({
  id: Id,
  contactId: Id,
  name: z.string(),
  title: z.string().nullable(),
  email: z.string().nullable(),
  department: z.string().nullable(),
  description: z.string().nullable(),
  role: z.string().nullable(),
  isPrimary: z.boolean(),
});
export type ContactRole = z.infer<typeof ContactRoleSchema>;

export const ActivitySchema = z.object({
  id: Id,
  kind: z.enum(['task', 'email']),
  /** Call, Meeting, Email, Other for tasks; Email for messages. */
  type: z.string().nullable(),
  subject: z.string().nullable(),
  body: z.string().nullable(),
  /** ISO datetime the activity happened. */
  occurredAt: z.string(),
  /** Emails: inbound from the customer or outbound from the seller. */
  direction: z.enum(['inbound', 'outbound']).nullable(),
  from: z.string().nullable(),
  contactId: Id.nullable(),
});
export type Activity = z.infer<typeof ActivitySchema>;

export const DealContextSchema = z.object({
  opportunity: z.object({
    id: Id,
    name: z.string(),
    stageName: z.string(),
    amountMinor: z.number().int().nullable(),
    currency: z.string().length(3),
    closeDate: z.string().nullable(),
    type: z.string().nullable(),
    probability: z.number().nullable(),
    description: z.string().nullable(),
    nextStep: z.string().nullable(),
    isClosed: z.boolean(),
    isWon: z.boolean(),
    ownerId: Id,
    ownerName: z.string().nullable(),
    ownerEmail: z.string().nullable(),
    pricebookId: Id.nullable(),
  }),
  account: z
    .object({
      id: Id,
      name: z.string(),
      industry: z.string().nullable(),
      employees: z.number().nullable(),
      type: z.string().nullable(),
      billingStreet: z.string().nullable(),
      billingCity: z.string().nullable(),
      billingState: z.string().nullable(),
      billingPostalCode: z.string().nullable(),
      billingCountry: z.string().nullable(),
      website: z.string().nullable(),
    })
    .nullable(),
  lineItems: z.array(LineItemSchema),
  contactRoles: z.array(ContactRoleSchema),
  activities: z.array(ActivitySchema),
  /** Conversion rates to the corporate currency (units of currency per one corporate unit). */
  currencyRates: z.record(z.string(), z.number()),
  corporateCurrency: z.string().length(3),
  /** The org's approval policy (Approval_Rule__mdt) as it stood when the deal was read. */
  approvalRules: z.array(z.lazy(() => ApprovalRuleSchema)),
  /** When the context was read; activity windows are relative to it. */
  readAt: z.string(),
  /**
   * The account's signed contracts on its other opportunities, read in the same round trip as
   * the deal; absent when the deal was read without them (then `loadContractHistory` reads them).
   */
  accountContracts: z.array(z.lazy(() => EarlierContractSchema)).optional(),
});
export type DealContext = z.infer<typeof DealContextSchema>;

export const ApprovalRuleSchema = z.object({
  name: z.string(),
  role: z.enum(['Finance', 'Legal', 'Sales_VP', 'InfoSec', 'Executive']),
  minAmountMinor: z.number().int().nullable(),
  /** Currency the thresholds are expressed in (the org's corporate currency when unset). */
  currency: z.string().length(3).nullable(),
  minDiscountPercent: z.number().nullable(),
  requiresCustomTerms: z.boolean(),
  requiresSecurityReview: z.boolean(),
  requiresLegalReview: z.boolean(),
  slaHours: z.number().nullable(),
  approverUsername: z.string().nullable(),
  backupUsername: z.string().nullable(),
  dependsOn: z.array(z.string()),
  active: z.boolean(),
});
export type ApprovalRule = z.infer<typeof ApprovalRuleSchema>;

export const CrmUserSchema = z.object({
  id: Id,
  username: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  isActive: z.boolean(),
  delegatedApproverId: Id.nullable(),
  managerId: Id.nullable(),
});
export type CrmUser = z.infer<typeof CrmUserSchema>;

export type AgentName =
  | 'Deal_Closure'
  | 'Contract_Generation'
  | 'Approval_Orchestration'
  | 'Signature_Management'
  | 'System_Integration'
  | 'Handoff_Coordination'
  | 'Learning_Optimization';

export type ClosureStatus =
  | 'Queued'
  | 'Running'
  | 'Waiting_Approval'
  | 'Waiting_Signature'
  | 'Waiting_Rep'
  | 'Completed'
  | 'Failed'
  | 'Cancelled';

/** The Agent_Step__c record of one stage attempt, keyed by `stepKey`. */
export interface StepRecord {
  stepKey: string;
  agent: AgentName;
  status: 'Running' | 'Succeeded' | 'Failed' | 'Skipped' | 'Waiting';
  reasoning: string;
  /** 0–1 */
  confidence: number | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
  /** The facts the decision used (JSON-serialisable). */
  facts: unknown;
}

/** Fields of Deal_Closure__c a step updates. */
export interface ClosurePatch {
  status?: ClosureStatus;
  currentAgent?: AgentName | null;
  closingConfidence?: number | null;
  decision?: 'Go' | 'Needs_Rep_Confirmation' | 'Not_Ready';
  signals?: string;
  strategy?: string;
  renewalRiskScore?: number;
  renewalRiskFactors?: string;
  startedAt?: string;
  completedAt?: string;
  error?: string | null;
}

/** The Deal_Closure__c this run writes to. */
export interface ClosureRef {
  runId: string;
  opportunityId: string;
  /** Set when Salesforce created the record (Close Deal button); otherwise upserted by run id. */
  dealClosureId: string | null;
  trigger: 'Rep' | 'Signal';
  note: string | null;
  transcript: string | null;
}

/** Domain writes a stage commits together with its step record, atomically. */
export type CrmWrite =
  | { kind: 'file'; key: string; title: string; fileName: string; data: Uint8Array; linkedTo: string }
  | {
      kind: 'contractVersion';
      key: string;
      version: number;
      variant: 'Full' | 'Executive_Summary' | 'Technical_Appendix';
      template: string;
      clauses: string;
      riskLevel: 'Low' | 'Medium' | 'High';
      legalReviewRequired: boolean;
      contentHash: string;
      /** `key` of a file write in the same commit. */
      fileKey: string;
      /** The customer's Account: its later contracts read this one back as history. */
      accountId?: string;
      /** JSON of the terms asked for that the contract answers (Requested_Terms__c). */
      requestedTerms?: string;
    }
  | {
      kind: 'approval';
      key: string;
      role: ApprovalRule['role'];
      approverId: string;
      backupApproverId: string | null;
      reason: string;
      rule: string;
      status: 'Pending' | 'Approved' | 'Rejected' | 'Escalated' | 'Recalled';
      dueAt: string;
      escalationLevel: number;
      /** The approver's decision brief, each statement with the facts it rests on (Brief__c). */
      brief?: string;
    }
  | {
      kind: 'envelope';
      envelopeId: string;
      provider: 'DocuSign' | 'Local';
      status: 'Created' | 'Sent' | 'Delivered' | 'Completed' | 'Declined' | 'Voided' | 'Expired';
      sentAt: string | null;
      completedAt: string | null;
      recipients: {
        key: string;
        name: string;
        email: string;
        role: string;
        routingOrder: number;
        status: 'Created' | 'Sent' | 'Delivered' | 'Signed' | 'Completed' | 'Declined' | 'Auto_Responded';
        signedAt: string | null;
        /** The completion prediction made when the envelope was sent; absent leaves the fields as they are. */
        prediction?: RecipientPrediction;
      }[];
    }
  | {
      kind: 'closedWon';
      /** Everything System Integration writes in one all-or-none transaction. */
      opportunityId: string;
      accountId: string;
      amount: number;
      currency: string;
      closeDate: string;
      contract: {
        key: string;
        startDate: string;
        termMonths: number;
        specialTerms: string;
        description: string;
        ownerExpirationNotice: string;
      };
      schedule: { key: string; periodStart: string; amount: number }[];
      renewal: { key: string; name: string; closeDate: string; amount: number; stageName: string };
    }
  | {
      kind: 'handoff';
      key: string;
      team: 'Customer_Success' | 'Finance' | 'Support' | 'Implementation';
      summary: string;
      context: string;
      completeness: number;
      status: 'Draft' | 'Incomplete' | 'Ready' | 'Delivered' | 'Acknowledged';
      /** The User the owner rules assigned the package to. */
      ownerId?: string;
    }
  | {
      kind: 'insight';
      key: string;
      category: 'Velocity' | 'Stakeholder' | 'Competitive' | 'Pricing' | 'Process';
      insight: string;
      metric: string;
      value: number;
    }
  | {
      /**
       * A Playbook_Suggestion__c upserted by its pattern's key: a later closure that meets the
       * same pattern updates the evidence; the decision (status, by, at) is never written here.
       */
      kind: 'playbookSuggestion';
      key: string;
      category: 'Competitive' | 'Legal_Review';
      title: string;
      suggestion: string;
      evidence: string;
      metric: string;
      value: number;
      supportingDeals: number;
      sourceDeals: string;
      sourceInsights: string;
      /** The rule or setting accepting it would change, when there is one. */
      target: string | null;
      /** When the newest closure in the evidence completed. */
      evidenceAsOf: string | null;
    }
  | { kind: 'feedPost'; parentId: string; body: string; guardKey: string }
  | {
      /** Dated Tasks (renewal plan, handoff kickoffs), upserted by key in one collection request. */
      kind: 'tasks';
      tasks: TaskWrite[];
    };

/** A signer's completion prediction as Envelope_Recipient__c keeps it. */
export interface RecipientPrediction {
  /** 0–1: the share of comparable past signers who signed; null without enough history. */
  probability: number | null;
  /** Median and 80th percentile of hours from receiving the envelope to signing, among those who signed. */
  medianHours: number | null;
  p80Hours: number | null;
  /** The prediction in words, with the history it came from (≤ 255 characters). */
  summary: string;
}

/** A Task keyed by Task.DealDesk_Key__c; a replay updates it (never its Status) instead of adding one. */
export interface TaskWrite {
  key: string;
  subject: string;
  description: string;
  /** Due date, YYYY-MM-DD. */
  activityDate: string;
  ownerId: string;
  /** The record the Task is about (Opportunity, Handoff_Package__c). */
  whatId: string;
  whoId: string | null;
  priority: 'High' | 'Normal' | 'Low';
}

export interface CommitResult {
  dealClosureId: string;
  /** Salesforce ids of what was written, by write key. */
  ids: Record<string, string>;
  /**
   * For a commit with a closedWon write: the records as Salesforce stored them, read in the same
   * all-or-none call after the writes (so the cross-check costs no extra request).
   */
  closedWon?: ClosedWonReadBack;
}

export interface ClosedWonReadBack {
  opportunity: { stageName: string; amount: number | null; isWon: boolean; contractId: string | null };
  contract: {
    id: string;
    status: string;
    startDate: string | null;
    endDate: string | null;
    termMonths: number | null;
  } | null;
  schedule: { key: string; periodStart: string; amount: number }[];
}

export interface ApprovalSubmission {
  approvalId: string;
  approverId: string;
  comments: string;
}

export interface SubmissionResult {
  approvalId: string;
  ok: boolean;
  processInstanceId?: string;
  workitemIds?: string[];
  error?: string;
}

export interface CrmPort {
  /** The deal and its last `activityDays` of activity, plus currency rates, in one round trip. */
  loadDeal(
    opportunityId: string,
    options: { activityDays: number; transcript?: string | null },
  ): Promise<DealContext>;
  loadApprovalRules(): Promise<ApprovalRule[]>;
  findUsers(usernames: string[]): Promise<CrmUser[]>;
  /** Writes a step, the closure status, the stage's writes and a timeline event in one all-or-none call. */
  commitStep(
    closure: ClosureRef,
    patch: ClosurePatch,
    step: StepRecord,
    writes: CrmWrite[],
    message: string,
  ): Promise<CommitResult>;
  /**
   * The signed contracts of the opportunity's account on its other opportunities, newest first
   * (what `loadDeal` brings as `accountContracts`, for a deal read without them). Optional:
   * without it contracts are generated without the account's history.
   */
  loadContractHistory?(opportunityId: string): Promise<EarlierContract[]>;
  /** Which of these write keys already exist (for non-idempotent writes after a crash). */
  existingKeys(kind: 'file' | 'contractVersion' | 'insight', keys: string[]): Promise<Set<string>>;
  /**
   * The bytes of a file this app attached under a write key, checked against the SHA-256 it
   * recorded when it wrote them: undefined when no such file is attached; a CrmError
   * `FILE_CHANGED` when Salesforce holds different bytes, so nothing unapproved goes out.
   */
  readFile(key: string, sha256: string): Promise<Buffer | undefined>;
  submitApprovals(submissions: ApprovalSubmission[]): Promise<SubmissionResult[]>;
  /**
   * The org's envelopes that were sent, newest first, at most `limit`, each with its recipients
   * (signing history for completion predictions). Optional: without it signers get no prediction.
   */
  signatureHistory?(options: { limit: number }): Promise<SignatureHistoryEnvelope[]>;
  /** Reads back what System Integration wrote, for the exact cross-check. */
  readClosedWon(
    opportunityId: string,
    contractKey: string,
    scheduleKeys: string[],
  ): Promise<ClosedWonReadBack>;
  /**
   * The org's closed deals of the last `sinceDays` days (newest first, at most 5,000), each with its
   * products and competitors: org-wide, so callers cache it. Optional: without it the Deal Closure
   * strategy says it has no history.
   */
  loadDealHistory?(options: { sinceDays: number }): Promise<PastDeal[]>;
  /**
   * `loadDeal` with the deal history riding along in the same round trip (no request of its own);
   * a failure of the history part leaves the deal and says why in `history.error`.
   */
  loadDealWithHistory?(
    opportunityId: string,
    options: { activityDays: number; historyDays: number },
  ): Promise<{ deal: DealContext; history: DealHistoryResult }>;
}
