/**
 * The two notification endpoints dealdesk uses, as the local org runs them:
 * - Connect REST `POST /chatter/feed-elements`: a FeedItem on the subject record; Mention
 *   segments render as `@Name` (the user must exist and be active), as Chatter shows them.
 * - `POST /actions/standard/emailSimple`: the email is kept in the org's outbox (nothing leaves
 *   the machine); the response is the action result list.
 */
import { z } from 'zod';
import type { Dml } from './dml.ts';
import { SalesforceApiError } from './errors.ts';
import { to18 } from './ids.ts';
import { formatDateTime } from './values.ts';

export const FeedItemInputSchema = z.object({
  body: z.object({
    messageSegments: z
      .array(
        z.discriminatedUnion('type', [
          z.object({ type: z.literal('Text'), text: z.string() }),
          z.object({ type: z.literal('Mention'), id: z.string() }),
        ]),
      )
      .min(1),
  }),
  feedElementType: z.literal('FeedItem'),
  subjectId: z.string().min(15).max(18),
});

export const EmailSimpleSchema = z.object({
  inputs: z
    .array(
      z.object({
        emailAddresses: z.string().min(3).optional(),
        emailAddressesArray: z.array(z.string()).max(5).optional(),
        emailSubject: z.string().min(1),
        emailBody: z.string().min(1),
        senderType: z.enum(['CurrentUser', 'DefaultWorkflowUser', 'OrgWideEmailAddress']).optional(),
      }),
    )
    .min(1),
});

export interface SentEmail {
  to: string[];
  subject: string;
  body: string;
  sentAt: string;
  senderId: string;
}

export function postFeedElement(dml: Dml, input: z.infer<typeof FeedItemInputSchema>) {
  const parts: string[] = [];
  const mentioned: string[] = [];
  for (const s of input.body.messageSegments) {
    if (s.type === 'Text') {
      parts.push(s.text);
      continue;
    }
    const id = to18(s.id);
    const user = id ? dml.tx.get(id) : undefined;
    if (!user || user.type !== 'User' || user.fields.IsActive !== true)
      throw new SalesforceApiError('INVALID_INPUT', `Invalid mention: ${s.id} is not an active user`);
    mentioned.push(user.fields.Id);
    parts.push(`@${[user.fields.FirstName, user.fields.LastName].filter(Boolean).join(' ')}`);
  }
  const text = parts.join('');
  if (text.length > 10_000)
    throw new SalesforceApiError('INVALID_INPUT', 'The post is longer than 10,000 characters');
  const item = dml.insert('FeedItem', { ParentId: input.subjectId, Body: text, Type: 'TextPost' });
  return {
    id: item.Id,
    body: { text, messageSegments: input.body.messageSegments },
    feedElementType: 'FeedItem',
    parent: { id: item.ParentId },
    capabilities: {},
    createdDate: item.CreatedDate ?? formatDateTime(dml.ctx.now),
    mentionedUserIds: mentioned,
  };
}

export function sendSimpleEmails(
  outbox: SentEmail[],
  userId: string,
  now: Date,
  input: z.infer<typeof EmailSimpleSchema>,
) {
  return input.inputs.map((i) => {
    const to = [...(i.emailAddresses?.split(',') ?? []), ...(i.emailAddressesArray ?? [])]
      .map((a) => a.trim())
      .filter(Boolean);
    if (to.length === 0 || to.length > 5 || to.some((a) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a))) {
      return {
        actionName: 'emailSimple',
        errors: [
          { statusCode: 'INVALID_EMAIL_ADDRESS', message: 'one to five valid email addresses are required' },
        ],
        isSuccess: false,
        outputValues: null,
      };
    }
    outbox.push({
      to,
      subject: i.emailSubject,
      body: i.emailBody,
      sentAt: now.toISOString(),
      senderId: userId,
    });
    return { actionName: 'emailSimple', errors: null, isSuccess: true, outputValues: null };
  });
}
