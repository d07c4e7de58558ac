import { strict as assert } from 'node:assert';
import type { ApprovalHistoryEntry, ApprovalsPort } from '../../ports/approvals.ts';
import type { CrmUser } from '../../ports/crm.ts';
import { withHistorySnapshot } from './history-snapshot.ts';

const entry = (n: number): ApprovalHistoryEntry => ({
  approvalId: `a0X00000000000${String(n).padStart(4, '0')}`,
  role: 'Finance',
  approverId: null,
  status: 'Approved',
  submittedAt: '2026-11-01T00:00:00.000Z',
  decidedAt: '2026-11-01T05:00:00.000Z',
  reason: null,
  comments: null,
  opportunityId: null,
  opportunityName: null,
  amountMinor: null,
  currency: null,
});
const user = (username: string): CrmUser => ({
  id: '005000000000001AAA',
  username,
  name: username,
  email: username,
  isActive: true,
  delegatedApproverId: null,
  managerId: null,
});

/** A port that records what it was asked and answers with a history that grows on every read. */
function recordingPort(options: { failFirstRead?: boolean; delayMs?: number } = {}) {
  const calls: string[] = [];
  let reads = 0;
  const readHistory = async (limit: number) => {
    reads++;
    await new Promise((r) => setTimeout(r, options.delayMs ?? 0));
    if (options.failFirstRead && reads === 1) throw new Error('503 Service Unavailable');
    return Array.from({ length: Math.min(limit, reads) }, (_, i) => entry(i));
  };
  const port: ApprovalsPort = {
    history: async ({ limit }) => {
      calls.push(`history:${limit}`);
      return readHistory(limit);
    },
    planningData: async (usernames, historyLimit) => {
      calls.push(`planning:${usernames.join(',')}:${historyLimit}`);
      return {
        users: usernames.map(user),
        history: historyLimit > 0 ? await readHistory(historyLimit) : [],
      };
    },
    reassign: async (approvalId) => ({ approvalId, ok: true }),
    recall: async (ids) => ids.map((approvalId) => ({ approvalId, ok: true })),
    records: async () => [],
  };
  return { port, calls };
}

describe('approval history snapshot', () => {
  it('reads the history once while it is fresh, and still reads each closure its users', async () => {
    const { port, calls } = recordingPort();
    let t = 0;
    const cached = withHistorySnapshot(port, { maxAgeMs: 60_000, now: () => t });
    const first = await cached.planningData(['a@x.example'], 500);
    t = 59_000;
    const second = await cached.planningData(['b@x.example'], 500);
    assert.deepEqual(calls, ['planning:a@x.example:500', 'planning:b@x.example:0']);
    assert.deepEqual(second.history, first.history);
    assert.deepEqual(
      second.users.map((u) => u.username),
      ['b@x.example'],
    );
    assert.deepEqual(await cached.history({ limit: 500 }), first.history);
    assert.equal(calls.length, 2, 'history() is served from the snapshot too');
  });

  it('reads again once the snapshot is older than the limit, and when more rows are asked for', async () => {
    const { port, calls } = recordingPort();
    let t = 0;
    const cached = withHistorySnapshot(port, { maxAgeMs: 60_000, now: () => t });
    await cached.planningData(['a@x.example'], 500);
    t = 60_000;
    const later = await cached.planningData(['a@x.example'], 500);
    assert.equal(later.history.length, 2, 'the second read saw the newer history');
    await cached.history({ limit: 1000 });
    assert.deepEqual(calls, ['planning:a@x.example:500', 'planning:a@x.example:500', 'history:1000']);
    assert.equal(
      (await cached.history({ limit: 1 })).length,
      1,
      'a smaller limit is a slice of the snapshot',
    );
  });

  it('lets closures that arrive during a read wait for it instead of reading again', async () => {
    const { port, calls } = recordingPort({ delayMs: 20 });
    const cached = withHistorySnapshot(port, { maxAgeMs: 60_000 });
    const results = await Promise.all(
      ['a', 'b', 'c'].map((n) => cached.planningData([`${n}@x.example`], 500)),
    );
    assert.deepEqual(calls, ['planning:a@x.example:500', 'planning:b@x.example:0', 'planning:c@x.example:0']);
    for (const r of results) assert.deepEqual(r.history, results[0]!.history);
  });

  it('does not keep a failed read: the waiting closure reads for itself', async () => {
    const { port, calls } = recordingPort({ failFirstRead: true, delayMs: 10 });
    const cached = withHistorySnapshot(port, { maxAgeMs: 60_000 });
    const [failed, waited] = await Promise.allSettled([
      cached.planningData(['a@x.example'], 500),
      cached.planningData(['b@x.example'], 500),
    ]);
    assert.equal(failed.status, 'rejected');
    assert.equal(waited.status, 'fulfilled');
    assert.deepEqual(calls, ['planning:a@x.example:500', 'planning:b@x.example:500']);
  });

  it('passes every call through when the maximum age is 0', async () => {
    const { port, calls } = recordingPort();
    const cached = withHistorySnapshot(port, { maxAgeMs: 0 });
    await cached.planningData(['a@x.example'], 500);
    await cached.planningData(['a@x.example'], 500);
    assert.deepEqual(calls, ['planning:a@x.example:500', 'planning:a@x.example:500']);
  });

  it('does not call the org for users when there are none to read', async () => {
    const { port, calls } = recordingPort();
    const cached = withHistorySnapshot(port, { maxAgeMs: 60_000 });
    await cached.history({ limit: 500 });
    assert.deepEqual(await cached.planningData([], 500), { users: [], history: [entry(0)] });
    assert.deepEqual(calls, ['history:500']);
  });
});
