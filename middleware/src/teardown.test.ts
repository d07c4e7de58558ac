import assert from 'node:assert/strict';
import { once, Teardown } from './teardown.ts';

describe('Teardown', () => {
  it('runs the steps last pushed first, awaiting each before the next', async () => {
    const teardown = new Teardown();
    const ran: string[] = [];
    teardown.push('org', () => void ran.push('org'));
    teardown.push('http', async () => {
      await new Promise((r) => setTimeout(r, 5));
      ran.push('http');
    });
    teardown.push('system', () => void ran.push('system'));
    await teardown.run();
    assert.deepEqual(ran, ['system', 'http', 'org']);
  });

  it('runs once: a second call waits for the same run and closes nothing twice', async () => {
    const teardown = new Teardown();
    let closed = 0;
    teardown.push('store', async () => {
      await new Promise((r) => setTimeout(r, 5));
      closed++;
    });
    assert.equal(teardown.begun, false);
    const first = teardown.run();
    assert.equal(teardown.begun, true);
    await Promise.all([first, teardown.run()]);
    await teardown.run();
    assert.equal(closed, 1);
    assert.throws(
      () => teardown.push('late', () => undefined),
      /cannot add 'late': the teardown has already run/,
    );
  });

  it('keeps closing after a step fails, then rejects naming the first failure', async () => {
    const teardown = new Teardown();
    const ran: string[] = [];
    teardown.push('org', () => void ran.push('org'));
    teardown.push('postgres', () => {
      throw new Error('pool already ended');
    });
    teardown.push('system', () => Promise.reject(new Error('orchestrator stuck')));
    await assert.rejects(teardown.run(), (err: Error) => {
      assert.equal(err.message, "teardown step 'system' failed (and 1 more)");
      assert.equal((err.cause as Error).message, 'orchestrator stuck');
      return true;
    });
    assert.deepEqual(ran, ['org']);
  });

  it('once: a disposer pushed at two depths does its work at the first', async () => {
    const teardown = new Teardown();
    const ran: string[] = [];
    const http = once(() => void ran.push('http'));
    teardown.push('http', http);
    teardown.push('system', () => void ran.push('system'));
    teardown.push('http', http);
    await teardown.run();
    assert.deepEqual(ran, ['http', 'system']);
  });
});
