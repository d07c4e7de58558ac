/**
 * Texts drafted by Gemini, end to end: the real @google/genai client talks to a local server in
 * Gemini's wire format. The server drafts each text from the facts in its prompt, one sentence
 * stated by a fact and one made up; the other agents' questions get an error, so they answer
 * offline. The handoff packages, the approvers' briefs and the insights in Salesforce hold only the
 * verified sentences, each record names who wrote it, and no replayed pass asks the model again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { loadConfig, createLogger, startServer, type RunningServer } from '@dealdesk/middleware';
import { runDemo, type DemoResult } from '@dealdesk/middleware/demo';
import { DRAFT_INSTRUCTION } from '@dealdesk/middleware/agents';

/**
 * Gemini's answer to a drafting prompt: a sentence from the owner fact, and one no fact states;
 * for an approver's brief or the insights, the first fact's statement as it stands, and one no fact states.
 */
function drafted(prompt: string): unknown {
  if (!prompt.includes('<fact id="owner"')) {
    const [, id, statement] = /<fact id="([^"]+)"[^>]*>\n(.+)\n/.exec(prompt)!;
    return {
      sentences: [
        { text: statement, facts: [id] },
        { text: 'Marcus Lee was promised a 40% discount on renewal.', facts: [id] },
      ],
    };
  }
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
    assert.ok(gemini.drafts >= 4, 'one draft per team');
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

  it("stores each approver's brief as the verified sentence with its sources, and names the model", () => {
    const approvals = server.localOrg!.query(
      `SELECT Brief__c FROM Deal_Approval__c WHERE Deal_Closure__c = '${result.dealClosureId}'`,
    ).records as { Brief__c: string }[];
    assert.ok(approvals.length > 0, 'the demo deal needs approvals');
    for (const a of approvals) {
      const lines = a.Brief__c.split('\n');
      assert.equal(lines.length, 3, a.Brief__c);
      assert.match(lines[0]!, /^.+ — .+: .+ over \d+ months, \d+(\.\d+)?% max discount, close date /);
      assert.match(lines[1]!, /^ {2}\[Contract v\d+ total: \d+; /);
      assert.match(lines[2]!, /^Written by gemini[\w.-]*; 1 unverifiable sentence\(s\) dropped\.$/);
      assert.doesNotMatch(a.Brief__c, /Marcus|40%/);
    }
    // The step's facts (its approvals as they end) say who wrote each brief.
    const [step] = server.localOrg!.query(
      `SELECT Facts__c FROM Agent_Step__c WHERE Step_Key__c = '${result.closureId}:approval_orchestration'`,
    ).records as { Facts__c: string }[];
    const facts = JSON.parse(step!.Facts__c) as {
      approvals: { briefWrittenBy: string; dependsOn: string[] }[];
    };
    assert.equal(facts.approvals.length, approvals.length);
    for (const a of facts.approvals) assert.match(a.briefWrittenBy, /^gemini/);
    // One draft per team, per approver, again for an approver submitted after the others decided
    // (their decisions are in the brief), and one for the insights: no replay asked again.
    const later = facts.approvals.filter((a) => a.dependsOn.length > 0).length;
    assert.ok(later > 0, 'the demo deal has an approval that waits for others');
    assert.equal(gemini.drafts, 4 + approvals.length + later + 1);
  });

  it('words the insights from their figures, keeps the metrics, and names who wrote each', () => {
    const insights = server.localOrg!.query(
      `SELECT Insight__c, Metric__c, Value__c FROM Win_Insight__c WHERE Deal_Closure__c = '${result.dealClosureId}'`,
    ).records as { Insight__c: string; Metric__c: string; Value__c: number }[];
    assert.ok(insights.length >= 3);
    const drafted = insights.filter((i) => /\nWritten by gemini/.test(i.Insight__c));
    assert.equal(drafted.length, 1, 'the model worded the first insight only');
    assert.match(drafted[0]!.Insight__c, /^Velocity insight: Verbal yes to signed and synced in /);
    assert.equal(drafted[0]!.Metric__c, 'cycle_time_hours');
    for (const i of insights.filter((x) => !drafted.includes(x)))
      assert.match(i.Insight__c, /\nWritten by offline templates\.$/);
    assert.doesNotMatch(JSON.stringify(insights), /Marcus|40%/);
  });
});
