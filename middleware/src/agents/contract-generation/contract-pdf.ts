/**
 * Renders the contract text (the mustache template's output, a small markdown subset) to PDF
 * with pdfkit: headings, paragraphs, bullets, page numbers, and signature anchors (`/sig1/`)
 * in white text that a signature provider can place fields on. The same text and creation date
 * give the same bytes.
 */
import PDFDocument from 'pdfkit';

export interface PdfOptions {
  title: string;
  /** Fixed so regenerating an unchanged contract gives identical bytes. */
  createdAt: Date;
}

const ANCHOR = /(\/(sig|date)\d+\/)/;

export async function renderContractPdf(text: string, options: PdfOptions): Promise<Uint8Array> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 64, bottom: 64, left: 64, right: 64 },
    bufferPages: true,
    info: {
      Title: options.title,
      Author: 'dealdesk',
      Producer: 'dealdesk',
      Creator: 'dealdesk',
      CreationDate: options.createdAt,
      ModDate: options.createdAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.startsWith('# ')) {
      doc
        .font('Helvetica-Bold')
        .fontSize(18)
        .fillColor('#111111')
        .text(line.slice(2), { align: 'center' })
        .moveDown(0.6);
    } else if (line.startsWith('## ')) {
      doc
        .moveDown(0.4)
        .font('Helvetica-Bold')
        .fontSize(12)
        .fillColor('#111111')
        .text(line.slice(3))
        .moveDown(0.2);
    } else if (line.startsWith('- ')) {
      doc
        .font('Helvetica')
        .fontSize(10)
        .fillColor('#222222')
        .text(`•  ${line.slice(2)}`, { indent: 12 });
    } else if (line.length === 0) {
      doc.moveDown(0.3);
    } else if (ANCHOR.test(line)) {
      // Signature lines: visible label and rule, invisible anchor text for the signing provider.
      doc.moveDown(0.8);
      const parts = line.split(ANCHOR).filter((p) => p !== undefined && p !== '' && !/^(sig|date)$/.test(p));
      doc.font('Helvetica').fontSize(10);
      for (const part of parts) {
        if (ANCHOR.test(part))
          doc
            .fillColor('#FFFFFF')
            .text(part, { continued: true })
            .fillColor('#222222')
            .text(' ________________  ', { continued: true });
        else doc.fillColor('#222222').text(part, { continued: true });
      }
      doc.text('');
    } else {
      doc.font('Helvetica').fontSize(10).fillColor('#222222').text(line, { align: 'justify' });
    }
  }
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing inside the bottom margin would otherwise start a new page.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const bottom = doc.page.height - 40;
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor('#666666')
      .text(`${options.title} — page ${i + 1} of ${range.count}`, 64, bottom, {
        width: doc.page.width - 128,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = margin;
  }
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}
