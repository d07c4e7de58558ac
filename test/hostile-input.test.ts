/**
 * Hostile input against the running middleware (local mode, real HTTP): property-based fuzzing
 * (fast-check) of every endpoint — the closure API, approval decisions, rep actions, the local
 * signing pages, the local org's REST API — and of the configuration loader. Properties: never a 5xx, the process keeps
 * serving, and a refused request writes nothing. FUZZ_REQUESTS (default 2,000) scales it;
 * `npm run soak` sends 10,000. Also: per-caller rate limits, security headers, key rotation.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  ConfigError,
  ENV_VARS,
  loadConfig,
  createLogger,
  startServer,
  type RunningServer,
} from '@dealdesk/middleware';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2000);
const KEY_A = 'a'.repeat(20) + 'current-key-0123456789';
const KEY_B = 'b'.repeat(20) + 'next-key-0123456789abc';
const CONNECT_SECRET = 'fuzz-connect-hmac-secret-0123456789';

interface Sent {
  method: string;
  path: string;
  status: number;
  closureId?: string;
}

const printable = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.:/%!~ ') });
const sfId = fc.oneof(
  fc.stringMatching(/^006[A-Za-z0-9]{12}$/),
  fc.stringMatching(/^[a-zA-Z0-9]{18}$/),
  fc.string(),
  fc.constant('006000000000000AAA'),
);
const jsonValue = fc.jsonValue({ maxDepth: 3 });
const closureBody = fc.oneof(
  jsonValue,
  fc.record(
    {
      opportunityId: fc.oneof(sfId, jsonValue),
      trigger: fc.oneof(fc.constantFrom('Rep', 'Signal', 'rep', ''), jsonValue),
      note: fc.oneof(fc.string({ maxLength: 200 }), jsonValue),
      transcript: fc.oneof(fc.string({ maxLength: 200 }), fc.constant('x'.repeat(140_000))),
      dealClosureId: sfId,
      extra: jsonValue,
    },
    { requiredKeys: [] },
  ),
);
const decisionBody = fc.oneof(
  jsonValue,
  fc.record(
    {
      decision: fc.oneof(fc.constantFrom('approve', 'reject', 'APPROVE'), jsonValue),
      comment: fc.oneof(fc.string({ maxLength: 100 }), fc.constant('c'.repeat(5000)), fc.constant(null)),
      actorId: fc.oneof(sfId, fc.constant(null)),
    },
    { requiredKeys: [] },
  ),
);
/** Bodies as sent on the wire: JSON, broken JSON, other content types, oversized. */
const rawBody = (json: fc.Arbitrary<unknown>) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: json.map((v) => ({ type: 'application/json', body: JSON.stringify(v) ?? 'null' })),
    },
    { weight: 1, arbitrary: fc.string().map((s) => ({ type: 'application/json', body: `{${s}` })) },
    { weight: 1, arbitrary: fc.string().map((s) => ({ type: 'text/plain', body: s })) },
    {
      weight: 1,
      arbitrary: fc
        .string()
        .map((s) => ({ type: 'application/x-www-form-urlencoded', body: `a=${encodeURIComponent(s)}` })),
    },
    { weight: 1, arbitrary: fc.constant({ type: 'application/json', body: `"${'x'.repeat(300_000)}"` }) },
  );
const auth = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(`Bearer ${KEY_A}`, `Bearer ${KEY_B}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 'Bearer', `Bearer ${KEY_A}x`, `Basic ${KEY_A}`, `bearer  ${KEY_B} `),
  },
  { weight: 1, arbitrary: printable.map((s) => `Bearer ${s}`) },
);
const segment = fc.oneof(sfId, printable, fc.constantFrom('..', '%2e%2e', '%00', '%E0%A4%A', 'run-x'));
/** DocuSign Connect JSON SIM messages, well-formed and not, for envelopes known and unknown. */
const connectMessage = fc.record(
  {
    event: fc.oneof(
      fc.constantFrom('envelope-sent', 'envelope-completed', 'recipient-completed', 'recipient-declined'),
      printable,
    ),
    apiVersion: fc.constant('v2.1'),
    generatedDateTime: fc.oneof(
      fc
        .date({ noInvalidDate: true, min: new Date('2000-01-01'), max: new Date('2100-01-01') })
        .map((d) => d.toISOString()),
      printable,
    ),
    data: fc.oneof(
      jsonValue,
      fc.record(
        {
          envelopeId: fc.oneof(fc.uuid(), printable),
          recipientId: fc.constantFrom('1', '2', 'x'),
          extra: jsonValue,
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

/** SOQL as a caller might send it to the local org: well-formed, injected into, or noise. */
const soql = fc.oneof(
  fc.constantFrom(
    'SELECT Id, Name FROM Opportunity LIMIT 5',
    'SELECT Id, (SELECT Id FROM OpportunityLineItems) FROM Opportunity',
    'SELECT COUNT() FROM Account',
    'SELECT StageName, SUM(Amount) FROM Opportunity GROUP BY StageName',
    'SELECT Id FROM Deal_Closure__c WHERE CreatedDate = LAST_N_DAYS:30',
    'SELECT FIELDS(ALL) FROM User LIMIT 200',
  ),
  fc
    .tuple(
      fc.constantFrom('Opportunity', 'Account', 'Deal_Approval__c', 'User', 'Nope__c'),
      fc.constantFrom('Id', 'Name', 'Amount', 'Account.Name', 'Owner.Manager.Name', 'Bogus__c', 'COUNT(Id)'),
      fc.string({ maxLength: 40 }),
      fc.constantFrom('=', '!=', '<', 'LIKE', 'IN', 'INCLUDES', '>='),
      fc.constantFrom('', ' ORDER BY Name NULLS LAST', ' LIMIT -1', ' OFFSET 5000', ' GROUP BY Name'),
    )
    .map(
      ([from, field, value, op, tail]) =>
        `SELECT ${field} FROM ${from} WHERE ${field} ${op} '${value}'${tail}`,
    ),
  fc.string({ maxLength: 120 }),
);
const sobjectName = fc.oneof(
  fc.constantFrom('Opportunity', 'Account', 'Deal_Closure__c', 'ContentVersion', 'User', 'Nope__c'),
  printable,
);
const orgBody = rawBody(
  fc.oneof(
    jsonValue,
    fc.record(
      {
        allOrNone: fc.oneof(fc.boolean(), jsonValue),
        compositeRequest: fc.oneof(
          jsonValue,
          fc.array(
            fc.record(
              {
                method: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'x'),
                url: fc.oneof(
                  soql.map((q) => `/services/data/v65.0/query?q=${encodeURIComponent(q)}`),
                  fc.tuple(sobjectName, segment).map(([o, id]) => `/services/data/v65.0/sobjects/${o}/${id}`),
                  printable,
                ),
                referenceId: fc.oneof(printable, jsonValue),
                body: jsonValue,
              },
              { requiredKeys: [] },
            ),
            { maxLength: 30 },
          ),
        ),
        records: fc.array(jsonValue, { maxLength: 5 }),
        Name: fc.string(),
        Amount: jsonValue,
      },
      { requiredKeys: [] },
    ),
  ),
);

const request = fc.oneof(
  fc.record({
    method: fc.constant('POST'),
    path: fc.constant('/v1/closures'),
    body: rawBody(closureBody),
    auth,
    key: fc.option(printable),
  }),
  fc.record({
    method: fc.constantFrom('GET', 'DELETE', 'PUT'),
    path: segment.map((s) => `/v1/closures/${s}`),
    body: fc.constant(undefined),
    auth,
    key: fc.constant(null),
  }),
  fc.record({
    method: fc.constant('POST'),
    path: fc
      .tuple(segment, fc.constantFrom('confirm', 'retry', 'cancel', 'nope'))
      .map(([id, a]) => `/v1/closures/${id}/${a}`),
    body: rawBody(fc.oneof(jsonValue, fc.record({ comment: fc.oneof(fc.string(), jsonValue) }))),
    auth,
    key: fc.constant(null),
  }),
  fc.record({
    method: fc.constant('POST'),
    path: segment.map((s) => `/v1/approvals/${s}/decision`),
    body: rawBody(decisionBody),
    auth,
    key: fc.constant(null),
  }),
  fc.record({
    method: fc.constantFrom('GET', 'POST'),
    path: fc.oneof(
      segment.map((s) => `/esign/sign/${s}`),
      fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((t) => `/esign/sign/${t}`),
      fc
        .tuple(fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), segment)
        .map(([t, d]) => `/esign/sign/${t}/documents/${d}`),
    ),
    body: fc.oneof(
      fc
        .record({
          action: fc.constantFrom('sign', 'decline', 'x'),
          signature: fc.string(),
          consent: fc.string(),
          reason: fc.string(),
        })
        .map((f) => ({
          type: 'application/x-www-form-urlencoded',
          body: new URLSearchParams(f).toString(),
        })),
      rawBody(jsonValue),
    ),
    auth: fc.constant(''),
    key: fc.constant(null),
  }),
  fc.record({
    method: fc.constant('POST'),
    path: fc.constant('/v1/webhooks/docusign'),
    body: rawBody(fc.oneof(connectMessage, jsonValue)),
    auth: fc.constant(''),
    key: fc.constant(null),
    // Signed with the configured secret, with another one, or not at all.
    hmac: fc.constantFrom('valid', 'wrong', 'none'),
  }),
  fc.record({
    method: fc.constant('POST'),
    path: fc.oneof(
      segment.map((s) => `/v1/closures/${s}/revise`),
      segment.map((s) => `/v1/closures/${s}/signature/resend`),
      fc.tuple(segment, segment).map(([id, r]) => `/v1/closures/${id}/signers/${r}`),
    ),
    body: rawBody(
      fc.oneof(jsonValue, fc.record({ email: fc.oneof(fc.emailAddress(), fc.string()), name: fc.string() })),
    ),
    auth,
    key: fc.constant(null),
  }),
  fc.record({
    method: fc.constant('GET'),
    path: fc.oneof(
      fc.constant('/v1/insights'),
      printable.map((q) => `/v1/insights?limit=${encodeURIComponent(q)}`),
    ),
    body: fc.constant(undefined),
    auth,
    key: fc.constant(null),
  }),
  fc.record({
    method: fc.constantFrom('GET', 'POST', 'PATCH'),
    path: segment.map((s) => `/v1/${s}`),
    body: rawBody(jsonValue),
    auth,
    key: fc.constant(null),
  }),
  // The local org, which local mode serves on the same port: Salesforce's REST API, OAuth and
  // the local endpoints, with its token or another.
  fc.record({
    method: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT'),
    path: fc.oneof(
      fc
        .tuple(fc.constantFrom('query', 'queryAll'), soql)
        .map(([r, q]) => `/services/data/v65.0/${r}?q=${encodeURIComponent(q)}`),
      fc.tuple(sobjectName, segment).map(([o, id]) => `/services/data/v65.0/sobjects/${o}/${id}`),
      fc
        .tuple(sobjectName, segment, segment)
        .map(([o, field, value]) => `/services/data/v65.0/sobjects/${o}/${field}/${value}`),
      sobjectName.map((o) => `/services/data/v65.0/sobjects/${o}/describe`),
      fc.constantFrom(
        '/services/data/v65.0/composite',
        '/services/data/v65.0/composite/sobjects',
        '/services/data/v65.0/process/approvals',
        '/services/data/v65.0/limits',
        '/services/oauth2/token',
        '/services/oauth2/userinfo',
        '/local/sessions',
        '/local/stats',
        '/local/events?after=x',
      ),
      fc.tuple(printable, segment).map(([v, rest]) => `/services/data/v${v}/${rest}`),
    ),
    body: orgBody,
    auth: fc.oneof(
      { weight: 4, arbitrary: fc.constant('org') },
      { weight: 1, arbitrary: fc.constantFrom('', 'Bearer x', 'OAuth 00D000000000000!x') },
    ),
    key: fc.constant(null),
  }),
);

describe('hostile input', function () {
  this.timeout(600_000);
  let dir: string;
  let server: RunningServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-fuzz-'));
    const config = loadConfig({
      PORT: '0',
      DEALDESK_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      DEALDESK_API_KEY: `${KEY_A},${KEY_B}`,
      DEALDESK_RATE_LIMIT_PER_MINUTE: '1000000',
      DOCUSIGN_CONNECT_SECRETS: CONNECT_SECRET,
    });
    server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 0 });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`answers ${REQUESTS} hostile requests without a 5xx, and refused requests write nothing`, async () => {
    const sent: Sent[] = [];
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.auth === 'org') headers.Authorization = `Bearer ${server.localOrg!.token}`;
        else if (r.auth) headers.Authorization = r.auth;
        if (r.key) headers['Idempotency-Key'] = r.key;
        const body = r.method === 'GET' || r.method === 'DELETE' || !r.body ? undefined : r.body;
        if (body) headers['Content-Type'] = body.type;
        if ('hmac' in r && r.hmac !== 'none' && body)
          headers['X-DocuSign-Signature-1'] = createHmac(
            'sha256',
            r.hmac === 'valid' ? CONNECT_SECRET : 'some-other-secret',
          )
            .update(body.body)
            .digest('base64');
        const res = await fetch(`${server.url}${r.path}`, { method: r.method, headers, body: body?.body });
        const text = await res.text();
        const entry: Sent = { method: r.method, path: r.path, status: res.status };
        if (r.path === '/v1/closures' && res.status === 202)
          entry.closureId = (JSON.parse(text) as { closureId: string }).closureId;
        sent.push(entry);
        assert.ok(res.status < 500, `${r.method} ${r.path} answered ${res.status}: ${text.slice(0, 300)}`);
        if (
          res.status >= 400 &&
          res.headers.get('content-type')?.includes('json') &&
          r.path.startsWith('/v1')
        ) {
          const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
          assert.equal(typeof parsed.error?.code, 'string', 'errors carry {error: {code, message}}');
        }
      }),
      { numRuns: REQUESTS, seed: Number(process.env.FUZZ_SEED ?? 20261125) },
    );
    await server.system.orchestrator.idle();
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200, 'still serving');
    // Every run in the store was answered 202; refused requests left nothing behind.
    const accepted = new Set(sent.map((s) => s.closureId).filter(Boolean));
    const runs = [
      ...(await server.system.store.unfinishedRuns()),
      ...(await server.system.store.completedRuns(1_000_000)),
    ];
    for (const run of runs) assert.ok(accepted.has(run.id), `run ${run.id} was created by a refused request`);
    const statuses = new Map<number, number>();
    for (const s of sent) statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1);
    process.stdout.write(
      `      fuzz: ${sent.length} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}\n`,
    );
  });

  it('accepts either of two API keys during a rotation, and nothing else', async () => {
    const get = (authorization: string) =>
      fetch(`${server.url}/v1/closures/run-none`, { headers: { Authorization: authorization } });
    assert.equal((await get(`Bearer ${KEY_A}`)).status, 404);
    assert.equal((await get(`Bearer ${KEY_B}`)).status, 404);
    const refused = await get(`Bearer ${KEY_A.slice(0, -1)}`);
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="dealdesk"');
  });

  it('sends security headers on API answers and strict ones on signing pages', async () => {
    const res = await fetch(`${server.url}/v1/closures/run-none`, {
      headers: { Authorization: `Bearer ${KEY_A}` },
    });
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
    assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.equal(res.headers.get('x-powered-by'), null);
    const page = await fetch(`${server.url}/esign/sign/${'A'.repeat(43)}`);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  });

  it('refuses oversized bodies with 413', async () => {
    const res = await fetch(`${server.url}/v1/closures`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY_A}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        opportunityId: '006000000000000AAA',
        trigger: 'Rep',
        note: 'n'.repeat(400_000),
      }),
    });
    assert.equal(res.status, 413);
  });
});

describe('per-caller rate limits', () => {
  let dir: string;
  let server: RunningServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-ratelimit-'));
    const config = loadConfig({
      PORT: '0',
      DEALDESK_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      DEALDESK_API_KEY: `${KEY_A},${KEY_B}`,
      DEALDESK_RATE_LIMIT_PER_MINUTE: '5',
    });
    server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 0 });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 429 with Retry-After once a caller spends its budget, per key and per IP', async () => {
    const get = (authorization?: string) =>
      fetch(`${server.url}/v1/closures/run-none`, {
        headers: authorization ? { Authorization: authorization } : {},
      });
    for (let i = 0; i < 5; i++) assert.equal((await get(`Bearer ${KEY_A}`)).status, 404);
    const limited = await get(`Bearer ${KEY_A}`);
    assert.equal(limited.status, 429);
    assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'RATE_LIMITED');
    // The other key is another caller with its own budget.
    assert.equal((await get(`Bearer ${KEY_B}`)).status, 404);
    // Without a valid key the caller is its IP: guessing keys is throttled too.
    for (let i = 0; i < 5; i++) assert.equal((await get('Bearer guess')).status, 401);
    assert.equal((await get('Bearer another-guess')).status, 429);
    assert.equal(
      Number(
        (await server.system.metrics.registry.getSingleMetric('dealdesk_rate_limited_total')?.get())
          ?.values[0]?.value,
      ),
      2,
    );
  });
});

describe('configuration under hostile values', () => {
  it('either loads or names the bad keys, never echoing a secret, for any environment', () => {
    const names = Object.values(ENV_VARS);
    const env = fc.dictionary(
      fc.constantFrom(...names),
      fc.oneof(
        fc.string(),
        fc.constantFrom('0', '-1', '1e9', 'NaN', 'true', ',', 'postgres://', 'salesforce', '0.5'),
      ),
    );
    fc.assert(
      fc.property(
        env,
        fc.string({ minLength: 12 }).map((s) => `SECRET-${s}`),
        (vars, secret) => {
          const all = { ...vars, DEALDESK_API_KEY: secret, GEMINI_API_KEY: secret, LOCAL_ORG_TOKEN: secret };
          try {
            loadConfig(all);
          } catch (err) {
            assert.ok(err instanceof ConfigError, `threw ${String(err)}`);
            assert.ok(!err.message.includes(secret), 'a secret was echoed');
            assert.ok(err.problems.length > 0);
          }
        },
      ),
      { numRuns: Math.max(200, Math.round(REQUESTS / 4)) },
    );
  });
});
