import assert from 'node:assert/strict';
import { createLogger } from '../logger.ts';
import { createSqliteRunStore } from '../adapters/sqlite/sqlite-run-store.ts';
import type { CrmPort } from '../ports/crm.ts';
import type { RunEvent } from '../ports/store.ts';
import { Orchestrator } from './orchestrator.ts';
import { STAGES, type Stage, type StageKey } from './stage.ts';

/** An orchestrator over an in-memory store whose Salesforce write-back always succeeds. */
function orchestratorWith(stage: (key: StageKey) => Stage, clock?: () => Date) {
  const store = createSqliteRunStore(':memory:');
  const crm = {
    commitStep: async () => ({ dealClosureId: 'a01Dd0000000001AAA', ids: {} }),
  } as unknown as CrmPort;
  const orchestrator = new Orchestrator({
    store,
    crm,
    stages: STAGES.map(stage),
    logger: createLogger({ level: 'silent' }),
    timerPollMs: 0,
    ...(clock ? { clock } : {}),
  });
  const startRun = async () => {
    const started = await orchestrator.startClosure({
      opportunityId: '006Dd0000000001AAA',
      dealClosureId: null,
      trigger: 'Rep',
      note: null,
      transcript: null,
      idempotencyKey: null,
    });
    return started.outcome === 'created' ? started.run : assert.fail('not created');
  };
  const stop = async () => {
    await orchestrator.stop();
    await store.close();
  };
  return { store, orchestrator, startRun, stop };
}

describe('orchestrator: events a stage owns', () => {
  it('keeps them pending while another stage runs, and hands them to their stage later', async () => {
    const seen = new Map<StageKey, string[]>();
    const stage = (key: StageKey): Stage => ({
      key,
      ...(key === 'approval_orchestration'
        ? { ownsEvent: (kind: string) => kind === 'approval:decision' }
        : {}),
      async run(ctx) {
        seen.set(key, [...(seen.get(key) ?? []), ...ctx.events.map((e: RunEvent) => e.kind)]);
        const waitForRep = key === 'deal_closure' && !ctx.events.some((e) => e.kind === 'rep:confirm');
        return {
          status: waitForRep ? 'waiting' : key === 'signature_management' ? 'stopped' : 'succeeded',
          ...(waitForRep ? { waitingFor: 'rep' as const } : {}),
          reasoning: key,
          confidence: null,
          facts: null,
          message: key,
        };
      },
    });
    const { store, orchestrator, startRun, stop } = orchestratorWith(stage);
    const run = await startRun();
    await orchestrator.idle();
    assert.equal((await store.getRun(run.id))!.waitingFor, 'rep');
    // A decision arrives while the run is back at the first stage (as during a revision).
    await orchestrator.deliver(run.id, 'approval:decision', 'd1', { approvalId: 'x' });
    await orchestrator.idle();
    assert.deepEqual(seen.get('deal_closure'), [], 'not handed to, nor consumed by, the Deal Closure stage');
    await orchestrator.deliver(run.id, 'rep:confirm', 'c1', {});
    await orchestrator.idle();
    assert.deepEqual(seen.get('deal_closure'), ['rep:confirm']);
    assert.deepEqual(seen.get('approval_orchestration'), ['approval:decision']);
    await stop();
  });
});

describe('orchestrator: earlier outputs', () => {
  it("answers recall(stage, 'output') from the step, also after a retry began the stage's next generation", async () => {
    const recalled: unknown[] = [];
    let signatureAttempts = 0;
    const stage = (key: StageKey): Stage => ({
      key,
      async run(ctx) {
        if (key === 'system_integration') recalled.push(ctx.recall('signature_management', 'output'));
        // The signature stage first needs the rep (a declined envelope), then completes on the retry.
        const waitForRep = key === 'signature_management' && ++signatureAttempts === 1;
        return {
          status: waitForRep ? 'waiting' : key === 'system_integration' ? 'stopped' : 'succeeded',
          ...(waitForRep ? { waitingFor: 'rep' as const } : {}),
          reasoning: key,
          confidence: null,
          facts: null,
          message: key,
          output: { stage: key, attempt: ctx.attempt },
        };
      },
    });
    const { store, orchestrator, startRun, stop } = orchestratorWith(stage);
    const run = await startRun();
    await orchestrator.idle();
    assert.equal((await store.getRun(run.id))!.waitingFor, 'rep');
    await orchestrator.deliver(run.id, 'control:retry', 'r1', {});
    await orchestrator.idle();
    assert.deepEqual(recalled, [{ stage: 'signature_management', attempt: 2 }]);
    const memo = (await store.getRun(run.id))!.memo;
    assert.equal(
      Object.keys(memo).some((k) => k.endsWith('.output')),
      false,
      'outputs are kept once, in the steps',
    );
    await stop();
  });
});

describe('orchestrator: transient failures', () => {
  it('retries a waiting stage after each transient failure, however often the stage has run', async () => {
    let now = Date.parse('2026-11-25T10:00:00Z');
    let failNext = false;
    let decisions = 0;
    const stage = (key: StageKey): Stage => ({
      key,
      ...(key === 'approval_orchestration'
        ? { ownsEvent: (kind: string) => kind === 'approval:decision' }
        : {}),
      async run(ctx) {
        const decided = ctx.events.filter((e) => e.kind === 'approval:decision').length;
        if (key === 'approval_orchestration' && decided > 0) {
          if (failNext) {
            failNext = false;
            // The org's limit, as jsforce reports it: worth retrying, whatever attempt this is.
            throw Object.assign(new Error('TotalRequests Limit exceeded.'), {
              errorCode: 'REQUEST_LIMIT_EXCEEDED',
            });
          }
          decisions += decided;
        }
        const waiting = key === 'approval_orchestration' && decisions < 8;
        return {
          status: waiting ? 'waiting' : key === 'signature_management' ? 'stopped' : 'succeeded',
          ...(waiting ? { waitingFor: 'approval' as const } : {}),
          reasoning: key,
          confidence: null,
          facts: null,
          message: key,
        };
      },
    });
    const { store, orchestrator, startRun, stop } = orchestratorWith(stage, () => new Date(now));
    const run = await startRun();
    await orchestrator.idle();
    // Eight decisions, each first met by the org's request limit: 17 attempts of one stage in all.
    for (let i = 1; i <= 8; i++) {
      failNext = true;
      await orchestrator.deliver(run.id, 'approval:decision', `d${i}`, {});
      await orchestrator.idle();
      assert.equal((await store.getRun(run.id))!.waitingFor, 'retry', `decision ${i} waits for its retry`);
      now += 2_000; // past the first backoff (at most 1 s)
      await orchestrator.tick();
      await orchestrator.idle();
    }
    const finished = (await store.getRun(run.id))!;
    assert.equal(decisions, 8);
    assert.equal(
      finished.status,
      'completed',
      `ended ${finished.status}/${finished.waitingFor}: ${finished.error}`,
    );
    const approval = (await store.steps(run.id)).find((s) => s.stage === 'approval_orchestration')!;
    assert.equal(approval.attempts, 17);
    await stop();
  });
});
