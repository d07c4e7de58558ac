/**
 * HTML for the local signing pages. Self-contained (inline CSS, no scripts, no external assets)
 * so the strict Content-Security-Policy set by the router holds, and usable without JavaScript:
 * signing and declining are two plain forms. Every interpolated value goes through `esc`.
 */

export function esc(value: string | number): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1f24; background: #f4f6f8; }
header { background: #0b3d6e; color: #fff; padding: 0.75rem 1.25rem; }
header p { margin: 0; font-weight: 600; }
header .status { color: #d8e4f0; }
main { max-width: 44rem; margin: 1.5rem auto; padding: 1.5rem; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; }
h1 { font-size: 1.5rem; margin-top: 0; }
h2 { font-size: 1.125rem; margin-top: 1.75rem; }
.message { white-space: pre-wrap; background: #f6f8fa; border-left: 4px solid #0b3d6e; padding: 0.75rem 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
ul.docs { padding-left: 1.25rem; }
ol.signers { list-style: none; padding-left: 0; }
code { font-size: 0.8rem; overflow-wrap: anywhere; color: #424a53; }
a { color: #0550ae; }
a:focus, button:focus, input:focus, textarea:focus, summary:focus { outline: 3px solid #f0b400; outline-offset: 2px; }
label { display: block; font-weight: 600; margin: 1rem 0 0.25rem; }
.check { display: flex; gap: 0.5rem; align-items: flex-start; margin-top: 1rem; }
.check label { display: inline; margin: 0; font-weight: 400; }
.check input { width: 1.25rem; height: 1.25rem; margin-top: 0.15rem; }
input[type=text], textarea { width: 100%; padding: 0.5rem; font: inherit; border: 1px solid #57606a; border-radius: 4px; }
input[type=text].signature { font-family: "Brush Script MT", "Segoe Script", cursive; font-size: 1.5rem; }
.hint { color: #57606a; font-size: 0.875rem; margin: 0.25rem 0 0; }
.error-text { color: #a40e26; font-weight: 600; margin: 0.25rem 0 0; }
[aria-invalid=true] { border-color: #a40e26; border-width: 2px; }
button { font: inherit; font-weight: 600; padding: 0.6rem 1.4rem; border-radius: 6px; border: 1px solid transparent; cursor: pointer; margin-top: 1rem; }
button.primary { background: #1a7f37; color: #fff; }
button.danger { background: #fff; color: #a40e26; border-color: #a40e26; }
details { margin-top: 1.5rem; border-top: 1px solid #d0d7de; padding-top: 1rem; }
summary { cursor: pointer; color: #a40e26; font-weight: 600; }
.notice { padding: 0.75rem 1rem; border-radius: 6px; border: 1px solid; margin: 1rem 0; }
.notice.error { background: #ffebe9; border-color: #a40e26; }
.notice.info { background: #ddf4ff; border-color: #0550ae; }
.notice.success { background: #dafbe1; border-color: #1a7f37; }
.status { font-size: 0.875rem; color: #57606a; }
`;

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)} · dealdesk e-signature</title>
<style>${CSS}</style>
</head>
<body>
<header><p>dealdesk e-signature <span class="status">(local)</span></p></header>
<main id="main">
${body}
</main>
</body>
</html>
`;
}

export interface PageDocument {
  documentId: string;
  name: string;
  sha256: string;
  size: number;
  href: string;
}

export interface PageRecipient {
  name: string;
  role: string;
  routingOrder: number;
  status: string;
}

export type PageState =
  | { kind: 'open' }
  | { kind: 'waiting'; waitingFor: string[] }
  | { kind: 'signed'; signedAt: string }
  | { kind: 'declined-by-you'; declinedAt: string; reason: string }
  | { kind: 'declined' }
  | { kind: 'completed'; completedAt: string }
  | { kind: 'voided'; reason: string };

export interface SigningPageView {
  subject: string;
  message: string;
  recipient: { name: string; email: string; role: string; routingOrder: number };
  documents: PageDocument[];
  recipients: PageRecipient[];
  state: PageState;
}

export interface FormFeedback {
  /** Which form the error belongs to; its fields are marked invalid and refilled. */
  form: 'sign' | 'decline';
  field?: 'signature' | 'consent' | 'reason' | undefined;
  message: string;
  values: { signature?: string | undefined; consent?: boolean | undefined; reason?: string | undefined };
}

function statusLabel(status: string): string {
  return (
    { created: 'Waiting for earlier signers', sent: 'Ready to sign', signed: 'Signed', declined: 'Declined' }[
      status
    ] ?? status
  );
}

function documentsSection(view: SigningPageView, withLinks: boolean): string {
  const items = view.documents
    .map((d) => {
      const title = withLinks ? `<a href="${esc(d.href)}">${esc(d.name)}</a>` : esc(d.name);
      const kb = Math.max(1, Math.round(d.size / 1024));
      return `<li>${title} <span class="status">(PDF, ${kb} KB)</span><br><code>SHA-256 ${esc(d.sha256)}</code></li>`;
    })
    .join('\n');
  return `<h2 id="documents-heading">Documents</h2>
<ul class="docs" aria-labelledby="documents-heading">
${items}
</ul>`;
}

function recipientSection(view: SigningPageView): string {
  const r = view.recipient;
  return `<h2>Signing as</h2>
<dl>
<dt>Name</dt><dd>${esc(r.name)}</dd>
<dt>Email</dt><dd>${esc(r.email)}</dd>
<dt>Role</dt><dd>${esc(r.role)}</dd>
<dt>Signing order</dt><dd>${esc(r.routingOrder)}</dd>
</dl>`;
}

function signersSection(view: SigningPageView): string {
  const rows = view.recipients
    .map(
      (r) =>
        `<li>${esc(r.routingOrder)}. ${esc(r.name)} (${esc(r.role)}): ${esc(statusLabel(r.status))}</li>`,
    )
    .join('\n');
  return `<h2>Signers</h2>\n<ol class="signers">\n${rows}\n</ol>`;
}

function invalid(feedback: FormFeedback | undefined, field: string): string {
  return feedback?.field === field ? ' aria-invalid="true"' : '';
}

function fieldError(feedback: FormFeedback | undefined, field: string): string {
  return feedback?.field === field
    ? `<p class="error-text" id="${field}-error">${esc(feedback.message)}</p>`
    : '';
}

function describedBy(feedback: FormFeedback | undefined, field: string, hint?: string): string {
  const ids = [hint, feedback?.field === field ? `${field}-error` : undefined].filter(Boolean);
  return ids.length > 0 ? ` aria-describedby="${ids.join(' ')}"` : '';
}

function forms(view: SigningPageView, feedback: FormFeedback | undefined): string {
  const signValues = feedback?.form === 'sign' ? feedback.values : {};
  const declineValues = feedback?.form === 'decline' ? feedback.values : {};
  // Forms post back to the page's own URL (no action attribute), so the token never has to be
  // written into the markup a second time.
  return `<h2>Sign</h2>
<form method="post" aria-label="Sign the documents">
<input type="hidden" name="action" value="sign">
<label for="signature">Type your full name to sign</label>
<input type="text" id="signature" name="signature" class="signature" required maxlength="200" autocomplete="name" spellcheck="false" value="${esc(signValues.signature ?? '')}"${invalid(feedback, 'signature')}${describedBy(feedback, 'signature', 'signature-hint')}>
<p class="hint" id="signature-hint">Type ${esc(view.recipient.name)} exactly as shown (capitalization does not matter).</p>
${fieldError(feedback, 'signature')}
<div class="check">
<input type="checkbox" id="consent" name="consent" value="on" required${signValues.consent ? ' checked' : ''}${invalid(feedback, 'consent')}${describedBy(feedback, 'consent')}>
<label for="consent">I agree to sign electronically</label>
</div>
${fieldError(feedback, 'consent')}
<button type="submit" class="primary">Sign</button>
</form>
<details${feedback?.form === 'decline' ? ' open' : ''}>
<summary>Decline to sign</summary>
<form method="post" aria-label="Decline to sign">
<input type="hidden" name="action" value="decline">
<label for="reason">Reason for declining</label>
<textarea id="reason" name="reason" rows="3" required maxlength="1000"${invalid(feedback, 'reason')}${describedBy(feedback, 'reason', 'reason-hint')}>${esc(declineValues.reason ?? '')}</textarea>
<p class="hint" id="reason-hint">The sender sees this reason. Declining ends the signing for everyone.</p>
${fieldError(feedback, 'reason')}
<button type="submit" class="danger">Decline</button>
</form>
</details>`;
}

function stateNotice(view: SigningPageView): string {
  const s = view.state;
  switch (s.kind) {
    case 'open':
      return '';
    case 'waiting':
      return `<div class="notice info" role="status">You can sign once ${esc(s.waitingFor.join(', '))} ${s.waitingFor.length === 1 ? 'has' : 'have'} signed. Come back to this link later.</div>`;
    case 'signed':
      return `<div class="notice success" role="status">You signed on ${esc(s.signedAt)}. There is nothing more to do.</div>`;
    case 'declined-by-you':
      return `<div class="notice info" role="status">You declined to sign on ${esc(s.declinedAt)}. Reason: ${esc(s.reason)}</div>`;
    case 'declined':
      return '<div class="notice info" role="status">Another recipient declined to sign; this envelope is closed.</div>';
    case 'completed':
      return `<div class="notice success" role="status">Everyone has signed. This envelope was completed on ${esc(s.completedAt)}.</div>`;
    case 'voided':
      return `<div class="notice error" role="status">The sender voided this envelope; it can no longer be signed. Reason: ${esc(s.reason)}</div>`;
  }
}

export function signingPage(
  view: SigningPageView,
  options: { feedback?: FormFeedback | undefined; confirmation?: string | undefined } = {},
): string {
  const { feedback, confirmation } = options;
  const voided = view.state.kind === 'voided';
  const summary = feedback
    ? `<div class="notice error" role="alert"><strong>Not submitted.</strong> ${esc(feedback.message)}</div>`
    : confirmation
      ? `<div class="notice success" role="alert">${esc(confirmation)}</div>`
      : '';
  const body = `<h1>${esc(view.subject)}</h1>
${summary}${stateNotice(view)}
<div class="message">${esc(view.message)}</div>
${voided ? '' : documentsSection(view, true)}
${recipientSection(view)}
${signersSection(view)}
${view.state.kind === 'open' ? forms(view, feedback) : ''}`;
  return layout(voided ? `Voided: ${view.subject}` : view.subject, body);
}

export function messagePage(title: string, message: string): string {
  return layout(title, `<h1>${esc(title)}</h1>\n<p>${esc(message)}</p>`);
}
