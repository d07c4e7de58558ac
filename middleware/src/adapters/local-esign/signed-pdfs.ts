/**
 * The PDFs a completed local envelope yields: a signature page (returned as `combined`) and a
 * certificate of completion.
 *
 * True merging of the original documents with the signature page needs a PDF object-level
 * library (pdf-lib); pdfkit only writes new documents. So `combined` is a new document whose
 * first page names each signed document with its SHA-256, which binds the signatures to the
 * exact bytes that were signed.
 *
 * Both PDFs are deterministic for the same inputs: pdfkit derives the file ID from the info
 * dictionary, so fixing CreationDate/ModDate to the completion time makes the bytes repeatable.
 */
import PDFDocument from 'pdfkit';

export interface SignedPdfDocument {
  documentId: string;
  name: string;
  sha256: string;
}

export interface SignedPdfSigner {
  name: string;
  email: string;
  role: string;
  routingOrder: number;
  typedSignature: string;
  signedAt: string;
  ip: string;
  userAgent: string;
  /** Whether the hashes recorded at this signature match the envelope's documents. */
  documentsMatch: boolean;
}

export interface SignedPdfHistoryEntry {
  occurredAt: string;
  kind: string;
  actor?: string | undefined;
  reason?: string | undefined;
}

export interface SignedPdfInput {
  envelopeId: string;
  subject: string;
  sentAt: string;
  completedAt: string;
  documents: SignedPdfDocument[];
  signers: SignedPdfSigner[];
  history: SignedPdfHistoryEntry[];
}

// The 0x80–0x9F characters of WinAnsiEncoding; with ASCII and Latin-1 they are all the standard
// PDF fonts (Helvetica, Courier) can show.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/**
 * Text for the standard fonts. pdfkit silently draws the wrong glyphs for characters outside
 * WinAnsi, which on a legal record is worse than visibly escaping them, so those become
 * `[U+XXXX]` (accents are kept when a composed Latin-1 form exists).
 */
export function pdfSafeText(value: string): string {
  let out = '';
  for (const ch of value.normalize('NFC')) {
    const code = ch.codePointAt(0) ?? 0;
    if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch)) out += ch;
    else if (ch === '\n' || ch === '\t') out += ch === '\n' ? '\n' : ' ';
    else out += `[U+${code.toString(16).toUpperCase().padStart(4, '0')}]`;
  }
  return out;
}

type Doc = PDFKit.PDFDocument;

function newDocument(title: string, input: SignedPdfInput): Doc {
  const fixed = new Date(input.completedAt);
  return new PDFDocument({
    size: 'LETTER',
    margin: 56,
    info: {
      Title: pdfSafeText(title),
      Author: 'dealdesk local e-signature',
      Subject: pdfSafeText(input.subject),
      CreationDate: fixed,
      ModDate: fixed,
    },
  });
}

function toBytes(doc: Doc): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
    doc.end();
  });
}

function heading(doc: Doc, text: string, size = 18): void {
  doc.font('Helvetica-Bold').fontSize(size).text(pdfSafeText(text));
  doc.moveDown(0.5);
}

function field(doc: Doc, label: string, value: string): void {
  doc
    .font('Helvetica-Bold')
    .fontSize(10)
    .text(`${label}: `, { continued: true })
    .font('Helvetica')
    // An empty continuation would glue the next field onto this line.
    .text(pdfSafeText(value) || '(not recorded)');
}

/** Hashes go on their own line in a fixed-width font so they stay whole and easy to compare. */
function hash(doc: Doc, sha256: string): void {
  doc.font('Courier').fontSize(8.5).text(`SHA-256 ${sha256}`);
}

function documentList(doc: Doc, documents: SignedPdfDocument[]): void {
  documents.forEach((d, i) => {
    doc
      .font('Helvetica')
      .fontSize(10)
      .text(`${i + 1}. ${pdfSafeText(d.name)} (${pdfSafeText(d.documentId)})`);
    hash(doc, d.sha256);
    doc.moveDown(0.3);
  });
}

/** `combined`: what was signed, then each signer's typed signature and signing evidence. */
export function renderSignaturePage(input: SignedPdfInput): Promise<Uint8Array> {
  const doc = newDocument(`Signed: ${input.subject}`, input);
  heading(doc, 'Electronic signature page');
  field(doc, 'Envelope', input.subject);
  field(doc, 'Envelope ID', input.envelopeId);
  field(doc, 'Completed', input.completedAt);
  doc.moveDown();
  heading(doc, 'Signed documents', 13);
  documentList(doc, input.documents);
  doc.moveDown();
  heading(doc, 'Signatures', 13);
  for (const s of input.signers) {
    // No script font ships with pdfkit; the oblique face is the conventional stand-in.
    doc.font('Helvetica-Oblique').fontSize(20).text(pdfSafeText(s.typedSignature));
    doc
      .moveTo(doc.x, doc.y)
      .lineTo(doc.x + 260, doc.y)
      .lineWidth(0.5)
      .stroke();
    doc.moveDown(0.2);
    field(doc, 'Signer', `${s.name} <${s.email}>`);
    field(doc, 'Role', s.role);
    field(doc, 'Signed at', s.signedAt);
    field(doc, 'IP address', s.ip);
    field(doc, 'User agent', s.userAgent);
    doc.moveDown();
  }
  return toBytes(doc);
}

/** The certificate of completion: the audit record of who signed what, when and from where. */
export function renderCertificate(input: SignedPdfInput): Promise<Uint8Array> {
  const doc = newDocument(`Certificate of completion: ${input.subject}`, input);
  heading(doc, 'Certificate of completion');
  field(doc, 'Envelope ID', input.envelopeId);
  field(doc, 'Subject', input.subject);
  field(doc, 'Status', 'Completed');
  field(doc, 'Sent', input.sentAt);
  field(doc, 'Completed', input.completedAt);
  field(doc, 'Signature method', 'Typed name with consent to sign electronically');
  doc.moveDown();
  heading(doc, 'Original documents', 13);
  documentList(doc, input.documents);
  doc.moveDown();
  heading(doc, 'Recipients', 13);
  for (const s of input.signers) {
    doc.font('Helvetica-Bold').fontSize(11).text(pdfSafeText(s.name));
    field(doc, 'Email', s.email);
    field(doc, 'Role', s.role);
    field(doc, 'Routing order', String(s.routingOrder));
    field(doc, 'Typed signature', s.typedSignature);
    field(doc, 'Signed at', s.signedAt);
    field(doc, 'IP address', s.ip);
    field(doc, 'User agent', s.userAgent);
    field(
      doc,
      'Document hashes at signing',
      s.documentsMatch ? 'match the originals' : 'DO NOT match the originals',
    );
    doc.moveDown(0.6);
  }
  doc.moveDown();
  heading(doc, 'Event history', 13);
  for (const h of input.history) {
    const who = h.actor ? ` by ${h.actor}` : '';
    const why = h.reason ? ` (reason: ${h.reason})` : '';
    doc
      .font('Helvetica')
      .fontSize(9.5)
      .text(pdfSafeText(`${h.occurredAt}  ${h.kind}${who}${why}`));
  }
  return toBytes(doc);
}
