/**
 * `process/approvals`: Submit, Approve, Reject and Removed (recall) with the records a real org
 * keeps — ProcessInstance, ProcessInstanceStep, ProcessInstanceWorkitem — record locking while
 * pending, and the approval process's own field updates on submission, final approval, final
 * rejection and recall. Response shapes follow the REST reference (ProcessResult with
 * `newWorkitemIds`, lower-case i).
 */
import { z } from 'zod';
import type { Dml } from './dml.ts';
import { LOCK_MARKER } from './dml.ts';
import { SalesforceApiError } from './errors.ts';
import { to18 } from './ids.ts';
import type { FieldValue, SObjectRecord } from './store.ts';
import { formatDateTime } from './values.ts';

/** Field updates an approval process applies; the value `$NOW` is the time of the action. */
export type FieldUpdates = Record<string, FieldValue>;

export interface ApprovalProcessDefinition {
  developerName: string;
  label: string;
  object: string;
  description: string;
  /** The record field naming the approver (a User lookup); `nextApproverIds` overrides it. */
  approverField?: string;
  onSubmit: FieldUpdates;
  onApprove: FieldUpdates;
  onReject: FieldUpdates;
  onRecall: FieldUpdates;
}

export const ProcessRequestSchema = z.object({
  actionType: z.enum(['Submit', 'Approve', 'Reject', 'Removed']),
  contextId: z.string().min(1),
  comments: z.string().max(4000).optional(),
  nextApproverIds: z.array(z.string()).optional(),
  contextActorId: z.string().optional(),
  processDefinitionNameOrId: z.string().optional(),
  skipEntryCriteria: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
});
export type ProcessRequest = z.infer<typeof ProcessRequestSchema>;

export const ProcessRequestsBodySchema = z.object({
  requests: z.array(ProcessRequestSchema).min(1).max(200),
});

export interface ProcessResult {
  actorIds: string[];
  entityId: string;
  errors: null;
  instanceId: string;
  instanceStatus: 'Pending' | 'Approved' | 'Rejected' | 'Removed';
  newWorkitemIds: string[];
  success: true;
}

const fail = (code: string, message: string) => new SalesforceApiError(code, message);

export class ApprovalEngine {
  private readonly definitions: ApprovalProcessDefinition[];

  constructor(definitions: ApprovalProcessDefinition[]) {
    this.definitions = definitions;
  }

  list(): ApprovalProcessDefinition[] {
    return this.definitions;
  }

  /** Runs one request inside the caller's transaction. */
  process(dml: Dml, processDefinitionIds: Map<string, string>, req: ProcessRequest): ProcessResult {
    switch (req.actionType) {
      case 'Submit':
        return this.submit(dml, processDefinitionIds, req);
      case 'Approve':
      case 'Reject':
      case 'Removed':
        return this.decide(dml, req);
    }
  }

  private submit(dml: Dml, processDefinitionIds: Map<string, string>, req: ProcessRequest): ProcessResult {
    const targetId = to18(req.contextId);
    const target = targetId ? dml.tx.get(targetId) : undefined;
    if (!target) throw fail('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id: ${req.contextId}`);
    const def = this.definitions.find(
      (d) =>
        d.object === target.type &&
        (!req.processDefinitionNameOrId ||
          d.developerName === req.processDefinitionNameOrId ||
          processDefinitionIds.get(d.developerName) === to18(req.processDefinitionNameOrId)),
    );
    if (!def) throw fail('NO_APPLICABLE_PROCESS', 'No applicable approval process was found.');
    if (target.fields[LOCK_MARKER] === true || this.pendingInstance(dml, target.fields.Id)) {
      throw fail(
        'ALREADY_IN_PROCESS',
        'This record is currently in an approval process. A record can be in only one approval process at a time.',
      );
    }
    const approverIds = (req.nextApproverIds ?? []).map((id) => to18(id));
    if (approverIds.some((id) => id === undefined))
      throw fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id in nextApproverIds');
    let approvers = approverIds as string[];
    if (approvers.length === 0 && def.approverField) {
      const fromRecord = target.fields[def.approverField];
      if (typeof fromRecord === 'string') approvers = [fromRecord];
    }
    if (approvers.length === 0) {
      throw fail(
        'REQUIRED_FIELD_MISSING',
        'missing required field: [nextApproverIds] (the process has no approver for this record)',
      );
    }
    for (const id of approvers) {
      const user = dml.tx.get(id);
      if (!user || user.type !== 'User' || user.fields.IsActive !== true) {
        throw fail('INVALID_CROSS_REFERENCE_KEY', `invalid or inactive approver: ${id}`);
      }
    }
    const submitter = req.contextActorId ? to18(req.contextActorId) : dml.ctx.userId;
    if (!submitter) throw fail('INVALID_CROSS_REFERENCE_KEY', 'invalid contextActorId');
    const system = dml.withContext({ system: true });
    const instance = system.insert('ProcessInstance', {
      ProcessDefinitionId: processDefinitionIds.get(def.developerName) ?? null,
      TargetObjectId: target.fields.Id,
      Status: 'Pending',
      SubmittedById: submitter,
      LastActorId: submitter,
    });
    system.insert('ProcessInstanceStep', {
      ProcessInstanceId: instance.Id,
      StepStatus: 'Started',
      ActorId: submitter,
      OriginalActorId: submitter,
      Comments: req.comments ?? null,
    });
    const workitems = approvers.map((actor) =>
      system.insert('ProcessInstanceWorkitem', {
        ProcessInstanceId: instance.Id,
        ActorId: actor,
        OriginalActorId: actor,
      }),
    );
    this.applyUpdates(dml, target.type, target.fields.Id, def.onSubmit, true);
    return {
      actorIds: approvers,
      entityId: target.fields.Id,
      errors: null,
      instanceId: instance.Id,
      instanceStatus: 'Pending',
      newWorkitemIds: workitems.map((w) => w.Id),
      success: true,
    };
  }

  private decide(dml: Dml, req: ProcessRequest): ProcessResult {
    const workitemId = to18(req.contextId);
    const workitem = workitemId ? dml.tx.get(workitemId) : undefined;
    if (!workitem || workitem.type !== 'ProcessInstanceWorkitem') {
      throw fail(
        'INVALID_CROSS_REFERENCE_KEY',
        `invalid cross reference id: ${req.contextId} is not a pending approval request`,
      );
    }
    const instance = dml.tx.get(String(workitem.fields.ProcessInstanceId))!;
    const target = dml.tx.get(String(instance.fields.TargetObjectId))!;
    const def = this.definitions.find((d) => d.object === target.type);
    const actor = dml.ctx.userId;
    const assigned = String(workitem.fields.ActorId);
    if (req.actionType !== 'Removed' && !this.mayAct(dml, actor, assigned)) {
      throw fail(
        'INSUFFICIENT_ACCESS_OR_READONLY',
        'insufficient access rights on object id: only the assigned approver, their delegated approver or an administrator can act on this request',
      );
    }
    const system = dml.withContext({ system: true });
    const stepStatus =
      req.actionType === 'Approve' ? 'Approved' : req.actionType === 'Reject' ? 'Rejected' : 'Removed';
    system.insert('ProcessInstanceStep', {
      ProcessInstanceId: instance.fields.Id,
      StepStatus: stepStatus,
      ActorId: actor,
      OriginalActorId: workitem.fields.OriginalActorId,
      Comments: req.comments ?? null,
    });
    // Unanimous approval: the instance stays pending while other approvers' requests remain.
    const siblings = dml.tx
      .findByField('ProcessInstanceWorkitem', 'ProcessInstanceId', instance.fields.Id, true)
      .filter((w) => w.Id !== workitem.fields.Id);
    system.delete('ProcessInstanceWorkitem', workitem.fields.Id);
    const finished = stepStatus !== 'Approved' || siblings.length === 0;
    if (finished) {
      for (const w of siblings) system.delete('ProcessInstanceWorkitem', w.Id);
      system.update('ProcessInstance', instance.fields.Id, {
        Status: stepStatus,
        CompletedDate: formatDateTime(dml.ctx.now),
        LastActorId: actor,
      });
      const updates =
        stepStatus === 'Approved'
          ? def?.onApprove
          : stepStatus === 'Rejected'
            ? def?.onReject
            : def?.onRecall;
      this.applyUpdates(dml, target.type, target.fields.Id, updates ?? {}, false);
    } else {
      system.update('ProcessInstance', instance.fields.Id, { LastActorId: actor });
    }
    return {
      actorIds: finished ? [] : siblings.map((w) => String(w.ActorId)),
      entityId: target.fields.Id,
      errors: null,
      instanceId: instance.fields.Id,
      instanceStatus: finished ? stepStatus : 'Pending',
      newWorkitemIds: [],
      success: true,
    };
  }

  private mayAct(dml: Dml, actor: string, assigned: string): boolean {
    if (actor === assigned) return true;
    const assignee = dml.tx.get(assigned)?.fields;
    if (assignee?.DelegatedApproverId === actor) return true;
    return isAdministrator(dml, actor);
  }

  private pendingInstance(dml: Dml, targetId: string): SObjectRecord | undefined {
    // The TargetObjectId index, not a scan: every submission asks, and instances only accumulate.
    return dml.tx
      .findByField('ProcessInstance', 'TargetObjectId', targetId, true)
      .find((p) => p.Status === 'Pending');
  }

  /** The process's field updates, applied in system mode; the record is locked while pending. */
  private applyUpdates(dml: Dml, type: string, id: string, updates: FieldUpdates, lock: boolean): void {
    const values: Record<string, FieldValue> = {};
    for (const [k, v] of Object.entries(updates)) values[k] = v === '$NOW' ? formatDateTime(dml.ctx.now) : v;
    const system = dml.withContext({ system: true });
    const updated = Object.keys(values).length > 0 ? system.update(type, id, values) : dml.tx.get(id)!.fields;
    const { [LOCK_MARKER]: _wasLocked, ...unlocked } = updated;
    dml.tx.put(type, (lock ? { ...unlocked, [LOCK_MARKER]: true } : unlocked) as SObjectRecord);
  }
}

/** Administrators may act on any approval request, as users whose profile has "Modify All Data" can. */
function isAdministrator(dml: Dml, userId: string): boolean {
  const profileId = dml.tx.get(userId)?.fields.ProfileId;
  return typeof profileId === 'string' && dml.tx.get(profileId)?.fields.PermissionsModifyAllData === true;
}

/**
 * The package's approval process for Deal_Approval__c as the local org runs it: the approver
 * is the record's Approver__c; final actions set Status__c and Decided_At__c, as the
 * approval process in force-app does in a real org.
 */
export const DEALDESK_APPROVAL_PROCESS: ApprovalProcessDefinition = {
  developerName: 'DealDesk_Deal_Approval',
  label: 'DealDesk Deal Approval',
  object: 'Deal_Approval__c',
  description: 'Routes one required approval of a deal closure to its approver.',
  approverField: 'Approver__c',
  onSubmit: { Status__c: 'Pending' },
  onApprove: { Status__c: 'Approved', Decided_At__c: '$NOW' },
  onReject: { Status__c: 'Rejected', Decided_At__c: '$NOW' },
  onRecall: { Status__c: 'Recalled' },
};
