/**
 * Deal closures as Salesforce holds them (Deal_Closure__c and its Agent_Step__c timeline) and the
 * support actions on them. Starting follows the Close Deal button's path (DealClosureService):
 * the same blockers, a Queued Deal_Closure__c, then POST /v1/closures keyed by its id. A Queued
 * closure the middleware never acknowledged (no Run_Id__c) is reused, so a start that failed
 * half-way is finished by running the command again.
 */
import type { Connection } from '@salesforce/core';
import { SfError } from '@salesforce/core';
import { z } from 'zod';
import { MiddlewareClient, resolveMiddleware } from './middleware.ts';
import { soqlString } from '@dealdesk/contracts';
import { queryAll } from './soql.ts';

export const FINISHED_STATUSES = ['Completed', 'Failed', 'Cancelled'] as const;
export const NOTE_MAX_LENGTH = 32_000;

const nullableString = z
  .string()
  .nullable()
  .optional()
  .transform((v) => v ?? null);
const nullableNumber = z
  .number()
  .nullable()
  .optional()
  .transform((v) => v ?? null);

export const ClosureRowSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  Opportunity__c: z.string(),
  Status__c: nullableString,
  Trigger__c: nullableString,
  Run_Id__c: nullableString,
  Decision__c: nullableString,
  Closing_Confidence__c: nullableNumber,
  Current_Agent__c: nullableString,
  Error__c: nullableString,
  Started_At__c: nullableString,
  Completed_At__c: nullableString,
  CreatedDate: z.string(),
});
export type ClosureRow = z.infer<typeof ClosureRowSchema>;

export const StepRowSchema = z.object({
  Id: z.string(),
  Agent__c: nullableString,
  Status__c: nullableString,
  Confidence__c: nullableNumber,
  Reasoning__c: nullableString,
  Error__c: nullableString,
  Started_At__c: nullableString,
  Finished_At__c: nullableString,
  Duration_Ms__c: nullableNumber,
});
export type StepRow = z.infer<typeof StepRowSchema>;

const OpportunityRowSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  StageName: z.string(),
  IsClosed: z.boolean(),
  Amount: z.number().nullable().optional(),
  OpportunityContactRoles: z.object({ totalSize: z.number() }).nullable().optional(),
});

export interface Closure {
  id: string;
  name: string;
  opportunityId: string;
  status: string | null;
  trigger: string | null;
  runId: string | null;
  decision: string | null;
  confidence: number | null;
  currentAgent: string | null;
  error: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface TimelineStep {
  agent: string | null;
  status: string | null;
  confidence: number | null;
  durationMs: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  reasoning: string | null;
  error: string | null;
}

const CLOSURE_FIELDS =
  'Id, Name, Opportunity__c, Status__c, Trigger__c, Run_Id__c, Decision__c, Closing_Confidence__c, Current_Agent__c, Error__c, Started_At__c, Completed_At__c, CreatedDate';

function toClosure(r: ClosureRow): Closure {
  return {
    id: r.Id,
    name: r.Name,
    opportunityId: r.Opportunity__c,
    status: r.Status__c,
    trigger: r.Trigger__c,
    runId: r.Run_Id__c,
    decision: r.Decision__c,
    confidence: r.Closing_Confidence__c,
    currentAgent: r.Current_Agent__c,
    error: r.Error__c,
    startedAt: r.Started_At__c,
    completedAt: r.Completed_At__c,
  };
}

export async function latestClosure(conn: Connection, opportunityId: string): Promise<Closure | undefined> {
  const rows = await queryAll(
    conn,
    `SELECT ${CLOSURE_FIELDS} FROM Deal_Closure__c WHERE Opportunity__c = ${soqlString(opportunityId)} ORDER BY CreatedDate DESC, Id DESC LIMIT 1`,
    ClosureRowSchema,
    'Deal_Closure__c',
  );
  return rows[0] ? toClosure(rows[0]) : undefined;
}

export async function requireLatestClosure(conn: Connection, opportunityId: string): Promise<Closure> {
  const closure = await latestClosure(conn, opportunityId);
  if (!closure)
    throw new SfError(
      `Opportunity ${opportunityId} has no deal closure. Start one with sf dealdesk closure start --opportunity ${opportunityId}.`,
      'NoClosure',
    );
  return closure;
}

/** What `closure retry` and `closure cancel` return (and print with --json). */
export type ClosureActionResult = {
  dealClosureId: string;
  name: string;
  runId: string;
  accepted: string;
};

/** Asks the middleware to retry or cancel the opportunity's latest closure. */
export async function actOnLatestClosure(
  conn: Connection,
  flags: { opportunity: string; 'middleware-url'?: string; 'api-key-file'?: string },
  action: 'retry' | 'cancel',
  comment: string | undefined,
): Promise<{ closure: Closure; result: ClosureActionResult }> {
  const closure = await requireLatestClosure(conn, flags.opportunity);
  const runId = requireRunId(closure);
  const client = new MiddlewareClient(await resolveMiddleware(conn, flags, { requireKey: true }));
  const res = await client.act(runId, action, comment);
  return {
    closure,
    result: { dealClosureId: closure.id, name: closure.name, runId, accepted: res.accepted },
  };
}

export async function timeline(conn: Connection, closureId: string): Promise<TimelineStep[]> {
  const rows = await queryAll(
    conn,
    'SELECT Id, Agent__c, Status__c, Confidence__c, Reasoning__c, Error__c, Started_At__c, Finished_At__c, Duration_Ms__c' +
      ` FROM Agent_Step__c WHERE Deal_Closure__c = ${soqlString(closureId)} ORDER BY Started_At__c ASC NULLS LAST, CreatedDate ASC, Id ASC`,
    StepRowSchema,
    'Agent_Step__c',
  );
  return rows.map((r) => ({
    agent: r.Agent__c,
    status: r.Status__c,
    confidence: r.Confidence__c,
    durationMs: r.Duration_Ms__c,
    startedAt: r.Started_At__c,
    finishedAt: r.Finished_At__c,
    reasoning: r.Reasoning__c,
    error: r.Error__c,
  }));
}

/** Why a closure cannot start, in the Close Deal button's words; empty when it can. */
export async function startBlockers(
  conn: Connection,
  opportunityId: string,
  note: string | undefined,
): Promise<{ blockers: string[]; resumable: Closure | undefined; opportunityName: string | undefined }> {
  const opps = await queryAll(
    conn,
    `SELECT Id, Name, StageName, IsClosed, Amount, (SELECT Id FROM OpportunityContactRoles WHERE IsPrimary = true) FROM Opportunity WHERE Id = ${soqlString(opportunityId)}`,
    OpportunityRowSchema,
    'Opportunity',
  );
  const opp = opps[0];
  const blockers: string[] = [];
  if (!opp) blockers.push('The opportunity does not exist or you do not have access to it.');
  else {
    if (opp.IsClosed) blockers.push(`This opportunity is already closed (${opp.StageName}).`);
    if (opp.Amount === null || opp.Amount === undefined)
      blockers.push('This opportunity has no amount. Add products or an amount first.');
    if ((opp.OpportunityContactRoles?.totalSize ?? 0) === 0)
      blockers.push('This opportunity has no primary contact. Mark one contact role as primary first.');
  }
  if (note !== undefined && note.trim().length > NOTE_MAX_LENGTH)
    blockers.push(`The note is longer than ${NOTE_MAX_LENGTH} characters.`);
  let resumable: Closure | undefined;
  const active = await queryAll(
    conn,
    `SELECT ${CLOSURE_FIELDS} FROM Deal_Closure__c WHERE Opportunity__c = ${soqlString(opportunityId)} AND Status__c NOT IN ('Completed', 'Failed', 'Cancelled') ORDER BY CreatedDate DESC, Id DESC`,
    ClosureRowSchema,
    'Deal_Closure__c',
  );
  for (const row of active) {
    const c = toClosure(row);
    if (c.status === 'Queued' && !c.runId && !resumable) resumable = c;
    else
      blockers.push(
        `A deal closure is already running for this opportunity (${c.name}, ${c.status ?? 'no status'}).`,
      );
  }
  return { blockers, resumable, opportunityName: opp?.Name };
}

export interface StartOutcome {
  closure: Closure;
  runId: string;
  status: string;
  resumed: boolean;
}

export async function startClosure(
  conn: Connection,
  client: MiddlewareClient,
  opportunityId: string,
  note: string | undefined,
  now: () => Date = () => new Date(),
): Promise<StartOutcome> {
  const { blockers, resumable } = await startBlockers(conn, opportunityId, note);
  if (blockers.length > 0)
    throw new SfError(`The closure cannot start:\n- ${blockers.join('\n- ')}`, 'ClosureBlocked');
  let closureId = resumable?.id;
  if (!closureId) {
    const created = await conn.sobject('Deal_Closure__c').create({
      Opportunity__c: opportunityId,
      Status__c: 'Queued',
      Trigger__c: 'Rep',
      Note__c: note?.trim() ? note.trim() : null,
      Started_At__c: now().toISOString(),
    });
    if (!created.success || !created.id)
      throw new SfError(
        `Could not create the Deal_Closure__c record: ${JSON.stringify(created)}`,
        'CreateFailed',
      );
    closureId = created.id;
  }
  const started = await client.startClosure(
    {
      opportunityId,
      trigger: 'Rep',
      dealClosureId: closureId,
      ...(note?.trim() ? { note: note.trim() } : {}),
    },
    closureId,
  );
  const rows = await queryAll(
    conn,
    `SELECT ${CLOSURE_FIELDS} FROM Deal_Closure__c WHERE Id = ${soqlString(closureId)}`,
    ClosureRowSchema,
    'Deal_Closure__c',
  );
  return {
    closure: toClosure(rows[0]!),
    runId: started.closureId,
    status: started.status,
    resumed: Boolean(resumable),
  };
}

/** The middleware run behind a closure, or a clear error when Salesforce does not know it yet. */
export function requireRunId(closure: Closure): string {
  if (!closure.runId)
    throw new SfError(
      `${closure.name} has no Run_Id__c: the middleware never acknowledged it. Run sf dealdesk closure start --opportunity ${closure.opportunityId} again to hand it over.`,
      'NoRunId',
    );
  return closure.runId;
}
