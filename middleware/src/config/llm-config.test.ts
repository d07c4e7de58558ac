import assert from 'node:assert/strict';
import { ConfigError, loadConfig, secretValues } from './config.ts';
import { llmProviderOf } from './llm-config.ts';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  assert.fail('expected a ConfigError');
}

const OLLAMA = {
  LLM_PROVIDER: 'openai',
  LLM_BASE_URL: 'http://localhost:11434/v1',
  LLM_MODEL: 'llama3.1:8b',
};

describe('model provider config', () => {
  it('has no model by default, and prices of 0', () => {
    const c = loadConfig({});
    assert.equal(llmProviderOf(c), undefined);
    assert.equal(c.llm.priceInputPerMTok, 0);
    assert.equal(c.llm.priceOutputPerMTok, 0);
  });

  it('keeps GEMINI_API_KEY / GEMINI_MODEL working unchanged: Gemini is the default when its key is set', () => {
    const c = loadConfig({ GEMINI_API_KEY: 'g-key-123', GEMINI_MODEL: 'gemini-2.5-pro' });
    assert.equal(llmProviderOf(c), 'gemini');
    assert.equal(c.gemini.model, 'gemini-2.5-pro');
    assert.equal(
      llmProviderOf(loadConfig({ GEMINI_API_KEY: 'g-key-123', LLM_PROVIDER: 'gemini' })),
      'gemini',
    );
  });

  it('takes an OpenAI-compatible server with its URL, model, optional key and prices', () => {
    const c = loadConfig({
      ...OLLAMA,
      LLM_API_KEY: 'sk-local-secret-1234',
      LLM_PRICE_INPUT_PER_MTOK: '0.15',
      LLM_PRICE_OUTPUT_PER_MTOK: '0.6',
    });
    assert.equal(llmProviderOf(c), 'openai');
    assert.equal(c.llm.baseUrl, 'http://localhost:11434/v1');
    assert.equal(c.llm.model, 'llama3.1:8b');
    assert.equal(c.llm.priceInputPerMTok, 0.15);
    assert.equal(c.llm.priceOutputPerMTok, 0.6);
    assert.ok(secretValues(c).includes('sk-local-secret-1234'), 'LLM_API_KEY is a secret');

    const keyless = loadConfig(OLLAMA);
    assert.equal(keyless.llm.apiKey, undefined, 'a local server needs no key');
    assert.equal(llmProviderOf(loadConfig({ ...OLLAMA, GEMINI_API_KEY: 'g-key-123' })), 'openai');
  });

  it('infers openai from LLM_BASE_URL alone', () => {
    const { LLM_PROVIDER: _provider, ...rest } = OLLAMA;
    assert.equal(llmProviderOf(loadConfig(rest)), 'openai');
  });

  it('names the missing variable for the chosen provider', () => {
    const openai = problemsOf({ LLM_PROVIDER: 'openai' });
    assert.equal(openai.length, 2, openai.join('\n'));
    assert.ok(
      openai.some((p) => p.startsWith('LLM_BASE_URL (llm.baseUrl): required with LLM_PROVIDER=openai')),
    );
    assert.ok(openai.some((p) => p.startsWith('LLM_MODEL (llm.model): required with LLM_PROVIDER=openai')));

    const gemini = problemsOf({ LLM_PROVIDER: 'gemini' });
    assert.deepEqual(gemini, [
      'GEMINI_API_KEY (gemini.apiKey): required with LLM_PROVIDER=gemini: the Gemini API key',
    ]);
  });

  it('names every bad value with what it expected, and never echoes the key', () => {
    const problems = problemsOf({
      LLM_PROVIDER: 'claude',
      LLM_BASE_URL: 'localhost:11434',
      LLM_MODEL: 'llama 3',
      LLM_API_KEY: 'sk-short',
      LLM_PRICE_INPUT_PER_MTOK: '-1',
      LLM_PRICE_OUTPUT_PER_MTOK: 'cheap',
    });
    const text = problems.join('\n');
    assert.match(text, /^LLM_PROVIDER \(llm\.provider\): expected 'gemini' or 'openai'.*\(got "claude"\)$/m);
    assert.match(
      text,
      /^LLM_BASE_URL \(llm\.baseUrl\): expected the http\(s\) URL of an OpenAI-compatible API/m,
    );
    assert.match(text, /^LLM_MODEL \(llm\.model\): expected a model name without spaces/m);
    assert.match(
      text,
      /^LLM_PRICE_INPUT_PER_MTOK \(llm\.priceInputPerMTok\): expected a price in USD per million tokens \(0 or more\)/m,
    );
    assert.match(
      text,
      /^LLM_PRICE_OUTPUT_PER_MTOK \(llm\.priceOutputPerMTok\): expected a price in USD per million tokens/m,
    );
    assert.ok(!text.includes('sk-short'));
  });

  it('refuses an ambiguous choice and LLM_* settings that Gemini would ignore', () => {
    assert.deepEqual(problemsOf({ GEMINI_API_KEY: 'g-key-123', LLM_BASE_URL: 'http://vllm:8000/v1' }), [
      "LLM_PROVIDER (llm.provider): both GEMINI_API_KEY and LLM_BASE_URL are set: choose 'gemini' or 'openai'",
    ]);
    const ignored = problemsOf({
      GEMINI_API_KEY: 'g-key-123',
      LLM_MODEL: 'gemini-2.5-pro',
      LLM_API_KEY: 'sk-x',
    });
    assert.equal(ignored.length, 2, ignored.join('\n'));
    for (const name of ['LLM_MODEL (llm.model)', 'LLM_API_KEY (llm.apiKey)'])
      assert.ok(
        ignored.some((p) => p.startsWith(`${name}: applies to LLM_PROVIDER=openai only`)),
        `${name} in ${ignored.join(' | ')}`,
      );
    assert.ok(!ignored.join('\n').includes('sk-x'));
  });
});
