/**
 * SOQL string literals. Every value the middleware puts into a query goes through here, so a
 * name with a quote or a backslash can neither break the query nor change what it selects.
 */

/** A quoted SOQL string. Backslashes are escaped first, so the one added before a quote stays single. */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The parenthesised list an `IN` takes. */
export function soqlStringList(values: readonly string[]): string {
  return `(${values.map(soqlString).join(', ')})`;
}
