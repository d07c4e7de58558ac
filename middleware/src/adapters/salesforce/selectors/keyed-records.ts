/**
 * Records this app wrote under its own keys (ContentVersion.DealDesk_Key__c and the custom
 * objects' Idempotency_Key__c). Writes that create records cannot be upserted, so a resumed step
 * asks which keys exist before writing them again.
 */
import type { CrmPort } from '../../../ports/crm.ts';
import { soqlString, soqlStringList } from '@dealdesk/contracts';

type KeyedKind = Parameters<CrmPort['existingKeys']>[0];

/** The object and key field of each kind of write `existingKeys` can be asked about. */
const KEYED: Record<KeyedKind, { object: string; field: string }> = {
  file: { object: 'ContentVersion', field: 'DealDesk_Key__c' },
  contractVersion: { object: 'Contract_Version__c', field: 'Idempotency_Key__c' },
  insight: { object: 'Win_Insight__c', field: 'Idempotency_Key__c' },
};

/** The query for which of `keys` exist, and the field each row's key is in. */
export function existingKeysSoql(kind: KeyedKind, keys: readonly string[]): { soql: string; field: string } {
  const { object, field } = KEYED[kind];
  return { soql: `SELECT ${field} FROM ${object} WHERE ${field} IN ${soqlStringList(keys)}`, field };
}

/** The newest file attached under `key`. */
export function fileByKeySoql(key: string): string {
  return `SELECT Id FROM ContentVersion WHERE DealDesk_Key__c = ${soqlString(key)} ORDER BY CreatedDate DESC LIMIT 1`;
}

/** Where a file's bytes are read from. */
export function versionDataUrl(base: string, contentVersionId: string): string {
  return `${base}/sobjects/ContentVersion/${contentVersionId}/VersionData`;
}
