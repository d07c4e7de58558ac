/**
 * Notifications inside Salesforce: a Chatter post on the record that @mentions the person (Connect
 * REST API `POST /chatter/feed-elements` with a Mention segment, so they get Salesforce's own
 * notification, mobile push and email digest), or, for people without a user (a customer signer),
 * an email through the Simple Email action (`POST /actions/standard/emailSimple`). Team-channel
 * notices are not for Salesforce and are left to the Slack notifier.
 */
import type { Connection } from '@jsforce/jsforce-node';
import type { Logger } from '../../logger.ts';
import type { DeliveryResult, Notification, Notifier } from '../../ports/notify.ts';
import { NotificationSchema } from '../../ports/notify.ts';
import { createDedupe } from './dedupe.ts';

export interface SalesforceNotifierDeps {
  conn: Connection;
  apiVersion: string;
  logger: Logger;
}

/** Connect REST text segments hold at most 10,000 characters per post body. */
const MAX_TEXT = 9_000;

function describe(err: unknown): string {
  const e = err as { errorCode?: string; message?: string };
  return `${e.errorCode ?? 'ERROR'}: ${e.message ?? String(err)}`.slice(0, 300);
}

export function createSalesforceNotifier(deps: SalesforceNotifierDeps): Notifier {
  const base = `/services/data/v${deps.apiVersion}`;
  const delivered = createDedupe();
  return {
    async notify(input: Notification): Promise<DeliveryResult[]> {
      const n = NotificationSchema.parse(input);
      if (delivered.seen(n.key))
        return [{ channel: 'salesforce', delivered: true, detail: 'already delivered' }];
      const text = `${n.subject}\n${n.body}${n.dueAt ? `\nDue: ${n.dueAt.slice(0, 16).replace('T', ' ')} UTC` : ''}`;
      try {
        if (n.userId) {
          await deps.conn.requestPost(`${base}/chatter/feed-elements`, {
            body: {
              messageSegments: [
                { type: 'Mention', id: n.userId },
                // Connect adds no space after a mention.
                { type: 'Text', text: ` ${text}`.slice(0, MAX_TEXT) },
              ],
            },
            feedElementType: 'FeedItem',
            subjectId: n.recordId,
          });
          delivered.remember(n.key);
          return [{ channel: 'salesforce-chatter', delivered: true }];
        }
        if (n.email) {
          await deps.conn.requestPost(`${base}/actions/standard/emailSimple`, {
            inputs: [{ emailAddresses: n.email, emailSubject: n.subject, emailBody: text }],
          });
          delivered.remember(n.key);
          return [{ channel: 'salesforce-email', delivered: true }];
        }
        return [{ channel: 'salesforce', delivered: false, detail: 'no Salesforce user or email to notify' }];
      } catch (err) {
        // Best effort: the approval request itself is in the approver's Salesforce inbox already.
        deps.logger.warn(
          { kind: n.kind, recordId: n.recordId, err: describe(err) },
          'salesforce notification failed',
        );
        return [
          {
            channel: n.userId ? 'salesforce-chatter' : 'salesforce-email',
            delivered: false,
            detail: describe(err),
          },
        ];
      }
    },
  };
}
