import assert from 'node:assert/strict';
import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';
import { classifyFailure, isTransientFailure } from './failures.ts';

describe('failure classification (orchestrator and Salesforce resilience alike)', () => {
  it('calls outages, throttling, locks, lost answers and an open circuit transient', () => {
    const transient: [unknown, string][] = [
      [{ errorCode: 'UNABLE_TO_LOCK_ROW' }, 'locked'],
      [{ errorCode: 'REQUEST_LIMIT_EXCEEDED' }, 'throttled'],
      [{ status: 429 }, 'throttled'],
      [{ status: 503 }, 'unavailable'],
      [{ code: 'ECONNRESET' }, 'network'],
      [{ cause: { code: 'ENOTFOUND' } }, 'network'],
      [{ name: 'AbortError' }, 'timeout'],
      [new TaskCancelledError(), 'timeout'],
      [new BrokenCircuitError(), 'circuit-open'],
      [{ errorCode: 'CIRCUIT_OPEN' }, 'circuit-open'],
      [{ errorCode: 'INVALID_SESSION_ID' }, 'session'],
    ];
    for (const [err, kind] of transient) {
      assert.equal(classifyFailure(err), kind, JSON.stringify(err));
      assert.equal(isTransientFailure(err), true, `${kind} is worth another attempt`);
    }
  });

  it('calls bad data and caller errors permanent, so the run waits for the rep', () => {
    for (const err of [
      { errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
      { status: 400 },
      new Error('billing country missing'),
      undefined,
    ])
      assert.equal(isTransientFailure(err), false, String(err));
  });
});
