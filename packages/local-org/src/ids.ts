/**
 * Minting ids in the local org. The id format and checksum live in @dealdesk/contracts,
 * shared with the middleware, which normalises the ids Salesforce sends it.
 */
import { idChecksum } from '@dealdesk/contracts';

export { idChecksum, isSalesforceId, to18 } from '@dealdesk/contracts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The key prefix (first three characters) of an id. */
export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}

/**
 * Mints ids for one object: prefix + pod "Dd" + "0" + a 9-character base-62 counter.
 * The counter is supplied by the store so ids stay unique across restarts.
 */
export function mintId(keyPrefix: string, sequence: number): string {
  if (keyPrefix.length !== 3) throw new Error(`key prefix must have 3 characters: ${keyPrefix}`);
  let body = '';
  let n = sequence;
  for (let i = 0; i < 9; i++) {
    body = BASE62.charAt(n % 62) + body;
    n = Math.floor(n / 62);
  }
  const id15 = `${keyPrefix}Dd0${body}`;
  return id15 + idChecksum(id15);
}
