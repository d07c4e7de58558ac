/**
 * Renders a variant's text (the template output, a small line-based markup) to PDF with pdfkit:
 * a title, party blocks side by side, a clause index with page numbers, the order table,
 * numbered clauses, signature blocks with anchors in white text (`/sig1/`, `/date1/`) that a
 * signature provider places its fields on, and a footer with page numbers on every page.
 *
 * Markup: `# ` title, `## ` section, `### ` subsection, `- ` bullet, `> ` notice, `| ` table row
 * (first row is the header), `@party label|name|address`, `@index`, `@sign role|name|title|anchor|dateAnchor`.
 *
 * Deterministic: the info dictionary (and with it the file ID pdfkit derives from it) is fixed by
 * the caller, so the same text and date give byte-identical files and the same SHA-256.
 */
import PDFDocument from 'pdfkit';
import pLimit from 'p-limit';
import { shareStandardFontMetrics } from './standard-font-metrics.ts';

export interface PdfOptions {
  title: string;
  /** Fixed so regenerating an unchanged contract gives identical bytes. */
  createdAt: Date;
  /** Printed in every footer, e.g. `Agreement 1A2B3C4D v2`. */
  reference?: string;
}

const INK = '#1a1a1a';
const MUTED = '#5c5c5c';
const RULE = '#b8b8b8';
const MARGIN = 64;
const BODY = 10;

type Doc = InstanceType<typeof PDFDocument>;

/** Renders a variant to PDF: in this thread, or in a worker pool (adapters/workers). */
export type PdfRenderer = (text: string, options: PdfOptions) => Promise<Uint8Array>;

/**
 * Documents in progress at once. Rendering is CPU-bound on this thread, so more at once only adds
 * memory: each open document holds its pages and compression buffers, and 96 at once (32 deals'
 * three variants) left the process 70 MB larger for good.
 */
const rendering = pLimit(2);

/** Renders in this thread (two documents at a time). */
export const renderContractPdf: PdfRenderer = (text, options) => rendering(() => renderPdfNow(text, options));

/**
 * Renders right away; what a pool worker runs. `fontMetrics: 'pdfkit'` measures text with pdfkit's
 * own per-document fonts instead of the shared tables (the test that the two agree uses it).
 */
export async function renderPdfNow(
  text: string,
  options: PdfOptions,
  fontMetrics: 'shared' | 'pdfkit' = 'shared',
): Promise<Uint8Array> {
  const doc = openDocument(options, fontMetrics);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  const layout = startLayout(doc, text);
  drawBody(layout);
  drawIndex(layout);
  drawFooters(doc, options, layout.width);
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

function openDocument(options: PdfOptions, fontMetrics: 'shared' | 'pdfkit'): Doc {
  const doc = new PDFDocument({
    // No default font yet: with shared metrics, even the first font is opened from the shared tables.
    ...(fontMetrics === 'shared' ? { font: null as unknown as string } : {}),
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + 10, left: MARGIN, right: MARGIN },
    bufferPages: true,
    autoFirstPage: true,
    info: {
      Title: options.title,
      Author: 'dealdesk',
      Producer: 'dealdesk',
      Creator: 'dealdesk',
      CreationDate: options.createdAt,
      ModDate: options.createdAt,
    },
  });
  if (fontMetrics === 'shared') {
    shareStandardFontMetrics(doc);
    doc.font('Helvetica');
  }
  return doc;
}

/** A document being laid out from its markup lines. */
interface Layout {
  doc: Doc;
  width: number;
  lines: string[];
  /** The numbered sections (`## 1. …`), for the clause index. */
  sections: string[];
  pageOfSection: Map<string, number>;
  /** Where `@index` reserved the clause index's space, filled in once the pages are known. */
  indexSlot: { page: number; y: number } | null;
  /** Table rows (`| `) read but not yet drawn. */
  table: string[][];
}

function startLayout(doc: Doc, text: string): Layout {
  const width = doc.page.width - 2 * MARGIN;
  const lines = text.split('\n').map((l) => l.trimEnd());
  const sections = lines.filter((l) => /^## \d+\. /.test(l)).map((l) => l.slice(3));
  return { doc, width, lines, sections, pageOfSection: new Map(), indexSlot: null, table: [] };
}

function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

function flushTable(layout: Layout): void {
  if (layout.table.length > 0) drawTable(layout.doc, layout.table, layout.width);
  layout.table = [];
}

function drawBody(layout: Layout): void {
  const { lines } = layout;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('| ')) flushTable(layout);
    if (line.startsWith('@party ')) {
      const parties = [line];
      while (lines[i + 1]?.startsWith('@party ')) parties.push(lines[++i]!);
      drawParties(
        layout.doc,
        parties.map((p) => p.slice(7).split('|')),
        layout.width,
      );
    } else drawLine(layout, line);
  }
  flushTable(layout);
}

/** One markup line other than a party block (which spans several lines). */
function drawLine(layout: Layout, line: string): void {
  const { doc, width } = layout;
  if (line.startsWith('# ')) {
    doc.font('Helvetica-Bold').fontSize(17).fillColor(INK).text(line.slice(2), { align: 'center' });
    doc.moveDown(0.5);
  } else if (line.startsWith('## ')) {
    drawSection(layout, line.slice(3));
  } else if (line.startsWith('### ')) {
    ensureSpace(doc, 36);
    doc.moveDown(0.3).font('Helvetica-Bold').fontSize(10.5).fillColor(INK).text(line.slice(4)).moveDown(0.15);
  } else if (line.startsWith('- ')) {
    // The bullet hangs in the margin of the item, so wrapped lines align with the text.
    doc.font('Helvetica').fontSize(BODY).fillColor(INK);
    const y = doc.y;
    doc.text('•', MARGIN + 6, y, { lineBreak: false });
    doc.text(line.slice(2), MARGIN + 18, y, { width: width - 18, lineGap: 1.5 });
    doc.x = MARGIN;
  } else if (line.startsWith('> ')) {
    drawNotice(doc, line.slice(2), width);
  } else if (line.startsWith('| ')) {
    layout.table.push(
      line
        .slice(1)
        .split('|')
        .map((c) => c.trim()),
    );
  } else if (line === '@index') {
    // Reserve the space now; the page numbers are known once every section is placed.
    const height = 22 + layout.sections.length * 14;
    ensureSpace(doc, height);
    layout.indexSlot = { page: pageNumber(doc) - 1, y: doc.y };
    doc.y += height;
  } else if (line.startsWith('@sign ')) {
    drawSignature(doc, signatory(line.slice(6)), width);
  } else if (line.length === 0) {
    doc.moveDown(0.35);
  } else {
    doc.font('Helvetica').fontSize(BODY).fillColor(INK).text(line, MARGIN, undefined, {
      width,
      align: 'justify',
      lineGap: 1.5,
    });
  }
}

/** A section heading; a numbered one is recorded for the clause index and the outline. */
function drawSection(layout: Layout, heading: string): void {
  const { doc } = layout;
  ensureSpace(doc, 48);
  doc.moveDown(0.5);
  if (/^\d+\. /.test(heading)) {
    layout.pageOfSection.set(heading, pageNumber(doc));
    doc.outline.addItem(heading);
  }
  doc.font('Helvetica-Bold').fontSize(11.5).fillColor(INK).text(heading);
  doc.moveDown(0.25);
}

/** A boxed notice (a non-standard clause's warning). */
function drawNotice(doc: Doc, notice: string, width: number): void {
  ensureSpace(doc, 30);
  const y = doc.y;
  doc.font('Helvetica-Oblique').fontSize(9.5).fillColor('#8a1c1c');
  const h = doc.heightOfString(notice, { width: width - 16 });
  doc
    .rect(MARGIN, y - 3, width, h + 8)
    .lineWidth(0.8)
    .strokeColor('#8a1c1c')
    .stroke();
  doc.text(notice, MARGIN + 8, y + 1, { width: width - 16 });
  doc.x = MARGIN;
  doc.moveDown(0.6);
}

/** The clause index in the space `@index` reserved, with each numbered section's page. */
function drawIndex(layout: Layout): void {
  const { doc, width, indexSlot } = layout;
  if (!indexSlot) return;
  doc.switchToPage(indexSlot.page);
  let y = indexSlot.y;
  doc.font('Helvetica-Bold').fontSize(11).fillColor(INK).text('Clause index', MARGIN, y);
  y += 18;
  for (const s of layout.sections) {
    const page = String(layout.pageOfSection.get(s) ?? '');
    doc.font('Helvetica').fontSize(9.5).fillColor(INK);
    const label = s.length > 80 ? `${s.slice(0, 77)}...` : s;
    doc.text(label, MARGIN + 8, y, { width: width - 60, lineBreak: false });
    doc.text(page, MARGIN + width - 40, y, { width: 40, align: 'right', lineBreak: false });
    doc
      .moveTo(MARGIN + 12 + doc.widthOfString(label), y + 8)
      .lineTo(MARGIN + width - 44 - doc.widthOfString(page), y + 8)
      .dash(1, { space: 2 })
      .lineWidth(0.5)
      .strokeColor(RULE)
      .stroke()
      .undash();
    y += 14;
  }
}

/** A rule, the title and reference, and "Page n of m" at the foot of every page. */
function drawFooters(doc: Doc, options: PdfOptions, width: number): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing inside the bottom margin would otherwise start a new page.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const bottom = doc.page.height - 42;
    doc
      .moveTo(MARGIN, bottom - 6)
      .lineTo(doc.page.width - MARGIN, bottom - 6)
      .lineWidth(0.5)
      .strokeColor(RULE)
      .stroke();
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor(MUTED)
      .text(`${options.title}${options.reference ? ` — ${options.reference}` : ''}`, MARGIN, bottom, {
        width: width - 80,
        lineBreak: false,
      })
      .text(`Page ${i + 1} of ${range.count}`, MARGIN + width - 80, bottom, {
        width: 80,
        align: 'right',
        lineBreak: false,
      });
    doc.page.margins.bottom = margin;
  }
}

function pageNumber(doc: Doc): number {
  const range = doc.bufferedPageRange();
  return range.start + range.count;
}

function drawParties(doc: Doc, parties: string[][], width: number): void {
  const gap = 16;
  const colWidth = (width - gap * (parties.length - 1)) / parties.length;
  doc.font('Helvetica').fontSize(9.5);
  const heights = parties.map(
    ([, name, address]) =>
      30 +
      doc.heightOfString(name ?? '', { width: colWidth - 20 }) +
      doc.heightOfString(address ?? '', { width: colWidth - 20 }),
  );
  const height = Math.max(...heights);
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
  const top = doc.y;
  parties.forEach(([label, name, address], i) => {
    const x = doc.page.margins.left + i * (colWidth + gap);
    doc.rect(x, top, colWidth, height).lineWidth(0.7).strokeColor(RULE).stroke();
    doc
      .font('Helvetica-Bold')
      .fontSize(8)
      .fillColor(MUTED)
      .text((label ?? '').toUpperCase(), x + 10, top + 8, {
        width: colWidth - 20,
        characterSpacing: 0.8,
      });
    doc
      .font('Helvetica-Bold')
      .fontSize(10)
      .fillColor(INK)
      .text(name ?? '', x + 10, doc.y + 2, { width: colWidth - 20 });
    doc
      .font('Helvetica')
      .fontSize(9)
      .fillColor(INK)
      .text(address ?? '', x + 10, doc.y + 1, { width: colWidth - 20 });
  });
  doc.x = doc.page.margins.left;
  doc.y = top + height + 10;
}

function drawTable(doc: Doc, rows: string[][], width: number): void {
  const cols = rows[0]!.length;
  // Quantity, product (the rest), unit price, discount, total.
  const widths = cols === 5 ? [36, width - 36 - 86 - 52 - 92, 86, 52, 92] : Array(cols).fill(width / cols);
  const right = (c: number) => cols === 5 && c !== 1;
  rows.forEach((row, r) => {
    const header = r === 0;
    const last = r === rows.length - 1 && rows.length > 2;
    doc.font(header || last ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    const h = Math.max(...row.map((cell, c) => doc.heightOfString(cell, { width: widths[c]! - 8 }))) + 8;
    if (doc.y + h > doc.page.height - doc.page.margins.bottom) doc.addPage();
    const y = doc.y;
    if (header) doc.rect(doc.page.margins.left, y, width, h).fillColor('#eeeeee').fill();
    let x = doc.page.margins.left;
    row.forEach((cell, c) => {
      doc
        .fillColor(INK)
        .text(cell, x + 4, y + 4, { width: widths[c]! - 8, align: right(c) ? 'right' : 'left' });
      x += widths[c]!;
    });
    doc
      .moveTo(doc.page.margins.left, y + h)
      .lineTo(doc.page.margins.left + width, y + h)
      .lineWidth(header || last ? 0.8 : 0.4)
      .strokeColor(RULE)
      .stroke();
    doc.y = y + h;
  });
  doc.x = doc.page.margins.left;
  doc.moveDown(0.5);
}

/** A signature block, from an `@sign role|name|title|anchor|dateAnchor` line. */
interface Signatory {
  role: string;
  name: string;
  title: string;
  /** Where the provider places the signature field, and the date field. */
  anchor: string;
  dateAnchor: string;
}

/** `role|name|title|anchor|dateAnchor`; a missing field is empty. */
function signatory(spec: string): Signatory {
  const [role = '', name = '', title = '', anchor = '', dateAnchor = ''] = spec.split('|');
  return { role, name, title, anchor, dateAnchor };
}

function drawSignature(doc: Doc, { role, name, title, anchor, dateAnchor }: Signatory, width: number): void {
  const height = 84;
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
  const left = doc.page.margins.left;
  const top = doc.y + 6;
  doc
    .font('Helvetica-Bold')
    .fontSize(8)
    .fillColor(MUTED)
    .text(`FOR ${role.toUpperCase()}`, left, top, { characterSpacing: 0.8 });
  const lineY = top + 44;
  // The anchors sit on the signature and date lines, invisible, where the provider places fields.
  doc
    .font('Helvetica')
    .fontSize(10)
    .fillColor('#ffffff')
    .text(anchor, left, lineY - 14, { lineBreak: false });
  doc.text(dateAnchor, left + width * 0.62, lineY - 14, { lineBreak: false });
  doc
    .moveTo(left, lineY)
    .lineTo(left + width * 0.55, lineY)
    .moveTo(left + width * 0.62, lineY)
    .lineTo(left + width, lineY)
    .lineWidth(0.7)
    .strokeColor(INK)
    .stroke();
  doc
    .font('Helvetica')
    .fontSize(9)
    .fillColor(INK)
    .text(`${name}${title ? `, ${title}` : ''}`, left, lineY + 4, {
      width: width * 0.55,
    });
  doc.text('Date', left + width * 0.62, lineY + 4, { lineBreak: false });
  doc.x = left;
  doc.y = top + height;
}
