/**
 * CPU work in worker threads (piscina): contract PDFs (~4 ms per document) and the Deal Closure
 * Agent's offline reasoner (~2 ms per deal). On the event loop they delay every request, webhook
 * and Salesforce call in flight, and leave a second core idle. The threads start on first use and
 * exit after a minute idle.
 */
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { PdfOptions, PdfRenderer } from '../../agents/contract-generation/contract-pdf.ts';
import type { OfflineReasoner, OfflineReasoning } from '../../agents/deal-closure/offline-reasoner.ts';
import type { RenderTask } from './contract-pdf-worker.ts';

export interface WorkerPool {
  renderPdf: PdfRenderer;
  reasonOffline: OfflineReasoner;
  close(): Promise<void>;
}

/** One thread fewer than the machine has cores (the event loop keeps one), at least one. */
export function defaultWorkerThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

export function createWorkerPool(threads: number): WorkerPool {
  // Built (dist) the workers are .js, from source .ts: the same extension as this module.
  const ext = extname(fileURLToPath(import.meta.url));
  const worker = (name: string) => new URL(`./${name}${ext}`, import.meta.url).href;
  const pdfWorker = worker('contract-pdf-worker');
  const reasonerWorker = worker('offline-reasoner-worker');
  const pool = new Piscina({
    filename: pdfWorker,
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: 60_000,
    // Two tasks per thread at once: one document is rendered while another's pages are compressed.
    concurrentTasksPerWorker: 2,
  });
  return {
    renderPdf: (text: string, options: PdfOptions) =>
      pool.run({ text, options } satisfies RenderTask, { filename: pdfWorker }) as Promise<Uint8Array>,
    reasonOffline: (input) => pool.run(input, { filename: reasonerWorker }) as Promise<OfflineReasoning>,
    close: () => pool.close({ force: true }),
  };
}
