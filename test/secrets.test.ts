/**
 * Secrets never leave: a full closure runs with known secret values configured — two API keys,
 * the local org token, a Gemini key (sent to a model endpoint that echoes it back in its error,
 * as a careless upstream might), a PEM private key — and every log line at trace level, every
 * error answer, every Deal_Closure__c / Agent_Step__c record, every timeline event, the closure
 * view and the metrics are searched for each of them.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import express from 'express';
import { Connection } from '@jsforce/jsforce-node';
import {
  loadConfig,
  secretValues,
  createLogger,
  startServer,
  type RunningServer,
} from '@dealdesk/middleware';
import { runDemo, type DemoResult } from '@dealdesk/middleware/demo';

const API_KEY = 'k1-secret-api-key-0000000000000000000001';
const NEXT_API_KEY = 'k2-secret-api-key-0000000000000000000002';
const ORG_TOKEN = '00DDd0000000001!secret-org-token-000003';
const GEMINI_KEY = 'AIza-secret-gemini-key-000000000000004';
const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

const calls: string[] = [];

function echoingGemini(): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.post('/v1beta/models/:call', (req, res) => {
    calls.push(req.get('x-goog-api-key') ?? '');
    res.status(400).json({
      error: {
        code: 400,
        message: `API key not valid: ${req.get('x-goog-api-key') ?? ''}`,
        status: 'INVALID_ARGUMENT',
      },
    });
  });
  return new Promise((resolve) => {
    const server: Server = app.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    );
  });
}

describe('secrets in logs, errors and records', function () {
  this.timeout(120_000);
  let dir: string;
  let server: RunningServer;
  let gemini: Awaited<ReturnType<typeof echoingGemini>>;
  let result: DemoResult;
  const lines: string[] = [];
  const answers: string[] = [];

  before(async () => {
    gemini = await echoingGemini();
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-secrets-'));
    const config = loadConfig({
      PORT: '0',
      DEALDESK_DATA_DIR: dir,
      DEALDESK_API_KEY: `${API_KEY},${NEXT_API_KEY}`,
      LOCAL_ORG_TOKEN: ORG_TOKEN,
      GEMINI_API_KEY: GEMINI_KEY,
      GEMINI_BASE_URL: gemini.url,
      SF_PRIVATE_KEY: PRIVATE_KEY,
    });
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    // As server.ts's main() builds it, at the most verbose level.
    const logger = createLogger({ level: 'trace', secrets: secretValues(config), destination });
    server = await startServer(config, logger, { timerPollMs: 50 });
    result = await runDemo(server, () => undefined);
    // Callers that get it wrong: their errors must not echo anything either.
    for (const authorization of [`Bearer ${API_KEY}x`, `Bearer ${ORG_TOKEN}`, `Basic ${API_KEY}`]) {
      const res = await fetch(`${server.url}/v1/closures`, {
        method: 'POST',
        headers: { Authorization: authorization, 'Content-Type': 'application/json' },
        body: JSON.stringify({ opportunityId: result.opportunityId, trigger: 'Rep' }),
      });
      answers.push(`${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}`);
    }
    // A caller that puts a key in the URL: the request log must not keep it.
    await fetch(`${server.url}/v1/closures/${NEXT_API_KEY}?token=${ORG_TOKEN}`, {
      headers: { Authorization: `Bearer ${API_KEY}` },
    });
    const bad = await fetch(`${server.url}/v1/closures`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${NEXT_API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ opportunityId: API_KEY, trigger: GEMINI_KEY }),
    });
    answers.push(`${bad.status} ${await bad.text()}`);
  });
  after(async () => {
    await server?.close();
    await gemini?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const secrets: [string, string][] = [
    ['API key', API_KEY],
    ['next API key', NEXT_API_KEY],
    ['org token', ORG_TOKEN],
    ['Gemini key', GEMINI_KEY],
    ['private key', PRIVATE_KEY.split('\n')[1]!],
  ];

  it('ran the closure to completion with the model failing', () => {
    assert.equal(result.view.status, 'Completed');
    assert.ok(calls.includes(GEMINI_KEY), 'the model endpoint received the key (and echoed it)');
    assert.match(result.view.steps[0]!.reasoning, /offline|fell back|unavailable|model/i);
  });

  it('keeps every secret out of the logs', () => {
    const text = lines.join('');
    assert.ok(lines.length > 50, `${lines.length} log lines captured`);
    assert.match(text, /\[REDACTED\]/, 'something was redacted');
    for (const [what, value] of secrets) assert.ok(!text.includes(value), `the ${what} is in the logs`);
    // Generated at start rather than configured, so not in secretValues: it must never be logged at all.
    assert.ok(!text.includes(server.localAdmin!.accessToken), "the local org admin's token is in the logs");
  });

  it('keeps every secret out of error answers, the closure view and metrics', async () => {
    const view = await (
      await fetch(`${server.url}/v1/closures/${result.closureId}`, {
        headers: { Authorization: `Bearer ${API_KEY}` },
      })
    ).text();
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const text = [...answers, view, metrics].join('\n');
    for (const [what, value] of secrets) assert.ok(!text.includes(value), `the ${what} is in an answer`);
  });

  it('keeps every secret out of the records and timeline events written to Salesforce', async () => {
    const conn = new Connection({ instanceUrl: server.url, accessToken: ORG_TOKEN, version: '65.0' });
    const dump: unknown[] = [];
    for (const object of [
      'Deal_Closure__c',
      'Agent_Step__c',
      'Deal_Approval__c',
      'Handoff_Package__c',
      'Win_Insight__c',
    ]) {
      const fields = (await conn.sobject(object).describe()).fields.map((f) => f.name);
      dump.push((await conn.query(`SELECT ${fields.join(', ')} FROM ${object}`)).records);
    }
    dump.push(server.localOrg!.platformEventsSince(0));
    const text = JSON.stringify(dump);
    assert.ok(text.includes(result.closureId), 'the dump holds the run');
    for (const [what, value] of secrets) assert.ok(!text.includes(value), `the ${what} is in a record`);
  });
});
