/**
 * The proactive renewal plan: check-ins at 6 and 9 months of service and the renewal campaign at
 * 12, as dated Tasks for the opportunity owner. Each Task is keyed by run and milestone, so a
 * replayed completion updates the same three Tasks.
 */
import type { TaskWrite } from '../../ports/crm.ts';
import type { RenewalRisk } from './renewal-risk.ts';

export interface RenewalPlanInput {
  runId: string;
  opportunityId: string;
  ownerId: string;
  accountName: string;
  /** First day of service, YYYY-MM-DD. */
  startDate: string;
  /** Close date of the renewal opportunity, YYYY-MM-DD. */
  renewalCloseDate: string;
  risk: Pick<RenewalRisk, 'score' | 'level' | 'factors'>;
  primaryContactId: string | null;
}

/** `date` plus `months`, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  const out = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate()));
  if (out.getUTCDate() !== d.getUTCDate()) out.setUTCDate(0);
  return out.toISOString().slice(0, 10);
}

export function renewalPlanTasks(input: RenewalPlanInput): TaskWrite[] {
  const risk = `Renewal risk ${input.risk.score}/100 (${input.risk.level})${
    input.risk.factors.length > 0 ? `: ${input.risk.factors.map((f) => f.reason).join('; ')}` : ''
  }.`;
  // A term shorter than a year would put the campaign after the renewal should have closed.
  const twelve = addMonths(input.startDate, 12);
  const campaign = twelve < input.renewalCloseDate ? twelve : input.renewalCloseDate;
  const milestones = [
    {
      id: 'checkin-6m',
      date: addMonths(input.startDate, 6),
      subject: `6-month check-in: ${input.accountName}`,
      what: 'Review adoption against the success criteria in the Customer Success handoff.',
    },
    {
      id: 'checkin-9m',
      date: addMonths(input.startDate, 9),
      subject: `9-month check-in: ${input.accountName}`,
      what: 'Confirm the value delivered and surface anything that would put the renewal at risk.',
    },
    {
      id: 'renewal-campaign-12m',
      date: campaign,
      subject: `Renewal campaign: ${input.accountName}`,
      what: `Start the renewal; the renewal opportunity closes ${input.renewalCloseDate}.`,
    },
  ];
  return milestones.map((m) => ({
    key: `${input.runId}:task:${m.id}`,
    subject: m.subject,
    description: `${m.what} ${risk}`,
    activityDate: m.date,
    ownerId: input.ownerId,
    whatId: input.opportunityId,
    whoId: input.primaryContactId,
    priority: input.risk.level === 'High' ? 'High' : 'Normal',
  }));
}
