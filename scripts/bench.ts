/**
 * `npm run bench`: closure latency and Salesforce API requests per deal in local mode, as JSON
 * (stdout and bench/results/latest.json). Deals are copies of the seeded verbal-yes deal with
 * its line items, contact roles and activity; each closure is measured from the request to
 * "approvals submitted" (every required Deal_Approval__c in the approval process).
 * Options: --deals N (default 40), --concurrency C (default 1).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../middleware/src/config/config.ts';
import { createLogger } from '../middleware/src/logger.ts';
import { startServer } from '../middleware/src/server.ts';
import { demoCompany } from '../middleware/src/local/org/seed/demo-company.ts';
import type { SeedRecord, SeedValue } from '../middleware/src/local/org/seed/seed-types.ts';
import { replicaBenchReport } from './bench-replicas.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
};
const deals = arg('deals', 40);
const concurrency = arg('concurrency', 1);

/** Copies of the verbal-yes deal: the opportunity and every record hanging off it. */
function copies(n: number): SeedRecord[] {
  const base = 'opportunity.verbal-yes';
  const refersTo = (v: SeedValue, ref: string) =>
    typeof v === 'object' && v !== null && 'ref' in v && v.ref === ref;
  const children = demoCompany.filter((r) => Object.values(r.fields).some((v) => refersTo(v, base)));
  const opp = demoCompany.find((r) => r.ref === base)!;
  const out: SeedRecord[] = [];
  for (let i = 1; i <= n; i++) {
    out.push({
      ...opp,
      ref: `${base}#${i}`,
      fields: { ...opp.fields, Name: `${String(opp.fields.Name)} #${i}` },
    });
    for (const c of children) {
      const fields = Object.fromEntries(
        Object.entries(c.fields).map(([k, v]) => [k, refersTo(v, base) ? { ref: `${base}#${i}` } : v]),
      );
      out.push({ ...c, ref: `${c.ref}#${i}`, fields });
    }
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const dir = mkdtempSync(join(tmpdir(), 'dealdesk-bench-'));
const config = loadConfig({ PORT: '0', DEALDESK_DATA_DIR: dir, LOG_LEVEL: 'silent' });
const server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 0 });
try {
  const org = server.localOrg!;
  const seeded = org.seed(copies(deals));
  const oppIds = [...seeded.ids.entries()]
    .filter(([ref]) => /^opportunity\.verbal-yes#\d+$/.test(ref))
    .map(([, id]) => id);
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${server.apiKey}`,
        'Content-Type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
  const latencies: number[] = [];
  const requests: number[] = [];
  let next = 0;
  const started = Date.now();
  async function worker(): Promise<void> {
    while (next < oppIds.length) {
      const oppId = oppIds[next++]!;
      const before = org.requestStats().total;
      const t0 = performance.now();
      const res = await api('/v1/closures', {
        method: 'POST',
        body: JSON.stringify({ opportunityId: oppId, trigger: 'Rep' }),
      });
      const { closureId } = (await res.json()) as { closureId: string };
      for (;;) {
        const view = (await (await api(`/v1/closures/${closureId}`)).json()) as {
          status: string;
          approvals: { status: string }[];
          error: string | null;
        };
        if (
          view.approvals.length > 0 &&
          view.approvals.every((a) => a.status === 'Pending' || a.status === 'Planned') &&
          view.approvals.some((a) => a.status === 'Pending')
        )
          break;
        if (view.status === 'Waiting_Rep' || view.status === 'Failed')
          throw new Error(`closure ${closureId} stopped: ${view.error}`);
        await new Promise((r) => setImmediate(r));
      }
      latencies.push(performance.now() - t0);
      // Exact per deal only when deals run one at a time.
      if (concurrency === 1) requests.push(org.requestStats().total - before);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  const elapsed = (Date.now() - started) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  const report = {
    benchmark: 'closure to approvals submitted (local mode)',
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    deals,
    concurrency,
    closuresPerSecond: round(deals / elapsed),
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? NaN),
    },
    salesforceRequestsPerDeal:
      concurrency === 1
        ? { min: Math.min(...requests), max: Math.max(...requests) }
        : 'measured at concurrency 1 only',
    targets: { p95Ms: 1000, maxRequestsPerDeal: 6 },
    // 1, 2 and 3 replicas on Postgres (BENCH_DATABASE_URL or TEST_DATABASE_URL); --no-replicas skips it.
    replicas: process.argv.includes('--no-replicas') ? 'skipped (--no-replicas)' : await replicaBenchReport(),
  };
  const json = JSON.stringify(report, null, 2);
  process.stdout.write(`${json}\n`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/latest.json'), `${json}\n`);
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
