/**
 * Composite subrequests refer to earlier ones' results with `@{referenceId.path}`; this resolves
 * those references as the REST API's composite resource does.
 */
import { SalesforceApiError } from './errors.ts';

/** Resolves `@{referenceId.path}` against earlier subrequests' results (e.g. `@{newAccount.id}`, `@{q.records[0].Id}`). */
export function substituteReferences(value: unknown, results: Map<string, unknown>, inUrl: boolean): unknown {
  if (typeof value === 'string') {
    const whole = /^@\{([^}]+)\}$/.exec(value);
    if (whole && !inUrl) return lookupReference(whole[1]!, results);
    return value.replace(/@\{([^}]+)\}/g, (_m, expr: string) => {
      const v = lookupReference(expr, results);
      return inUrl ? encodeURIComponent(String(v)) : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => substituteReferences(v, results, inUrl));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteReferences(v, results, inUrl)]),
    );
  }
  return value;
}

function lookupReference(expr: string, results: Map<string, unknown>): unknown {
  const parts = expr.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '');
  const [refId, ...path] = parts;
  if (!refId || !results.has(refId)) {
    throw new SalesforceApiError(
      'INVALID_REFERENCE',
      `Invalid reference specified. No value for ${expr} found in a previous successful subrequest.`,
    );
  }
  let cur: unknown = results.get(refId);
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') {
      throw new SalesforceApiError(
        'INVALID_REFERENCE',
        `Invalid reference specified. No value for ${expr} found.`,
      );
    }
    cur = (cur as Record<string, unknown>)[p];
  }
  if (cur === undefined)
    throw new SalesforceApiError(
      'INVALID_REFERENCE',
      `Invalid reference specified. No value for ${expr} found.`,
    );
  return cur;
}
