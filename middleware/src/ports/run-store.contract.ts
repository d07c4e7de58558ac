/**
 * The RunStore contract: one suite every adapter passes (SQLite and Postgres), so the
 * orchestrator can rely on the same semantics whichever store a deployment uses.
 * Adapter test files call `runStoreContract` with a factory for a fresh, empty store.
 */
import assert from 'node:assert/strict';
import type { NewRun, RunStore, StepRow } from './store.ts';

export interface StoreUnderTest {
  store: RunStore;
  /** Closes the store and removes what it stored. */
  dispose(): Promise<void>;
}

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

/** A new run with no note, transcript or idempotency key; `extra` sets any of them. */
export function newRun(id: string, opportunityId: string, extra: Partial<NewRun> = {}): NewRun {
  return {
    id,
    opportunityId,
    dealClosureId: null,
    trigger: 'Rep',
    note: null,
    transcript: null,
    idempotencyKey: null,
    createdAt: at(0),
    ...extra,
  };
}

export function runStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`RunStore contract: ${name}`, function () {
    let subject: StoreUnderTest;
    let store: RunStore;
    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });
    afterEach(async () => subject.dispose());

    it('creates a run, returns it again for its idempotency key, and refuses a second active run', async () => {
      const created = await store.createRun(
        newRun('run-1', '006A', { idempotencyKey: 'k1', note: 'close it', trigger: 'Signal' }),
      );
      assert.equal(created.outcome, 'created');
      assert.equal(created.outcome === 'created' && created.run.status, 'queued');
      const again = await store.createRun(newRun('run-2', '006A', { idempotencyKey: 'k1' }));
      assert.equal(again.outcome, 'existing');
      assert.equal(again.outcome === 'existing' && again.run.id, 'run-1');
      const conflict = await store.createRun(newRun('run-3', '006A', { idempotencyKey: 'k2' }));
      assert.equal(conflict.outcome, 'conflict');
      assert.equal(conflict.outcome === 'conflict' && conflict.running.id, 'run-1');
      const run = await store.getRun('run-1');
      assert.deepEqual(
        { ...run, memo: run?.memo },
        {
          id: 'run-1',
          opportunityId: '006A',
          dealClosureId: null,
          trigger: 'Signal',
          note: 'close it',
          transcript: null,
          idempotencyKey: 'k1',
          status: 'queued',
          waitingFor: null,
          stageIndex: 0,
          error: null,
          createdAt: at(0),
          updatedAt: at(0),
          completedAt: null,
          memo: {},
        },
      );
      assert.equal(await store.getRun('run-404'), undefined);
    });

    it('allows a new run once the previous one finished', async () => {
      await store.createRun(newRun('run-1', '006A'));
      await store.updateRun('run-1', { status: 'completed', completedAt: at(5) });
      const next = await store.createRun(newRun('run-2', '006A', { createdAt: at(6) }));
      assert.equal(next.outcome, 'created');
    });

    it('creates exactly one run when many requests race for one opportunity', async () => {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => store.createRun(newRun(`run-${i}`, '006RACE'))),
      );
      assert.equal(results.filter((r) => r.outcome === 'created').length, 1);
      assert.equal(results.filter((r) => r.outcome === 'conflict').length, 11);
      const keyed = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          store.createRun(newRun(`run-k${i}`, '006KEY', { idempotencyKey: 'same-key' })),
        ),
      );
      const ids = new Set(keyed.map((r) => (r.outcome === 'conflict' ? r.running.id : r.run.id)));
      assert.equal(ids.size, 1, 'every caller sees the one run of the key');
      assert.equal(keyed.filter((r) => r.outcome === 'created').length, 1);
    });

    it('patches runs, merges memo keys and lists unfinished and completed runs', async () => {
      await store.createRun(newRun('run-a', '006A'));
      await store.createRun(newRun('run-b', '006B', { createdAt: at(1) }));
      await store.createRun(newRun('run-c', '006C', { createdAt: at(2) }));
      let run = await store.updateRun('run-a', { status: 'waiting', waitingFor: 'approval' }, { x: 1 });
      assert.equal(run.status, 'waiting');
      assert.equal(run.waitingFor, 'approval');
      run = await store.updateRun('run-a', {}, { y: { nested: ['a'] }, 'z.with:odd @keys,': 'ok' });
      assert.equal('memo' in run, false, 'a write does not send the memo back');
      assert.deepEqual((await store.getRun('run-a'))!.memo, {
        x: 1,
        y: { nested: ['a'] },
        'z.with:odd @keys,': 'ok',
      });
      await store.updateRun('run-a', {}, { y: 'replaced, not merged' });
      assert.deepEqual((await store.getRun('run-a'))!.memo.y, 'replaced, not merged');
      await store.updateRun('run-a', {}, { y: { nested: ['a'] } });
      run = await store.updateRun('run-a', { waitingFor: null, stageIndex: 3, dealClosureId: 'a0X1' });
      assert.equal(run.waitingFor, null);
      assert.equal(run.stageIndex, 3);
      assert.equal(run.dealClosureId, 'a0X1');
      assert.deepEqual(
        (await store.getRun('run-a'))!.memo,
        { x: 1, y: { nested: ['a'] }, 'z.with:odd @keys,': 'ok' },
        'a patch keeps the memo',
      );
      // Concurrent memo writes to different keys all survive.
      await Promise.all(Array.from({ length: 10 }, (_, i) => store.updateRun('run-b', {}, { [`k${i}`]: i })));
      assert.equal(Object.keys((await store.getRun('run-b'))!.memo).length, 10);
      await assert.rejects(store.updateRun('run-404', { status: 'running' }));
      await store.updateRun('run-b', { status: 'completed', completedAt: at(10) });
      await store.updateRun('run-c', { status: 'completed', completedAt: at(20) });
      assert.deepEqual(
        (await store.unfinishedRuns()).map((r) => r.id),
        ['run-a'],
      );
      assert.deepEqual(
        (await store.completedRuns(10)).map((r) => r.id),
        ['run-c', 'run-b'],
      );
      assert.deepEqual(
        (await store.completedRuns(1)).map((r) => r.id),
        ['run-c'],
      );
      // History readers ask for a few memo keys only.
      await store.updateRun(
        'run-b',
        {},
        { 'learning_optimization.figures': { n: 1 }, 'deal_closure.deal': { big: true } },
      );
      const slim = (await store.completedRuns(10, ['learning_optimization.'])).find((r) => r.id === 'run-b')!;
      assert.deepEqual(slim.memo, { 'learning_optimization.figures': { n: 1 } });
      assert.deepEqual((await store.completedRuns(10, [])).find((r) => r.id === 'run-b')!.memo, {});
      assert.equal(
        Object.keys((await store.completedRuns(10)).find((r) => r.id === 'run-b')!.memo).length,
        12,
      );
    });

    it('counts unfinished runs by state without loading them', async () => {
      await store.createRun(newRun('run-a', '006A'));
      await store.createRun(newRun('run-b', '006B'));
      await store.createRun(newRun('run-c', '006C'));
      await store.createRun(newRun('run-d', '006D'));
      await store.updateRun('run-a', { status: 'waiting', waitingFor: 'approval' });
      await store.updateRun('run-b', { status: 'waiting', waitingFor: 'approval' });
      await store.updateRun('run-c', { status: 'completed', completedAt: at(5) });
      const counts = await store.countUnfinished!();
      const key = (c: { status: string; waitingFor: string | null }) => `${c.status}/${c.waitingFor ?? '-'}`;
      assert.deepEqual(counts.map((c) => [key(c), c.count]).sort(), [
        ['queued/-', 1],
        ['waiting/approval', 2],
      ]);
    });

    it('upserts steps per stage and lists them in start order', async () => {
      await store.createRun(newRun('run-1', '006A'));
      const base = {
        runId: 'run-1',
        agent: 'Deal_Closure' as const,
        attempts: 1,
        finishedAt: null,
        durationMs: null,
        activeMs: 0,
        reasoning: '',
        confidence: null,
        error: null,
        output: null,
      };
      const succeeded = {
        ...base,
        stage: 'deal_closure',
        status: 'Succeeded' as const,
        attempts: 2,
        startedAt: at(1),
        finishedAt: at(2),
        durationMs: 1000,
        activeMs: 900,
        reasoning: 'verbal yes',
        confidence: 0.92,
        output: { amount: 120000, lines: [1, 2] },
      };
      await store.saveStep({ ...base, stage: 'deal_closure', status: 'Running', startedAt: at(1) });
      await store.saveStep(succeeded);
      await store.saveStep({
        ...base,
        stage: 'contract_generation',
        agent: 'Contract_Generation',
        status: 'Failed',
        startedAt: at(3),
        error: 'no template',
      });
      const steps = await store.steps('run-1');
      assert.deepEqual(
        steps.map((s) => [s.stage, s.status, s.attempts]),
        [
          ['deal_closure', 'Succeeded', 2],
          ['contract_generation', 'Failed', 1],
        ],
      );
      assert.deepEqual(steps[0], succeeded);
      assert.equal(steps[1]?.error, 'no template');
      assert.deepEqual(await store.steps('run-404'), []);

      // History without memos: completed runs through a stage, and a stage's recent durations.
      await store.createRun(newRun('run-2', '006B', { createdAt: at(2) }));
      await store.createRun(newRun('run-3', '006C', { createdAt: at(3) }));
      await store.saveStep({
        ...base,
        runId: 'run-2',
        stage: 'deal_closure',
        status: 'Succeeded',
        startedAt: at(4),
        durationMs: 700,
      });
      await store.saveStep({
        ...base,
        runId: 'run-3',
        stage: 'deal_closure',
        status: 'Succeeded',
        startedAt: at(5),
        durationMs: 500,
      });
      assert.equal(
        await store.countCompletedThrough('deal_closure', at(9), 'run-x'),
        0,
        'none completed yet',
      );
      await store.updateRun('run-1', { status: 'completed', completedAt: at(10) });
      await store.updateRun('run-2', { status: 'completed', completedAt: at(12) });
      await store.updateRun('run-3', { status: 'completed', completedAt: at(11) });
      assert.equal(await store.countCompletedThrough('deal_closure', at(9), 'run-x'), 3);
      assert.equal(await store.countCompletedThrough('deal_closure', at(3), 'run-x'), 2, 'created before');
      assert.equal(await store.countCompletedThrough('deal_closure', at(9), 'run-2'), 2, 'except one');
      assert.equal(await store.countCompletedThrough('contract_generation', at(9), 'run-x'), 1);
      assert.deepEqual(await store.completedStepDurations('deal_closure', 10), [
        { runId: 'run-2', durationMs: 700 },
        { runId: 'run-3', durationMs: 500 },
        { runId: 'run-1', durationMs: 1000 },
      ]);
      assert.deepEqual(await store.completedStepDurations('deal_closure', 1), [
        { runId: 'run-2', durationMs: 700 },
      ]);
      assert.deepEqual(await store.completedStepDurations('contract_generation', 10), [], 'never timed');
    });

    it('stores each event once per dedupe key, even when deliveries race', async () => {
      await store.createRun(newRun('run-1', '006A'));
      assert.equal(await store.addEvent('run-1', 'approval', 'd1', { decision: 'Approved' }, at(1)), true);
      assert.equal(await store.addEvent('run-1', 'approval', 'd1', { decision: 'Rejected' }, at(2)), false);
      const raced = await Promise.all(
        Array.from({ length: 8 }, () => store.addEvent('run-1', 'webhook', 'd2', { n: 1 }, at(3))),
      );
      assert.equal(raced.filter(Boolean).length, 1);
      const pending = await store.pendingEvents('run-1');
      assert.deepEqual(
        pending.map((e) => [e.kind, e.dedupeKey, e.payload, e.receivedAt]),
        [
          ['approval', 'd1', { decision: 'Approved' }, at(1)],
          ['webhook', 'd2', { n: 1 }, at(3)],
        ],
      );
      await store.consumeEvents([pending[0]!.id], at(4));
      assert.deepEqual(
        (await store.pendingEvents('run-1')).map((e) => e.dedupeKey),
        ['d2'],
      );
      await store.consumeEvents([], at(5));
      assert.equal(
        await store.addEvent('run-1', 'approval', 'd1', {}, at(6)),
        false,
        'a consumed key stays used',
      );
    });

    it('keeps timers until they are due, then clears and deletes them', async () => {
      await store.addTimers([
        { runId: 'run-1', kind: 'reminder', dueAt: at(10), payload: { n: 1 } },
        { runId: 'run-1', kind: 'retry', dueAt: at(20), payload: { stage: 'x' } },
      ]);
      await store.addTimers([{ runId: 'run-2', kind: 'reminder', dueAt: at(5), payload: null }]);
      await store.addTimers([]);
      assert.deepEqual(
        (await store.dueTimers(at(4))).map((t) => t.kind),
        [],
      );
      const due = await store.dueTimers(at(10));
      assert.deepEqual(
        due.map((t) => [t.runId, t.kind, t.dueAt, t.payload]),
        [
          ['run-2', 'reminder', at(5), null],
          ['run-1', 'reminder', at(10), { n: 1 }],
        ],
      );
      await store.deleteTimers([due[0]!.id]);
      await store.clearTimers('run-1', 'reminder');
      assert.deepEqual(
        (await store.dueTimers(at(30))).map((t) => [t.runId, t.kind]),
        [['run-1', 'retry']],
      );
      await store.clearTimers('run-1');
      assert.deepEqual(await store.dueTimers(at(30)), []);
      await store.deleteTimers([]);
    });

    it('takes from an hourly budget at most max times per clock hour, however many take at once', async () => {
      const at = (minute: number) => `2026-03-02T10:${String(minute).padStart(2, '0')}:00.000Z`;
      const taken = await Promise.all(
        Array.from({ length: 6 }, (_, i) => store.takeHourlyBudget('reconcile', 4, at(i * 10))),
      );
      assert.equal(taken.filter(Boolean).length, 4);
      assert.equal(await store.takeHourlyBudget('reconcile', 4, '2026-03-02T10:59:59.999Z'), false);
      assert.equal(await store.takeHourlyBudget('other', 4, at(30)), true, 'each name has its own budget');
      assert.equal(
        await store.takeHourlyBudget('reconcile', 4, '2026-03-02T11:00:00.000Z'),
        true,
        'a new hour',
      );
      assert.equal(await store.takeHourlyBudget('reconcile', 0, '2026-03-02T12:00:00.000Z'), false, 'none');
    });

    it('maps records to runs, first writer wins', async () => {
      await store.indexRecords('run-1', [
        { recordId: 'a0A1', kind: 'approval' },
        { recordId: 'a0A3', kind: 'approval' },
      ]);
      await store.indexRecords('run-2', [
        { recordId: 'a0A1', kind: 'envelope' },
        { recordId: 'e0E1', kind: 'envelope' },
      ]);
      await store.indexRecords('run-2', []);
      assert.deepEqual(await store.runForRecord('a0A1'), { runId: 'run-1', kind: 'approval' });
      assert.deepEqual(await store.runForRecord('a0A3'), { runId: 'run-1', kind: 'approval' });
      assert.deepEqual(await store.runForRecord('e0E1'), { runId: 'run-2', kind: 'envelope' });
      assert.equal(await store.runForRecord('a0A2'), undefined);
    });

    it('saves a step, consumes events and stores timers with a run update, all or nothing', async () => {
      await store.createRun(newRun('run-1', '006A'));
      await store.addEvent('run-1', 'approval', 'd1', { decision: 'Approved' }, at(1));
      await store.addEvent('run-1', 'approval', 'd2', { decision: 'Approved' }, at(1));
      const [first, second] = await store.pendingEvents('run-1');
      const step: StepRow = {
        runId: 'run-1',
        stage: 'approval_orchestration',
        agent: 'Approval_Orchestration',
        status: 'Succeeded',
        attempts: 1,
        startedAt: at(1),
        finishedAt: at(2),
        durationMs: 1000,
        activeMs: 1000,
        reasoning: 'all approved',
        confidence: 0.9,
        error: null,
        output: { approved: 2 },
      };
      const state = await store.updateRun(
        'run-1',
        { status: 'running', stageIndex: 3, updatedAt: at(2) },
        { 'approval_orchestration.output': { approved: 2 } },
        {
          step,
          consumeEvents: { ids: [first!.id], at: at(2) },
          timers: [
            { runId: 'run-1', kind: 'retry', dueAt: at(30), payload: { stage: 'approval_orchestration' } },
          ],
        },
      );
      assert.equal(state.stageIndex, 3);
      assert.deepEqual(
        (await store.dueTimers(at(30))).map((t) => [t.runId, t.kind, t.dueAt, t.payload]),
        [['run-1', 'retry', at(30), { stage: 'approval_orchestration' }]],
      );
      assert.deepEqual(await store.steps('run-1'), [step]);
      assert.deepEqual(
        (await store.pendingEvents('run-1')).map((e) => e.id),
        [second!.id],
      );
      assert.deepEqual((await store.getRun('run-1'))?.memo, {
        'approval_orchestration.output': { approved: 2 },
      });

      // The step cannot be stored (a value JSON cannot hold): the run's update is rolled back too.
      await assert.rejects(
        store.updateRun(
          'run-1',
          { stageIndex: 4 },
          { later: true },
          {
            step: { ...step, output: { n: 1n } },
            consumeEvents: { ids: [second!.id], at: at(3) },
          },
        ),
        TypeError,
      );
      const after = await store.getRun('run-1');
      assert.equal(after?.stageIndex, 3);
      assert.equal('later' in after!.memo, false);
      assert.deepEqual(await store.steps('run-1'), [step]);
      assert.deepEqual(
        (await store.pendingEvents('run-1')).map((e) => e.id),
        [second!.id],
      );
      // The timer cannot be stored: the run, the step and the events stay as they were.
      await assert.rejects(
        store.updateRun(
          'run-1',
          { stageIndex: 5 },
          { later: true },
          {
            step: { ...step, reasoning: 'changed' },
            consumeEvents: { ids: [second!.id], at: at(3) },
            timers: [
              { runId: 'run-1', kind: 'retry', dueAt: at(40), payload: null },
              { runId: 'run-1', kind: 'retry', dueAt: at(41), payload: { n: 1n } },
            ],
          },
        ),
        TypeError,
      );
      assert.equal((await store.getRun('run-1'))?.stageIndex, 3);
      assert.deepEqual(await store.steps('run-1'), [step]);
      assert.equal((await store.pendingEvents('run-1')).length, 1);
      assert.equal((await store.dueTimers(at(50))).length, 1, 'only the committed timer');
      await assert.rejects(store.updateRun('run-404', { stageIndex: 1 }, {}, { step }), /no run run-404/);
    });
  });
}
