/**
 * The Deal Closure Agent with Gemini configured: the real @google/genai client talks to a local
 * server in Gemini's wire format (response envelope as in the vendor recordings). The model's
 * signals are kept only where their quotes are in the evidence, its token usage is recorded on
 * the step, and an outage falls back to the offline reasoner with the reason on the timeline.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { Connection } from '@jsforce/jsforce-node';
import { loadConfig } from '../middleware/src/config/config.ts';
import { createLogger } from '../middleware/src/logger.ts';
import { startServer, type RunningServer } from '../middleware/src/server.ts';
import { closureView, startDemoClosure, targetOf } from '../middleware/src/demo/run-demo.ts';

type Mode = 'answer' | 'unavailable';

function fakeGemini(mode: () => Mode): Promise<{ url: string; requests: unknown[]; close(): Promise<void> }> {
  const app = express();
  const requests: unknown[] = [];
  app.post('/v1beta/models/:call', express.json({ limit: '5mb' }), (req, res) => {
    requests.push(req.body);
    if (mode() === 'unavailable') {
      res.status(503).json({
        error: {
          code: 503,
          message: 'The model is overloaded. Please try again later.',
          status: 'UNAVAILABLE',
        },
      });
      return;
    }
    const body = req.body as { contents: { parts: { text: string }[] }[] };
    const prompt = body.contents[0]!.parts[0]!.text;
    // Quote the first evidence sentence faithfully and invent one more, which must be discarded.
    const first = /^\[1\] \S+ .*?\((buyer|unknown|seller)\): (.+)$/m.exec(prompt);
    const answer = {
      signals: [
        {
          type: 'explicit_commitment',
          evidence: 1,
          quote: (first?.[2] ?? '').slice(0, 40),
          supportsClosing: true,
        },
        {
          type: 'budget_confirmed',
          evidence: 2,
          quote: 'we have unlimited budget for this',
          supportsClosing: true,
        },
      ],
      confidence: 0.91,
      decision: 'go',
      rationale: 'The economic buyer confirmed the purchase in writing.',
    };
    res.json({
      candidates: [
        {
          content: { parts: [{ text: JSON.stringify(answer) }], role: 'model' },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      modelVersion: 'gemini-2.5-flash',
      usageMetadata: {
        promptTokenCount: 1200,
        candidatesTokenCount: 150,
        thoughtsTokenCount: 50,
        totalTokenCount: 1400,
      },
    });
  });
  return new Promise((resolve) => {
    const server: Server = app.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    );
  });
}

describe('Deal Closure Agent with Gemini', function () {
  this.timeout(60_000);
  let mode: Mode = 'answer';
  let gemini: Awaited<ReturnType<typeof fakeGemini>>;
  let dir: string;
  let server: RunningServer;

  before(async () => {
    gemini = await fakeGemini(() => mode);
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-gemini-'));
    const config = loadConfig({
      PORT: '0',
      DEALDESK_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      GEMINI_API_KEY: 'test-gemini-key',
      GEMINI_BASE_URL: gemini.url,
    });
    server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 0 });
  });
  after(async () => {
    await server.close();
    await gemini.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function firstStep(closureId: string) {
    for (let i = 0; i < 400; i++) {
      const view = await closureView(targetOf(server), closureId);
      const step = view.steps.find((s) => s.agent === 'Deal_Closure');
      if (step && step.status !== 'Running') return step;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('the Deal Closure step did not finish');
  }

  it('uses the model where its quotes check out and records its token usage', async () => {
    mode = 'answer';
    const started = await startDemoClosure(targetOf(server), () => undefined);
    const step = await firstStep(started.closureId);
    assert.equal(step.status, 'Succeeded');
    assert.equal(step.confidence, 0.91);
    assert.match(
      step.reasoning,
      /Model view \(1 verified signal\(s\), 1 unverifiable quote\(s\) discarded\)/,
    );
    assert.match(step.reasoning, /Signals confirmed by gemini-2\.5-flash/);
    const sent = gemini.requests[0] as {
      generationConfig: {
        responseMimeType: string;
        responseJsonSchema: { properties: Record<string, unknown> };
      };
    };
    assert.equal(sent.generationConfig.responseMimeType, 'application/json');
    assert.ok(
      'signals' in sent.generationConfig.responseJsonSchema.properties,
      'the JSON schema comes from the zod schema',
    );
    const conn = new Connection({
      instanceUrl: server.url,
      accessToken: server.localOrg!.token,
      version: '65.0',
    });
    const rows = await conn.query<{ Facts__c: string }>(
      `SELECT Facts__c FROM Agent_Step__c WHERE Step_Key__c = '${started.closureId}:deal_closure'`,
    );
    const facts = JSON.parse(rows.records[0]!.Facts__c) as {
      source: string;
      usage: { totalTokens: number; promptTokens: number };
    };
    assert.equal(facts.source, 'gemini');
    assert.equal(facts.usage.totalTokens, 1400);
    assert.equal(facts.usage.promptTokens, 1200);
    await fetch(`${server.url}/v1/closures/${started.closureId}/cancel`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    await server.system.orchestrator.idle();
  });

  it('falls back to the offline reasoner when Gemini is unavailable, and says so', async () => {
    mode = 'unavailable';
    const before = gemini.requests.length;
    const res = await fetch(`${server.url}/v1/closures`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        opportunityId: String(
          server.localOrg!.query(
            "SELECT Id FROM Opportunity WHERE StageName = 'Negotiation/Review' AND CurrencyIsoCode = 'USD' LIMIT 1",
          ).records[0]!.Id,
        ),
        trigger: 'Rep',
      }),
    });
    const { closureId } = (await res.json()) as { closureId: string };
    const step = await firstStep(closureId);
    assert.ok(gemini.requests.length - before >= 2, 'retried the 503');
    assert.match(step.reasoning, /Gemini unavailable: unavailable after \d attempt\(s\)/);
    assert.notEqual(step.confidence, 0.91);
  });
});
