/**
 * The model the configuration asks for, with its token metering: Gemini, an OpenAI-compatible
 * server, or none (the offline reasoner answers alone). Only the chosen provider's SDK is loaded.
 */
import type { Config } from '../../config/config.ts';
import { llmProviderOf } from '../../config/llm-config.ts';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../metrics.ts';
import { createLlmUsageMeter, type LlmUsageMeter } from '../../llm-usage.ts';
import type { LlmPort } from '../../ports/llm.ts';

export interface ConfiguredLlm {
  llm: LlmPort;
  meter: LlmUsageMeter;
}

export async function configuredLlm(
  config: Config,
  deps: { logger: Logger; metrics: Metrics },
): Promise<ConfiguredLlm | undefined> {
  const { logger, metrics } = deps;
  const provider = llmProviderOf(config);
  const prices = { inputPerMTok: config.llm.priceInputPerMTok, outputPerMTok: config.llm.priceOutputPerMTok };
  if (provider === 'gemini' && config.gemini.apiKey) {
    const meter = createLlmUsageMeter({ metrics, provider, model: config.gemini.model, prices });
    const { createGeminiLlm } = await import('../gemini/gemini-llm.ts');
    const llm = createGeminiLlm({
      apiKey: config.gemini.apiKey,
      model: config.gemini.model,
      logger,
      ...(config.gemini.baseUrl ? { baseUrl: config.gemini.baseUrl } : {}),
      onUsage: meter.onUsage,
    });
    logger.info({ provider, model: config.gemini.model }, 'model configured');
    return { llm, meter };
  }
  if (provider === 'openai' && config.llm.baseUrl && config.llm.model) {
    const meter = createLlmUsageMeter({ metrics, provider, model: config.llm.model, prices });
    const { createOpenAiLlm } = await import('../openai/openai-llm.ts');
    const llm = createOpenAiLlm({
      baseUrl: config.llm.baseUrl,
      model: config.llm.model,
      ...(config.llm.apiKey ? { apiKey: config.llm.apiKey } : {}),
      logger,
      onUsage: meter.onUsage,
    });
    // The host only: a URL may carry credentials in its user-info part.
    logger.info(
      {
        provider,
        model: config.llm.model,
        host: new URL(config.llm.baseUrl).host,
        withApiKey: !!config.llm.apiKey,
      },
      'model configured',
    );
    return { llm, meter };
  }
  return undefined;
}
