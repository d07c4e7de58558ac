/** User: approvers and their delegates, looked up by username. */
import type { CrmUser } from '../../../ports/crm.ts';
import { soqlStringList } from '@dealdesk/contracts';
import type { UserRow } from '../salesforce-records.ts';

export function usersByUsernameSoql(usernames: readonly string[]): string {
  return `SELECT Id, Username, Name, Email, IsActive, DelegatedApproverId, ManagerId FROM User WHERE Username IN ${soqlStringList(usernames)}`;
}

export function toCrmUser(u: UserRow): CrmUser {
  return {
    id: u.Id,
    username: u.Username,
    name: u.Name,
    email: u.Email,
    isActive: u.IsActive,
    delegatedApproverId: u.DelegatedApproverId,
    managerId: u.ManagerId,
  };
}
