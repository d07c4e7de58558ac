/**
 * The proactive renewal plan: check-ins at 6 and 9 months of service and the renewal campaign at
 * 12, as dated Tasks for the opportunity owner, each saying what to do for this deal: the success
 * criteria the buyer stated, the risks the sale revealed, the amount to renew. Each Task is keyed
 * by run and milestone, so a replayed completion updates the same three Tasks.
 */
import type { TaskWrite } from '../../ports/crm.ts';
import type { RenewalRisk } from './renewal-risk.ts';
import { quoted, type Citation } from '../shared/citations.ts';

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
  /** The success criteria the buyer stated, as the language module read them. */
  successCriteria?: Citation[];
  /** Whom the check-ins are with: the economic buyer or the primary contact, by name. */
  contactName?: string | null;
  /** The contract value to renew, formatted. */
  renewalAmount?: string;
  /** The products the customer bought. */
  products?: string[];
}

/** What each milestone asks the owner to do, in this deal's terms. */
function milestoneWork(input: RenewalPlanInput): { six: string; nine: string; twelve: string } {
  const criteria = input.successCriteria ?? [];
  const whom = input.contactName ?? input.accountName;
  const top = [...input.risk.factors].sort((a, b) => b.points - a.points).slice(0, 3);
  const products = input.products ?? [];
  return {
    six:
      criteria.length > 0
        ? `Review adoption at ${input.accountName} against the success criteria the buyer stated: ${criteria
            .slice(0, 3)
            .map((c) => quoted(c, 160))
            .join('; ')}.`
        : `No success criteria were read in the conversation with ${input.accountName}: agree measurable goals with ${whom} and record them on the opportunity.`,
    nine:
      top.length > 0
        ? `Go through the risks the sale revealed with ${whom}: ${top.map((f) => `${f.factor.replace(/_/g, ' ')} (+${f.points})`).join(', ')}.`
        : `Confirm with ${whom} the value ${input.accountName} got${products.length > 0 ? ` from ${products.join(', ')}` : ''}.`,
    twelve: `Start the renewal${input.renewalAmount ? ` of ${input.renewalAmount}` : ''} for ${input.accountName}; the renewal opportunity closes ${input.renewalCloseDate}.`,
  };
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
    input.risk.factors.length > 0
      ? `: ${input.risk.factors.map((f) => f.reason).join('; ')}`
      : ` for ${input.accountName}: no risk factor found`
  }.`;
  // A term shorter than a year would put the campaign after the renewal should have closed.
  const twelve = addMonths(input.startDate, 12);
  const campaign = twelve < input.renewalCloseDate ? twelve : input.renewalCloseDate;
  const work = milestoneWork(input);
  const milestones = [
    {
      id: 'checkin-6m',
      date: addMonths(input.startDate, 6),
      subject: `6-month check-in: ${input.accountName}`,
      what: work.six,
    },
    {
      id: 'checkin-9m',
      date: addMonths(input.startDate, 9),
      subject: `9-month check-in: ${input.accountName}`,
      what: work.nine,
    },
    {
      id: 'renewal-campaign-12m',
      date: campaign,
      subject: `Renewal campaign: ${input.accountName}`,
      what: work.twelve,
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
