/**
 * Record pages (`/lightning/r/<Object>/<id>/view`) for Opportunity and Deal_Closure__c: the
 * highlights, the record's details and related lists, and the package's components where the
 * package's flexipages put them: the Close Deal quick action and the Deal Closure Timeline. A page
 * for an id that does not exist (or that the user cannot see) still mounts the components, which
 * then show the error the Apex controller gives.
 */
import type { LocalOrg } from '@dealdesk/local-org';
import type { JsonRecord } from '@dealdesk/local-org';
import { isSalesforceId, to18 } from '@dealdesk/contracts';
import { soqlString } from '@dealdesk/contracts';
import type { UserAccess } from './access.ts';
import { datetime, num, parentField, picklistLabel, str } from './record-values.ts';
import { esc, layout, money, notice, pageHeader, when, type Frame } from './pages.ts';

export const RECORD_PAGE_OBJECTS = ['Opportunity', 'Deal_Closure__c'] as const;
export type RecordPageObject = (typeof RECORD_PAGE_OBJECTS)[number];

const TIMELINE_TAG = 'c-deal-closure-timeline';
const CLOSE_DEAL_TAG = 'c-close-deal';

function detail(label: string, value: string, id?: string): string {
  return `<li class="slds-page-header__detail-block"><div class="slds-text-title slds-truncate">${esc(label)}</div><div class="slds-truncate"${id ? ` data-id="${esc(id)}"` : ''}>${value}</div></li>`;
}

function field(label: string, value: string): string {
  return `<div class="slds-form-element slds-form-element_readonly slds-form-element_stacked"><span class="slds-form-element__label">${esc(label)}</span><div class="slds-form-element__control"><div class="slds-form-element__static">${value || '&nbsp;'}</div></div></div>`;
}

function card(title: string, body: string, id: string): string {
  return `<article class="slds-card slds-m-bottom_medium" data-id="${esc(id)}"><div class="slds-card__header slds-grid"><h2 class="slds-card__header-title slds-text-heading_small">${esc(title)}</h2></div><div class="slds-card__body slds-card__body_inner">${body}</div></article>`;
}

const link = (object: string, id: unknown, label: unknown) =>
  typeof id === 'string'
    ? `<a href="/lightning/r/${object}/${esc(id)}/view">${esc(String(label ?? id))}</a>`
    : '';

/** The record, read as the user (object access) — undefined when it does not exist or is not theirs to see. */
function readRecord(
  org: LocalOrg,
  user: UserAccess,
  object: RecordPageObject,
  id: string,
): JsonRecord | undefined {
  const id18 = isSalesforceId(id) ? to18(id) : undefined;
  if (!id18 || !user.canRead(object)) return undefined;
  const soql =
    object === 'Opportunity'
      ? 'SELECT Id, Name, StageName, IsClosed, IsWon, Amount, CurrencyIsoCode, CloseDate, Probability, Type, NextStep, ' +
        `LeadSource, Description, Account.Name, AccountId, Owner.Name FROM Opportunity WHERE Id = ${soqlString(id18)}`
      : 'SELECT Id, Name, Status__c, Trigger__c, Decision__c, Closing_Confidence__c, Started_At__c, Completed_At__c, ' +
        `Error__c, Note__c, Opportunity__c, Opportunity__r.Name, CreatedBy.Name FROM Deal_Closure__c WHERE Id = ${soqlString(id18)}`;
  return org.query(soql).records[0];
}

function files(org: LocalOrg, id: string): string {
  const links = org.query(
    'SELECT ContentDocumentId, ContentDocument.Title, ContentDocument.FileExtension, ContentDocument.ContentSize ' +
      `FROM ContentDocumentLink WHERE LinkedEntityId = ${soqlString(id)}`,
  ).records;
  if (links.length === 0) return '<p class="slds-text-color_weak" data-id="no-files">No files.</p>';
  return `<ul class="slds-has-dividers_bottom-space" data-id="files">${links
    .map((l) => {
      const size = num((l.ContentDocument as JsonRecord | null)?.ContentSize);
      return `<li class="slds-item">${esc(parentField(l.ContentDocument, 'Title') ?? '')}${parentField(l.ContentDocument, 'FileExtension') ? `.${esc(parentField(l.ContentDocument, 'FileExtension')!)}` : ''}${size !== null ? ` <span class="slds-text-color_weak">(${Math.max(1, Math.round(size / 1024))} KB)</span>` : ''}</li>`;
    })
    .join('')}</ul>`;
}

function closuresOf(org: LocalOrg, user: UserAccess, opportunityId: string): string {
  if (!user.canRead('Deal_Closure__c')) return '';
  const rows = org.query(
    `SELECT Id, Name, Status__c, Started_At__c FROM Deal_Closure__c WHERE Opportunity__c = ${soqlString(opportunityId)} ORDER BY CreatedDate DESC, Id DESC`,
  ).records;
  const body =
    rows.length === 0
      ? '<p class="slds-text-color_weak">No deal closures.</p>'
      : `<ul class="slds-has-dividers_bottom-space">${rows
          .map(
            (r) =>
              `<li class="slds-item">${link('Deal_Closure__c', r.Id, r.Name)} · ${esc(picklistLabel(org, 'Deal_Closure__c', 'Status__c', r.Status__c) ?? '')} · ${esc(when(datetime(r.Started_At__c), user.timeZone))}</li>`,
          )
          .join('')}</ul>`;
  return card('Deal Closures', body, 'closures');
}

function opportunityBody(org: LocalOrg, user: UserAccess, id: string, opp: JsonRecord | undefined): string {
  const name = opp ? String(opp.Name) : 'Opportunity';
  const closeDeal = `<button class="slds-button slds-button_neutral" type="button" disabled data-ll-quick-action="${CLOSE_DEAL_TAG}" data-record-id="${esc(id)}" data-label="Close Deal">Close Deal</button>`;
  const amount = opp ? money(num(opp.Amount), str(opp.CurrencyIsoCode)) : '';
  const details = opp
    ? [
        detail('Account Name', esc(parentField(opp.Account, 'Name') ?? '')),
        detail('Close Date', esc(when(str(opp.CloseDate), user.timeZone))),
        detail('Amount', esc(amount), 'amount'),
        detail('Stage', esc(str(opp.StageName) ?? ''), 'stage'),
        detail('Opportunity Owner', esc(parentField(opp.Owner, 'Name') ?? '')),
      ].join('')
    : '';
  const info = opp
    ? card(
        'Details',
        `<div class="slds-grid slds-wrap">${[
          ['Opportunity Name', esc(name)],
          ['Account Name', esc(parentField(opp.Account, 'Name') ?? '')],
          ['Stage', esc(str(opp.StageName) ?? '')],
          ['Probability (%)', esc(String(num(opp.Probability) ?? ''))],
          ['Amount', esc(amount)],
          ['Close Date', esc(when(str(opp.CloseDate), user.timeZone))],
          ['Type', esc(str(opp.Type) ?? '')],
          ['Next Step', esc(str(opp.NextStep) ?? '')],
        ]
          .map(([label, value]) => `<div class="slds-col slds-size_1-of-2">${field(label!, value!)}</div>`)
          .join(
            '',
          )}<div class="slds-col slds-size_1-of-1">${field('Description', esc(str(opp.Description) ?? ''))}</div></div>`,
        'details',
      ) +
      closuresOf(org, user, String(opp.Id)) +
      card('Files', files(org, String(opp.Id)), 'files-card')
    : notice('warning', 'This record does not exist, or you do not have access to it.', 'no-record');
  return `${pageHeader('opportunity', 'Opportunity', name, `<ul class="slds-button-group-list"><li>${closeDeal}</li></ul>`, details)}
<div class="slds-grid slds-wrap slds-gutters">
<div class="slds-col slds-size_1-of-1 slds-large-size_7-of-12">${info}</div>
<div class="slds-col slds-size_1-of-1 slds-large-size_5-of-12"><div data-ll-component="${TIMELINE_TAG}" data-record-id="${esc(id)}"></div></div>
</div>`;
}

function closureBody(org: LocalOrg, user: UserAccess, id: string, closure: JsonRecord | undefined): string {
  const name = closure ? String(closure.Name) : 'Deal Closure';
  const status = closure ? (picklistLabel(org, 'Deal_Closure__c', 'Status__c', closure.Status__c) ?? '') : '';
  const details = closure
    ? [
        detail(
          'Opportunity',
          link('Opportunity', closure.Opportunity__c, parentField(closure.Opportunity__r, 'Name')),
        ),
        detail('Status', esc(status), 'status'),
        detail('Trigger', esc(str(closure.Trigger__c) ?? '')),
        detail('Started', esc(when(datetime(closure.Started_At__c), user.timeZone))),
        detail('Completed', esc(when(datetime(closure.Completed_At__c), user.timeZone))),
      ].join('')
    : '';
  const info = closure
    ? card(
        'Details',
        [
          field(
            'Decision',
            esc(picklistLabel(org, 'Deal_Closure__c', 'Decision__c', closure.Decision__c) ?? ''),
          ),
          field('Closing Confidence', esc(String(num(closure.Closing_Confidence__c) ?? ''))),
          field('Note', esc(str(closure.Note__c) ?? '')),
          field('Error', esc(str(closure.Error__c) ?? '')),
          field('Created By', esc(parentField(closure.CreatedBy, 'Name') ?? '')),
        ].join(''),
        'details',
      )
    : notice('warning', 'This record does not exist, or you do not have access to it.', 'no-record');
  return `${pageHeader('record', 'Deal Closure', name, '', details)}
<div class="slds-grid slds-wrap slds-gutters">
<div class="slds-col slds-size_1-of-1 slds-large-size_5-of-12">${info}</div>
<div class="slds-col slds-size_1-of-1 slds-large-size_7-of-12"><div data-ll-component="${TIMELINE_TAG}" data-record-id="${esc(id)}"></div></div>
</div>`;
}

/** The record page; a record that is missing or hidden gets a notice, and the components still mount. */
export function recordPage(org: LocalOrg, frame: Frame, object: RecordPageObject, id: string): string {
  const record = readRecord(org, frame.user, object, id);
  const recordId = record ? String(record.Id) : id;
  const body =
    object === 'Opportunity'
      ? opportunityBody(org, frame.user, recordId, record)
      : closureBody(org, frame.user, recordId, record);
  const title = record ? String(record.Name) : object === 'Opportunity' ? 'Opportunity' : 'Deal Closure';
  return layout({ ...frame, title, active: 'opportunities' }, body);
}
