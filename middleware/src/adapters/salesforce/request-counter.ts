/**
 * The Salesforce requests metric, shared by the CRM and approvals adapters: each HTTP request is
 * reported once, by operation and outcome, with how long it took.
 */
export type RequestListener = (operation: string, outcome: 'ok' | 'error', ms: number) => void;

/** Wraps calls so their outcome and duration reach `onRequest`; errors are reported and rethrown unchanged. */
export function requestCounter(onRequest: RequestListener | undefined) {
  return async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      const result = await call();
      onRequest?.(operation, 'ok', performance.now() - started);
      return result;
    } catch (err) {
      onRequest?.(operation, 'error', performance.now() - started);
      throw err;
    }
  };
}
