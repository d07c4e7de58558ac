/** A worker-pool thread: renders one contract variant to PDF. */
import { renderPdfNow, type PdfOptions } from '../../agents/contract-generation/contract-pdf.ts';

export interface RenderTask {
  text: string;
  options: PdfOptions;
}

export default function render(task: RenderTask): Promise<Uint8Array> {
  return renderPdfNow(task.text, task.options);
}
