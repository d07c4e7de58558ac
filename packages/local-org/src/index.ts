/**
 * @dealdesk/local-org: an embedded Salesforce org for local mode and tests. It serves the REST,
 * composite, query and OAuth endpoints jsforce calls, over the objects declared in force-app.
 */
export {
  LOCAL_ORG_API_VERSION,
  OLDEST_API_VERSION,
  LocalOrg,
  OAuthError,
  type LocalOrgOptions,
  type PlatformEventMessage,
  type CommitEvent,
  type RequestStats,
} from './local-org.ts';
export { SalesforceApiError, sfError, type SalesforceErrorItem } from './errors.ts';
export {
  ORG_FAULT_KINDS,
  createFaultDice,
  createOrgFaultInjector,
  type OrgFaultKind,
  type OrgFaultOptions,
} from './faults.ts';
export { createLocalOrgRouter, type LocalOrgRouterOptions } from './rest-router.ts';
export { demoCompany, demoScenario } from './seed/demo-company.ts';
export { ref, daysFromToday, at, type SeedRecord, type SeedValue } from './seed/seed-types.ts';
export { formatDate, formatDateTime, parseDate, parseDateTime } from './values.ts';
export type { JsonRecord, QueryOutput, RecordReader } from './soql/engine.ts';
export { REPO_FORCE_APP_DIR } from './paths.ts';
