/**
 * The text of a PDF as pdf.js extracts it (what a reader, a search index or a signing provider
 * sees), whitespace collapsed. Used by tests to check the rendered documents, not their sources.
 */
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';

export async function pdfText(data: Uint8Array): Promise<string> {
  const task = getDocument({ data: data.slice(), verbosity: VerbosityLevel.ERRORS });
  const pdf = await task.promise;
  const parts: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    for (const item of content.items)
      if ('str' in item) parts.push(item.str, 'hasEOL' in item && item.hasEOL ? ' ' : '');
  }
  await task.destroy();
  return parts.join('').replace(/\s+/g, ' ');
}
