/**
 * Sends each notification through every configured notifier (console, Salesforce, Slack) and
 * reports every channel's result; one channel failing never stops the others.
 */
import type { DeliveryResult, Notification, Notifier } from '../../ports/notify.ts';
import { keepRecent } from './dedupe.ts';

export function createFanOutNotifier(
  notifiers: { name: string; notifier: Notifier }[],
): Notifier & { sent: Notification[] } {
  const sent: Notification[] = [];
  return {
    sent,
    async notify(notification: Notification): Promise<DeliveryResult[]> {
      keepRecent(sent, notification);
      const results = await Promise.allSettled(notifiers.map((n) => n.notifier.notify(notification)));
      return results.flatMap((r, i) =>
        r.status === 'fulfilled'
          ? r.value
          : [
              {
                channel: notifiers[i]!.name,
                delivered: false,
                detail: String((r.reason as Error)?.message ?? r.reason).slice(0, 300),
              },
            ],
      );
    },
  };
}
