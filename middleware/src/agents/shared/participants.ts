/**
 * Which contact role an activity involves, by the record's own links: the contact it is logged
 * against, or the sender of an email (Salesforce's FromName, else FromAddress) matching a role's
 * name or email. Identity by field equality, not by reading anyone's words.
 */
import type { Activity, ContactRole } from '../../ports/crm.ts';

const same = (a: string | null | undefined, b: string | null | undefined) =>
  Boolean(a && b && a.trim().toLowerCase() === b.trim().toLowerCase());

export function roleOf(roles: ContactRole[], a: Activity): ContactRole | undefined {
  return roles.find(
    (r) =>
      (a.contactId !== null && r.contactId === a.contactId) ||
      (a.kind === 'email' && a.direction !== 'outbound' && (same(r.email, a.from) || same(r.name, a.from))),
  );
}
