/**
 * Salesforce mode: a real org, reached with the OAuth 2.0 JWT bearer flow as the integration
 * user. The mode hosts nothing, so it brings no stand-ins and has nothing to close.
 */
import { createJwtConnection } from '../adapters/salesforce/jwt-bearer.ts';
import { createSalesforceNotifier } from '../adapters/notify/salesforce-notifier.ts';
import { orgReachable, type Mode, type ModeDeps } from './mode.ts';

export function openSalesforceMode({ config, runtime }: ModeDeps): Mode {
  const { logger } = runtime;
  return {
    standIns: [],
    mounts: [],
    readiness: [],
    async connect() {
      // The org's clock is the wall clock: a test clock stays out of a real org's token expiry.
      const conn = await createJwtConnection({
        ...config.salesforce,
        clientId: config.salesforce.clientId!,
        username: config.salesforce.username!,
      });
      logger.info(
        { instanceUrl: conn.instanceUrl, username: config.salesforce.username },
        'logged in to Salesforce with the JWT bearer flow',
      );
      return {
        conn,
        // Once a minute at most: every probe of a real org spends its daily API limit.
        readiness: orgReachable(conn, config.salesforce.apiVersion, 60_000),
        notifier: {
          name: 'salesforce',
          notifier: createSalesforceNotifier({ conn, apiVersion: config.salesforce.apiVersion, logger }),
        },
      };
    },
    started: () => ({}),
    dispose: () => undefined,
  };
}
