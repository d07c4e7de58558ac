/**
 * `npm run bench`: one middleware instance in local mode, as JSON (stdout and
 * bench/results/latest.json):
 * - closures per second and p50/p95/p99 latency from the request to "approvals submitted" (every
 *   required Deal_Approval__c in the approval process) at concurrency 1, 16 and 64;
 * - Salesforce API requests per deal (at concurrency 1, where each deal's requests are its own);
 * - the middleware's RSS with 1,000 runs parked waiting for approval, measured in a child process
 *   that holds nothing but the built middleware (scripts/bench-parked-child.mjs; `npm run bench`
 *   builds it first).
 * Deals are copies of the seeded verbal-yes deal with its line items, contact roles and activity.
 * Each level starts a fresh instance and warms it up with closures that are not counted
 * (--warmup N, default 96): a middleware that has been running has its hot paths compiled, and a
 * fresh one's first closures cost ~15% more CPU. Their throughput is reported under `warmup`.
 * - the same levels above 1 with the built middleware in its own process and the local org in this
 *   one (`separateOrg`; --no-separate-org skips them);
 * Options: --concurrency 1,16,64  --deals N (per level; default 40 at 1, 320 above)
 *          --repeat N (fresh instances per level above 1, default 3): a level reports the run
 *          with the median closures/s, and every run's closures/s and p95 under `runs`; on a
 *          shared 2-core VM one run can differ from the next by ±5%
 *          --warmup N closures per instance before it is measured (default 96, at least one
 *          round of the level's concurrency)
 *          --parked N (default 1000; 0 skips the RSS measurement)
 *          --worker-threads N for the measured instance (default: DEALDESK_WORKER_THREADS's, the
 *          cores less one)
 *          --child-node-flags '<V8 flags>' for the measured process (default: the recommended
 *          production settings, RECOMMENDED_NODE_FLAGS; 'none' for Node's defaults).
 * Postgres replicas: scripts/bench-replicas.ts, when BENCH_DATABASE_URL or TEST_DATABASE_URL is set, adds
 * `sections.replicas` (see the end of this file).
 */
import { fork } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, createLogger, startServer, type RunningServer } from '@dealdesk/middleware';
import { seedDealCopies } from '@dealdesk/middleware/testing';
import { startLocalOrg } from '@dealdesk/local-org/testing';
import { demoCompany } from '@dealdesk/local-org';
import { closureClient, runLoad, type LoadResult } from './bench-lib.ts';
import { benchContracts } from './bench-contracts.ts';
import { benchLanguage } from './bench-language.ts';
import { replicaBenchReport } from './bench-replicas.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const positive = (name: string, value: string | undefined, fallback: number, min = 1) => {
  const v = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return v;
};

const workerThreadsOption = option('worker-threads');

async function startInstance(
  env: Record<string, string> = {},
): Promise<{ server: RunningServer; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'dealdesk-bench-'));
  const config = loadConfig({
    ...env,
    ...(workerThreadsOption ? { DEALDESK_WORKER_THREADS: workerThreadsOption } : {}),
    PORT: '0',
    DEALDESK_DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    // The load generator is one caller; the per-caller limit is not what is measured.
    DEALDESK_RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 0 });
  return {
    server,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The in-process client: the store tells it when a run parks for approval or stops. */
function client(server: RunningServer) {
  const c = closureClient(server.url, server.apiKey);
  const store = server.system.store;
  const updateRun = store.updateRun.bind(store);
  // Every argument passes through: dropping one (the step and events that commit with the update)
  // would measure a middleware that writes less than the real one.
  store.updateRun = async (...args) => {
    const [id] = args;
    const run = await updateRun(...args);
    if (run.status === 'waiting' && run.waitingFor === 'approval') c.tell(id, null);
    else if ((run.status === 'waiting' && run.waitingFor === 'rep') || run.status === 'failed')
      c.tell(id, new Error(`closure ${id} stopped: ${run.error}`));
    return run;
  };
  return c;
}

const WARMUP = positive('warmup', option('warmup'), 96, 0);

/**
 * Closures that are not counted, at the level's concurrency (at least one round of it): the JIT
 * compiles the hot paths of this process and of the instance's fresh worker threads.
 */
async function warmUp(
  load: Pick<Parameters<typeof runLoad>[0], 'start' | 'submitted'>,
  org: Parameters<typeof seedDealCopies>[0],
  concurrency: number,
) {
  const deals = Math.max(WARMUP, concurrency);
  const r = await runLoad({ ...load, opportunityIds: seedDealCopies(org, deals, 'w'), concurrency });
  return { deals, closuresPerSecond: r.closuresPerSecond, p95Ms: r.latencyMs.p95 };
}

async function level(
  concurrency: number,
  deals: number,
): Promise<LoadResult & { requestsPerDeal?: unknown; warmup: Awaited<ReturnType<typeof warmUp>> }> {
  const { server, close } = await startInstance();
  try {
    const org = server.localOrg!;
    const c = client(server);
    const warmup = await warmUp(c, org, concurrency);
    const opportunityIds = seedDealCopies(org, deals, 'b');
    // CPU time per closure does not depend on what else the machine runs; wall-clock figures do.
    const cpu0 = process.cpuUsage();
    const withCpu = <T extends LoadResult>(r: T) => {
      const used = process.cpuUsage(cpu0);
      return {
        ...r,
        cpuMsPerClosure: Math.round(((used.user + used.system) / 1000 / deals) * 10) / 10,
        loadAverage: loadavg()[0],
        warmup,
      };
    };
    if (concurrency > 1) return withCpu(await runLoad({ ...c, opportunityIds, concurrency }));
    const requests: number[] = [];
    const result = await runLoad({
      opportunityIds,
      concurrency: 1,
      start: async (id) => {
        requests.push(-org.requestStats().total);
        return c.start(id);
      },
      submitted: async (closureId) => {
        await c.submitted(closureId);
        requests[requests.length - 1]! += org.requestStats().total;
      },
    });
    return {
      ...withCpu(result),
      requestsPerDeal: {
        min: Math.min(...requests),
        max: Math.max(...requests),
        mean: Math.round((requests.reduce((a, b) => a + b, 0) / requests.length) * 100) / 100,
      },
    };
  } finally {
    await close();
  }
}

/**
 * The production settings README recommends: a small young generation and an old-space limit make
 * V8 give back memory it no longer needs (Node's defaults keep hundreds of MB committed after a
 * burst); two malloc arenas stop glibc keeping one per thread, and fixed mmap/trim thresholds make
 * it hand freed buffers back to the system instead of keeping them for reuse (27 MB less at 300
 * parked runs).
 */
const RECOMMENDED_NODE_FLAGS = '--max-semi-space-size=4 --max-old-space-size=384';
const RECOMMENDED_MALLOC: Record<string, string> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

type ChildMessage =
  | { ready: { url: string; apiKey: string } }
  | { measured: Record<string, number> }
  | { parked: string }
  | { stopped: string; error: string | null };

/**
 * The built middleware in a child process (scripts/bench-parked-child.mjs), in salesforce mode
 * against a local org in this process: what the middleware costs by itself, as deployed.
 */
async function startMiddlewareChild(flags: string[], env: Record<string, string>) {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const org = await startLocalOrg({
    connectedApps: [
      {
        clientId: 'dealdesk-bench',
        publicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
    ],
  });
  org.org.seed(demoCompany);
  const child = fork(fileURLToPath(new URL('./bench-parked-child.mjs', import.meta.url)), [], {
    execArgv: ['--expose-gc', ...flags],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env,
      BENCH_ORG_URL: org.url,
      BENCH_ORG_USERNAME: String(org.org.store.get(org.org.integrationUserId)?.fields.Username),
      BENCH_ORG_KEY: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      ...env,
    },
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let ready: (value: { url: string; apiKey: string }) => void;
  const started = new Promise<{ url: string; apiKey: string }>((resolve) => (ready = resolve));
  let measured: ((value: Record<string, number>) => void) | undefined;
  child.on('message', (m: ChildMessage) => {
    if ('ready' in m) ready(m.ready);
    else if ('measured' in m) measured?.(m.measured);
    else if ('parked' in m) api?.tell(m.parked, null);
    else api?.tell(m.stopped, new Error(`closure ${m.stopped} stopped: ${m.error}`));
  });
  let api: ReturnType<typeof closureClient> | undefined;
  try {
    const { url, apiKey } = await Promise.race([
      started,
      exited.then((code) => Promise.reject(new Error(`the middleware child exited with ${code}`))),
    ]);
    api = closureClient(url, apiKey);
  } catch (err) {
    await org.close();
    throw err;
  }
  return {
    org: org.org,
    start: api.start,
    submitted: api.submitted,
    /** The child's memory after a full GC, and the CPU it has used since it started. */
    measure: () =>
      new Promise<Record<string, number>>((resolve) => {
        measured = resolve;
        child.send('measure');
      }),
    close: async () => {
      child.send('close');
      await exited;
      await org.close();
    },
  };
}

function recommendedSettings() {
  const chosen = option('child-node-flags') ?? RECOMMENDED_NODE_FLAGS;
  const flags = chosen === 'none' ? [] : chosen.split(' ').filter((f) => f.length > 0);
  const malloc: Record<string, string> =
    chosen === 'none'
      ? {}
      : Object.fromEntries(Object.entries(RECOMMENDED_MALLOC).map(([k, v]) => [k, process.env[k] ?? v]));
  const described =
    chosen === 'none'
      ? 'Node defaults'
      : `${flags.join(' ')}, ${Object.entries(malloc)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`;
  return { flags, malloc, described };
}

async function measureParked(n: number): Promise<Record<string, number | string>> {
  const settings = recommendedSettings();
  const child = await startMiddlewareChild(settings.flags, settings.malloc);
  try {
    const opportunityIds = seedDealCopies(child.org, n, 'p');
    const began = performance.now();
    await runLoad({ ...child, opportunityIds, concurrency: 32 });
    const seconds = Math.round((performance.now() - began) / 100) / 10;
    const { cpuMs: _cpu, ...memory } = await child.measure();
    return {
      ...memory,
      seconds,
      measured:
        'the built middleware (middleware/dist, as npm start runs it) alone: salesforce mode against a local org in the parent process',
      nodeFlags: settings.described,
    };
  } finally {
    await child.close();
  }
}

/**
 * The same load as `level`, with the local org in this process and the built middleware in its
 * own: on the same two cores, but the org's SOQL engine no longer shares the middleware's event
 * loop (in production the org is Salesforce's servers).
 */
async function separateOrgLevel(concurrency: number, deals: number) {
  const settings = recommendedSettings();
  const child = await startMiddlewareChild(settings.flags, settings.malloc);
  try {
    const warmup = await warmUp(child, child.org, concurrency);
    const opportunityIds = seedDealCopies(child.org, deals, 'b');
    const cpu0 = (await child.measure()).cpuMs!;
    const parent0 = process.cpuUsage();
    const result = await runLoad({ ...child, opportunityIds, concurrency });
    const cpu1 = (await child.measure()).cpuMs!;
    const parent = process.cpuUsage(parent0);
    const per = (ms: number) => Math.round((ms / deals) * 10) / 10;
    return {
      ...result,
      middlewareCpuMsPerClosure: per(cpu1 - cpu0),
      orgAndLoadCpuMsPerClosure: per((parent.user + parent.system) / 1000),
      loadAverage: loadavg()[0],
      warmup,
    };
  } finally {
    await child.close();
  }
}

{
  const levels = (option('concurrency') ?? '1,16,64').split(',').map((c) => positive('concurrency', c, 1));
  const parked = positive('parked', option('parked'), 1000, 0);
  const repeat = positive('repeat', option('repeat'), 3);
  const results = [];
  for (const c of levels) {
    const deals = positive('deals', option('deals'), c === 1 ? 40 : 320);
    const runs = [];
    for (let i = 0; i < (c === 1 ? 1 : repeat); i++) {
      runs.push(await level(c, deals));
      process.stderr.write(`concurrency ${c}, run ${i + 1}: ${JSON.stringify(runs.at(-1))}\n`);
    }
    const median = [...runs].sort((a, b) => a.closuresPerSecond - b.closuresPerSecond)[
      (runs.length - 1) >> 1
    ]!;
    results.push(
      runs.length === 1
        ? median
        : {
            ...median,
            runs: runs.map((r) => ({ closuresPerSecond: r.closuresPerSecond, p95Ms: r.latencyMs.p95 })),
          },
    );
  }
  const at16 = results.find((r) => r.concurrency === 16);
  const separate = [];
  if (!process.argv.includes('--no-separate-org'))
    for (const c of levels.filter((l) => l > 1)) {
      separate.push(await separateOrgLevel(c, positive('deals', option('deals'), 320)));
      process.stderr.write(`concurrency ${c}, org in its own process: ${JSON.stringify(separate.at(-1))}\n`);
    }
  const separate16 = separate.find((r) => r.concurrency === 16);
  const rss = parked > 0 ? await measureParked(parked) : undefined;
  // The target is in MB (10^6 bytes); the process reports MiB, 4.9% larger units.
  const rssMB = typeof rss?.rssMiB === 'number' ? rss.rssMiB * 1.048576 : undefined;
  const report = {
    benchmark: 'closure to approvals submitted (local mode, one instance)',
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverageAtEnd: loadavg().map((l) => Math.round(l * 10) / 10),
    },
    levels: results,
    salesforceRequestsPerDeal:
      results.find((r) => r.concurrency === 1)?.requestsPerDeal ?? 'run --concurrency 1',
    separateOrg:
      separate.length > 0
        ? {
            measured:
              'the built middleware in its own process (salesforce mode) against the local org, which shares a process with the load generator; same machine, same two cores',
            levels: separate,
          }
        : 'skipped (--no-separate-org, or no level above concurrency 1)',
    parkedRuns: rss ?? 'skipped (--parked 0)',
    targets: {
      closuresPerSecondAt16: {
        target: 50,
        measured: at16?.closuresPerSecond ?? null,
        met: (at16?.closuresPerSecond ?? 0) >= 50,
      },
      p95MsAt16: {
        target: 500,
        measured: at16?.latencyMs.p95 ?? null,
        met: (at16?.latencyMs.p95 ?? Infinity) <= 500,
      },
      rssMBAt1000Parked: {
        target: 250,
        measured: rssMB === undefined ? null : Math.round(rssMB * 10) / 10,
        met: rssMB !== undefined && rssMB <= 250 && parked >= 1000,
      },
      maxRequestsPerDeal: 6,
      /** Not the target's setting (the local org shares the middleware's process there): context. */
      withTheOrgInItsOwnProcessAt16: separate16
        ? { closuresPerSecond: separate16.closuresPerSecond, p95Ms: separate16.latencyMs.p95 }
        : null,
    },
    /** Further sections (e.g. `replicas` from scripts/bench-replicas.ts) are added here. */
    sections: {} as Record<string, unknown>,
  };
  Object.assign(report, { contracts: await benchContracts(root), language: await benchLanguage() });
  // 1, 2 and 3 replicas on Postgres (BENCH_DATABASE_URL or TEST_DATABASE_URL); --no-replicas skips it.
  report.sections.replicas = process.argv.includes('--no-replicas')
    ? 'skipped (--no-replicas)'
    : await replicaBenchReport();
  const json = JSON.stringify(report, null, 2);
  process.stdout.write(`${json}\n`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/latest.json'), `${json}\n`);
}
