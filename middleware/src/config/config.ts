/**
 * Configuration: defaults from `config/dealdesk.json` (no secrets), overridden by environment
 * variables. One zod schema validates the result; a bad value stops the process with a message
 * naming each bad key and what it expected. Local mode needs no configuration at all.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CONFIG_DIR } from '../paths.ts';
import { ORG_FAULT_KINDS } from '@dealdesk/local-org';
import { ESIGN_FAULT_KINDS } from '../adapters/local-esign/faults.ts';
import { DocusignConfigSchema, SignatureConfigSchema, refineDocusign } from './esign-config.ts';
import { LlmConfigSchema, refineLlm } from './llm-config.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const httpUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: `expected an http(s) URL for ${what}` });

/** `LOCAL_*_FAULT_*`: a share of calls to fail, which failures (comma-separated), a PRNG seed. */
function faultsSchema<K extends string>(kinds: readonly [K, ...K[]], hangMs: number) {
  return z
    .object({
      rate: z.coerce
        .number({ error: 'expected a fault rate between 0 and 1' })
        .min(0, { error: 'expected a fault rate between 0 and 1' })
        .max(1, { error: 'expected a fault rate between 0 and 1' })
        .default(0),
      kinds: z
        .preprocess(
          (v) =>
            typeof v === 'string'
              ? v
                  .split(',')
                  .map((k) => k.trim())
                  .filter((k) => k.length > 0)
              : v,
          z.array(z.enum(kinds, { error: `expected a comma-separated list of ${kinds.join(', ')}` })).min(1),
        )
        .default([...kinds]),
      seed: z.coerce.number().int({ error: 'expected an integer seed' }).default(1),
      hangMs: z.coerce.number().int().min(0).max(600_000, { error: 'expected 0–600000 ms' }).default(hangMs),
    })
    .default({ rate: 0, kinds: [...kinds], seed: 1, hangMs });
}

const port = z.coerce
  .number({ error: 'expected an integer port between 0 and 65535' })
  .int({ error: 'expected an integer port between 0 and 65535' })
  .min(0, { error: 'expected an integer port between 0 and 65535' })
  .max(65535, { error: 'expected an integer port between 0 and 65535' });

export const ConfigSchema = z
  .object({
    mode: z.enum(['local', 'salesforce'], { error: "expected 'local' or 'salesforce'" }),
    port,
    host: z.string().min(1, { error: 'expected a host name or IP address to listen on' }),
    logLevel: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }),
    dataDir: z.string().min(1, { error: 'expected a directory path for local data' }),
    publicUrl: httpUrl('the public URL of this middleware').optional(),
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\/.+/, { error: 'expected a postgres:// or postgresql:// connection URL' })
      .optional(),
    /** The Postgres schema of the run store (pg-boss uses `<schema>_boss`); replicas of one deployment share it. */
    databaseSchema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,40}$/, { error: 'expected a lower-case schema name (letters, digits, _)' })
      .optional(),
    /** Keys callers present as `Authorization: Bearer`; two may be valid at once during rotation. */
    apiKeys: z
      .array(z.string().min(32, { error: 'each API key must be at least 32 characters' }))
      .max(2, { error: 'at most two API keys (current and next) may be active at once' })
      .optional(),
    localOrg: z.object({
      token: z.string().min(16, { error: 'expected a token of at least 16 characters' }).optional(),
      seed: z.enum(['demo', 'none'], { error: "expected 'demo' or 'none'" }),
      latencyMs: z.coerce
        .number()
        .int()
        .min(0)
        .max(60_000, { error: 'expected 0–60000 ms of added latency' })
        .optional(),
      faults: faultsSchema(ORG_FAULT_KINDS, 30_000),
    }),
    localEsign: z.object({ faults: faultsSchema(ESIGN_FAULT_KINDS, 30_000) }).default({
      faults: { rate: 0, kinds: [...ESIGN_FAULT_KINDS], seed: 1, hangMs: 30_000 },
    }),
    /** How the middleware treats a slow or failing Salesforce (and e-signature service). */
    resilience: z
      .object({
        requestTimeoutMs: z.coerce
          .number()
          .int()
          .min(100)
          .max(600_000, { error: 'expected a request timeout of 100–600000 ms' })
          .default(30_000),
        maxRetries: z.coerce.number().int().min(0).max(10, { error: 'expected 0–10 retries' }).default(4),
        retryBaseMs: z.coerce
          .number()
          .int()
          .min(1)
          .max(60_000, { error: 'expected 1–60000 ms' })
          .default(200),
        /** Consecutive outage-like failures (5xx, limits, timeouts) that open the circuit. */
        breakerFailures: z.coerce
          .number()
          .int()
          .min(1)
          .max(1000, { error: 'expected 1–1000 consecutive failures' })
          .default(8),
        breakerHalfOpenMs: z.coerce
          .number()
          .int()
          .min(100)
          .max(600_000, { error: 'expected 100–600000 ms' })
          .default(10_000),
      })
      .default({
        requestTimeoutMs: 30_000,
        maxRetries: 4,
        retryBaseMs: 200,
        breakerFailures: 8,
        breakerHalfOpenMs: 10_000,
      }),
    /** Runs one process drives at once in SQLite mode (pg-boss workers drive Postgres mode); the orchestrator's default when unset. */
    maxActiveRuns: z.coerce.number().int().min(1).max(1000, { error: 'expected 1–1000 runs' }).optional(),
    /** Worker threads for CPU work (contract PDFs, the offline reasoner); 0 keeps it on the event loop; default cores − 1. */
    workerThreads: z.coerce
      .number()
      .int()
      .min(0)
      .max(32, { error: 'expected 0–32 threads (0 does the work on the event loop)' })
      .optional(),
    /** Requests per minute one caller (API key, or IP without one) may make to /v1. */
    rateLimitPerMinute: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000_000, { error: 'expected 1–1000000 requests per minute' })
      .default(12_000),
    salesforce: z.object({
      loginUrl: httpUrl('the Salesforce login URL'),
      apiVersion: z.string().regex(/^\d{2}\.0$/, { error: "expected an API version like '65.0'" }),
      clientId: z.string().min(1).optional(),
      username: z.string().email({ error: 'expected a Salesforce username (an email address)' }).optional(),
      privateKeyFile: z.string().min(1).optional(),
      privateKey: z.string().includes('PRIVATE KEY', { error: 'expected a PEM private key' }).optional(),
    }),
    seller: z.object({
      name: z.string().min(1, { error: 'expected the selling company name printed on contracts' }),
      address: z.string().min(1, { error: 'expected the selling company address' }),
      country: z.string().min(1),
      governingLaw: z
        .string()
        .min(1, { error: 'expected the default governing law, e.g. "the State of California"' }),
    }),
    agents: z.object({
      activityDays: z.coerce
        .number()
        .int()
        .min(1)
        .max(365, { error: 'expected 1–365 days of activity to read' }),
      repDiscountAuthorityPercent: z.coerce
        .number()
        .min(0)
        .max(100, { error: 'expected a percentage 0–100' }),
      defaultTermMonths: z.coerce
        .number()
        .int()
        .min(1)
        .max(120, { error: 'expected a term of 1–120 months' }),
      renewalLeadDays: z.coerce.number().int().min(0).max(365, { error: 'expected 0–365 days' }),
      /** How old the shared snapshot of approval history may get before a closure reads it again. */
      approvalHistoryMaxAgeSeconds: z.coerce
        .number()
        .int()
        .min(0)
        .max(86_400, { error: 'expected 0–86400 seconds (0 reads the history for every closure)' }),
      /** Open approval requests above which an approver's request goes to a less loaded backup. */
      approverQueueThreshold: z.coerce
        .number()
        .int()
        .min(0)
        .max(10_000, { error: 'expected 0–10000 open approval requests' }),
    }),
    /** Which e-signature provider sends envelopes: the local signing pages or DocuSign. */
    esign: z.enum(['local', 'docusign'], { error: "expected 'local' or 'docusign'" }).optional(),
    docusign: DocusignConfigSchema,
    signature: SignatureConfigSchema,
    gemini: z.object({
      apiKey: z.string().min(1).optional(),
      /** A gateway or proxy in front of the Gemini API; Google's endpoint when unset. */
      baseUrl: httpUrl('the Gemini API base URL').optional(),
      model: z
        .string()
        .regex(/^[a-z0-9.-]+$/, { error: "expected a Gemini model name like 'gemini-2.5-flash'" }),
    }),
    /** The model provider (Gemini or an OpenAI-compatible server) and token prices. */
    llm: LlmConfigSchema,
    notify: z
      .object({
        /** Slack incoming webhook for approval and rejection notices; a secret (the URL is the credential). */
        slackWebhookUrl: z
          .url({
            protocol: /^https$/,
            hostname: /^hooks\.slack(-gov)?\.com$/,
            error: 'expected a Slack incoming webhook URL (https://hooks.slack.com/services/...)',
          })
          .refine((u) => URL.canParse(u) && new URL(u).pathname.startsWith('/services/'), {
            error: 'expected a Slack incoming webhook URL (https://hooks.slack.com/services/...)',
          })
          .optional(),
      })
      .default({}),
  })
  .superRefine((c, ctx) => {
    refineDocusign(c, ctx);
    refineLlm(c, ctx);
    if (c.mode !== 'salesforce') return;
    const sf = c.salesforce;
    if (!sf.clientId)
      ctx.addIssue({
        code: 'custom',
        path: ['salesforce', 'clientId'],
        message: 'required in salesforce mode: the connected app consumer key',
      });
    if (!sf.username)
      ctx.addIssue({
        code: 'custom',
        path: ['salesforce', 'username'],
        message: 'required in salesforce mode: the integration user',
      });
    if (!sf.privateKey && !sf.privateKeyFile) {
      ctx.addIssue({
        code: 'custom',
        path: ['salesforce', 'privateKeyFile'],
        message: 'required in salesforce mode: the JWT signing key (SF_PRIVATE_KEY_FILE or SF_PRIVATE_KEY)',
      });
    }
    if (!c.apiKeys)
      ctx.addIssue({
        code: 'custom',
        path: ['apiKeys'],
        message: 'required in salesforce mode: the key Salesforce sends from its External Credential',
      });
  });

export type Config = z.infer<typeof ConfigSchema>;

/** Environment variable for each config path, so errors name what the operator actually sets. */
export const ENV_VARS: Record<string, string> = {
  mode: 'DEALDESK_MODE',
  port: 'PORT',
  host: 'HOST',
  logLevel: 'LOG_LEVEL',
  dataDir: 'DEALDESK_DATA_DIR',
  publicUrl: 'PUBLIC_URL',
  databaseUrl: 'DATABASE_URL',
  databaseSchema: 'DATABASE_SCHEMA',
  apiKeys: 'DEALDESK_API_KEY',
  'localOrg.token': 'LOCAL_ORG_TOKEN',
  'localOrg.seed': 'LOCAL_ORG_SEED',
  'localOrg.latencyMs': 'LOCAL_ORG_LATENCY_MS',
  'salesforce.loginUrl': 'SF_LOGIN_URL',
  'salesforce.apiVersion': 'SF_API_VERSION',
  'salesforce.clientId': 'SF_CLIENT_ID',
  'salesforce.username': 'SF_USERNAME',
  'salesforce.privateKeyFile': 'SF_PRIVATE_KEY_FILE',
  'salesforce.privateKey': 'SF_PRIVATE_KEY',
  'gemini.apiKey': 'GEMINI_API_KEY',
  'gemini.baseUrl': 'GEMINI_BASE_URL',
  'agents.activityDays': 'DEALDESK_ACTIVITY_DAYS',
  'agents.repDiscountAuthorityPercent': 'DEALDESK_REP_DISCOUNT_AUTHORITY',
  'agents.approvalHistoryMaxAgeSeconds': 'DEALDESK_APPROVAL_HISTORY_MAX_AGE_SECONDS',
  'agents.approverQueueThreshold': 'DEALDESK_APPROVER_QUEUE_THRESHOLD',
  'gemini.model': 'GEMINI_MODEL',
  'llm.provider': 'LLM_PROVIDER',
  'llm.baseUrl': 'LLM_BASE_URL',
  'llm.model': 'LLM_MODEL',
  'llm.apiKey': 'LLM_API_KEY',
  'llm.priceInputPerMTok': 'LLM_PRICE_INPUT_PER_MTOK',
  'llm.priceOutputPerMTok': 'LLM_PRICE_OUTPUT_PER_MTOK',
  'localOrg.faults.rate': 'LOCAL_ORG_FAULT_RATE',
  'localOrg.faults.kinds': 'LOCAL_ORG_FAULTS',
  'localOrg.faults.seed': 'LOCAL_ORG_FAULT_SEED',
  'localOrg.faults.hangMs': 'LOCAL_ORG_FAULT_HANG_MS',
  'localEsign.faults.rate': 'LOCAL_ESIGN_FAULT_RATE',
  'localEsign.faults.kinds': 'LOCAL_ESIGN_FAULTS',
  'localEsign.faults.seed': 'LOCAL_ESIGN_FAULT_SEED',
  'localEsign.faults.hangMs': 'LOCAL_ESIGN_FAULT_HANG_MS',
  'resilience.requestTimeoutMs': 'SF_REQUEST_TIMEOUT_MS',
  'resilience.maxRetries': 'SF_MAX_RETRIES',
  'resilience.retryBaseMs': 'SF_RETRY_BASE_MS',
  'resilience.breakerFailures': 'SF_BREAKER_FAILURES',
  'resilience.breakerHalfOpenMs': 'SF_BREAKER_HALF_OPEN_MS',
  rateLimitPerMinute: 'DEALDESK_RATE_LIMIT_PER_MINUTE',
  workerThreads: 'DEALDESK_WORKER_THREADS',
  maxActiveRuns: 'DEALDESK_MAX_ACTIVE_RUNS',
  esign: 'DEALDESK_ESIGN',
  'docusign.integrationKey': 'DOCUSIGN_INTEGRATION_KEY',
  'docusign.userId': 'DOCUSIGN_USER_ID',
  'docusign.privateKey': 'DOCUSIGN_PRIVATE_KEY',
  'docusign.privateKeyFile': 'DOCUSIGN_PRIVATE_KEY_FILE',
  'docusign.authServer': 'DOCUSIGN_AUTH_SERVER',
  'docusign.accountId': 'DOCUSIGN_ACCOUNT_ID',
  'docusign.connectSecrets': 'DOCUSIGN_CONNECT_SECRETS',
  'docusign.connectMaxAgeMinutes': 'DOCUSIGN_CONNECT_MAX_AGE_MINUTES',
  'notify.slackWebhookUrl': 'SLACK_WEBHOOK_URL',
};

/** Config paths whose values are secrets: never logged, never echoed in errors. */
export const SECRET_PATHS = [
  'apiKeys',
  'localOrg.token',
  'salesforce.privateKey',
  'gemini.apiKey',
  'llm.apiKey',
  'docusign.privateKey',
  'docusign.connectSecrets',
  'notify.slackWebhookUrl',
] as const;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = target;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    cur = (next && typeof next === 'object' ? next : (cur[p] = {})) as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

function readDefaults(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new ConfigError([`${file}: the defaults file is missing`]);
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError([`${file}: ${(err as Error).message}`]);
  }
}

/**
 * Loads and validates configuration. Empty environment values count as unset, so an operator
 * can clear a variable without unsetting it.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaultsFile = join(CONFIG_DIR, 'dealdesk.json'),
): Config {
  const raw = readDefaults(defaultsFile);
  for (const [path, name] of Object.entries(ENV_VARS)) {
    const value = env[name];
    if (value === undefined || value.trim() === '') continue;
    const list = path === 'apiKeys' || path === 'docusign.connectSecrets';
    setPath(raw, path, list ? value.split(',').map((k) => k.trim()) : value.trim());
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const secret = new Set<string>(SECRET_PATHS);
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.filter((p) => typeof p === 'string').join('.');
    const env = ENV_VARS[path];
    const where = env ? `${env} (${path})` : path || 'config';
    // Never echo a secret back, even a malformed one.
    const got = secret.has(path) ? '' : describeValue(raw, path);
    return `${where}: ${issue.message}${got}`;
  });
  throw new ConfigError(problems);
}

function describeValue(raw: Record<string, unknown>, path: string): string {
  let cur: unknown = raw;
  for (const p of path.split('.'))
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur === undefined ? '' : ` (got ${JSON.stringify(cur)})`;
}

/** Every secret value in a config, for log redaction and leak tests. */
export function secretValues(config: Config): string[] {
  return [
    ...(config.apiKeys ?? []),
    config.localOrg.token,
    config.salesforce.privateKey,
    config.gemini.apiKey,
    config.llm.apiKey,
    config.databaseUrl,
    databasePassword(config.databaseUrl),
    config.docusign.privateKey,
    ...(config.docusign.connectSecrets ?? []),
    config.notify.slackWebhookUrl,
  ].filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** The password inside a connection URL, so logs can redact it wherever it appears. */
function databasePassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password.length >= 4 ? password : undefined;
  } catch {
    return undefined;
  }
}
