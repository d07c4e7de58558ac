/**
 * HTML of Lightning Local's pages, in SLDS markup: the frame (header, navigation, the user
 * switcher, the toast region), sign-in, the opportunity list and Items to Approve. Pages are plain
 * HTML that works without scripts except for the package's components, which the bundle mounts
 * into `data-ll-component` placeholders. Every interpolated value goes through `esc`.
 */
import { esc } from '../../adapters/local-esign/pages.ts';
import type { UserAccess } from './access.ts';
import type { ApprovalItem } from './approvals-inbox.ts';
import type { LightningSession } from './sessions.ts';

export { esc };

export const SLDS_CSS = '/lightning/assets/styles/salesforce-lightning-design-system.min.css';

export interface Frame {
  title: string;
  user: UserAccess;
  session: LightningSession;
  /** Who may be switched to (present when the session's administrator may "Log in as"). */
  switchable?: { id: string; name: string; title: string | null }[];
  /** The admin who logged in as this user. */
  loginAsByName?: string;
  /** The bundle's script, when the page has components. */
  script?: string;
  active?: 'opportunities' | 'approvals';
}

const CSS = `
.ll-header { background: #fff; border-bottom: 1px solid #dddbda; }
.ll-top { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; justify-content: space-between; padding: .5rem 1rem; }
.ll-app { font-size: 1.125rem; font-weight: 700; }
.ll-user { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; }
.ll-user form { display: flex; gap: .5rem; align-items: center; }
.ll-user .slds-form-element__label { margin: 0; }
.ll-main { padding: 1rem; }
.ll-toasts { position: fixed; top: 4rem; left: 0; right: 0; z-index: 9000; }
.ll-decide textarea { min-height: 2.5rem; }
/* Links are underlined: beside text, SLDS's link blue alone is too close to the text's colour (WCAG 1.4.1). */
.ll-main a { text-decoration: underline; }
`;

export function money(amount: number | null, currency: string | null): string {
  if (amount === null) return '';
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency ?? 'USD' }).format(amount);
  } catch {
    return `${currency ?? ''} ${amount}`.trim();
  }
}

/** A date or datetime for people, in the user's time zone (dates have none). */
export function when(value: string | null, timeZone: string): string {
  if (!value) return '';
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const d = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat('en-US', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    ...(dateOnly ? { timeZone: 'UTC' } : { hour: 'numeric', minute: '2-digit', timeZone }),
  }).format(d);
}

export function icon(sprite: 'standard' | 'utility', name: string, className: string): string {
  return `<svg class="${className}" aria-hidden="true"><use href="/lightning/assets/icons/${sprite}-sprite/svg/symbols.svg#${esc(name)}"></use></svg>`;
}

export function notice(
  variant: 'success' | 'error' | 'warning' | 'info',
  message: string,
  id?: string,
): string {
  return `<div class="slds-notify slds-notify_alert slds-alert_${variant} slds-m-bottom_small" role="${variant === 'error' ? 'alert' : 'status'}"${id ? ` data-id="${esc(id)}"` : ''}><h2>${esc(message)}</h2></div>`;
}

function userMenu(frame: Frame): string {
  const { user, switchable } = frame;
  const switcher = switchable
    ? `<form method="post" action="/lightning/session/login-as" data-id="login-as">
  <label class="slds-form-element__label" for="ll-login-as">Log in as</label>
  <div class="slds-select_container"><select class="slds-select" id="ll-login-as" name="userId">${switchable
    .map(
      (u) =>
        `<option value="${esc(u.id)}"${u.id === user.userId ? ' selected' : ''}>${esc(u.name)}${u.title ? ` (${esc(u.title)})` : ''}</option>`,
    )
    .join('')}</select></div>
  <button class="slds-button slds-button_neutral" type="submit">Switch</button>
</form>`
    : '';
  return `<div class="ll-user">
${switcher}
<span class="slds-text-body_small" data-id="current-user">${esc(user.name)}${user.title ? `, ${esc(user.title)}` : ''}</span>
<form method="post" action="/lightning/logout"><button class="slds-button slds-button_neutral" type="submit">Log out</button></form>
</div>`;
}

export function layout(frame: Frame, body: string): string {
  const { user, session } = frame;
  const nav = (key: Frame['active'], href: string, label: string) =>
    `<li class="slds-context-bar__item${frame.active === key ? ' slds-is-active' : ''}"><a href="${href}" class="slds-context-bar__label-action"${frame.active === key ? ' aria-current="page"' : ''}><span class="slds-truncate">${label}</span></a></li>`;
  const flash = session.flash ? notice(session.flash.variant, session.flash.message, 'flash') : '';
  session.flash = undefined;
  const loginAs = frame.loginAsByName
    ? `<div class="slds-notify slds-notify_alert slds-alert_warning" role="status" data-id="login-as-banner">
<h2>Logged in as ${esc(user.name)} (${esc(user.username)}).</h2>
<form method="post" action="/lightning/session/logout-as" class="slds-m-left_small"><button class="slds-button slds-button_neutral" type="submit">Log out as ${esc(user.name)}</button></form>
</div>`
    : '';
  return `<!doctype html>
<html lang="en" data-time-zone="${esc(user.timeZone)}" data-currency="${esc(user.currency)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(frame.title)} | dealdesk | Lightning Local</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${SLDS_CSS}">
<style>${CSS}</style>
${frame.script ? `<script type="module" src="${esc(frame.script)}"></script>` : ''}
</head>
<body class="slds-scope">
<a class="slds-assistive-text slds-assistive-text_focus" href="#main">Skip to content</a>
${loginAs}
<header class="ll-header">
<div class="ll-top"><span class="ll-app">dealdesk <span class="slds-text-body_small slds-text-color_weak">Lightning Local</span></span>
${userMenu(frame)}
</div>
<div class="slds-context-bar">
<nav class="slds-context-bar__secondary" aria-label="dealdesk">
<ul class="slds-grid">${nav('opportunities', '/lightning/o/Opportunity/list', 'Opportunities')}${nav('approvals', '/lightning/approvals', 'Items to Approve')}</ul>
</nav>
</div>
</header>
<div id="ll-toasts" class="ll-toasts slds-notify_container" aria-live="polite"></div>
<main id="main" class="ll-main">
${flash}
${body}
</main>
</body>
</html>
`;
}

export function loginPage(message: string | undefined, retURL: string, hint: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in | dealdesk | Lightning Local</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${SLDS_CSS}">
</head>
<body class="slds-scope">
<main class="slds-p-around_large" style="max-width: 36rem; margin: 2rem auto;">
<article class="slds-card"><div class="slds-card__header"><h1 class="slds-text-heading_medium">Log in to the local org</h1></div>
<div class="slds-card__body slds-card__body_inner">
${message ? notice('error', message, 'login-error') : ''}
<p class="slds-m-bottom_small">${esc(hint)}</p>
<form method="post" action="/lightning/login">
<input type="hidden" name="retURL" value="${esc(retURL)}">
<div class="slds-form-element"><label class="slds-form-element__label" for="ll-token">Access token</label>
<div class="slds-form-element__control"><input class="slds-input" id="ll-token" name="token" type="password" autocomplete="off" required></div></div>
<button class="slds-button slds-button_brand slds-m-top_small" type="submit">Log in</button>
</form></div></article>
</main>
</body>
</html>
`;
}

export interface OpportunityRow {
  id: string;
  name: string;
  accountName: string | null;
  stageName: string | null;
  amount: number | null;
  currencyIsoCode: string | null;
  closeDate: string | null;
  ownerName: string | null;
}

export function pageHeader(
  iconName: string,
  kind: string,
  title: string,
  actions = '',
  details = '',
): string {
  return `<div class="slds-page-header slds-page-header_record-home slds-m-bottom_medium">
<div class="slds-page-header__row">
<div class="slds-page-header__col-title"><div class="slds-media">
<div class="slds-media__figure"><span class="slds-icon_container slds-icon-standard-${esc(iconName)}">${icon('standard', iconName, 'slds-icon slds-page-header__icon')}</span></div>
<div class="slds-media__body"><div class="slds-page-header__name"><div class="slds-page-header__name-title"><h1><span>${esc(kind)}</span><span class="slds-page-header__title slds-truncate" title="${esc(title)}">${esc(title)}</span></h1></div></div></div>
</div></div>
${actions ? `<div class="slds-page-header__col-actions"><div class="slds-page-header__controls"><div class="slds-page-header__control">${actions}</div></div></div>` : ''}
</div>
${details ? `<div class="slds-page-header__row slds-page-header__row_gutters"><div class="slds-page-header__col-details"><ul class="slds-page-header__detail-row">${details}</ul></div></div>` : ''}
</div>`;
}

export function listPage(frame: Frame, rows: OpportunityRow[], filter: 'Open' | 'All'): string {
  const link = (f: 'Open' | 'All', label: string) =>
    f === filter
      ? `<span class="slds-text-title_bold" aria-current="true">${label}</span>`
      : `<a href="/lightning/o/Opportunity/list?filterName=${f}">${label}</a>`;
  const body = rows
    .map(
      (r) => `<tr class="slds-hint-parent" data-id="${esc(r.id)}">
<th scope="row"><a href="/lightning/r/Opportunity/${esc(r.id)}/view">${esc(r.name)}</a></th>
<td>${esc(r.accountName ?? '')}</td><td>${esc(r.stageName ?? '')}</td>
<td class="slds-text-align_right">${esc(money(r.amount, r.currencyIsoCode))}</td>
<td>${esc(when(r.closeDate, frame.user.timeZone))}</td><td>${esc(r.ownerName ?? '')}</td></tr>`,
    )
    .join('\n');
  return layout(
    frame,
    `${pageHeader('opportunity', 'Opportunities', filter === 'Open' ? 'Open Opportunities' : 'All Opportunities', '', `<li class="slds-page-header__detail-block">${link('Open', 'Open')} · ${link('All', 'All')}</li><li class="slds-page-header__detail-block">${rows.length} ${rows.length === 1 ? 'item' : 'items'}</li>`)}
<table class="slds-table slds-table_cell-buffer slds-table_bordered" aria-label="Opportunities" data-id="opportunities">
<thead><tr class="slds-line-height_reset"><th scope="col">Opportunity Name</th><th scope="col">Account Name</th><th scope="col">Stage</th><th scope="col" class="slds-text-align_right">Amount</th><th scope="col">Close Date</th><th scope="col">Opportunity Owner</th></tr></thead>
<tbody>${body}</tbody>
</table>
${rows.length === 0 ? '<p class="slds-m-top_small slds-text-color_weak">No opportunities to show.</p>' : ''}`,
  );
}

export function approvalsPage(frame: Frame, items: ApprovalItem[]): string {
  const tz = frame.user.timeZone;
  const rows = items
    .map(
      (item) => `<tr data-id="${esc(item.workitemId)}">
<th scope="row">${item.dealClosureId ? `<a href="/lightning/r/Deal_Closure__c/${esc(item.dealClosureId)}/view">${esc(item.targetName ?? item.targetId)}</a>` : esc(item.targetName ?? item.targetId)}
<div class="slds-text-body_small slds-text-color_weak">${esc(item.targetType)}${item.role ? ` · ${esc(item.role)}` : ''}${item.delegated && item.assignedTo ? ` · for ${esc(item.assignedTo)}` : ''}</div></th>
<td>${item.opportunityId ? `<a href="/lightning/r/Opportunity/${esc(item.opportunityId)}/view">${esc(item.opportunityName ?? item.opportunityId)}</a>` : ''}<div>${esc(money(item.amount, item.currencyIsoCode))}</div></td>
<td>${esc(item.reason ?? '')}</td>
<td>${esc(when(item.submittedAt, tz))}${item.dueAt ? `<div class="slds-text-body_small">due ${esc(when(item.dueAt, tz))}</div>` : ''}</td>
<td><form method="post" action="/lightning/approvals/${esc(item.workitemId)}" class="ll-decide">
<div class="slds-form-element"><label class="slds-form-element__label" for="c-${esc(item.workitemId)}">Comment</label>
<div class="slds-form-element__control"><textarea class="slds-textarea" id="c-${esc(item.workitemId)}" name="comments" maxlength="4000"></textarea></div></div>
<div class="slds-m-top_x-small"><button class="slds-button slds-button_brand" type="submit" name="action" value="Approve">Approve</button>
<button class="slds-button slds-button_destructive" type="submit" name="action" value="Reject">Reject</button></div>
</form></td></tr>`,
    )
    .join('\n');
  return layout(
    { ...frame, active: 'approvals' },
    `${pageHeader('approval', 'Approvals', 'Items to Approve', '', `<li class="slds-page-header__detail-block">${items.length} ${items.length === 1 ? 'item' : 'items'}</li>`)}
${
  items.length === 0
    ? '<p class="slds-text-color_weak" data-id="no-items">Nothing to approve.</p>'
    : `<table class="slds-table slds-table_cell-buffer slds-table_bordered" aria-label="Items to Approve" data-id="items">
<thead><tr class="slds-line-height_reset"><th scope="col">Related To</th><th scope="col">Opportunity</th><th scope="col">Reason</th><th scope="col">Date Submitted</th><th scope="col">Decision</th></tr></thead>
<tbody>${rows}</tbody></table>`
}`,
  );
}
