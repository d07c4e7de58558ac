/**
 * A worker-pool thread: generates one contract, from the deal to three hashed PDFs (facts,
 * template and clauses, the rendered variants, the consistency check, the PDFs). A template or
 * consistency failure is the deal's or the library's, not the thread's: it comes back as a result
 * the pool turns into the same error the stage handles in this thread.
 */
import { TemplateRenderError } from '../../agents/contract-generation/contract-model.ts';
import {
  ContractConsistencyError,
  generateContract,
  type GeneratedContract,
  type GenerateInput,
} from '../../agents/contract-generation/generate-contract.ts';

/** What crosses to the thread: the input without the in-thread seams (functions do not clone). */
export type ContractTask = Omit<GenerateInput, 'renderPdf' | 'tamper'>;

export type ContractTaskResult =
  | { generated: GeneratedContract }
  | { failed: { name: 'TemplateRenderError'; message: string } }
  | { failed: { name: 'ContractConsistencyError'; problems: string[] } };

export default async function generate(task: ContractTask): Promise<ContractTaskResult> {
  try {
    return { generated: await generateContract(task) };
  } catch (err) {
    if (err instanceof TemplateRenderError)
      return { failed: { name: 'TemplateRenderError', message: err.message } };
    if (err instanceof ContractConsistencyError)
      return { failed: { name: 'ContractConsistencyError', problems: err.problems } };
    throw err;
  }
}
