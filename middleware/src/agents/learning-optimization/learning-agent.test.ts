/**
 * The Learning agent against the local org: three closures of a deal against the same
 * competitor, each learning from the ones before; the competitive insight of each, one playbook
 * suggestion once the third win supports it, nothing new on a replayed completion, and a decided
 * suggestion that a later closure updates without reopening.
 */
import assert from 'node:assert/strict';
import { startPostSignature, type PostSignatureHarness } from '../../test-support/post-signature.ts';

interface InsightRow {
  Idempotency_Key__c: string;
  Insight__c: string;
  Value__c: number;
  [k: string]: unknown;
}
interface SuggestionRow {
  Id: string;
  Idempotency_Key__c: string;
  Status__c: string;
  Supporting_Deals__c: number;
  Suggestion__c: string;
  Source_Deals__c: string;
  Source_Insights__c: string;
  Deal_Closure__c: string;
  Decided_By__c: string | null;
  [k: string]: unknown;
}

describe('Learning agent: competitive wins and playbook suggestions (local org)', () => {
  let h: PostSignatureHarness;
  const runs: string[] = [];
  before(async () => {
    h = await startPostSignature({ assessment: { competitors: ['PlantPulse'] } });
    for (let i = 0; i < 3; i++) runs.push(await h.close());
  });
  after(async () => h?.dispose());

  const query = async <T extends Record<string, unknown>>(soql: string) =>
    (await h.org.conn.query<T>(soql)).records;
  const competitive = async (runId: string) =>
    query<InsightRow>(
      `SELECT Idempotency_Key__c, Insight__c, Value__c FROM Win_Insight__c WHERE Idempotency_Key__c LIKE '${runId}:insight:competitive:%'`,
    );
  const suggestions = () =>
    query<SuggestionRow>(
      'SELECT Id, Idempotency_Key__c, Status__c, Supporting_Deals__c, Suggestion__c, Source_Deals__c, Source_Insights__c, Deal_Closure__c, Decided_By__c FROM Playbook_Suggestion__c',
    );
  const closureOf = async (runId: string) =>
    (await query<{ Id: string }>(`SELECT Id FROM Deal_Closure__c WHERE Run_Id__c = '${runId}'`))[0]!.Id;

  it('records each win against the competitor, comparing it with the wins before it', async () => {
    const [first] = await competitive(runs[0]!);
    assert.match(
      first!.Insight__c,
      /^First win against PlantPulse on record: closed at a [\d.]+% discount off list/,
    );
    assert.equal(first!.Value__c, 1);
    const [third, ...more] = await competitive(runs[2]!);
    assert.equal(more.length, 0);
    assert.equal(third!.Value__c, 3);
    assert.match(
      third!.Insight__c,
      /^Win 3 against PlantPulse on record\. The 2 earlier wins \(Brennecke Antriebstechnik GmbH and Brennecke Antriebstechnik GmbH\) share: a median discount of [\d.]+%/,
    );
  });

  it('proposes one competitive playbook suggestion once three wins support it', async () => {
    const steps = await Promise.all(runs.map((r) => h.store.steps(r)));
    const proposed = steps.map(
      (s) =>
        (s.find((x) => x.stage === 'learning_optimization')?.output as { suggestions: string[] }).suggestions,
    );
    assert.deepEqual(proposed, [[], [], ['playbook:competitive:plantpulse']], 'not before the third win');
    const rows = await suggestions();
    assert.equal(rows.length, 1);
    const s = rows[0]!;
    assert.equal(s.Idempotency_Key__c, 'playbook:competitive:plantpulse');
    assert.equal(s.Status__c, 'Proposed', 'the picklist default: the agent never writes the status');
    assert.equal(s.Supporting_Deals__c, 3);
    assert.match(
      s.Suggestion__c,
      /^Against PlantPulse, 3 wins on record share a median [\d.]+% discount \(3 of 3 within 5 points of it\)/,
    );
    for (const r of runs) assert.ok(s.Source_Deals__c.includes(`run ${r}`), `${r} in the evidence`);
    assert.equal(s.Source_Insights__c, `${runs[2]}:insight:competitive:plantpulse`);
    assert.equal(s.Deal_Closure__c, await closureOf(runs[2]!));
  });

  it('writes nothing new when the completion is replayed', async () => {
    const snapshot = () => {
      const all = h.snapshot();
      return { insights: all.get('Win_Insight__c'), suggestions: all.get('Playbook_Suggestion__c') };
    };
    const before = snapshot();
    await h.replay(runs[2]!);
    const after = snapshot();
    assert.equal(after.insights?.size, before.insights?.size);
    assert.equal(after.suggestions?.size, 1);
    assert.deepEqual(after, before);
  });

  it('updates a decided suggestion’s evidence on a later win without reopening it', async () => {
    const [s] = await suggestions();
    const [admin] = await query<{ Id: string }>("SELECT Id FROM User WHERE Username LIKE 'alex.morgan@%'");
    await h.org.conn.sobject('Playbook_Suggestion__c').update({
      Id: s!.Id,
      Status__c: 'Accepted',
      Decided_By__c: admin!.Id,
      Decided_At__c: '2026-12-01T09:00:00.000Z',
    });
    runs.push(await h.close());
    const rows = await suggestions();
    assert.equal(rows.length, 1, 'one suggestion per pattern');
    assert.deepEqual(
      [rows[0]!.Status__c, rows[0]!.Decided_By__c, rows[0]!.Supporting_Deals__c],
      ['Accepted', admin!.Id, 4],
    );
    assert.equal(rows[0]!.Deal_Closure__c, await closureOf(runs[3]!));
  });
});
