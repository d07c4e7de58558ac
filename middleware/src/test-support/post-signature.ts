/**
 * The post-signature stages (System Integration, Handoff Coordination, Learning & Optimization)
 * for real, against the seeded local org over HTTP and jsforce, with the four stages before them
 * replaced by stand-ins that memoise what those stages hand on (the deal as read from the org, a
 * contract, decided approvals, a completed envelope). Counts the Salesforce API requests each
 * stage makes with the local org's own request statistics, and can replay the completion.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSalesforceCrm } from '../adapters/salesforce/salesforce-crm.ts';
import { createSqliteRunStore } from '../adapters/sqlite/sqlite-run-store.ts';
import { createSystemIntegrationAgent } from '../agents/system-integration/system-integration-agent.ts';
import { createHandoffAgent } from '../agents/handoff-coordination/handoff-agent.ts';
import { loadHandoffOwners } from '../agents/handoff-coordination/handoff-owners.ts';
import { createLearningAgent } from '../agents/learning-optimization/learning-agent.ts';
import type { ContractOutput } from '../agents/contract-generation/contract-agent.ts';
import { createLogger } from '../logger.ts';
import { soqlString } from '@dealdesk/contracts';
import { createConsoleNotifier } from '../adapters/notify/console-notifier.ts';
import type { Notification } from '../ports/notify.ts';
import { LOCAL_ORG_API_VERSION } from '@dealdesk/local-org';
import { demoCompany } from '@dealdesk/local-org';
import { Orchestrator } from '../orchestrator/orchestrator.ts';
import type { Stage, StageKey } from '../orchestrator/stage.ts';
import type { CrmPort, DealContext } from '../ports/crm.ts';
import type { RunStore } from '../ports/store.ts';
import { loadHandoffChecklists } from '../wiring.ts';
import { startLocalOrg, type LocalOrgHarness } from '@dealdesk/local-org/testing';
import { contractOutput } from './deal-fixtures.ts';

export interface PostSignatureOptions {
  /** Overrides on the contract the stand-in Contract Generation stage hands on. */
  contract?: Partial<ContractOutput>;
  /** The seeded opportunity to close (by Name); the verbal-yes deal by default. */
  opportunityName?: string;
  /** Changes the seeded org before the closure (e.g. the opportunity's currency). */
  prepare?: (org: LocalOrgHarness, opportunityId: string) => Promise<void>;
  /** What the stand-in Deal Closure assessment found beyond no signals (e.g. competitors). */
  assessment?: { competitors?: string[] };
}

export interface PostSignatureHarness {
  org: LocalOrgHarness;
  crm: CrmPort;
  store: RunStore;
  orchestrator: Orchestrator;
  opportunityId: string;
  /** Runs a closure to completion; returns its run id. */
  close(): Promise<string>;
  /** What the notifier was asked to deliver. */
  notifications: Notification[];
  /** Salesforce API requests per post-signature stage in the last drive (local org statistics). */
  requests: Partial<Record<StageKey, number | undefined>>;
  /** Runs the post-signature stages of a completed run again, as a replayed completion would. */
  replay(runId: string): Promise<void>;
  /** Every record in the local org, by object, as id → fields (for before/after comparisons). */
  snapshot(): Map<string, Map<string, Record<string, unknown>>>;
  dispose(): Promise<void>;
}

const POST_SIGNATURE: StageKey[] = ['system_integration', 'handoff_coordination', 'learning_optimization'];
/** Fields that change on every write by design (audit fields), excluded from snapshots. */
const VOLATILE = new Set(['LastModifiedDate', 'SystemModstamp', 'LastModifiedById', 'LastViewedDate']);

function contractFor(deal: DealContext, overrides: Partial<ContractOutput>): ContractOutput {
  return contractOutput({
    clauses: [
      { id: 'sla', version: 1, rule: 'always', because: [], nonStandard: false },
      { id: 'data-protection-eu', version: 1, rule: 'eu_customer', because: [], nonStandard: false },
    ],
    riskLevel: 'Medium',
    legalReviewRequired: true,
    startDate: '2026-12-15',
    endDate: '2029-12-14',
    termMonths: 36,
    totalMinor: deal.opportunity.amountMinor ?? 0,
    currency: deal.opportunity.currency,
    ...overrides,
  });
}

export async function startPostSignature(options: PostSignatureOptions = {}): Promise<PostSignatureHarness> {
  const org = await startLocalOrg();
  org.org.seed(demoCompany);
  const dir = mkdtempSync(join(tmpdir(), 'dealdesk-post-signature-'));
  const store = createSqliteRunStore(join(dir, 'runs.sqlite'));
  const crm = createSalesforceCrm({ conn: org.conn, apiVersion: LOCAL_ORG_API_VERSION });
  const logger = createLogger({ level: 'silent' });
  const notifier = createConsoleNotifier(logger);
  const name = options.opportunityName ?? 'Brennecke Antriebstechnik - Group Rollout (3 Plants)';
  const found = await org.conn.query<{ Id: string }>(
    `SELECT Id FROM Opportunity WHERE Name = ${soqlString(name)}`,
  );
  const opportunityId = found.records[0]?.Id;
  if (!opportunityId) throw new Error(`no seeded opportunity named ${name}`);
  await options.prepare?.(org, opportunityId);

  const requests: Partial<Record<StageKey, number | undefined>> = {};
  let current: { stage: StageKey; before: number } | undefined;
  const total = () => org.org.requestStats().total;
  const settle = () => {
    if (current) requests[current.stage] = total() - current.before;
    current = undefined;
  };
  /** Counts a stage's requests from its start to the start of the next stage (its commit included). */
  const measured = (stage: Stage): Stage => ({
    key: stage.key,
    run: async (ctx) => {
      settle();
      current = { stage: stage.key, before: total() };
      return stage.run(ctx);
    },
  });
  const done = (key: StageKey, run: Stage['run']): Stage => ({ key, run });
  const stages: Stage[] = [
    done('deal_closure', async (ctx) => {
      await ctx.memo('deal', () => crm.loadDeal(ctx.run.opportunityId, { activityDays: 365 }));
      await ctx.memo('assessment', async () => ({
        assessment: { signals: [], ...options.assessment },
        source: 'offline',
      }));
      return { status: 'succeeded', reasoning: 'stand-in', confidence: 1, facts: {}, message: 'stand-in' };
    }),
    done('contract_generation', async (ctx) => {
      const deal = ctx.recall<DealContext>('deal_closure', 'deal')!;
      await ctx.memo('contract', async () => contractFor(deal, options.contract ?? {}));
      return { status: 'succeeded', reasoning: 'stand-in', confidence: 1, facts: {}, message: 'stand-in' };
    }),
    done('approval_orchestration', async () => ({
      status: 'succeeded',
      reasoning: 'stand-in',
      confidence: null,
      facts: {},
      message: 'stand-in',
    })),
    done('signature_management', async (ctx) => {
      const sentAt = await ctx.memo('envelope', async () => ({ sentAt: ctx.now().toISOString() }));
      return {
        status: 'succeeded',
        reasoning: 'stand-in',
        confidence: null,
        facts: {},
        message: 'stand-in',
        output: { completedAt: sentAt.sentAt, status: 'completed' },
      };
    }),
    measured(createSystemIntegrationAgent({ crm, renewalLeadDays: 60, store })),
    measured(
      createHandoffAgent({ checklists: loadHandoffChecklists(), owners: loadHandoffOwners(), crm, store }),
    ),
    measured(createLearningAgent({ store, crm, notifier })),
  ];
  const orchestrator = new Orchestrator({ store, crm, stages, logger, timerPollMs: 0 });
  await orchestrator.start();

  const drive = async () => {
    await orchestrator.idle();
    settle();
  };
  return {
    org,
    crm,
    store,
    orchestrator,
    opportunityId,
    requests,
    notifications: notifier.sent,
    async close() {
      const started = await orchestrator.startClosure({
        opportunityId,
        dealClosureId: null,
        trigger: 'Rep',
        note: null,
        transcript: null,
        idempotencyKey: null,
      });
      if (started.outcome === 'conflict') throw new Error('a closure of this opportunity is running');
      await drive();
      const run = await store.getRun(started.run.id);
      if (run?.status !== 'completed') throw new Error(`the closure ended ${run?.status}: ${run?.error}`);
      return started.run.id;
    },
    async replay(runId) {
      for (const key of POST_SIGNATURE) requests[key] = undefined;
      await store.updateRun(runId, {
        status: 'running',
        stageIndex: 4,
        completedAt: null,
        updatedAt: new Date().toISOString(),
      });
      orchestrator.kick(runId);
      await drive();
    },
    snapshot() {
      const out = new Map<string, Map<string, Record<string, unknown>>>();
      for (const object of org.org.registry.all()) {
        if (!object.def.queryable) continue;
        const records = new Map<string, Record<string, unknown>>();
        for (const r of org.org.store.all(object.name)) {
          records.set(String(r.Id), Object.fromEntries(Object.entries(r).filter(([k]) => !VOLATILE.has(k))));
        }
        if (records.size > 0) out.set(object.name, records);
      }
      return out;
    },
    async dispose() {
      await orchestrator.stop();
      await store.close();
      await org.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
