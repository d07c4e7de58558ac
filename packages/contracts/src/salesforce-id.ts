/**
 * Salesforce record ids: a 3-character key prefix naming the object, a 12-character body and
 * a 3-character checksum that makes the 18-character form case-insensitive. The checksum
 * follows the documented algorithm, so ids round-trip through any tool that validates or
 * converts them.
 */

const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/**
 * The shape of every id, whatever its object: 15 letters and digits, or 18. The schemas that
 * validate ids at the edges (ports, API bodies) take this pattern as it is, so their JSON
 * Schema keeps it.
 */
export const SALESFORCE_ID_PATTERN = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

/** The 3-character suffix computed from a 15-character id. */
export function idChecksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += CHECKSUM_ALPHABET.charAt(bits);
  }
  return suffix;
}

/** The 18-character form of a 15- or 18-character id, or undefined when it is not an id at all. */
export function to18(id: string): string | undefined {
  if (!SALESFORCE_ID_PATTERN.test(id)) return undefined;
  if (id.length === 15) return id + idChecksum(id);
  // An 18-character id may arrive in any letter case; the checksum recovers the real case.
  const restored = restoreCase(id.slice(0, 15), id.slice(15));
  return restored === undefined ? undefined : restored + idChecksum(restored);
}

function restoreCase(id15: string, checksum: string): string | undefined {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = CHECKSUM_ALPHABET.indexOf(checksum.charAt(chunk).toUpperCase());
    if (bits < 0) return undefined;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      out += bits & (1 << i) ? c.toUpperCase() : c.toLowerCase();
    }
  }
  return out;
}

/** An id whose checksum, when it has one, matches: what the local org accepts as a real id. */
export function isSalesforceId(value: string): boolean {
  return to18(value) !== undefined;
}

/**
 * Whether `value` has an id's shape and, given one, the object's key prefix (`006` for an
 * Opportunity). The checksum is not checked: an input need only be well formed, and whether
 * such a record exists is the org's to answer.
 */
export function looksLikeSalesforceId(value: string, keyPrefix?: string): boolean {
  return SALESFORCE_ID_PATTERN.test(value) && (keyPrefix === undefined || value.startsWith(keyPrefix));
}
