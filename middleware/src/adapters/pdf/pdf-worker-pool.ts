/**
 * Contract PDFs rendered in worker threads (piscina). Rendering is CPU work of ~5 ms per document;
 * on the event loop it delays every request, webhook and Salesforce call in flight, and leaves a
 * second core idle. The pool's threads start on first use and exit after a minute idle.
 */
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { PdfOptions, PdfRenderer } from '../../agents/contract-generation/contract-pdf.ts';
import type { RenderTask } from './contract-pdf-worker.ts';

export interface PdfWorkerPool {
  render: PdfRenderer;
  close(): Promise<void>;
}

/** One thread fewer than the machine has cores (the event loop keeps one), at least one. */
export function defaultPdfThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

export function createPdfWorkerPool(threads: number): PdfWorkerPool {
  // Built (dist) the worker is .js, from source .ts: the same extension as this module.
  const here = fileURLToPath(import.meta.url);
  const pool = new Piscina<RenderTask, Uint8Array>({
    filename: new URL(`./contract-pdf-worker${extname(here)}`, import.meta.url).href,
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: 60_000,
    // Two documents per thread at once: one is rendered while the other's pages are compressed.
    concurrentTasksPerWorker: 2,
  });
  return {
    render: (text: string, options: PdfOptions) => pool.run({ text, options }),
    close: () => pool.close({ force: true }),
  };
}
