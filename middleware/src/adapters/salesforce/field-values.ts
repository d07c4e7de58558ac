/**
 * How domain values fit Salesforce fields. The org rejects a text value longer than its field,
 * which would fail a whole all-or-none write over one long note, so long text is cut with a
 * visible marker instead; ratios are stored in percent fields.
 */

/** Long text area (Signals__c, Transcript__c, Facts__c, …). */
export const LONG_TEXT = 131_072;
/** Medium long text area (Error__c, Note__c, Reason__c). */
export const MEDIUM_TEXT = 32_768;

export function truncate(text: string | null | undefined, max: number): string | null {
  if (text === null || text === undefined) return null;
  return text.length <= max ? text : `${text.slice(0, max - 20)}… [truncated]`;
}

/** A 0–1 ratio as a percent field holds it, to two decimals. */
export function toPercent(ratio: number): number {
  return Math.round(ratio * 10_000) / 100;
}
