/**
 * One step's write-back as one all-or-none composite call: the Deal_Closure__c, the
 * Agent_Step__c, the stage's domain writes, a read-back where System Integration wrote the
 * closed-won records, and a timeline event. Either all of it is stored or none, so a step is
 * never half-recorded.
 */
import type { ClosurePatch, ClosureRef, CommitResult, CrmWrite, StepRecord } from '../../ports/crm.ts';
import type { Subrequest, Subresponses } from './salesforce-calls.ts';
import { CrmError } from './salesforce-errors.ts';
import { LONG_TEXT, MEDIUM_TEXT, toPercent, truncate } from './field-values.ts';
import { mapWrite } from './write-mappers.ts';
import { closedWonReads, parseClosedWon } from './selectors/closed-won.ts';

export interface StepCommit {
  subrequests: Subrequest[];
  /** What the commit stored, from the composite call's subresponses. */
  result(results: Subresponses): CommitResult;
}

/** One step's write-back: what `CrmPort.commitStep` is given. */
export interface StepCommitInput {
  closure: ClosureRef;
  patch: ClosurePatch;
  step: StepRecord;
  writes: CrmWrite[];
  /** The timeline event's message. */
  message: string;
}

/** Keeps the read-back's referenceIds apart from the writes'. */
const READBACK = 'readback_';

export function planStepCommit(base: string, input: StepCommitInput): StepCommit {
  const { closure, patch, step, writes } = input;
  const { subrequest: closureUpsert, closureRef } = upsertClosure(base, closure, patch);
  const subrequests: Subrequest[] = [closureUpsert, upsertStep(base, step, closureRef)];
  const keyRefs: Record<string, string> = {};
  writes.forEach((w, i) => {
    const at = { base, ref: `w${i}`, closureRef, refOf: (key: string) => keyRefs[key] };
    const mapped = mapWrite(w.kind, w, at);
    Object.assign(keyRefs, mapped.keys);
    subrequests.push(...mapped.subrequests);
  });
  const closedWon = writes.find((w) => w.kind === 'closedWon');
  // Reading back in the same all-or-none call sees exactly what this transaction stored.
  if (closedWon) subrequests.push(...closedWonReads(base, closedWon.opportunityId, READBACK));
  subrequests.push(closureEvent(base, input, closureRef));
  return {
    subrequests,
    result(results) {
      const created = results.get('closure')?.body as { id?: string } | null | undefined;
      const dealClosureId = closure.dealClosureId ?? created?.id;
      if (!dealClosureId) throw new CrmError('UNEXPECTED_RESPONSE', 'the closure upsert returned no id');
      const ids: Record<string, string> = {};
      for (const [key, ref] of Object.entries(keyRefs)) {
        const body = results.get(ref)?.body as { id?: string } | undefined;
        if (body?.id) ids[key] = body.id;
      }
      if (!closedWon) return { dealClosureId, ids };
      const scheduleKeys = closedWon.schedule.map((r) => r.key);
      return {
        dealClosureId,
        ids,
        closedWon: parseClosedWon(results, closedWon.contract.key, scheduleKeys, READBACK),
      };
    },
  };
}

/**
 * The closure's update: by id when Salesforce created it (Close Deal button), otherwise upserted
 * by run id. `closureRef` is what the step's records point at: the id, or the upsert's result.
 */
function upsertClosure(
  base: string,
  closure: ClosureRef,
  patch: ClosurePatch,
): { subrequest: Subrequest; closureRef: string } {
  const fields = closureBody(closure, patch);
  if (closure.dealClosureId) {
    return {
      subrequest: {
        method: 'PATCH',
        url: `${base}/sobjects/Deal_Closure__c/${closure.dealClosureId}`,
        referenceId: 'closure',
        body: fields,
      },
      closureRef: closure.dealClosureId,
    };
  }
  return {
    subrequest: {
      method: 'PATCH',
      url: `${base}/sobjects/Deal_Closure__c/Run_Id__c/${encodeURIComponent(closure.runId)}`,
      referenceId: 'closure',
      body: { ...fields, Run_Id__c: undefined },
    },
    closureRef: '@{closure.id}',
  };
}

function closureBody(closure: ClosureRef, patch: ClosurePatch): Record<string, unknown> {
  const body: Record<string, unknown> = {
    Run_Id__c: closure.runId,
    Opportunity__c: closure.opportunityId,
    Trigger__c: closure.trigger,
  };
  // Only what the patch names is written, so a step never clears a field another step set.
  const set = (field: string, value: unknown) => {
    if (value !== undefined) body[field] = value;
  };
  set('Status__c', patch.status);
  set('Current_Agent__c', patch.currentAgent);
  set(
    'Closing_Confidence__c',
    patch.closingConfidence === undefined || patch.closingConfidence === null
      ? patch.closingConfidence
      : toPercent(patch.closingConfidence),
  );
  set('Decision__c', patch.decision);
  set('Signals__c', patch.signals === undefined ? undefined : truncate(patch.signals, LONG_TEXT));
  set('Strategy__c', patch.strategy === undefined ? undefined : truncate(patch.strategy, LONG_TEXT));
  set('Renewal_Risk_Score__c', patch.renewalRiskScore);
  set(
    'Renewal_Risk_Factors__c',
    patch.renewalRiskFactors === undefined ? undefined : truncate(patch.renewalRiskFactors, LONG_TEXT),
  );
  set('Started_At__c', patch.startedAt);
  set('Completed_At__c', patch.completedAt);
  set('Error__c', patch.error === undefined ? undefined : truncate(patch.error, MEDIUM_TEXT));
  if (closure.note !== null) body.Note__c = truncate(closure.note, MEDIUM_TEXT);
  if (closure.transcript !== null) body.Transcript__c = truncate(closure.transcript, LONG_TEXT);
  return body;
}

function upsertStep(base: string, step: StepRecord, closureRef: string): Subrequest {
  return {
    method: 'PATCH',
    url: `${base}/sobjects/Agent_Step__c/Step_Key__c/${encodeURIComponent(step.stepKey)}`,
    referenceId: 'step',
    body: {
      Deal_Closure__c: closureRef,
      Agent__c: step.agent,
      Status__c: step.status,
      Reasoning__c: truncate(step.reasoning, LONG_TEXT),
      Confidence__c: step.confidence === null ? null : toPercent(step.confidence),
      Started_At__c: step.startedAt,
      Finished_At__c: step.finishedAt,
      Duration_Ms__c: step.durationMs,
      Error__c: truncate(step.error, MEDIUM_TEXT),
      Facts__c: truncate(JSON.stringify(step.facts ?? null), LONG_TEXT),
    },
  };
}

/** The Deal_Closure_Event__e that puts this step on the closure's timeline. */
function closureEvent(
  base: string,
  { closure, patch, step, message }: Omit<StepCommitInput, 'writes'>,
  closureRef: string,
): Subrequest {
  return {
    method: 'POST',
    url: `${base}/sobjects/Deal_Closure_Event__e`,
    referenceId: 'event',
    body: {
      Closure_Id__c: closure.dealClosureId ?? closureRef,
      Status__c: patch.status ?? step.status,
      Agent__c: step.agent,
      Message__c: truncate(message, 255),
      Step_Key__c: step.stepKey,
      Confidence__c: step.confidence === null ? null : toPercent(step.confidence),
      Occurred_At__c: step.finishedAt ?? step.startedAt,
    },
  };
}
