/**
 * The crash harness: one middleware replica as a child process closes many deals while it is
 * killed with SIGKILL, again and again, at random points: preferably while a Salesforce write is
 * in flight (mid-write-back; the org adds latency to every call so writes take a while), and
 * right after an approver approves or a signer signs (mid decision callout / signing webhook
 * delivery). After each kill it is restarted; when the kills are spent, every closure must
 * finish exactly once (DealCluster.verifyExactlyOnce: no duplicate records, every decision and
 * signature arrived).
 */
import { DealCluster } from './deal-cluster.ts';

export interface CrashOptions {
  kills: number;
  /** Deals closed together; further waves start while kills remain. */
  dealsPerWave: number;
  /** Postgres mode when set; SQLite otherwise. */
  databaseUrl?: string;
  databaseSchema?: string;
  /** Seed of the kill points, so a failing run can be repeated. */
  seed?: number;
  orgLatencyMs?: number;
  timeoutMs?: number;
}

export interface CrashReport {
  store: 'postgres' | 'sqlite';
  deals: number;
  kills: number;
  /** Kills that landed while a Salesforce write was in flight. */
  killsMidWriteBack: number;
  /** Kills right after an approval decision, before its callout was surely handled. */
  killsAfterDecision: number;
  /** Kills right after a signature, before its webhook event was surely delivered. */
  killsAfterSignature: number;
  completed: number;
  seconds: number;
  seed: number;
}

export async function runCrashHarness(options: CrashOptions): Promise<CrashReport> {
  const seed = options.seed ?? 20261125;
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const started = Date.now();
  const cluster = await DealCluster.start({
    replicas: 1,
    // Enough deals for a wave per five kills: the kills, not the deals, bound the run.
    deals: options.dealsPerWave * Math.max(2, Math.ceil(options.kills / 5)),
    orgLatencyMs: options.orgLatencyMs ?? 40,
    ...(options.databaseUrl
      ? { databaseUrl: options.databaseUrl, databaseSchema: options.databaseSchema ?? 'dealdesk' }
      : {}),
  });
  const report: CrashReport = {
    store: options.databaseUrl ? 'postgres' : 'sqlite',
    deals: 0,
    kills: 0,
    killsMidWriteBack: 0,
    killsAfterDecision: 0,
    killsAfterSignature: 0,
    completed: 0,
    seconds: 0,
    seed,
  };
  let busy = false;
  let finished = false;
  /** Kills and restarts the replica, once at a time; false when no kill is left or one is under way. */
  const crash = async (kind: 'random' | 'decision' | 'signature'): Promise<boolean> => {
    if (busy || report.kills >= options.kills) return false;
    busy = true;
    try {
      const midWrite = cluster.writesInFlight > 0;
      await cluster.killReplica(0);
      report.kills++;
      if (midWrite) report.killsMidWriteBack++;
      if (kind === 'decision') report.killsAfterDecision++;
      if (kind === 'signature') report.killsAfterSignature++;
      await cluster.startReplica(0);
      return true;
    } finally {
      busy = false;
    }
  };
  // The killer: after a short life, prefer a moment when a write-back is in flight. It leaves
  // two kills in five for the moments right after a decision or a signature.
  const randomKills = Math.ceil(options.kills * 0.6);
  const killer = (async () => {
    while (!finished && report.kills - report.killsAfterDecision - report.killsAfterSignature < randomKills) {
      const born = Date.now();
      const life = 300 + random() * 1500;
      for (;;) {
        await new Promise((r) => setTimeout(r, 2));
        if (finished) return;
        const age = Date.now() - born;
        if (age > life) break;
        if (age > 100 && cluster.writesInFlight > 0 && random() < 0.2) break;
      }
      await crash('random');
    }
  })();
  try {
    const closures = [];
    const deadline = Date.now() + (options.timeoutMs ?? 300_000);
    let offset = 0;
    while (report.kills < options.kills && offset < cluster.opportunityIds.length) {
      const wave = await cluster.startClosures(
        cluster.opportunityIds.slice(offset, (offset += options.dealsPerWave)),
      );
      closures.push(...wave);
      report.deals = closures.length;
      await cluster.driveToCompletion(wave, deadline - Date.now(), async (what) => {
        // A deal has about four approvals and two signatures: weigh them so both kinds get kills.
        if (random() < (what === 'approved' ? 0.25 : 0.9))
          await crash(what === 'approved' ? 'decision' : 'signature');
      });
      report.completed = closures.length;
    }
    finished = true;
    await killer;
    cluster.verifyExactlyOnce(closures);
  } finally {
    finished = true;
    await killer.catch(() => undefined);
    report.seconds = Math.round((Date.now() - started) / 100) / 10;
    await cluster.close();
  }
  return report;
}
