/**
 * What the package's Apex does in a real org, done by the local org so local runs follow the
 * production path:
 * - the Deal_Approval__c trigger: when the approval process sets Status__c to Approved or
 *   Rejected, call `POST /v1/approvals/:id/decision` with the approver's comment;
 * - the Opportunity trigger: when the stage moves into the configured verbal-commit stage,
 *   create a Deal_Closure__c (Queued, Signal) and call `POST /v1/closures`;
 * - DealClosureStartQueueable for a closure a rep started (Close Deal in Lightning Local): call
 *   `POST /v1/closures`, and mark the closure Failed with the middleware's reason when it refuses.
 * Calls run after commit and retry transient failures, as the Queueables do.
 */
import type { Logger } from '../logger.ts';
import type { CommitEvent, LocalOrg } from '@dealdesk/local-org';
import { soqlString } from '@dealdesk/contracts';

export interface PackageAutomationDeps {
  org: LocalOrg;
  /** Base URL of the middleware (what the Named Credential points at). */
  middlewareUrl: () => string;
  apiKey: string;
  logger: Logger;
  maxAttempts?: number;
  /** Caps the exponential backoff between attempts (a callout that keeps retrying through restarts). */
  maxRetryDelayMs?: number;
}

export interface PackageAutomation {
  /** DealClosureStartQueueable: starts the middleware's run for a Queued Deal_Closure__c a rep created. */
  startClosure(dealClosureId: string): void;
  /** Resolves when no callout is in flight (tests and the demo wait on it). */
  idle(): Promise<void>;
  stop(): void;
}

/** DealClosureService.truncate: a text cut to a field's length, ending in "...". */
function truncate(value: string, maxLength: number): string {
  return value.length <= maxLength ? value : `${value.slice(0, maxLength - 3)}...`;
}

export function installPackageAutomation(deps: PackageAutomationDeps): PackageAutomation {
  const calls: Callouts = { deps, maxAttempts: deps.maxAttempts ?? 5, inFlight: new Set(), stopped: false };
  const callout: Callout = (what, path, body, headers = {}, onRefused) => {
    const work = runCallout(calls, { what, path, body, headers, onRefused });
    calls.inFlight.add(work);
    void work.finally(() => calls.inFlight.delete(work));
  };
  resendDecisions(deps.org, callout);
  const unsubscribe = deps.org.onCommit((event) => {
    // After commit, like a Queueable: never inside the writer's transaction.
    setImmediate(() => {
      try {
        onCommit(deps.org, callout, event);
      } catch (err) {
        deps.logger.error({ err }, 'package automation failed');
      }
    });
  });
  return {
    startClosure: (dealClosureId) => startRepClosure(deps.org, callout, dealClosureId),
    async idle() {
      while (calls.inFlight.size > 0) await Promise.allSettled([...calls.inFlight]);
    },
    stop() {
      calls.stopped = true;
      unsubscribe();
    },
  };
}

/** The callouts of one installation: those in flight, and whether it was stopped. */
interface Callouts {
  deps: PackageAutomationDeps;
  maxAttempts: number;
  inFlight: Set<Promise<void>>;
  stopped: boolean;
}

type Callout = (
  what: string,
  path: string,
  body: unknown,
  headers?: Record<string, string>,
  onRefused?: (status: number, body: string) => void,
) => void;

interface CalloutRequest {
  what: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
  onRefused: ((status: number, body: string) => void) | undefined;
}

/** One callout, retried with backoff while the middleware fails (5xx or unreachable). */
async function runCallout(calls: Callouts, request: CalloutRequest): Promise<void> {
  const { deps } = calls;
  const { what } = request;
  for (let attempt = 1; attempt <= calls.maxAttempts && !calls.stopped; attempt++) {
    try {
      const res = await fetch(`${deps.middlewareUrl()}${request.path}`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${deps.apiKey}`,
          'Content-Type': 'application/json',
          ...request.headers,
        },
        body: JSON.stringify(request.body),
      });
      if (res.status < 500) {
        if (res.status >= 400) {
          const text = await res.text();
          deps.logger.warn({ what, status: res.status, body: text }, 'package automation callout refused');
          request.onRefused?.(res.status, text);
        }
        return;
      }
    } catch (err) {
      if (calls.stopped) return;
      deps.logger.warn({ what, attempt, err }, 'package automation callout failed');
    }
    await new Promise((r) =>
      setTimeout(r, Math.min(200 * 2 ** attempt, deps.maxRetryDelayMs ?? Number.POSITIVE_INFINITY)),
    );
  }
}

function verbalCommitSettings(org: LocalOrg): { stage: string; autoStart: boolean } {
  const row = org.query(
    "SELECT Verbal_Commit_Stage__c, Auto_Start_On_Stage_Change__c FROM DealDesk_Setting__mdt WHERE DeveloperName = 'Default'",
  ).records[0];
  return {
    stage: typeof row?.Verbal_Commit_Stage__c === 'string' ? row.Verbal_Commit_Stage__c : 'Verbal Commit',
    autoStart: row ? row.Auto_Start_On_Stage_Change__c === true : true,
  };
}

/** The package's triggers, run on one committed transaction's changes. */
function onCommit(org: LocalOrg, callout: Callout, event: CommitEvent): void {
  for (const change of event.changes) {
    if (change.type === 'Deal_Approval__c' && change.after) {
      const status = change.after.Status__c;
      if ((status === 'Approved' || status === 'Rejected') && change.before?.Status__c !== status) {
        sendDecision(org, callout, { id: change.after.Id, status, what: 'approval decision' });
      }
    }
    if (change.type === 'Opportunity' && change.after && change.before) {
      const { stage, autoStart } = verbalCommitSettings(org);
      if (autoStart && change.after.StageName === stage && change.before.StageName !== stage) {
        const opportunityId = change.after.Id;
        const closure = org.transact(event.userId, (dml) =>
          dml.insert('Deal_Closure__c', {
            Opportunity__c: opportunityId,
            Status__c: 'Queued',
            Trigger__c: 'Signal',
            Started_At__c: org.nowIso(),
          }),
        );
        callout(
          'closure start',
          '/v1/closures',
          { opportunityId, trigger: 'Signal', dealClosureId: closure.Id },
          { 'Idempotency-Key': closure.Id },
        );
      }
    }
  }
}

/** The Deal_Approval__c trigger's callout: the decision with the approver's latest comment. */
function sendDecision(
  org: LocalOrg,
  callout: Callout,
  decision: { id: string; status: 'Approved' | 'Rejected'; what: string },
): void {
  const { id, status, what } = decision;
  const step = org.query(
    `SELECT Comments, ActorId FROM ProcessInstanceStep WHERE ProcessInstance.TargetObjectId = ${soqlString(id)} ORDER BY CreatedDate DESC, Id DESC LIMIT 1`,
  ).records[0];
  callout(what, `/v1/approvals/${id}/decision`, {
    decision: status === 'Approved' ? 'approve' : 'reject',
    comment: typeof step?.Comments === 'string' ? step.Comments : null,
    actorId: typeof step?.ActorId === 'string' ? step.ActorId : null,
  });
}

// A Queueable survives a restart of the org; the local stand-in re-sends decisions whose
// closure still waits for approvals (the middleware ignores ones it already has).
function resendDecisions(org: LocalOrg, callout: Callout): void {
  const decided = org.query(
    "SELECT Id, Status__c FROM Deal_Approval__c WHERE Status__c IN ('Approved', 'Rejected') AND Deal_Closure__r.Status__c = 'Waiting_Approval'",
  ).records;
  for (const rec of decided) {
    setImmediate(() =>
      sendDecision(org, callout, {
        id: String(rec.Id),
        status: rec.Status__c === 'Approved' ? 'Approved' : 'Rejected',
        what: 'approval decision (resent)',
      }),
    );
  }
}

/** DealClosureStartQueueable for one Queued closure: the start callout, and Failed with the reason on refusal. */
function startRepClosure(org: LocalOrg, callout: Callout, dealClosureId: string): void {
  const closure = org.query(
    `SELECT Id, Opportunity__c, Trigger__c, Note__c, Transcript__c, Status__c FROM Deal_Closure__c WHERE Id = ${soqlString(dealClosureId)}`,
  ).records[0];
  if (!closure || closure.Status__c !== 'Queued') return;
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
  const note = text(closure.Note__c);
  const transcript = text(closure.Transcript__c);
  callout(
    'closure start',
    '/v1/closures',
    {
      opportunityId: closure.Opportunity__c,
      trigger: closure.Trigger__c,
      ...(note ? { note } : {}),
      ...(transcript ? { transcript } : {}),
      dealClosureId,
    },
    { 'Idempotency-Key': dealClosureId },
    (status, body) => markRefused(org, dealClosureId, status, body),
  );
}

/** DealClosureService.markFailed with the Queueable's refusal message: the middleware's reason and code. */
function markRefused(org: LocalOrg, dealClosureId: string, status: number, body: string): void {
  let error: { code?: unknown; message?: unknown } = {};
  try {
    error = (JSON.parse(body) as { error?: typeof error }).error ?? {};
  } catch {
    // Not JSON: the status says enough.
  }
  const message = typeof error.message === 'string' ? error.message : `The middleware answered ${status}.`;
  const code = typeof error.code === 'string' && error.code !== 'CLOSURE_RUNNING' ? ` (${error.code})` : '';
  org.transact(
    org.integrationUserId,
    (dml) =>
      dml.update('Deal_Closure__c', dealClosureId, {
        Status__c: 'Failed',
        Error__c: truncate(`${message}${code}`, 32768),
        Completed_At__c: org.nowIso(),
      }),
    { system: true },
  );
}
