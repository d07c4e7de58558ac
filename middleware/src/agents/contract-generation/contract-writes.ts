/**
 * What a generated contract version writes to Salesforce: per variant its PDF as a file linked to
 * the opportunity and its Contract_Version__c record, under write keys derived from the run and
 * the version so that a retried or resumed attempt never attaches a file twice.
 */
import type { CrmPort, CrmWrite, DealContext } from '../../ports/crm.ts';
import type { StageContext } from '../../orchestrator/stage.ts';
import type { ContractOutput } from './contract-agent.ts';
import type { VariantName } from './contract-model.ts';

/** The write keys of a version's file and Contract_Version__c, per variant. */
export function fileKeysOf(
  runId: string,
  version: number,
): Record<VariantName, { file: string; version: string }> {
  const base = `${runId}:contract:v${version}`;
  return {
    Full: { file: `${base}:file`, version: `${base}:Full` },
    Executive_Summary: { file: `${base}:file:Executive_Summary`, version: `${base}:Executive_Summary` },
    Technical_Appendix: { file: `${base}:file:Technical_Appendix`, version: `${base}:Technical_Appendix` },
  };
}

/** One file and one Contract_Version__c per variant; files already attached are never attached twice. */
export async function contractWrites(
  ctx: StageContext,
  crm: CrmPort,
  deal: DealContext,
  output: ContractOutput,
  pdfsOf: () => Promise<Record<VariantName, Uint8Array>>,
): Promise<CrmWrite[]> {
  const keys = (v: VariantName) => fileKeysOf(ctx.run.id, output.version)[v];
  const fileKeys = output.variants.map((v) => keys(v.variant).file);
  // After a crash, or when an unchanged version is regenerated, the files may already be there.
  const existing =
    ctx.attempt > 1 || output.unchanged ? await crm.existingKeys('file', fileKeys) : new Set<string>();
  const clauses = JSON.stringify(
    output.clauses.map((c) => ({
      id: c.id,
      version: c.version,
      rule: c.rule,
      because: c.because,
      nonStandard: c.nonStandard,
    })),
  );
  const pdfs = fileKeys.every((k) => existing.has(k)) ? undefined : await pdfsOf();
  return output.variants.flatMap((v): CrmWrite[] => {
    const k = keys(v.variant);
    const pdf = pdfs?.[v.variant];
    const file: CrmWrite[] =
      existing.has(k.file) || !pdf
        ? []
        : [
            {
              kind: 'file',
              key: k.file,
              title: v.title,
              fileName: v.fileName,
              data: Buffer.from(pdf),
              linkedTo: deal.opportunity.id,
            },
          ];
    return [
      ...file,
      {
        kind: 'contractVersion',
        key: k.version,
        version: output.version,
        variant: v.variant,
        template: output.template,
        clauses,
        riskLevel: output.riskLevel,
        legalReviewRequired: output.legalReviewRequired,
        contentHash: v.contentHash,
        fileKey: k.file,
        ...(deal.account ? { accountId: deal.account.id } : {}),
        ...(output.requestedTerms ? { requestedTerms: JSON.stringify(output.requestedTerms) } : {}),
      },
    ];
  });
}
