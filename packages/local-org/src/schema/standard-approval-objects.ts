/** The standard objects of approval processes, read-only through the API as in a real org. */
import { field, readOnly, type ObjectDef } from './model.ts';
import { datetime, longText, pick, ref, standard, text } from './standard-fields.ts';

/** ProcessInstance.Status and ProcessInstanceStep.StepStatus share these values. */
const APPROVAL_STATUSES = [
  'Approved',
  'Rejected',
  'Removed',
  'Fault',
  'Pending',
  'Held',
  'Reassigned',
  'Started',
  'NoResponse',
];

/** Approval processes, their instances, pending work items and completed steps. */
// eslint-disable-next-line max-lines-per-function -- a table of the standard objects' fields: data, not logic
export function approvalObjects(): ObjectDef[] {
  return [
    standard({
      name: 'ProcessDefinition',
      label: 'Process Definition',
      labelPlural: 'Process Definitions',
      keyPrefix: '04a',
      currency: false,
      createable: false,
      updateable: false,
      deletable: false,
      fields: [
        text('Name', 'Name', 255, { nameField: true }),
        text('DeveloperName', 'Unique Name', 80),
        text('TableEnumOrId', 'Table Enum or ID', 40),
        pick('State', 'State', ['Active', 'Inactive', 'Obsolete']),
        pick('Type', 'Type', ['Approval']),
        longText('Description', 'Description', 1000),
      ],
    }),
    standard({
      name: 'ProcessInstance',
      label: 'Approval History',
      labelPlural: 'Approval Histories',
      keyPrefix: '04g',
      currency: false,
      createable: false,
      updateable: false,
      deletable: false,
      fields: [
        ref('ProcessDefinitionId', 'Approval Process ID', ['ProcessDefinition'], 'ProcessDefinition'),
        ref(
          'TargetObjectId',
          'Target Object ID',
          ['Account', 'Opportunity', 'Contract', 'Deal_Approval__c', 'Deal_Closure__c'],
          'TargetObject',
          { childRelationshipName: 'ProcessInstances' },
        ),
        pick('Status', 'Status', APPROVAL_STATUSES),
        ref('SubmittedById', 'Submitted By ID', ['User'], 'SubmittedBy'),
        ref('LastActorId', 'Last Actor ID', ['User'], 'LastActor'),
        datetime('CompletedDate', 'Completed Date'),
      ],
    }),
    standard({
      name: 'ProcessInstanceWorkitem',
      label: 'Approval Request',
      labelPlural: 'Approval Requests',
      keyPrefix: '04i',
      // ActorId is updateable: reassigning an approval request is an update of the work item.
      currency: false,
      createable: false,
      deletable: false,
      fields: [
        ref('ProcessInstanceId', 'Approval Instance ID', ['ProcessInstance'], 'ProcessInstance', {
          createable: false,
          updateable: false,
          childRelationshipName: 'Workitems',
        }),
        ref('ActorId', 'Actor ID', ['User'], 'Actor', { createable: false }),
        ref('OriginalActorId', 'Original Actor ID', ['User'], 'OriginalActor', readOnly),
        field('ElapsedTimeInHours', 'Elapsed Time in Hours', 'double', {
          ...readOnly,
          precision: 18,
          scale: 2,
        }),
      ],
    }),
    standard({
      name: 'ProcessInstanceStep',
      label: 'Approval Step',
      labelPlural: 'Approval Steps',
      keyPrefix: '04h',
      currency: false,
      createable: false,
      updateable: false,
      deletable: false,
      fields: [
        ref('ProcessInstanceId', 'Approval Instance ID', ['ProcessInstance'], 'ProcessInstance', {
          childRelationshipName: 'Steps',
        }),
        pick('StepStatus', 'Step Status', APPROVAL_STATUSES),
        ref('ActorId', 'Actor ID', ['User'], 'Actor'),
        ref('OriginalActorId', 'Original Actor ID', ['User'], 'OriginalActor'),
        longText('Comments', 'Comments', 4000),
      ],
    }),
  ];
}
