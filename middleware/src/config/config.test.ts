import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, secretValues } from './config.ts';

function problemsOf(env: NodeJS.ProcessEnv, file?: string): string[] {
  try {
    loadConfig(env, file);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  it('needs nothing in local mode', () => {
    const c = loadConfig({});
    assert.equal(c.mode, 'local');
    assert.equal(c.port, 3000);
    assert.equal(c.localOrg.seed, 'demo');
  });

  it('takes environment overrides and ignores empty values', () => {
    const c = loadConfig({
      PORT: '8080',
      LOG_LEVEL: 'debug',
      HOST: '',
      DEALDESK_API_KEY: `${'a'.repeat(32)}, ${'b'.repeat(32)}`,
    });
    assert.equal(c.port, 8080);
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.host, '127.0.0.1');
    assert.deepEqual(c.apiKeys, ['a'.repeat(32), 'b'.repeat(32)]);
  });

  it('names every bad key with what it expected', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DEALDESK_MODE: 'cloud',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://x',
      SF_API_VERSION: 'v65',
    });
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.ok(
      problems.some((p) => p.startsWith('PORT (port): expected an integer port') && p.includes('"eighty"')),
    );
    assert.ok(problems.some((p) => p.startsWith("DEALDESK_MODE (mode): expected 'local' or 'salesforce'")));
    assert.ok(problems.some((p) => p.startsWith('LOG_LEVEL (logLevel): expected one of')));
    assert.ok(problems.some((p) => p.startsWith('DATABASE_URL (databaseUrl): expected a postgres://')));
    assert.ok(problems.some((p) => p.startsWith('SF_API_VERSION (salesforce.apiVersion)')));
  });

  it('accepts a plain Postgres schema name and refuses anything else', () => {
    assert.equal(loadConfig({ DATABASE_SCHEMA: 'dealdesk_eu' }).databaseSchema, 'dealdesk_eu');
    const problems = problemsOf({ DATABASE_SCHEMA: 'Deal-Desk; drop' });
    assert.ok(
      problems.some((p) =>
        p.startsWith('DATABASE_SCHEMA (databaseSchema): expected a lower-case schema name'),
      ),
      problems.join('\n'),
    );
  });

  it('requires the Salesforce credentials in salesforce mode, and never echoes a secret', () => {
    const problems = problemsOf({ DEALDESK_MODE: 'salesforce', DEALDESK_API_KEY: 'short-secret-value' });
    assert.ok(problems.some((p) => p.startsWith('SF_CLIENT_ID')));
    assert.ok(problems.some((p) => p.startsWith('SF_USERNAME')));
    assert.ok(problems.some((p) => p.startsWith('SF_PRIVATE_KEY_FILE')));
    assert.ok(
      problems.some((p) =>
        p.startsWith('DEALDESK_API_KEY (apiKeys): each API key must be at least 32 characters'),
      ),
    );
    assert.ok(!problems.join('\n').includes('short-secret-value'));
  });

  it('reports a broken defaults file by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dealdesk-config-'));
    const file = join(dir, 'dealdesk.json');
    writeFileSync(file, '{ not json');
    assert.match(problemsOf({}, file)[0]!, /dealdesk\.json: /);
    assert.match(problemsOf({}, join(dir, 'missing.json'))[0]!, /missing/);
  });

  it('lists the configured secrets for redaction', () => {
    const c = loadConfig({
      DEALDESK_API_KEY: 'k'.repeat(40),
      LOCAL_ORG_TOKEN: 't'.repeat(20),
      GEMINI_API_KEY: 'g-key-123',
    });
    assert.deepEqual(secretValues(c).sort(), ['g-key-123', 'k'.repeat(40), 't'.repeat(20)].sort());
  });

  it('takes a Slack incoming webhook, refuses anything else, and treats it as a secret', () => {
    const hook = 'https://hooks.slack.com/services/T0001/B0001/abcdefghijklmnopqrstuvwx';
    const c = loadConfig({ SLACK_WEBHOOK_URL: hook });
    assert.equal(c.notify.slackWebhookUrl, hook);
    assert.ok(secretValues(c).includes(hook));
    assert.equal(loadConfig({}).notify.slackWebhookUrl, undefined);
    for (const bad of [
      'http://hooks.slack.com/services/T0001/B0001/abcdefghijklmnopqrstuvwx',
      'https://evil.example/services/T0001/B0001/abcdefghijklmnopqrstuvwx',
      'https://hooks.slack.com/other/T0001',
    ]) {
      const problems = problemsOf({ SLACK_WEBHOOK_URL: bad });
      assert.equal(problems.length, 1);
      assert.match(
        problems[0]!,
        /^SLACK_WEBHOOK_URL \(notify\.slackWebhookUrl\): expected a Slack incoming webhook URL/,
      );
      assert.ok(!problems[0]!.includes('T0001'), 'the URL is not echoed');
    }
  });
});
