/**
 * The eSignature REST v2.1 envelope endpoints of the fake DocuSign (create, list status changes,
 * get, void/resend, correct recipients, download documents), with the checks DocuSign makes on an
 * envelope definition. Separate from `fake-docusign.ts`, which holds the server, the OAuth
 * endpoints and the test controls, because this is the part that mirrors DocuSign's REST reference.
 */
import { createHash, randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import PDFDocument from 'pdfkit';
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface FakeSigner {
  recipientId: string;
  name: string;
  email: string;
  roleName?: string;
  routingOrder: string;
  status: 'created' | 'sent' | 'delivered' | 'completed' | 'declined' | 'autoresponded';
  customFields?: string[];
  tabs: { signHereTabs?: { anchorString?: string }[]; dateSignedTabs?: { anchorString?: string }[] };
  signedDateTime?: string;
  declinedReason?: string;
}

export interface FakeEnvelope {
  envelopeId: string;
  status: 'sent' | 'delivered' | 'completed' | 'declined' | 'voided';
  emailSubject: string;
  documents: { documentId: string; name: string; pdf: Buffer }[];
  signers: FakeSigner[];
  customFields: { name: string; value: string }[];
  notification: unknown;
  eventNotification: Record<string, unknown>;
  sentDateTime: string;
  completedDateTime?: string;
  voidedReason?: string;
  resent: number;
}

/** What the envelope endpoints share with the fake's server and controls. */
export interface FakeDocusignState {
  accountId: string;
  envelopes: Map<string, FakeEnvelope>;
  /** False (having answered 401 or the next queued failure) unless the call may proceed. */
  authorized(req: Request, res: Response): boolean;
  now(): string;
}

export const docusignError = (res: Response, status: number, errorCode: string, message: string) =>
  res.status(status).json({ errorCode, message });
const error = docusignError;

export function envelopesRouter(state: FakeDocusignState): express.Router {
  const rest = express.Router();
  rest.use(express.json({ limit: '20mb' }));
  rest.use('/accounts/:accountId', (req, res, next) => {
    if (!state.authorized(req, res)) return;
    if (req.params.accountId !== state.accountId)
      return void error(res, 400, 'INVALID_ACCOUNT_ID', 'Invalid account ID');
    next();
  });
  rest.post('/accounts/:accountId/envelopes', (req, res) => createEnvelope(state, req, res));
  rest.get('/accounts/:accountId/envelopes', (req, res) => listStatusChanges(state, req, res));
  rest.get('/accounts/:accountId/envelopes/:envelopeId', (req, res) => {
    const e = envelopeOf(state, req, res);
    if (e)
      res.json(
        envelopeView(
          e,
          String(req.query.include ?? '')
            .split(',')
            .includes('recipients'),
        ),
      );
  });
  rest.put('/accounts/:accountId/envelopes/:envelopeId', (req, res) => updateEnvelope(state, req, res));
  rest.put('/accounts/:accountId/envelopes/:envelopeId/recipients', (req, res) =>
    updateRecipients(state, req, res),
  );
  rest.get('/accounts/:accountId/envelopes/:envelopeId/documents/:documentId', (req, res) =>
    downloadDocument(state, req, res),
  );
  return rest;
}

function envelopeOf(state: FakeDocusignState, req: Request, res: Response): FakeEnvelope | undefined {
  const envelope = state.envelopes.get(String(req.params.envelopeId));
  if (!envelope)
    error(
      res,
      404,
      'ENVELOPE_DOES_NOT_EXIST',
      'The envelope specified either does not exist or you have no rights to it.',
    );
  return envelope;
}

async function createEnvelope(state: FakeDocusignState, req: Request, res: Response): Promise<void> {
  const def = req.body as Record<string, unknown>;
  const documents =
    (def.documents as { documentId?: string; name?: string; documentBase64?: string }[] | undefined) ?? [];
  const signers = ((def.recipients as { signers?: FakeSigner[] } | undefined)?.signers ?? []) as FakeSigner[];
  if (!def.emailSubject || documents.length === 0 || signers.length === 0)
    return void error(
      res,
      400,
      'ENVELOPE_IS_INCOMPLETE',
      'The Envelope is not Complete. A Complete Envelope Requires Documents, Recipients, Tabs, and a Subject Line.',
    );
  for (const s of signers)
    if (!s.recipientId || !s.email || !s.name || !s.routingOrder)
      return void error(
        res,
        400,
        'INVALID_REQUEST_BODY',
        'The request body is missing or improperly formatted. A signer needs recipientId, name, email and routingOrder.',
      );
  const pdfs = documents.map((d) => ({
    documentId: String(d.documentId),
    name: String(d.name),
    pdf: Buffer.from(String(d.documentBase64 ?? ''), 'base64'),
  }));
  const text = (await Promise.all(pdfs.map((d) => pdfText(d.pdf)))).join(' ');
  for (const s of signers)
    for (const tab of s.tabs?.signHereTabs ?? [])
      if (tab.anchorString && !text.includes(tab.anchorString))
        return void error(
          res,
          400,
          'ANCHOR_TAB_STRING_NOT_FOUND',
          `The specified Anchor Tab string was not found in the document. Anchor Tab String [${tab.anchorString}] not found.`,
        );
  const envelopeId = randomUUID();
  const firstOrder = Math.min(...signers.map((s) => Number(s.routingOrder)));
  state.envelopes.set(envelopeId, {
    envelopeId,
    status: 'sent',
    emailSubject: String(def.emailSubject),
    documents: pdfs,
    signers: signers.map((s) => ({
      ...s,
      status: Number(s.routingOrder) === firstOrder ? 'sent' : 'created',
    })),
    customFields: (
      (def.customFields as { textCustomFields?: { name: string; value: string }[] } | undefined)
        ?.textCustomFields ?? []
    ).map((f) => ({ name: f.name, value: f.value })),
    notification: def.notification,
    eventNotification: (def.eventNotification ?? {}) as Record<string, unknown>,
    sentDateTime: state.now(),
    resent: 0,
  });
  res
    .status(201)
    .json({ envelopeId, uri: `/envelopes/${envelopeId}`, statusDateTime: state.now(), status: 'sent' });
}

function listStatusChanges(state: FakeDocusignState, req: Request, res: Response): void {
  if (!req.query.from_date && !req.query.envelope_ids)
    return void error(
      res,
      400,
      'INVALID_REQUEST_PARAMETER',
      'The request contained at least one invalid parameter. A from_date or envelope_ids is required.',
    );
  const [name, value] = String(req.query.custom_field ?? '').split('=');
  const found = [...state.envelopes.values()].filter(
    (e) => !name || e.customFields.some((f) => f.name === name && f.value === value),
  );
  res.json({
    resultSetSize: String(found.length),
    totalSetSize: String(found.length),
    envelopes: found.map((e) => envelopeView(e, false)),
  });
}

function updateEnvelope(state: FakeDocusignState, req: Request, res: Response): void {
  const e = envelopeOf(state, req, res);
  if (!e) return;
  const body = req.body as { status?: string; voidedReason?: string };
  if (body.status === 'voided') {
    if (!body.voidedReason)
      return void error(
        res,
        400,
        'INVALID_REQUEST_PARAMETER',
        'A voidedReason is required to void an envelope.',
      );
    if (e.status === 'completed' || e.status === 'voided' || e.status === 'declined')
      return void error(
        res,
        400,
        'ENVELOPE_CANNOT_VOID_INVALID_STATE',
        'Only envelopes in the Sent or Delivered states may be voided.',
      );
    e.status = 'voided';
    e.voidedReason = body.voidedReason;
  }
  if (req.query.resend_envelope === 'true') e.resent++;
  res.json({ envelopeId: e.envelopeId });
}

function updateRecipients(state: FakeDocusignState, req: Request, res: Response): void {
  const e = envelopeOf(state, req, res);
  if (!e) return;
  const updates =
    (req.body as { signers?: { recipientId?: string; email?: string; name?: string }[] }).signers ?? [];
  const results = updates.map((u) => {
    const s = e.signers.find((x) => x.recipientId === u.recipientId);
    if (!s)
      return {
        recipientId: u.recipientId,
        errorDetails: {
          errorCode: 'INVALID_RECIPIENT_ID',
          message: 'A recipient ID is missing or invalid.',
        },
      };
    if (s.status === 'completed' || s.status === 'declined')
      return {
        recipientId: u.recipientId,
        errorDetails: {
          errorCode: 'RECIPIENT_UPDATE_FAILED',
          message: 'The recipient has already signed or declined.',
        },
      };
    if (u.email) s.email = u.email;
    if (u.name) s.name = u.name;
    if (req.query.resend_envelope === 'true' && s.status === 'autoresponded') s.status = 'sent';
    return { recipientId: u.recipientId, errorDetails: { errorCode: 'SUCCESS', message: '' } };
  });
  res.json({ recipientUpdateResults: results });
}

async function downloadDocument(state: FakeDocusignState, req: Request, res: Response): Promise<void> {
  const e = envelopeOf(state, req, res);
  if (!e) return;
  const id = String(req.params.documentId);
  let pdf: Buffer;
  if (id === 'certificate') {
    pdf = await pdfOf([
      'Certificate Of Completion',
      `Envelope Id: ${e.envelopeId}`,
      `Status: ${e.status}`,
      ...e.signers.map((s) => `${s.name} <${s.email}> ${s.status} ${s.signedDateTime ?? ''}`),
    ]);
  } else if (id === 'combined') {
    if (e.status !== 'completed')
      return void error(res, 400, 'ENVELOPE_NOT_COMPLETE', 'The envelope is not complete.');
    const digest = createHash('sha256')
      .update(Buffer.concat(e.documents.map((d) => d.pdf)))
      .digest('hex');
    pdf = await pdfOf([
      `Signed documents of envelope ${e.envelopeId}`,
      `Original SHA-256 ${digest}`,
      ...e.signers.map((s) => `Signed by ${s.name}`),
    ]);
  } else return void error(res, 404, 'DOCUMENT_DOES_NOT_EXIST', 'The document specified was not found.');
  res.type('application/pdf').send(pdf);
}

export const envelopeView = (e: FakeEnvelope, withRecipients: boolean) => ({
  envelopeId: e.envelopeId,
  status: e.status,
  emailSubject: e.emailSubject,
  sentDateTime: e.sentDateTime,
  statusChangedDateTime: e.completedDateTime ?? e.sentDateTime,
  ...(e.completedDateTime ? { completedDateTime: e.completedDateTime } : {}),
  ...(e.voidedReason ? { voidedReason: e.voidedReason } : {}),
  ...(withRecipients
    ? {
        recipients: {
          signers: e.signers.map((s) => ({ ...s, tabs: undefined })),
          recipientCount: String(e.signers.length),
        },
      }
    : {}),
});

// Not ./pdf-text.ts: anchors are found in pdf.js's items joined with a space each, as DocuSign
// finds them across runs of text; the kit's text joins items as the page spells them.
async function pdfText(data: Buffer): Promise<string> {
  const task = getDocument({ data: new Uint8Array(data), verbosity: VerbosityLevel.ERRORS });
  const pdf = await task.promise;
  const parts: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    for (const item of content.items) if ('str' in item) parts.push(item.str);
  }
  await task.destroy();
  return parts.join(' ');
}

function pdfOf(lines: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument();
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    for (const line of lines) doc.fontSize(11).text(line);
    doc.end();
  });
}
