/**
 * One middleware in local mode and one `sf` login to it, shared by the suites that run
 * Salesforce's own `sf` CLI (@salesforce/cli, a devDependency) through its real binary: each `sf`
 * run costs about two seconds, so the middleware starts and the admin logs in once per mocha run,
 * on first use, and both are cleaned up when the process exits.
 *
 * The CLI runs with HOME (and the XDG dirs) in a temp folder, telemetry, auto-update and version
 * checks off, and a cwd outside the repository (whose sfdx-project.json and .sf/ would otherwise
 * be read), so no developer state leaks in or out.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SF_BIN = join(ROOT, 'node_modules/@salesforce/cli/bin/run.js');
export const API_VERSION = '65.0';
export const ALIAS = 'local';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface QueryResult<T = Record<string, unknown>> {
  totalSize: number;
  done: boolean;
  records: T[];
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** CSV as `sf data query -r csv` writes it (RFC 4180 quoting only when needed). */
export function csvLine(values: unknown[]): string {
  return values
    .map((v) => {
      const s = v === null || v === undefined ? '' : String(v);
      return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}

export interface SfStack {
  url: string;
  /** The admin's token, as the banner prints it. */
  token: string;
  banner: string;
  apiKeyFile: string;
  /** A scratch folder, the cwd of every `sf` run. */
  work: string;
  /** The banner's `sf login:` line (the README's login), parsed; undefined when it has none. */
  bannerLogin: { tokenFile: string; args: string[] } | undefined;
  /** What the one login printed. */
  login: Run;
  /** `--target-org` for the login's alias. */
  org: string[];
  sf(args: string[], extra?: Record<string, string>): Promise<Run>;
  /** Runs a command that must succeed; returns its stdout. */
  sfOk(args: string[], extra?: Record<string, string>): Promise<string>;
  /** Runs a command with --json that must succeed; returns its `result`. */
  sfJson<T>(args: string[]): Promise<T>;
  /** Runs a command that must fail with exit code 1; returns what it printed. */
  sfFails(args: string[], extra?: Record<string, string>): Promise<string>;
  /** The org's own answer over REST (as the admin), the expected value for what the CLI prints. */
  rest<T>(path: string): Promise<T>;
  query<T = Record<string, unknown>>(soql: string): Promise<QueryResult<T>>;
}

let shared: Promise<SfStack> | undefined;

/** The shared middleware and login, started on first call. */
export function sfStack(): Promise<SfStack> {
  shared ??= start();
  return shared;
}

async function start(): Promise<SfStack> {
  const dir = mkdtempSync(join(tmpdir(), 'dealdesk-sf-cli-'));
  const home = join(dir, 'home');
  const work = join(dir, 'work');
  mkdirSync(home);
  mkdirSync(work);
  const server: ChildProcess = spawn(process.execPath, [join(ROOT, 'middleware/src/server.ts')], {
    env: { ...process.env, PORT: '0', DEALDESK_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // mocha runs with --exit: the middleware and the scratch folder go when the process does.
  process.on('exit', () => {
    if (server.exitCode === null) server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  let banner = '';
  let stderr = '';
  server.stdout!.on('data', (d: Buffer) => (banner += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!/API key:\s+\S+/.test(banner)) {
    if (Date.now() > deadline || server.exitCode !== null)
      throw new Error(`middleware did not start:\n${banner}\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = /listening on (http:\/\/\S+)/.exec(banner)![1]!;
  const token = /token:\s+(\S+)/.exec(banner)![1]!;
  const apiKeyFile = join(dir, 'api-key');
  writeFileSync(apiKeyFile, /API key:\s+(\S+)/.exec(banner)![1]!, { mode: 0o600 });

  const sfEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
    // The caller's own sf settings (a default org, a token) and XDG dirs stay out.
    ...Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(SF_|SFDX_|DEALDESK_|XDG_)/.test(key)),
    ),
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    SF_DISABLE_TELEMETRY: 'true',
    SFDX_DISABLE_TELEMETRY: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
    SFDX_AUTOUPDATE_DISABLE: 'true',
    // The variable oclif's update hook reads: without it a run may spawn a detached
    // `sf update --autoupdate` that outlives the test.
    SF_DISABLE_AUTOUPDATE: 'true',
    SFDX_DISABLE_AUTOUPDATE: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_HIDE_RELEASE_NOTES: 'true',
    SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
    SFDX_USE_GENERIC_UNIX_KEYCHAIN: 'true',
    SF_DISABLE_LOG_FILE: 'true',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    // With CI set (as on a CI runner) oclif prints tables without borders; the tests read the
    // bordered tables a person at a terminal sees, wherever they run.
    OCLIF_TABLE_SKIP_CI_CHECK: 'true',
    ...extra,
  });
  const sf = (args: string[], extra: Record<string, string> = {}) =>
    run(process.execPath, [SF_BIN, ...args], sfEnv(extra), work);
  const sfOk = async (args: string[], extra: Record<string, string> = {}) => {
    const res = await sf(args, extra);
    assert.equal(res.code, 0, `sf ${args.join(' ')} exited ${res.code}:\n${res.stdout}\n${res.stderr}`);
    return res.stdout;
  };
  const sfJson = async <T>(args: string[]): Promise<T> => {
    const out = await sfOk([...args, '--json']);
    const parsed = JSON.parse(out) as { status: number; result: T };
    assert.equal(parsed.status, 0, out);
    return parsed.result;
  };
  const sfFails = async (args: string[], extra: Record<string, string> = {}) => {
    const res = await sf(args, extra);
    assert.equal(res.code, 1, `sf ${args.join(' ')} should fail:\n${res.stdout}\n${res.stderr}`);
    return `${res.stdout}\n${res.stderr}`;
  };
  const rest = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}/services/data/v${API_VERSION}${path}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
    return (await res.json()) as T;
  };

  // The README's login, as the banner prints it: SF_ACCESS_TOKEN="$(cat <token file>)" sf org
  // login access-token …. Without that line the same login runs with the banner's token, and the
  // login test fails on the missing line alone.
  const line = /sf login:\s+SF_ACCESS_TOKEN="\$\(cat (\S+)\)" sf (org login access-token .*)$/m.exec(banner);
  const bannerLogin = line ? { tokenFile: line[1]!, args: line[2]!.trim().split(/\s+/) } : undefined;
  const args = bannerLogin?.args ?? [
    'org',
    'login',
    'access-token',
    '--instance-url',
    url,
    '--alias',
    ALIAS,
    '--no-prompt',
  ];
  const loginToken = bannerLogin ? readFileSync(bannerLogin.tokenFile, 'utf8').trim() : token;
  const login = await sf(args, { SF_ACCESS_TOKEN: loginToken });

  return {
    url,
    token,
    banner,
    apiKeyFile,
    work,
    bannerLogin,
    login,
    org: ['--target-org', ALIAS],
    sf,
    sfOk,
    sfJson,
    sfFails,
    rest,
    query: <T = Record<string, unknown>>(soql: string) =>
      rest<QueryResult<T>>(`/query?q=${encodeURIComponent(soql)}`),
  };
}
