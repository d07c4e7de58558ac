/**
 * Handoff texts drafted by Gemini, end to end: the real @google/genai client talks to a local
 * server in Gemini's wire format. The server drafts each package's text from the facts in its
 * prompt, one sentence stated by a fact and one made up; the other agents' questions get an error,
 * so they answer offline. The packages in Salesforce hold only the verified sentence, and their
 * context names the model that wrote it and what was dropped.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { loadConfig } from '../middleware/src/config/config.ts';
import { createLogger } from '../middleware/src/logger.ts';
import { startServer, type RunningServer } from '../middleware/src/server.ts';
import { runDemo, type DemoResult } from '../middleware/src/demo/run-demo.ts';
import { DRAFT_INSTRUCTION } from '../middleware/src/agents/shared/drafting.ts';

/** Gemini's answer to a drafting prompt: a sentence from the owner fact, and one no fact states. */
function drafted(prompt: string): unknown {
  const [, account, team, owner] = /<fact id="owner"[^>]*>\n(.+?) for (.+?), owned by (.+?) \(/.exec(prompt)!;
  return {
    sentences: [
      { text: `${owner} owns the ${team} handoff for ${account}.`, facts: ['owner'] },
      { text: `${account} was promised a 40% discount on renewal by Marcus Lee.`, facts: ['owner'] },
    ],
  };
}

function fakeGemini(): Promise<{ url: string; drafts: number; close(): Promise<void> }> {
  const app = express();
  const state = { drafts: 0 };
  app.post('/v1beta/models/:call', express.json({ limit: '5mb' }), (req, res) => {
    const body = req.body as { contents: { parts: { text: string }[] }[] };
    if (!JSON.stringify(req.body).includes(JSON.stringify(DRAFT_INSTRUCTION).slice(1, 60))) {
      res.status(400).json({ error: { code: 400, message: 'not this test', status: 'INVALID_ARGUMENT' } });
      return;
    }
    state.drafts++;
    res.json({
      candidates: [
        {
          content: {
            parts: [{ text: JSON.stringify(drafted(body.contents[0]!.parts[0]!.text)) }],
            role: 'model',
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      modelVersion: 'gemini-2.5-flash',
      usageMetadata: { promptTokenCount: 900, candidatesTokenCount: 60, totalTokenCount: 960 },
    });
  });
  return new Promise((resolve) => {
    const server: Server = app.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        get drafts() {
          return state.drafts;
        },
        close: () => new Promise((r) => server.close(() => r())),
      }),
    );
  });
}

describe('handoff texts drafted by Gemini (local mode)', function () {
  this.timeout(120_000);
  let gemini: Awaited<ReturnType<typeof fakeGemini>>;
  let dir: string;
  let server: RunningServer;
  let result: DemoResult;

  before(async () => {
    gemini = await fakeGemini();
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-drafting-'));
    const config = loadConfig({
      PORT: '0',
      DEALDESK_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      GEMINI_API_KEY: 'test-gemini-key',
      GEMINI_BASE_URL: gemini.url,
    });
    server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 100 });
    result = await runDemo(server, () => undefined);
  });
  after(async () => {
    await server?.close();
    await gemini?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the verified sentence, drops the made-up one, and names the model in each package', () => {
    assert.equal(result.view.status, 'Completed');
    assert.equal(gemini.drafts, 4, 'one draft per team');
    const packages = server.localOrg!.query(
      `SELECT Team__c, Summary__c, Context__c FROM Handoff_Package__c WHERE Deal_Closure__c = '${result.dealClosureId}'`,
    ).records as { Team__c: string; Summary__c: string; Context__c: string }[];
    assert.equal(packages.length, 4);
    for (const p of packages) {
      const context = JSON.parse(p.Context__c) as {
        owner: { name: string };
        account: string;
        narrative: { writtenBy: string; sentences: { text: string; facts: string[] }[]; dropped: number };
      };
      const good = `${context.owner.name} owns the ${p.Team__c.replace('_', ' ')} handoff for ${context.account}.`;
      assert.equal(p.Summary__c.split('\n')[0], good);
      assert.match(p.Summary__c.split('\n')[1]!, /required facts for .* found/);
      assert.doesNotMatch(p.Summary__c, /Marcus|40%/);
      assert.match(context.narrative.writtenBy, /^gemini/);
      assert.deepEqual(context.narrative.sentences, [{ text: good, facts: ['owner'] }]);
      assert.equal(context.narrative.dropped, 1);
    }
    const step = result.view.steps.find((s) => s.agent === 'Handoff_Coordination')!;
    assert.match(step.reasoning, /4 package text\(s\) drafted by gemini.*, 4 sentence\(s\) verified/);
  });
});
