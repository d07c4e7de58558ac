/**
 * HTTP for the local signing pages: `GET/POST /esign/sign/:token` and the document viewer
 * `GET /esign/sign/:token/documents/:documentId`. The router parses and validates (zod) what
 * the browser sends and renders what the desk decides; the desk owns every state rule.
 *
 * The token in the URL is the recipient's only credential, hence: no caching, no framing, no
 * referrer (it would leak the URL to any linked site), and a policy that allows no script.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import {
  messagePage,
  signingPage,
  type FormFeedback,
  type PageState,
  type SigningPageView,
} from './pages.ts';
import type { DocumentRow, EnvelopeRow, RecipientRow } from './store.ts';

export interface SigningContext {
  envelope: EnvelopeRow;
  recipient: RecipientRow;
  recipients: RecipientRow[];
  documents: DocumentRow[];
  state: PageState;
}

export type SigningOutcome =
  | { ok: true; context: SigningContext }
  | {
      ok: false;
      status: 400 | 404 | 409;
      code: string;
      message: string;
      field?: 'signature' | 'consent' | 'reason' | undefined;
      context?: SigningContext | undefined;
    };

/** The domain side of the pages, implemented by local-esign.ts. */
export interface SigningDesk {
  open(token: string): SigningContext | undefined;
  documentPdf(context: SigningContext, documentId: string): Uint8Array | undefined;
  sign(token: string, input: { typedSignature: string; ip: string; userAgent: string }): SigningOutcome;
  decline(token: string, input: { reason: string }): SigningOutcome;
}

const FORM_LIMIT = '16kb';
const USER_AGENT_MAX = 512;
/** crypto.randomBytes(32) in base64url: 43 characters, no padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const PAGE_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; img-src 'self'; form-action 'self'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

// Browsers' PDF viewers do not run under `default-src 'none'`, so documents get the rest of
// the protection without the policy.
const PDF_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'SAMEORIGIN',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

const SignFormSchema = z.object({
  action: z.literal('sign'),
  signature: z
    .string({ error: 'Type your full name to sign.' })
    .trim()
    .min(1, 'Type your full name to sign.')
    .max(200, 'The typed name is too long (200 characters at most).'),
  consent: z.literal('on', { error: 'Tick "I agree to sign electronically" to sign.' }),
});

const DeclineFormSchema = z.object({
  action: z.literal('decline'),
  reason: z
    .string({ error: 'Give a reason for declining.' })
    .trim()
    .min(1, 'Give a reason for declining.')
    .max(1000, 'The reason is too long (1000 characters at most).'),
});

export const SigningFormSchema = z.discriminatedUnion('action', [SignFormSchema, DeclineFormSchema], {
  error: 'Choose Sign or Decline.',
});
export type SigningForm = z.infer<typeof SigningFormSchema>;

function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json';
}

/** An error answered as JSON to API clients and as the page `html` renders to a browser. */
interface PageError {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

function sendError(req: Request, res: Response, error: PageError, html: () => string): void {
  const { status, code, message, details = {} } = error;
  res.status(status).set(PAGE_HEADERS);
  if (wantsJson(req)) res.json({ error: { code, message, details } });
  else res.type('html').send(html());
}

function notFound(req: Request, res: Response): void {
  sendError(req, res, { status: 404, code: 'NOT_FOUND', message: 'This signing link is not valid.' }, () =>
    messagePage(
      'Signing link not found',
      'This signing link is not valid. Check that you opened the whole link from your email, or ask the sender for a new one.',
    ),
  );
}

function pageView(req: Request, token: string, context: SigningContext): SigningPageView {
  const base = `${req.baseUrl}/esign/sign/${encodeURIComponent(token)}`;
  return {
    subject: context.envelope.subject,
    message: context.envelope.message,
    recipient: context.recipient,
    documents: context.documents.map((d) => ({
      documentId: d.documentId,
      name: d.name,
      sha256: d.sha256,
      size: d.size,
      href: `${base}/documents/${encodeURIComponent(d.documentId)}`,
    })),
    recipients: context.recipients.map((r) => ({
      name: r.name,
      role: r.role,
      routingOrder: r.routingOrder,
      status: r.status,
    })),
    state: context.state,
  };
}

/** Why a context cannot be acted on, for the 409 of a POST; undefined when it can. */
function closedReason(state: PageState): { code: string; message: string } | undefined {
  switch (state.kind) {
    case 'open':
      return undefined;
    case 'waiting':
      return { code: 'OUT_OF_ORDER', message: `Waiting for ${state.waitingFor.join(', ')} to sign first.` };
    case 'signed':
      return { code: 'ALREADY_SIGNED', message: 'You have already signed.' };
    case 'declined-by-you':
      return { code: 'ALREADY_DECLINED', message: 'You have already declined to sign.' };
    case 'declined':
      return { code: 'ENVELOPE_DECLINED', message: 'Another recipient declined; this envelope is closed.' };
    case 'completed':
      return { code: 'ENVELOPE_COMPLETED', message: 'This envelope is already completed.' };
    case 'voided':
      return { code: 'ENVELOPE_VOIDED', message: 'The sender voided this envelope.' };
  }
}

function feedbackFor(body: Record<string, unknown>, issue: z.core.$ZodIssue | undefined): FormFeedback {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const form = body.action === 'decline' ? 'decline' : 'sign';
  const first = issue?.path[0];
  const field = first === 'signature' || first === 'consent' || first === 'reason' ? first : undefined;
  return {
    form,
    field,
    message: issue?.message ?? 'The form is not valid.',
    values: { signature: str(body.signature), consent: body.consent === 'on', reason: str(body.reason) },
  };
}

type LinkRequest = Request<{ token: string }>;
type DocumentRequest = Request<{ token: string; documentId: string }>;
type Refusal = Extract<SigningOutcome, { ok: false }>;

export function createSigningRouter(desk: SigningDesk): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 20 });

  router.get('/esign/sign/:token', (req, res) => {
    showPage(desk, req, res);
  });
  router.get('/esign/sign/:token/documents/:documentId', (req, res) => {
    sendDocument(desk, req, res);
  });
  router.post('/esign/sign/:token', form, (req, res) => {
    submitForm(desk, req, res);
  });
  // Body-parser failures (too large, malformed) become pages or JSON errors here instead of the
  // app's generic JSON handler, so a person at a browser gets a readable answer.
  router.use('/esign/sign', formReadErrors);

  return router;
}

/** The context the link's token opens; a link that opens none is answered as not found. */
function openLink(desk: SigningDesk, req: LinkRequest, res: Response): SigningContext | undefined {
  const token = req.params.token;
  const context = TOKEN_PATTERN.test(token) ? desk.open(token) : undefined;
  if (!context) notFound(req, res);
  return context;
}

function showPage(desk: SigningDesk, req: LinkRequest, res: Response): void {
  const context = openLink(desk, req, res);
  if (!context) return;
  res
    .status(200)
    .set(PAGE_HEADERS)
    .type('html')
    .send(signingPage(pageView(req, req.params.token, context)));
}

function sendDocument(desk: SigningDesk, req: DocumentRequest, res: Response): void {
  const context = openLink(desk, req, res);
  if (!context) return;
  if (context.state.kind === 'voided') {
    sendError(
      req,
      res,
      { status: 410, code: 'ENVELOPE_VOIDED', message: 'The sender voided this envelope.' },
      () =>
        messagePage(
          'Envelope voided',
          'The sender voided this envelope; its documents are no longer available.',
        ),
    );
    return;
  }
  const pdf = desk.documentPdf(context, req.params.documentId);
  if (!pdf) {
    sendError(
      req,
      res,
      { status: 404, code: 'NOT_FOUND', message: 'No such document in this envelope.' },
      () => messagePage('Document not found', 'This envelope has no such document.'),
    );
    return;
  }
  const doc = context.documents.find((d) => d.documentId === req.params.documentId);
  const name = `${doc?.name ?? 'document'}`.replace(/\.pdf$/i, '');
  // An ASCII fallback for old clients plus the exact name per RFC 6266.
  const ascii = name.replace(/[^A-Za-z0-9 ._-]/g, '_');
  res
    .status(200)
    .set(PDF_HEADERS)
    .set(
      'Content-Disposition',
      `inline; filename="${ascii}.pdf"; filename*=UTF-8''${encodeURIComponent(name)}.pdf`,
    )
    .type('application/pdf')
    .send(Buffer.from(pdf));
}

function submitForm(desk: SigningDesk, req: LinkRequest, res: Response): void {
  const context = openLink(desk, req, res);
  if (!context) return;
  const token = req.params.token;
  // The envelope's state outranks the form: someone who may not act learns that first.
  const closed = closedReason(context.state);
  if (closed) {
    sendError(req, res, { status: 409, ...closed }, () =>
      signingPage(pageView(req, token, context), {
        feedback: { form: 'sign', message: closed.message, values: {} },
      }),
    );
    return;
  }
  const input = readForm(req, res, context);
  if (!input) return;
  const outcome =
    input.action === 'sign'
      ? desk.sign(token, {
          typedSignature: input.signature,
          ip: req.ip ?? req.socket.remoteAddress ?? 'unknown',
          userAgent: (req.get('user-agent') ?? '').slice(0, USER_AGENT_MAX),
        })
      : desk.decline(token, { reason: input.reason });
  if (!outcome.ok) {
    sendRefusal(req, res, { input, refusal: outcome, context });
    return;
  }
  sendDone(req, res, input.action, outcome.context);
}

/** The validated form; an invalid one is answered with the form refilled and its error marked. */
function readForm(req: LinkRequest, res: Response, context: SigningContext): SigningForm | undefined {
  const body: Record<string, unknown> =
    typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
  const parsed = SigningFormSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const feedback = feedbackFor(body, parsed.error.issues[0]);
  sendError(
    req,
    res,
    {
      status: 400,
      code: 'INVALID_FORM',
      message: feedback.message,
      details: { field: feedback.field ?? null },
    },
    () => signingPage(pageView(req, req.params.token, context), { feedback }),
  );
  return undefined;
}

/** The desk refused the action: the page again, with the refusal on the form that was sent. */
function sendRefusal(
  req: LinkRequest,
  res: Response,
  sent: { input: SigningForm; refusal: Refusal; context: SigningContext },
): void {
  const { input, refusal } = sent;
  const latest = refusal.context ?? sent.context;
  const feedback: FormFeedback = {
    form: input.action,
    field: refusal.field,
    message: refusal.message,
    values:
      input.action === 'sign' ? { signature: input.signature, consent: true } : { reason: input.reason },
  };
  const error: PageError = {
    status: refusal.status,
    code: refusal.code,
    message: refusal.message,
    details: { field: refusal.field ?? null },
  };
  sendError(req, res, error, () =>
    refusal.status === 404
      ? messagePage('Signing link not found', refusal.message)
      : signingPage(pageView(req, req.params.token, latest), { feedback }),
  );
}

function sendDone(
  req: LinkRequest,
  res: Response,
  action: SigningForm['action'],
  done: SigningContext,
): void {
  res.status(200).set(PAGE_HEADERS);
  if (wantsJson(req)) {
    res.json({
      envelopeId: done.envelope.envelopeId,
      recipientKey: done.recipient.recipientKey,
      recipientStatus: done.recipient.status,
      envelopeStatus: done.envelope.status,
    });
    return;
  }
  const confirmation =
    action === 'sign'
      ? 'Thank you. Your signature has been recorded.'
      : 'You declined to sign. The sender has been told your reason.';
  res.type('html').send(signingPage(pageView(req, req.params.token, done), { confirmation }));
}

function formReadErrors(err: unknown, req: Request, res: Response, next: NextFunction): void {
  const e = err as { type?: string; status?: number };
  if (e.type === 'entity.too.large') {
    sendError(req, res, { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The form is too large.' }, () =>
      messagePage('Form too large', 'The form you sent is too large. Go back and shorten your entries.'),
    );
    return;
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    sendError(
      req,
      res,
      { status: e.status, code: 'BAD_REQUEST', message: 'The form could not be read.' },
      () => messagePage('Form not readable', 'The form could not be read. Go back and try again.'),
    );
    return;
  }
  next(err);
}
