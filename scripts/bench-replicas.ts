/**
 * The replica benchmark (part of `npm run bench`): the same load, closures to "approvals
 * submitted", on 1, 2 and 3 middleware replicas sharing one Postgres and one separately hosted
 * org (the deal-cluster harness), reporting throughput and scaling efficiency. Everything runs
 * on this machine, so it also measures where the CPU goes (replicas, the org host, Postgres) and
 * how busy the machine was: with 2 cores, that names the bottleneck when 3 replicas do not reach
 * 2.5x one replica.
 * Postgres comes from BENCH_DATABASE_URL or TEST_DATABASE_URL; each count uses a fresh schema.
 * Run alone: `node scripts/bench-replicas.ts [--deals N] [--concurrency C]`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { DealCluster } from '@dealdesk/middleware/testing';
import { dropSchemas, freshSchema } from '@dealdesk/test-kit/postgres';

export interface ReplicaRun {
  replicas: number;
  deals: number;
  seconds: number;
  closuresPerSecond: number;
  /** Throughput over one replica's, divided by the replica count. */
  scalingEfficiency: number;
  speedup: number;
  /** CPU seconds spent per closure, by component. */
  cpuSecondsPerClosure: { replicas: number; orgHost: number; postgres: number };
  /** Share of the machine's CPU (all cores) busy during the run, from /proc/stat. */
  machineCpuBusy: number;
}

const TICK = 100; // USER_HZ on Linux

function procCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICK;
  } catch {
    return 0;
  }
}

/** CPU seconds of every postgres server process (the whole cluster: other users of it count too). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm === 'postgres' || comm.startsWith('postgres:')) total += procCpuSeconds(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  const total = cpu.reduce((s, v) => s + v, 0);
  return { busy: total - idle, total };
}

async function oneRun(url: string, replicas: number, deals: number, concurrency: number) {
  const schema = freshSchema('dd_bench');
  const cluster = await DealCluster.start({ replicas, deals, databaseUrl: url, databaseSchema: schema });
  try {
    const pids = cluster.replicas.map((r) => r.child!.pid!);
    const cpu0 = {
      replicas: pids.reduce((s, p) => s + procCpuSeconds(p), 0),
      self: process.cpuUsage(),
      postgres: postgresCpuSeconds(),
      machine: machineTicks(),
    };
    const started = performance.now();
    let next = 0;
    const ids = cluster.opportunityIds;
    const list = ids.map((id) => `'${id}'`).join(',');
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < ids.length) await cluster.startClosures([ids[next++]!]);
      }),
    );
    // Approvals submitted: the closure waits for approvals in the org. Read in-process, so the
    // measurement adds no load to the replicas.
    for (;;) {
      const submitted = cluster.org.query(
        `SELECT COUNT() FROM Deal_Closure__c WHERE Status__c = 'Waiting_Approval' AND Opportunity__c IN (${list})`,
      ).totalSize;
      if (submitted >= ids.length) break;
      const stopped = cluster.org.query(
        `SELECT Run_Id__c, Error__c FROM Deal_Closure__c WHERE Status__c IN ('Waiting_Rep', 'Failed') AND Opportunity__c IN (${list})`,
      ).records;
      if (stopped.length > 0)
        throw new Error(
          `${stopped.length} closures stopped during the replica benchmark: ${stopped.map((r) => `${String(r.Run_Id__c)}: ${String(r.Error__c)}`).join('; ')}`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const self = process.cpuUsage(cpu0.self);
    const machine = machineTicks();
    const per = (x: number) => Math.round((x / deals) * 1000) / 1000;
    return {
      seconds,
      cpuSecondsPerClosure: {
        replicas: per(pids.reduce((s, p) => s + procCpuSeconds(p), 0) - cpu0.replicas),
        orgHost: per((self.user + self.system) / 1e6),
        postgres: per(postgresCpuSeconds() - cpu0.postgres),
      },
      machineCpuBusy:
        Math.round(((machine.busy - cpu0.machine.busy) / (machine.total - cpu0.machine.total)) * 100) / 100,
    };
  } finally {
    await cluster.close();
    await dropSchemas(url, schema, `${schema}_boss`);
  }
}

export async function benchReplicas(
  options: { deals?: number; concurrency?: number; counts?: number[] } = {},
): Promise<ReplicaRun[] | { skipped: string }> {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) return { skipped: 'set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a Postgres database' };
  const deals = options.deals ?? 60;
  const concurrency = options.concurrency ?? 16;
  const runs: ReplicaRun[] = [];
  for (const replicas of options.counts ?? [1, 2, 3]) {
    const r = await oneRun(url, replicas, deals, concurrency);
    const closuresPerSecond = deals / r.seconds;
    const base = runs[0]?.closuresPerSecond ?? closuresPerSecond;
    const speedup = closuresPerSecond / base;
    runs.push({
      replicas,
      deals,
      seconds: Math.round(r.seconds * 10) / 10,
      closuresPerSecond: Math.round(closuresPerSecond * 100) / 100,
      speedup: Math.round(speedup * 100) / 100,
      scalingEfficiency: Math.round((speedup / replicas) * 100) / 100,
      cpuSecondsPerClosure: r.cpuSecondsPerClosure,
      machineCpuBusy: r.machineCpuBusy,
    });
  }
  return runs;
}

/** The JSON block `npm run bench` adds: the runs, the machine, and the bottleneck named from the figures. */
export async function replicaBenchReport(options: { deals?: number; concurrency?: number } = {}) {
  const loadAverageAtStart = loadavg().map((x) => Math.round(x * 10) / 10);
  const runs = await benchReplicas(options);
  if (!Array.isArray(runs)) return runs;
  const last = runs.at(-1)!;
  const cpu = last.cpuSecondsPerClosure;
  const total = cpu.replicas + cpu.orgHost + cpu.postgres;
  const cores = cpus().length;
  const share = (x: number) => Math.round((x / total) * 100);
  const bound = (total * last.closuresPerSecond) / cores;
  const bottleneck =
    last.speedup >= 2.5
      ? null
      : `CPU: at ${last.replicas} replicas the machine's ${cores} cores were ${Math.round(last.machineCpuBusy * 100)}% busy; ` +
        `each closure costs ${Math.round(total * 1000)} ms of CPU (replicas ${share(cpu.replicas)}%, the org host ${share(cpu.orgHost)}%, ` +
        `Postgres ${share(cpu.postgres)}%), so ${cores} cores allow at most ~${Math.round((cores / total) * 10) / 10} closures/s ` +
        `(measured ${last.closuresPerSecond}, ${Math.round(bound * 100)}% of that bound). Replicas add workers, not cores: ` +
        `on one 2-core machine they share the same CPU with the org and Postgres.`;
  return {
    benchmark:
      'closures to approvals submitted on 1, 2 and 3 replicas (Postgres, salesforce mode against a local org)',
    loadAverageAtStart,
    runs,
    target: { speedupAt3: 2.5 },
    bottleneck,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = Number(process.argv[i + 1]);
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
    return v;
  };
  const deals = arg('deals');
  const concurrency = arg('concurrency');
  const report = await replicaBenchReport({
    ...(deals ? { deals } : {}),
    ...(concurrency ? { concurrency } : {}),
  });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
