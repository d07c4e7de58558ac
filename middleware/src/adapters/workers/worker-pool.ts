/**
 * CPU work in worker threads (piscina): contract generation (the variants, their consistency check
 * and three PDFs, ~14 ms per deal) and the Deal Closure Agent's offline reasoner (~2 ms per deal).
 * On the event loop they delay every request, webhook and Salesforce call in flight, and leave a
 * second core idle. The threads start on first use and exit after a minute idle.
 */
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { TemplateRenderError } from '../../agents/contract-generation/contract-model.ts';
import {
  ContractConsistencyError,
  type ContractGenerator,
} from '../../agents/contract-generation/generate-contract.ts';
import type { OfflineReasoner, OfflineReasoning } from '../../agents/deal-closure/offline-reasoner.ts';
import type { ContractTask, ContractTaskResult } from './contract-worker.ts';

export interface WorkerPool {
  generateContract: ContractGenerator;
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
  const contractWorker = worker('contract-worker');
  const reasonerWorker = worker('offline-reasoner-worker');
  const pool = new Piscina({
    filename: contractWorker,
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: 60_000,
    // Two tasks per thread at once: one document is rendered while another's pages are compressed.
    concurrentTasksPerWorker: 2,
  });
  return {
    generateContract: async ({ renderPdf, tamper, ...task }) => {
      // Functions do not cross to a thread: the test seams run with generateContract here.
      if (renderPdf || tamper) throw new Error('renderPdf and tamper are not available in the pool');
      const result = (await pool.run(task satisfies ContractTask, {
        filename: contractWorker,
      })) as ContractTaskResult;
      if ('generated' in result) return result.generated;
      throw result.failed.name === 'TemplateRenderError'
        ? new TemplateRenderError(result.failed.message)
        : new ContractConsistencyError(result.failed.problems);
    },
    reasonOffline: (input) => pool.run(input, { filename: reasonerWorker }) as Promise<OfflineReasoning>,
    close: () => pool.close({ force: true }),
  };
}
