/**
 * An optional Slack incoming webhook (`SLACK_WEBHOOK_URL`) for the deal desk's channel: every
 * notice as one message. The webhook URL is the credential, so it never appears in logs or results.
 * Slack answers 200 "ok", or an error string such as `invalid_payload` or `no_service`.
 */
import type { Logger } from '../../logger.ts';
import type { DeliveryResult, Notification, Notifier } from '../../ports/notify.ts';
import { NotificationSchema } from '../../ports/notify.ts';
import { createDedupe } from './dedupe.ts';

export interface SlackNotifierDeps {
  webhookUrl: string;
  logger: Logger;
  /** Where a notice's record opens (the org's URL); plain ids when unset. */
  recordUrl?: (recordId: string) => string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Slack's mrkdwn control characters. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const ICON: Record<Notification['kind'], string> = {
  approval_request: ':inbox_tray:',
  reminder: ':alarm_clock:',
  escalation: ':rotating_light:',
  rejection: ':x:',
  signature: ':writing_hand:',
  celebration: ':tada:',
  info: ':information_source:',
};

export function slackPayload(n: Notification, recordUrl?: (id: string) => string) {
  const link = recordUrl ? `<${recordUrl(n.recordId)}|Open in Salesforce>` : `Record ${n.recordId}`;
  const due = n.dueAt ? `\n*Due:* ${n.dueAt.slice(0, 16).replace('T', ' ')} UTC` : '';
  const text = `${ICON[n.kind]} *${escapeSlack(n.subject)}*\n${escapeSlack(n.body)}${due}\n${link}`;
  return {
    text: `${n.subject}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }],
  };
}

export function createSlackNotifier(deps: SlackNotifierDeps): Notifier {
  const post = deps.fetch ?? fetch;
  const delivered = createDedupe();
  return {
    async notify(input: Notification): Promise<DeliveryResult[]> {
      const n = NotificationSchema.parse(input);
      if (delivered.seen(n.key)) return [{ channel: 'slack', delivered: true, detail: 'already delivered' }];
      try {
        const res = await post(deps.webhookUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(slackPayload(n, deps.recordUrl)),
          signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
        });
        const body = (await res.text()).slice(0, 200);
        if (!res.ok) {
          deps.logger.warn(
            { kind: n.kind, status: res.status, slackError: body },
            'slack notification refused',
          );
          return [{ channel: 'slack', delivered: false, detail: `HTTP ${res.status}: ${body}` }];
        }
        delivered.remember(n.key);
        return [{ channel: 'slack', delivered: true }];
      } catch (err) {
        // fetch errors can carry the URL; report the kind of failure only.
        const detail = (err as Error).name === 'TimeoutError' ? 'timed out' : 'network error';
        deps.logger.warn({ kind: n.kind, detail }, 'slack notification failed');
        return [{ channel: 'slack', delivered: false, detail }];
      }
    },
  };
}
