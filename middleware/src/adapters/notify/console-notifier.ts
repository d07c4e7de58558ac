/**
 * Local mode's notifier: writes each notification as a structured log line, so the demo shows
 * who would have been told what without any outside service.
 */
import type { Logger } from '../../logger.ts';
import type { DeliveryResult, Notification, Notifier } from '../../ports/notify.ts';
import { keepRecent } from './dedupe.ts';

export function createConsoleNotifier(logger: Logger): Notifier & { sent: Notification[] } {
  const sent: Notification[] = [];
  return {
    sent,
    async notify(notification: Notification): Promise<DeliveryResult[]> {
      keepRecent(sent, notification);
      logger.info(
        {
          notification: {
            kind: notification.kind,
            audience: notification.audience,
            userId: notification.userId,
            recordId: notification.recordId,
            dueAt: notification.dueAt,
          },
        },
        `notify ${notification.audience}: ${notification.subject}`,
      );
      return [{ channel: 'console', delivered: true }];
    },
  };
}
