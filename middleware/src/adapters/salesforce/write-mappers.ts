/**
 * The subrequests of each domain write, one mapper per write kind. The table is typed by
 * `CrmWrite['kind']`, so a new kind of write does not compile until it has a mapper. Records
 * are upserted by external id wherever the object has one, so replaying a commit after a lost
 * answer updates what the first attempt stored instead of adding to it.
 */
import type { CrmWrite, RecipientPrediction } from '../../ports/crm.ts';
import type { Subrequest } from './salesforce-calls.ts';
import { LONG_TEXT, MEDIUM_TEXT, toPercent, truncate } from './field-values.ts';

export type WriteKind = CrmWrite['kind'];
type WriteOf = { [W in CrmWrite as W['kind']]: W };

/** Where one write's subrequests go and what they may point at. */
export interface WriteTarget {
  /** `/services/data/vNN.N` */
  base: string;
  /** This write's referenceId; its further subrequests extend it. */
  ref: string;
  /** The Deal_Closure__c the records belong to: its id, or a reference to the closure upsert. */
  closureRef: string;
  /** The referenceId holding the id of an earlier write in the same commit, by that write's key. */
  refOf(key: string): string | undefined;
}

export interface MappedWrite {
  subrequests: Subrequest[];
  /** The write keys whose Salesforce ids the commit reports, each with the referenceId holding it. */
  keys: Record<string, string>;
}

type WriteMapper<K extends WriteKind> = (write: WriteOf[K], at: WriteTarget) => MappedWrite;

/** A record named by its external id: the object, the external id field and its value. */
interface ExternalId {
  object: string;
  field: string;
  key: string;
}

/** A PATCH by external id: creates the record the first time, updates it on a replay. */
function upsert(
  at: WriteTarget,
  { object, field, key }: ExternalId,
  body: Record<string, unknown>,
  referenceId = at.ref,
): Subrequest {
  return {
    method: 'PATCH',
    url: `${at.base}/sobjects/${object}/${field}/${encodeURIComponent(key)}`,
    referenceId,
    body,
  };
}

/** A single upsert whose id is reported under the write's key. */
function upsertOne(at: WriteTarget, object: string, key: string, body: Record<string, unknown>): MappedWrite {
  return {
    subrequests: [upsert(at, { object, field: 'Idempotency_Key__c', key }, body)],
    keys: { [key]: at.ref },
  };
}

export const WRITE_MAPPERS: { [K in WriteKind]: WriteMapper<K> } = {
  // ContentVersion has no upsert: the caller checks existingKeys before attaching again.
  file: (w, at) => ({
    subrequests: [
      {
        method: 'POST',
        url: `${at.base}/sobjects/ContentVersion`,
        referenceId: at.ref,
        body: {
          Title: w.title,
          PathOnClient: w.fileName,
          VersionData: Buffer.from(w.data).toString('base64'),
          FirstPublishLocationId: w.linkedTo,
          // Lets a resumed step find the file instead of attaching it twice.
          DealDesk_Key__c: w.key,
        },
      },
    ],
    keys: { [w.key]: at.ref },
  }),

  contractVersion: (w, at) => {
    const fileRef = at.refOf(w.fileKey);
    return upsertOne(at, 'Contract_Version__c', w.key, {
      Deal_Closure__c: at.closureRef,
      Version__c: w.version,
      Variant__c: w.variant,
      Template__c: w.template,
      Clauses__c: truncate(w.clauses, LONG_TEXT),
      Risk_Level__c: w.riskLevel,
      Legal_Review_Required__c: w.legalReviewRequired,
      Content_Hash__c: w.contentHash,
      ...(fileRef ? { Content_Version_Id__c: `@{${fileRef}.id}` } : {}),
      ...(w.accountId ? { Account__c: w.accountId } : {}),
      ...(w.requestedTerms !== undefined
        ? { Requested_Terms__c: truncate(w.requestedTerms, MEDIUM_TEXT) }
        : {}),
    });
  },

  approval: (w, at) =>
    upsertOne(at, 'Deal_Approval__c', w.key, {
      Deal_Closure__c: at.closureRef,
      Approver_Role__c: w.role,
      Approver__c: w.approverId,
      Backup_Approver__c: w.backupApproverId,
      Reason__c: truncate(w.reason, MEDIUM_TEXT),
      Rule__c: w.rule.slice(0, 80),
      Status__c: w.status,
      Due_At__c: w.dueAt,
      Escalation_Level__c: w.escalationLevel,
      ...(w.brief ? { Brief__c: truncate(w.brief, MEDIUM_TEXT) } : {}),
    }),

  envelope: (w, at) => ({
    subrequests: [
      upsert(
        at,
        { object: 'Signature_Envelope__c', field: 'Envelope_Id__c', key: w.envelopeId },
        {
          Deal_Closure__c: at.closureRef,
          Provider__c: w.provider,
          Status__c: w.status,
          Sent_At__c: w.sentAt,
          Completed_At__c: w.completedAt,
        },
      ),
      ...w.recipients.map((r, i) =>
        upsert(
          at,
          { object: 'Envelope_Recipient__c', field: 'Idempotency_Key__c', key: r.key },
          {
            Signature_Envelope__c: `@{${at.ref}.id}`,
            Name__c: r.name.slice(0, 121),
            Email__c: r.email,
            Role__c: r.role.slice(0, 80),
            Routing_Order__c: r.routingOrder,
            Status__c: r.status,
            Signed_At__c: r.signedAt,
            ...(r.prediction ? predictionFields(r.prediction) : {}),
          },
          `${at.ref}r${i}`,
        ),
      ),
    ],
    keys: { [w.envelopeId]: at.ref },
  }),

  closedWon: closedWonSubrequests,

  handoff: (w, at) =>
    upsertOne(at, 'Handoff_Package__c', w.key, {
      Deal_Closure__c: at.closureRef,
      Team__c: w.team,
      Summary__c: truncate(w.summary, LONG_TEXT),
      Context__c: truncate(w.context, LONG_TEXT),
      Completeness__c: toPercent(w.completeness),
      Status__c: w.status,
      ...(w.ownerId ? { OwnerId: w.ownerId } : {}),
    }),

  insight: (w, at) =>
    upsertOne(at, 'Win_Insight__c', w.key, {
      Deal_Closure__c: at.closureRef,
      Category__c: w.category,
      Insight__c: truncate(w.insight, LONG_TEXT),
      Metric__c: w.metric.slice(0, 80),
      Value__c: w.value,
    }),

  // The decision fields are left out: a closure that meets the pattern again never reopens it.
  playbookSuggestion: (w, at) =>
    upsertOne(at, 'Playbook_Suggestion__c', w.key, {
      Deal_Closure__c: at.closureRef,
      Category__c: w.category,
      Title__c: w.title.slice(0, 255),
      Suggestion__c: truncate(w.suggestion, MEDIUM_TEXT),
      Evidence__c: truncate(w.evidence, LONG_TEXT),
      Metric__c: w.metric.slice(0, 80),
      Value__c: w.value,
      Supporting_Deals__c: w.supportingDeals,
      Source_Deals__c: truncate(w.sourceDeals, LONG_TEXT),
      Source_Insights__c: truncate(w.sourceInsights, MEDIUM_TEXT),
      Target__c: w.target?.slice(0, 255) ?? null,
      Evidence_As_Of__c: w.evidenceAsOf,
    }),

  tasks: (w, at) => ({
    subrequests:
      w.tasks.length === 0
        ? []
        : [
            {
              method: 'PATCH',
              url: `${at.base}/composite/sobjects/Task/DealDesk_Key__c`,
              referenceId: at.ref,
              body: {
                allOrNone: true,
                // Status is left to its default on insert, so a replay never reopens a Task someone completed.
                records: w.tasks.map((t) => ({
                  attributes: { type: 'Task' },
                  DealDesk_Key__c: t.key,
                  Subject: t.subject.slice(0, 255),
                  Description: truncate(t.description, 32000),
                  ActivityDate: t.activityDate,
                  OwnerId: t.ownerId,
                  WhatId: t.whatId,
                  WhoId: t.whoId,
                  Priority: t.priority,
                })),
              },
            },
          ],
    keys: Object.fromEntries(w.tasks.map((t) => [t.key, at.ref])),
  }),

  // FeedItem has no external id: its id is reported under the guard key the caller chose.
  feedPost: (w, at) => ({
    subrequests: [
      {
        method: 'POST',
        url: `${at.base}/sobjects/FeedItem`,
        referenceId: at.ref,
        body: { ParentId: w.parentId, Body: truncate(w.body, 10000), Type: 'TextPost' },
      },
    ],
    keys: { [w.guardKey]: at.ref },
  }),
};

/** Everything System Integration writes: contract, activation, stage, renewal and schedule. */
function closedWonSubrequests(w: WriteOf['closedWon'], at: WriteTarget): MappedWrite {
  const { ref } = at;
  const c = w.contract;
  const contract: ExternalId = { object: 'Contract', field: 'DealDesk_Key__c', key: c.key };
  return {
    subrequests: [
      upsert(
        at,
        contract,
        {
          AccountId: w.accountId,
          StartDate: c.startDate,
          ContractTerm: c.termMonths,
          OwnerExpirationNotice: c.ownerExpirationNotice,
          SpecialTerms: truncate(c.specialTerms, 4000),
          Description: truncate(c.description, 32000),
          CurrencyIsoCode: w.currency,
        },
        `${ref}c`,
      ),
      // Contracts are created as Draft (the default) and activated by a separate update; a replay changes nothing.
      upsert(at, contract, { Status: 'Activated' }, `${ref}a`),
      {
        method: 'PATCH',
        url: `${at.base}/sobjects/Opportunity/${w.opportunityId}`,
        referenceId: `${ref}o`,
        body: { StageName: 'Closed Won', CloseDate: w.closeDate, ContractId: `@{${ref}c.id}` },
      },
      upsert(
        at,
        { object: 'Opportunity', field: 'DealDesk_Key__c', key: w.renewal.key },
        {
          Name: w.renewal.name.slice(0, 120),
          AccountId: w.accountId,
          StageName: w.renewal.stageName,
          CloseDate: w.renewal.closeDate,
          Amount: w.renewal.amount,
          Type: 'Renewal',
          CurrencyIsoCode: w.currency,
        },
        `${ref}r`,
      ),
      {
        method: 'PATCH',
        url: `${at.base}/composite/sobjects/Revenue_Schedule__c/Idempotency_Key__c`,
        referenceId: `${ref}s`,
        body: {
          allOrNone: true,
          records: w.schedule.map((s) => ({
            attributes: { type: 'Revenue_Schedule__c' },
            Idempotency_Key__c: s.key,
            Deal_Closure__c: at.closureRef,
            Opportunity__c: w.opportunityId,
            Period_Start__c: s.periodStart,
            Amount__c: s.amount,
            CurrencyIsoCode: w.currency,
          })),
        },
      },
    ],
    keys: { [c.key]: `${ref}c` },
  };
}

/** The subrequests of one write, by its kind's mapper. */
export function mapWrite<K extends WriteKind>(kind: K, write: WriteOf[K], at: WriteTarget): MappedWrite {
  const mapper: WriteMapper<K> = WRITE_MAPPERS[kind];
  return mapper(write, at);
}

/** A signer's completion prediction on its Envelope_Recipient__c (hours to one decimal). */
function predictionFields(p: RecipientPrediction): Record<string, unknown> {
  const hours = (h: number | null) => (h === null ? null : Math.round(h * 10) / 10);
  return {
    Sign_Probability__c: p.probability === null ? null : toPercent(p.probability),
    Expected_Sign_Hours__c: hours(p.medianHours),
    Sign_Hours_P80__c: hours(p.p80Hours),
    Completion_Prediction__c: p.summary.slice(0, 255),
  };
}
