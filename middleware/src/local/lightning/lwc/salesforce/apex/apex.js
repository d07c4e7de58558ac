/**
 * `@salesforce/apex` in Lightning Local: refreshApex and getSObjectValue.
 */
// By path, as the generated `@salesforce/apex/Class.method` modules import it: one module, one registry of wired values.
import { refreshWired } from '../../ll/apexMethod/apexMethod.js';

export function refreshApex(wiredValue) {
  return refreshWired(wiredValue);
}

export function getSObjectValue(record, field) {
  const name = typeof field === 'string' ? field : field && field.fieldApiName;
  return name
    .split('.')
    .reduce((value, part) => (value === null || value === undefined ? undefined : value[part]), record);
}
