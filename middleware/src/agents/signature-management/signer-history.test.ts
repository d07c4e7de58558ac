/**
 * The signing history the predictions come from: one process-wide snapshot refreshed after its
 * maximum age, one prediction per run kept in the memo, and, against the seeded local org through
 * the Salesforce adapter, the demo's past envelopes read back and the prediction written with the
 * recipient.
 */
import assert from 'node:assert/strict';
import type { CrmPort, SignatureHistoryEnvelope, StepRecord } from '../../ports/crm.ts';
import { createLogger } from '../../logger.ts';
import { createSalesforceCrm } from '../../adapters/salesforce/salesforce-crm.ts';
import { demoCompany, demoScenario } from '@dealdesk/local-org';
import { startLocalOrg, type LocalOrgHarness } from '@dealdesk/local-org/testing';
import { envelopeWrite } from './signature-outcome.ts';
import { cachedSignatureHistory, runPredictions, type SignatureHistorySource } from './signer-history.ts';
import { describePrediction, pastSigners, predictSigner } from './signer-prediction.ts';

const logger = createLogger({ level: 'silent' });
const ONE: SignatureHistoryEnvelope[] = [
  {
    envelopeId: 'e1',
    status: 'Completed',
    sentAt: '2026-01-01T09:00:00Z',
    completedAt: null,
    recipients: [],
  },
];

function countingCrm(answer: () => Promise<SignatureHistoryEnvelope[]>) {
  const calls: number[] = [];
  const crm: Pick<CrmPort, 'signatureHistory'> = {
    signatureHistory: ({ limit }) => {
      calls.push(limit);
      return answer();
    },
  };
  return { crm, calls };
}

/** A stage context's memo, kept in a map like the run store's. */
function memoContext(now = new Date('2026-03-10T12:00:00Z')) {
  const memo = new Map<string, unknown>();
  return {
    memo: async <T>(key: string, compute: () => Promise<T>): Promise<T> => {
      if (!memo.has(key)) memo.set(key, await compute());
      return memo.get(key) as T;
    },
    now: () => now,
    logger,
    stored: memo,
  };
}

describe('signing history', () => {
  it('is read once per process until it is older than its maximum age; concurrent reads share one', async () => {
    let clock = 0;
    const { crm, calls } = countingCrm(async () => ONE);
    const source = cachedSignatureHistory(crm, { maxAgeMs: 600_000, now: () => clock })!;
    const [a, b] = await Promise.all([source.read(), source.read()]);
    assert.equal(a, b);
    assert.deepEqual(calls, [200]);
    clock = 599_999;
    await source.read();
    assert.equal(calls.length, 1, 'still fresh');
    clock = 600_000;
    await source.read();
    assert.equal(calls.length, 2, 'read again once stale');
  });

  it('does not keep a failed read: the next closure asks again', async () => {
    let fail = true;
    const { crm, calls } = countingCrm(async () => {
      if (fail) throw new Error('REQUEST_LIMIT_EXCEEDED');
      return ONE;
    });
    const source = cachedSignatureHistory(crm, { now: () => 0 })!;
    await assert.rejects(source.read(), /REQUEST_LIMIT_EXCEEDED/);
    fail = false;
    assert.deepEqual(await source.read(), ONE);
    assert.equal(calls.length, 2);
  });

  it('predicts once per run; without history or after a failed read the signers get none', async () => {
    const signers = [{ recipientKey: 'c1', role: 'Customer signer (CFO)' }];
    let reads = 0;
    const source: SignatureHistorySource = {
      read: async () => {
        reads++;
        return ONE;
      },
    };
    const ctx = memoContext();
    const first = await runPredictions(ctx, 'predictions', source, signers, new Set());
    const again = await runPredictions(ctx, 'predictions', source, signers, new Set());
    assert.deepEqual(again, first);
    assert.equal(reads, 1, 'a resumed run reads nothing');
    assert.equal(first.c1!.level, 'none');

    assert.equal(cachedSignatureHistory({}), undefined, 'a CRM that cannot read history');
    assert.deepEqual(await runPredictions(memoContext(), 'predictions', undefined, signers, new Set()), {});
    const failing: SignatureHistorySource = { read: () => Promise.reject(new Error('down')) };
    const ctx2 = memoContext();
    assert.deepEqual(await runPredictions(ctx2, 'predictions', failing, signers, new Set()), {});
    assert.equal(ctx2.stored.size, 0, 'nothing kept: a later run tries again');
  });

  describe('in the seeded local org', () => {
    let h: LocalOrgHarness;
    let crm: CrmPort;
    before(async () => {
      h = await startLocalOrg();
      h.org.seed(demoCompany);
      crm = createSalesforceCrm({ conn: h.conn, apiVersion: '65.0' });
    });
    after(async () => h.close());

    it("reads the demo's past envelopes, newest first, each with its recipients", async () => {
      const history = await crm.signatureHistory!({ limit: 200 });
      assert.equal(history.length, 8);
      const sent = history.map((e) => Date.parse(e.sentAt!));
      assert.deepEqual(
        sent,
        [...sent].sort((a, b) => b - a),
      );
      assert.deepEqual(history.map((e) => e.status).sort(), [
        'Completed',
        'Completed',
        'Completed',
        'Completed',
        'Completed',
        'Declined',
        'Declined',
        'Voided',
      ]);
      const pinecrest = history.find((e) => e.envelopeId.endsWith('0a07'))!;
      assert.deepEqual(
        pinecrest.recipients
          .map((r) => [r.role, r.routingOrder, r.status])
          .sort((a, b) => Number(a[1]) - Number(b[1])),
        [
          ['Customer signer (Chief Compliance & Privacy Officer)', 1, 'Signed'],
          ['Customer signer (VP Facilities & Environmental Services)', 2, 'Signed'],
          ['Provider countersignature', 3, 'Signed'],
        ],
      );
      assert.equal((await crm.signatureHistory!({ limit: 3 })).length, 3);
    });

    it("predicts the demo's signers from it and writes the prediction with the recipient", async () => {
      const past = pastSigners(await crm.signatureHistory!({ limit: 200 }), new Date());
      // Ten customer signers reached (eight signed, two declined; the voided envelope's is left
      // out) and five countersignatures, all signed.
      const vogel = predictSigner(past, {
        role: 'Customer signer (Chief Operating Officer (Member of the Executive Board))',
      });
      assert.deepEqual([vogel.level, vogel.samples, vogel.signed], ['role', 10, 8]);
      assert.deepEqual(vogel.skipped, ['COO signers: n=0']);
      assert.equal(vogel.probability, 0.8);
      assert.equal(vogel.medianHours, 21);
      assert.equal(vogel.p80Hours, 30);
      const seller = predictSigner(past, { role: 'Provider countersignature' });
      assert.deepEqual([seller.level, seller.samples, seller.medianHours], ['role', 5, 4]);

      const { opportunityName } = demoScenario('verbal-yes');
      const [opportunity] = h.org.query(
        `SELECT Id FROM Opportunity WHERE Name = '${opportunityName}'`,
      ).records;
      const step: StepRecord = {
        stepKey: 'run-p:signature_management:1',
        agent: 'Signature_Management',
        status: 'Waiting',
        reasoning: 'sent',
        confidence: null,
        startedAt: '2026-03-02T09:00:00.000Z',
        finishedAt: null,
        durationMs: null,
        error: null,
        facts: {},
      };
      const write = envelopeWrite(
        'run-p',
        {
          envelopeId: 'env-p',
          provider: 'Local',
          status: 'sent',
          sentAt: '2026-03-02T09:00:00Z',
          recipients: [
            {
              recipientKey: 'c1',
              name: 'Katrin Vogel',
              email: 'katrin.vogel@brennecke-antriebe.example',
              role: 'Customer signer (COO)',
              routingOrder: 1,
              status: 'sent',
            },
          ],
        },
        { c1: vogel },
      );
      await crm.commitStep(
        {
          runId: 'run-p',
          opportunityId: String(opportunity!.Id),
          dealClosureId: null,
          trigger: 'Rep',
          note: null,
          transcript: null,
        },
        { status: 'Waiting_Signature' },
        step,
        [write],
        'Waiting for Katrin Vogel to sign',
      );
      const [row] = h.org.query(
        "SELECT Sign_Probability__c, Expected_Sign_Hours__c, Sign_Hours_P80__c, Completion_Prediction__c FROM Envelope_Recipient__c WHERE Idempotency_Key__c = 'run-p:envelope:env-p:c1'",
      ).records;
      assert.deepEqual(
        [row!.Sign_Probability__c, row!.Expected_Sign_Hours__c, row!.Sign_Hours_P80__c],
        [80, 21, 30],
      );
      assert.equal(row!.Completion_Prediction__c, describePrediction(vogel));
      assert.match(
        String(row!.Completion_Prediction__c),
        /^80% within 3 days .* from 10 past customer signers/,
      );
    });
  });
});
