/**
 * The Salesforce requests metric, shared by the CRM and approvals adapters: each HTTP request is
 * reported once, by operation and outcome.
 */
export type RequestListener = (operation: string, outcome: 'ok' | 'error') => void;

/** Wraps calls so their outcome reaches `onRequest`; errors are reported and rethrown unchanged. */
export function requestCounter(onRequest: RequestListener | undefined) {
  return async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    try {
      const result = await call();
      onRequest?.(operation, 'ok');
      return result;
    } catch (err) {
      onRequest?.(operation, 'error');
      throw err;
    }
  };
}
