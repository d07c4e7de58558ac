import assert from 'node:assert/strict';
import type { ClosureRef, CrmWrite, StepRecord } from '../../ports/crm.ts';
import { WRITE_MAPPERS } from './write-mappers.ts';
import { planStepCommit } from './step-commit.ts';

const base = '/services/data/v65.0';
const closure: ClosureRef = {
  runId: 'run-1',
  opportunityId: '006000000000001AAA',
  dealClosureId: null,
  trigger: 'Rep',
  note: null,
  transcript: null,
};
const step: StepRecord = {
  stepKey: 'run-1:contract:1',
  agent: 'Contract_Generation',
  status: 'Succeeded',
  reasoning: 'three variants',
  confidence: 0.875,
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:00:01.000Z',
  durationMs: 1000,
  error: null,
  facts: { variants: 3 },
};

describe('Salesforce write mappers', () => {
  it('has a mapper for every kind of write, checked by the compiler', () => {
    const { feedPost: _feedPost, ...withoutFeedPost } = WRITE_MAPPERS;
    // @ts-expect-error a table missing a kind's mapper does not compile
    const incomplete: typeof WRITE_MAPPERS = withoutFeedPost;
    assert.equal(Object.keys(incomplete).length, Object.keys(WRITE_MAPPERS).length - 1);
  });

  it('commits a step in one call: closure, step, writes in order, event; ids by write key', () => {
    const writes: CrmWrite[] = [
      {
        kind: 'file',
        key: 'f1',
        title: 'MSA',
        fileName: 'msa.pdf',
        data: new Uint8Array([1]),
        linkedTo: closure.opportunityId,
      },
      {
        kind: 'contractVersion',
        key: 'v1',
        version: 1,
        variant: 'Full',
        template: 'msa',
        clauses: 'LIABILITY',
        riskLevel: 'Low',
        legalReviewRequired: false,
        contentHash: 'abc',
        fileKey: 'f1',
      },
      { kind: 'tasks', tasks: [] },
    ];
    const commit = planStepCommit(base, {
      closure,
      patch: { status: 'Running' },
      step,
      writes,
      message: 'contract ready',
    });
    assert.deepEqual(
      commit.subrequests.map((s) => `${s.method} ${s.referenceId}`),
      ['PATCH closure', 'PATCH step', 'POST w0', 'PATCH w1', 'POST event'],
    );
    const version = commit.subrequests[3]!.body as Record<string, unknown>;
    // The version points at the file created earlier in the same call, and at the closure upsert.
    assert.equal(version.Content_Version_Id__c, '@{w0.id}');
    assert.equal(version.Deal_Closure__c, '@{closure.id}');
    assert.equal((commit.subrequests[1]!.body as Record<string, unknown>).Confidence__c, 87.5);
    const result = commit.result(
      new Map([
        ['closure', { status: 201, body: { id: 'a00000000000001AAA' } }],
        ['w0', { status: 201, body: { id: '068000000000001AAA' } }],
        ['w1', { status: 201, body: { id: 'a01000000000001AAA' } }],
      ]),
    );
    assert.deepEqual(result, {
      dealClosureId: 'a00000000000001AAA',
      ids: { f1: '068000000000001AAA', v1: 'a01000000000001AAA' },
    });
  });
});
