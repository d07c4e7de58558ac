/**
 * Load generation for the benchmarks: start closures at a fixed concurrency and time each one
 * from the request to "approvals submitted". Shared by `bench.ts` (one instance) and
 * `bench-replicas.ts` (Postgres replicas), which supply how to start a closure and how to tell
 * that its approvals are in the approval process.
 */
import { type DealContext, createSalesforceCrm } from '@dealdesk/middleware';
import { demoCompany, demoScenario } from '@dealdesk/local-org';
import { startLocalOrg } from '@dealdesk/local-org/testing';

export interface LoadOptions {
  opportunityIds: string[];
  concurrency: number;
  /** Starts a closure, resolving to its id. */
  start(opportunityId: string): Promise<string>;
  /** Resolves when the closure's approvals are submitted; rejects if it stopped. */
  submitted(closureId: string): Promise<void>;
}

export interface LoadResult {
  deals: number;
  concurrency: number;
  seconds: number;
  closuresPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (x: number) => Math.round(x * 10) / 10;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const began = performance.now();
  async function worker(): Promise<void> {
    while (next < options.opportunityIds.length) {
      const opportunityId = options.opportunityIds[next++]!;
      const t0 = performance.now();
      const closureId = await options.start(opportunityId);
      await options.submitted(closureId);
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  const seconds = (performance.now() - began) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    deals: options.opportunityIds.length,
    concurrency: options.concurrency,
    seconds: round(seconds),
    closuresPerSecond: round(options.opportunityIds.length / seconds),
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? NaN),
    },
  };
}

/** Polls until `check` says done (true) or failed (a message). */
export async function waitFor(check: () => Promise<true | string | undefined>, everyMs = 2): Promise<void> {
  for (;;) {
    const state = await check();
    if (state === true) return;
    if (typeof state === 'string') throw new Error(state);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Starts closures through the API and waits to be told (not polling: that would load the server
 * being measured) when each reaches "approvals submitted" or stops. Whoever watches the runs
 * calls `tell`.
 */
export function closureClient(url: string, apiKey: string) {
  const waiters = new Map<string, { resolve(): void; reject(err: Error): void }>();
  const told = new Map<string, Error | null>();
  return {
    start: async (opportunityId: string): Promise<string> => {
      const res = await fetch(`${url}/v1/closures`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ opportunityId, trigger: 'Rep' }),
      });
      if (res.status !== 202)
        throw new Error(`POST /v1/closures answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { closureId: string }).closureId;
    },
    submitted: (closureId: string) =>
      new Promise<void>((resolve, reject) => {
        if (told.has(closureId)) {
          const outcome = told.get(closureId);
          told.delete(closureId);
          return outcome ? reject(outcome) : resolve();
        }
        waiters.set(closureId, {
          resolve: () => (waiters.delete(closureId), resolve()),
          reject: (err) => (waiters.delete(closureId), reject(err)),
        });
      }),
    /** The closure parked for approval (null) or stopped (the error). */
    tell(closureId: string, outcome: Error | null): void {
      const waiter = waiters.get(closureId);
      if (!waiter) told.set(closureId, outcome);
      else if (outcome) waiter.reject(outcome);
      else waiter.resolve();
    },
  };
}

/** The seeded verbal-yes deal as the CRM port reads it from a fresh local org. */
export async function seededVerbalYes(): Promise<DealContext> {
  const h = await startLocalOrg();
  try {
    h.org.seed(demoCompany);
    const crm = createSalesforceCrm({ conn: h.conn, apiVersion: '65.0' });
    const name = demoScenario('verbal-yes').opportunityName;
    const opp = h.org.query(`SELECT Id FROM Opportunity WHERE Name = '${name.replace(/'/g, "\\'")}'`)
      .records[0]!;
    return await crm.loadDeal(String(opp.Id), { activityDays: 90 });
  } finally {
    await h.close();
  }
}
