import assert from 'node:assert/strict';
import { activity, dealContext } from '../../test-support/deal-fixtures.ts';
import { reasonOfflineNow, type OfflineReasoningInput } from '../../agents/deal-closure/offline-reasoner.ts';
import { renderPdfNow } from '../../agents/contract-generation/contract-pdf.ts';
import { pdfText } from '../../test-support/pdf-text.ts';
import { createWorkerPool, type WorkerPool } from './worker-pool.ts';

describe('the worker pool', () => {
  let pool: WorkerPool;
  before(() => {
    pool = createWorkerPool(1);
  });
  after(async () => pool.close());

  it('reasons about a deal exactly as the event loop would, dates included', async () => {
    const input: OfflineReasoningInput = {
      deal: dealContext({
        activities: [
          activity({
            kind: 'email',
            direction: 'inbound',
            subject: 'Re: order form',
            body: "Our CFO signed off on the budget. We're ready to sign: please send the order form by Friday.",
          }),
          activity({ body: 'Legal still has questions about the liability cap.' }),
        ],
      }),
      transcript: 'Buyer: Let us get started, we will take the enterprise plan.',
      note: null,
      now: new Date('2026-11-25T09:30:00Z'),
      repDiscountAuthorityPercent: 10,
      trigger: 'Rep',
    };
    const inThread = reasonOfflineNow(input);
    assert.ok(inThread.signals.length > 0, 'the fixture has signals to find');
    assert.deepEqual(await pool.reasonOffline(input), inThread);
  });

  it('renders PDFs byte for byte as the event loop would', async () => {
    const text =
      '# ORDER FORM\n## 1. Scope\nThe Customer subscribes to the Platform.\n@sign Customer|Ada|CFO|/sig1/|/date1/';
    const options = {
      title: 'Order',
      createdAt: new Date('2026-11-25T09:30:00Z'),
      reference: 'Agreement X v1',
    };
    const [inPool, here] = await Promise.all([pool.renderPdf(text, options), renderPdfNow(text, options)]);
    assert.ok(Buffer.from(inPool).equals(Buffer.from(here)));
    assert.match(await pdfText(inPool), /The Customer subscribes to the Platform\./);
  });

  it('passes a worker failure back to the caller', async () => {
    await assert.rejects(pool.reasonOffline({ deal: null } as unknown as OfflineReasoningInput), TypeError);
  });
});
