/**
 * A deal desk as deployed: an org hosted apart from the middleware (the local org on its own
 * port, with the package's Apex automation calling the middleware back through a round-robin
 * "load balancer"), and one or more middleware replicas as child processes in salesforce mode
 * (JWT bearer login), sharing Postgres (DATABASE_URL) or, with one replica, SQLite. Replicas can
 * be killed with SIGKILL and restarted on the same port. The multi-replica test, the crash
 * harness and the replica benchmark drive many closures through it and check the org for
 * exactly-once results.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { Connection } from '@jsforce/jsforce-node';
import { LocalOrg, LOCAL_ORG_API_VERSION } from '@dealdesk/local-org';
import { createLocalOrgRouter } from '@dealdesk/local-org';
import { demoCompany } from '@dealdesk/local-org';
import { installPackageAutomation, type PackageAutomation } from '../local/package-automation.ts';
import { createLogger } from '../logger.ts';
import { FORCE_APP_DIR, REPO_ROOT } from '../paths.ts';
import { seedDealCopies } from './deal-copies.ts';

const CLIENT_ID = '3MVG9dealdesk.cluster';
const USERNAME = 'integration@dealdesk-demo.example';
const ORG_TOKEN = 'cluster-org-token-0123456789abcdef';
export const CLUSTER_API_KEY = 'cluster-api-key-0123456789abcdefghijklmnop';

export interface ClusterOptions {
  replicas: number;
  deals: number;
  /** Postgres for the replicas; required for more than one replica. */
  databaseUrl?: string;
  databaseSchema?: string;
  /** Added to every Salesforce REST call, so kills land mid-write-back. */
  orgLatencyMs?: number;
  /** Extra environment for the replicas. */
  env?: Record<string, string>;
}

export interface Replica {
  index: number;
  port: number;
  url: string;
  child: ChildProcess | undefined;
  /** Started and serving the whole API (a load balancer's readiness check passed). */
  ready: boolean;
  starts: number;
}

export interface ClosureHandle {
  opportunityId: string;
  closureId: string;
}

interface View {
  status: string;
  error: string | null;
  approvals: { approvalId: string; status: string }[];
  envelope: { recipients?: { name: string; status: string; signingUrl: string | null }[] } | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s: Server = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export class DealCluster {
  readonly dir: string;
  readonly options: ClusterOptions;
  readonly org: LocalOrg;
  readonly orgUrl: string;
  readonly admin: Connection;
  readonly replicas: Replica[] = [];
  readonly opportunityIds: string[];
  /** Salesforce write calls in flight (POST/PATCH/DELETE), to tell when a kill lands mid-write-back. */
  writesInFlight = 0;
  private readonly orgServer: HttpServer;
  private readonly automation: PackageAutomation;
  private readonly keyFile: string;
  private next = 0;

  private constructor(
    options: ClusterOptions,
    dir: string,
    org: LocalOrg,
    orgServer: HttpServer,
    orgUrl: string,
    keyFile: string,
    opportunityIds: string[],
    automation: PackageAutomation,
  ) {
    this.options = options;
    this.dir = dir;
    this.org = org;
    this.orgServer = orgServer;
    this.orgUrl = orgUrl;
    this.keyFile = keyFile;
    this.opportunityIds = opportunityIds;
    this.automation = automation;
    this.admin = new Connection({
      instanceUrl: orgUrl,
      accessToken: ORG_TOKEN,
      version: LOCAL_ORG_API_VERSION,
    });
  }

  static async start(options: ClusterOptions): Promise<DealCluster> {
    if (options.replicas > 1 && !options.databaseUrl)
      throw new Error('several replicas need a shared Postgres (databaseUrl)');
    const dir = mkdtempSync(join(tmpdir(), 'dealdesk-cluster-'));
    const keys = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const keyFile = join(dir, 'jwt-key.pem');
    writeFileSync(keyFile, keys.privateKey, { mode: 0o600 });
    const org = new LocalOrg({
      dbPath: join(dir, 'org.sqlite'),
      forceAppDir: FORCE_APP_DIR,
      token: ORG_TOKEN,
      connectedApps: [{ clientId: CLIENT_ID, publicKey: keys.publicKey }],
    });
    org.seed(demoCompany);
    const opportunityIds = seedDealCopies(org, options.deals, 'cluster-');
    const app = express();
    const holder: { c?: DealCluster } = {};
    app.use((req, res, next) => {
      const c = holder.c;
      if (req.method !== 'GET' && req.path.startsWith('/services/data') && c) {
        c.writesInFlight++;
        res.once('close', () => c.writesInFlight--);
      }
      next();
    });
    app.use(createLocalOrgRouter(org, { latencyMs: options.orgLatencyMs ?? 0 }));
    const orgServer = await new Promise<HttpServer>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const orgUrl = `http://127.0.0.1:${(orgServer.address() as AddressInfo).port}`;
    // The package's triggers call whichever replica the load balancer picks; retries ride out restarts.
    const automation = installPackageAutomation({
      org,
      middlewareUrl: () => holder.c!.anyUrl(),
      apiKey: CLUSTER_API_KEY,
      logger: createLogger({ level: 'silent' }),
      // Retried through many restarts, like a Queueable re-enqueued until the middleware answers.
      maxAttempts: 300,
      maxRetryDelayMs: 1000,
    });
    const cluster = new DealCluster(
      options,
      dir,
      org,
      orgServer,
      orgUrl,
      keyFile,
      opportunityIds,
      automation,
    );
    holder.c = cluster;
    for (let i = 0; i < options.replicas; i++)
      cluster.replicas.push({
        index: i,
        port: await freePort(),
        url: '',
        child: undefined,
        ready: false,
        starts: 0,
      });
    for (const r of cluster.replicas) r.url = `http://127.0.0.1:${r.port}`;
    try {
      // One after another: the first applies the migrations and creates the shared local files.
      for (const r of cluster.replicas) await cluster.startReplica(r.index);
    } catch (err) {
      await cluster.close();
      throw err;
    }
    return cluster;
  }

  /** A live replica's URL, round robin (a dead one's when none is up, so callers retry). */
  anyUrl(): string {
    const live = this.replicas.filter((r) => r.ready);
    const pool = live.length > 0 ? live : this.replicas;
    return pool[this.next++ % pool.length]!.url;
  }

  async startReplica(index: number): Promise<void> {
    const r = this.replicas[index]!;
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      DEALDESK_MODE: 'salesforce',
      PORT: String(r.port),
      HOST: '127.0.0.1',
      DEALDESK_DATA_DIR: join(this.dir, 'middleware'),
      LOG_LEVEL: process.env.CLUSTER_LOG_LEVEL ?? 'error',
      DEALDESK_API_KEY: CLUSTER_API_KEY,
      SF_LOGIN_URL: this.orgUrl,
      SF_CLIENT_ID: CLIENT_ID,
      SF_USERNAME: USERNAME,
      SF_PRIVATE_KEY_FILE: this.keyFile,
      ...(this.options.databaseUrl
        ? {
            DATABASE_URL: this.options.databaseUrl,
            DATABASE_SCHEMA: this.options.databaseSchema ?? 'dealdesk',
          }
        : {}),
      ...(this.options.env ?? {}),
    };
    if (!this.options.databaseUrl) delete env.DATABASE_URL;
    const child = spawn(process.execPath, [join(REPO_ROOT, 'middleware/src/server.ts')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
    r.child = child;
    // A test runner that exits early (a timeout, --exit) must not leave replicas behind.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.off('exit', reap));
    r.ready = false;
    r.starts++;
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!out.includes('listening on')) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`replica ${index} did not start (exit ${child.exitCode}): ${out}`);
      await sleep(25);
    }
    r.ready = true;
  }

  async killReplica(index: number): Promise<void> {
    const r = this.replicas[index];
    if (r) r.ready = false;
    const c = r?.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }

  /** GET/POST the middleware API on some live replica, retrying while replicas restart. */
  async api<T>(path: string, init: RequestInit = {}, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const url = this.anyUrl();
      try {
        const res = await fetch(`${url}${path}`, {
          ...init,
          headers: {
            Authorization: `Bearer ${CLUSTER_API_KEY}`,
            'Content-Type': 'application/json',
            ...(init.headers ?? {}),
          },
        });
        const text = await res.text();
        if (res.status < 500) {
          if (res.status >= 400) throw new Error(`${res.status} ${path}: ${text.slice(0, 300)}`);
          return JSON.parse(text) as T;
        }
      } catch (err) {
        if (err instanceof Error && /^\d{3} /.test(err.message)) throw err;
      }
      if (Date.now() > deadline) throw new Error(`no replica answered ${path}`);
      await sleep(100);
    }
  }

  /** Starts a closure per deal (idempotently: a retried request returns the same run). */
  async startClosures(opportunityIds = this.opportunityIds): Promise<ClosureHandle[]> {
    return Promise.all(
      opportunityIds.map(async (opportunityId) => {
        const res = await this.api<{ closureId: string }>('/v1/closures', {
          method: 'POST',
          headers: { 'Idempotency-Key': `cluster-${opportunityId}` },
          body: JSON.stringify({ opportunityId, trigger: 'Rep' }),
        });
        return { opportunityId, closureId: res.closureId };
      }),
    );
  }

  async view(closureId: string): Promise<View> {
    return this.api<View>(`/v1/closures/${closureId}`);
  }

  /**
   * Acts as the approvers and signers until every closure completes: approves pending approvals
   * in the org's approval process and signs on the signing pages. `afterAction` runs after each
   * approval and signature (the crash harness kills replicas there).
   */
  async driveToCompletion(
    closures: ClosureHandle[],
    timeoutMs: number,
    afterAction: (what: 'approved' | 'signed') => Promise<void> = async () => undefined,
  ): Promise<void> {
    const done = new Set<string>();
    const deadline = Date.now() + timeoutMs;
    let last = new Map<string, string>();
    while (done.size < closures.length) {
      if (Date.now() > deadline)
        throw new Error(
          `closures did not complete in time: ${[...last.entries()]
            .filter(([id]) => !done.has(id))
            .slice(0, 5)
            .map(([id, s]) => `${id}=${s}`)
            .join(', ')}`,
        );
      const now = new Map<string, string>();
      for (const c of closures) {
        if (done.has(c.closureId)) continue;
        let view: View;
        try {
          view = await this.view(c.closureId);
        } catch {
          continue;
        }
        now.set(c.closureId, view.status);
        if (view.status === 'Completed') {
          done.add(c.closureId);
          continue;
        }
        if (view.status === 'Failed' || view.status === 'Cancelled' || view.status === 'Waiting_Rep')
          throw new Error(`closure ${c.closureId} stopped (${view.status}): ${view.error ?? ''}`);
        if (view.status === 'Waiting_Approval') {
          for (const a of view.approvals.filter((x) => x.status === 'Pending')) {
            if (await this.approve(a.approvalId)) await afterAction('approved');
          }
        }
        if (view.status === 'Waiting_Signature') {
          const next = view.envelope?.recipients?.find(
            (r) => r.status === 'sent' || r.status === 'delivered',
          );
          if (next?.signingUrl && (await this.sign(next.signingUrl, next.name))) await afterAction('signed');
        }
      }
      last = now;
      if (process.env.CLUSTER_DEBUG)
        process.stderr.write(`cluster: ${done.size} done; ${JSON.stringify(Object.fromEntries(now))}\n`);
      await sleep(100);
    }
  }

  /** Approves the approval's open work item as its assigned approver; false when there is none. */
  private async approve(approvalId: string): Promise<boolean> {
    const items = await this.admin.query<{ Id: string; Actor: { Username: string } }>(
      `SELECT Id, Actor.Username FROM ProcessInstanceWorkitem WHERE ProcessInstance.TargetObjectId = '${approvalId}'`,
    );
    const item = items.records[0];
    if (!item) return false;
    const res = await fetch(`${this.orgUrl}/local/sessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ORG_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: item.Actor.Username }),
    });
    const { access_token } = (await res.json()) as { access_token: string };
    const approver = new Connection({
      instanceUrl: this.orgUrl,
      accessToken: access_token,
      version: LOCAL_ORG_API_VERSION,
    });
    try {
      await approver.process.approval.approve(item.Id, 'Approved by the cluster test');
      return true;
    } catch {
      return false;
    }
  }

  /** Signs as the recipient; false when the signing page is not reachable now (its replica restarts). */
  private async sign(signingUrl: string, name: string): Promise<boolean> {
    try {
      const page = await fetch(signingUrl);
      if (page.status !== 200) return false;
      const res = await fetch(signingUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({ action: 'sign', signature: name, consent: 'on' }).toString(),
      });
      return res.status < 300;
    } catch {
      return false;
    }
  }

  /** Every closure finished exactly once: one of each record it writes, nothing twice. */
  verifyExactlyOnce(closures: ClosureHandle[]): void {
    const count = (soql: string) => this.org.query(soql).totalSize;
    for (const c of closures) {
      const closure = this.org.query(
        `SELECT Id, Status__c FROM Deal_Closure__c WHERE Opportunity__c = '${c.opportunityId}'`,
      ).records;
      assert.equal(closure.length, 1, `one closure record for ${c.opportunityId}`);
      assert.equal(closure[0]!.Status__c, 'Completed');
      const where = `WHERE Deal_Closure__c = '${String(closure[0]!.Id)}'`;
      assert.equal(count(`SELECT COUNT() FROM Agent_Step__c ${where}`), 7, 'seven steps');
      const versions = this.org.query(
        `SELECT Version__c, Variant__c FROM Contract_Version__c ${where}`,
      ).records;
      assert.deepEqual(
        versions.map((v) => `${String(v.Version__c)}:${String(v.Variant__c)}`).sort(),
        ['1:Executive_Summary', '1:Full', '1:Technical_Appendix'],
        'one contract version, in its three variants',
      );
      const approvals = this.org.query(
        `SELECT Approver_Role__c, Status__c FROM Deal_Approval__c ${where}`,
      ).records;
      assert.equal(
        new Set(approvals.map((a) => a.Approver_Role__c)).size,
        approvals.length,
        'one approval per role',
      );
      assert.ok(
        approvals.length > 0 && approvals.every((a) => a.Status__c === 'Approved'),
        'every decision arrived',
      );
      assert.equal(
        count(
          `SELECT COUNT() FROM ProcessInstance WHERE TargetObjectId IN (SELECT Id FROM Deal_Approval__c ${where})`,
        ),
        approvals.length,
        'each approval submitted once',
      );
      assert.equal(count(`SELECT COUNT() FROM Signature_Envelope__c ${where}`), 1, 'one envelope');
      assert.equal(
        count(`SELECT COUNT() FROM ContentDocumentLink WHERE LinkedEntityId = '${c.opportunityId}'`),
        5,
        'three contract variants, the signed agreement and the certificate, none twice',
      );
      assert.equal(
        count(`SELECT COUNT() FROM FeedItem WHERE ParentId = '${c.opportunityId}'`),
        1,
        'one post',
      );
      const insights = this.org.query(`SELECT Metric__c FROM Win_Insight__c ${where}`).records;
      assert.ok(insights.length > 0, 'insights recorded');
      assert.equal(new Set(insights.map((i) => i.Metric__c)).size, insights.length, 'each insight once');
      assert.equal(count(`SELECT COUNT() FROM Handoff_Package__c ${where}`), 4, 'one package per team');
      const opp = this.org.query(`SELECT StageName, Amount FROM Opportunity WHERE Id = '${c.opportunityId}'`)
        .records[0]!;
      assert.equal(opp.StageName, 'Closed Won');
      const schedule = this.org.query(
        `SELECT Amount__c FROM Revenue_Schedule__c WHERE Opportunity__c = '${c.opportunityId}'`,
      ).records;
      assert.equal(
        schedule.reduce((s, r) => s + Math.round(Number(r.Amount__c) * 100), 0),
        Math.round(Number(opp.Amount) * 100),
        'the revenue schedule adds up to the amount once',
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((r) => this.killReplica(r.index)));
    this.automation.stop();
    await new Promise<void>((ok) => this.orgServer.close(() => ok()));
    this.org.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
