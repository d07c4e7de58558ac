/**
 * The contract of `DealDeskController` (force-app/main/default/classes/DealDeskController.cls) as
 * Lightning Local's stand-in serves it: its @AuraEnabled methods with their parameters in order,
 * and the shapes of what they return, as zod schemas. Every schema carries the Apex type it
 * stands for (`meta({ apexType })`), so test/force-app/lightning-apex-contract.test.ts can hold
 * the two in step: same methods, same parameters, same fields with the same types.
 *
 * Apex serialises every field of a returned object; a field nobody set is null, except the lists
 * the class initialises. Ids are 18 characters, dates `YYYY-MM-DD`, datetimes ISO 8601 in UTC.
 */
import { z } from 'zod';

export type ApexPrimitive = 'Id' | 'String' | 'Decimal' | 'Boolean' | 'Date' | 'Datetime';

const primitive = (apexType: ApexPrimitive) => {
  const base = apexType === 'Decimal' ? z.number() : apexType === 'Boolean' ? z.boolean() : z.string().min(1);
  return base.meta({ apexType });
};
/** A field Apex may leave null. */
const field = (apexType: ApexPrimitive) => primitive(apexType).nullable();
const list = <T extends z.ZodType>(item: T, apexType: string) =>
  z.array(item).meta({ apexType: `List<${apexType}>` });

export const ProductLineSchema = z
  .strictObject({
    id: field('Id'),
    name: field('String'),
    productCode: field('String'),
    quantity: field('Decimal'),
    unitPrice: field('Decimal'),
    listPrice: field('Decimal'),
    discountPercent: field('Decimal'),
    totalPrice: field('Decimal'),
  })
  .meta({ apexType: 'ProductLine' });

export const ContactLineSchema = z
  .strictObject({
    id: field('Id'),
    contactId: field('Id'),
    name: field('String'),
    title: field('String'),
    email: field('String'),
    role: field('String'),
    isPrimary: field('Boolean'),
  })
  .meta({ apexType: 'ContactLine' });

export const ReadinessSchema = z
  .strictObject({
    dealClosureId: field('Id'),
    name: field('String'),
    confidence: field('Decimal'),
    decision: field('String'),
    decisionLabel: field('String'),
    assessedAt: field('Datetime'),
  })
  .meta({ apexType: 'Readiness' });

export const ClosurePreviewSchema = z
  .strictObject({
    opportunityId: field('Id'),
    name: field('String'),
    accountName: field('String'),
    stageName: field('String'),
    isClosed: field('Boolean'),
    amount: field('Decimal'),
    currencyIsoCode: field('String'),
    closeDate: field('Date'),
    discountPercent: field('Decimal'),
    products: list(ProductLineSchema, 'ProductLine'),
    contacts: list(ContactLineSchema, 'ContactLine'),
    readiness: ReadinessSchema.nullable(),
    blockers: list(primitive('String'), 'String'),
    canStart: primitive('Boolean'),
  })
  .meta({ apexType: 'ClosurePreview' });

export const ClosureViewSchema = z
  .strictObject({
    id: field('Id'),
    name: field('String'),
    opportunityId: field('Id'),
    opportunityName: field('String'),
    status: field('String'),
    statusLabel: field('String'),
    triggerSource: field('String'),
    decisionLabel: field('String'),
    confidence: field('Decimal'),
    currentAgentLabel: field('String'),
    error: field('String'),
    startedAt: field('Datetime'),
    completedAt: field('Datetime'),
    isTerminal: field('Boolean'),
  })
  .meta({ apexType: 'ClosureView' });

export const StepViewSchema = z
  .strictObject({
    id: field('Id'),
    agent: field('String'),
    agentLabel: field('String'),
    status: field('String'),
    statusLabel: field('String'),
    reasoning: field('String'),
    confidence: field('Decimal'),
    durationMs: field('Decimal'),
    startedAt: field('Datetime'),
    finishedAt: field('Datetime'),
    error: field('String'),
  })
  .meta({ apexType: 'StepView' });

export const ApprovalViewSchema = z
  .strictObject({
    id: field('Id'),
    name: field('String'),
    roleLabel: field('String'),
    approverName: field('String'),
    status: field('String'),
    statusLabel: field('String'),
    dueAt: field('Datetime'),
    decidedAt: field('Datetime'),
    escalationLevel: field('Decimal'),
    reason: field('String'),
    brief: field('String'),
  })
  .meta({ apexType: 'ApprovalView' });

export const RecipientViewSchema = z
  .strictObject({
    id: field('Id'),
    envelopeName: field('String'),
    envelopeStatusLabel: field('String'),
    name: field('String'),
    email: field('String'),
    role: field('String'),
    routingOrder: field('Decimal'),
    status: field('String'),
    statusLabel: field('String'),
    signedAt: field('Datetime'),
    prediction: field('String'),
  })
  .meta({ apexType: 'RecipientView' });

export const TimelineSchema = z
  .strictObject({
    closure: ClosureViewSchema.nullable(),
    steps: list(StepViewSchema, 'StepView'),
    approvals: list(ApprovalViewSchema, 'ApprovalView'),
    recipients: list(RecipientViewSchema, 'RecipientView'),
  })
  .meta({ apexType: 'Timeline' });

export type ClosurePreview = z.infer<typeof ClosurePreviewSchema>;
export type ProductLine = z.infer<typeof ProductLineSchema>;
export type ContactLine = z.infer<typeof ContactLineSchema>;
export type Readiness = z.infer<typeof ReadinessSchema>;
export type Timeline = z.infer<typeof TimelineSchema>;
export type ClosureView = z.infer<typeof ClosureViewSchema>;
export type StepView = z.infer<typeof StepViewSchema>;
export type ApprovalView = z.infer<typeof ApprovalViewSchema>;
export type RecipientView = z.infer<typeof RecipientViewSchema>;

export interface ApexMethodContract {
  /** `@AuraEnabled(cacheable=true)`. */
  cacheable: boolean;
  /** Parameter names and Apex types, in declaration order. */
  params: readonly (readonly [string, ApexPrimitive])[];
  returns: z.ZodType;
}

export const DEAL_DESK_CONTROLLER = {
  name: 'DealDeskController',
  methods: {
    getClosurePreview: { cacheable: true, params: [['opportunityId', 'Id']], returns: ClosurePreviewSchema },
    startClosure: {
      cacheable: false,
      params: [
        ['opportunityId', 'Id'],
        ['note', 'String'],
        ['transcript', 'String'],
      ],
      returns: primitive('Id'),
    },
    getTimeline: { cacheable: true, params: [['recordId', 'Id']], returns: TimelineSchema },
  },
} as const satisfies { name: string; methods: Record<string, ApexMethodContract> };

export type DealDeskMethod = keyof typeof DEAL_DESK_CONTROLLER.methods;

/**
 * Messages the stand-in gives where the Apex code gives them, as the literal parts of the Apex
 * string expressions (values go between the parts). The contract test finds every part as a
 * string literal in force-app's Apex, so a reworded Apex message cannot drift unnoticed.
 */
export const APEX_MESSAGES = {
  noOpportunity: ['The opportunity does not exist or you do not have access to it.'],
  noRecord: ['The timeline needs a record.'],
  wrongPage: ['The deal closure timeline works on Opportunity and Deal Closure pages only.'],
  chooseOpportunity: ['Choose an opportunity to close.'],
  alreadyStarting: ['A deal closure for this opportunity is already being started.'],
  alreadyClosed: ['This opportunity is already closed (', ').'],
  noAmount: ['This opportunity has no amount. Add products or an amount first.'],
  noPrimaryContact: ['This opportunity has no primary contact. Mark one contact role as primary first.'],
  alreadyRunning: ['A deal closure is already running for this opportunity (', ', ', ').'],
  noteTooLong: ['The note is longer than ', ' characters.'],
  transcriptTooLong: ['The transcript is longer than ', ' characters.'],
  dmlFailed: ['dealdesk could not save the closure: '],
  queryFailed: ['dealdesk could not read the records it needs: '],
} as const satisfies Record<string, readonly string[]>;

/** A message from its Apex parts and the values between them. */
export function apexMessage(key: keyof typeof APEX_MESSAGES, ...values: (string | number)[]): string {
  const parts: readonly string[] = APEX_MESSAGES[key];
  return parts.map((part, i) => (i < values.length ? `${part}${values[i]}` : part)).join('');
}
