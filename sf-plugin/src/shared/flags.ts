/** Flags several commands share, with their help text in messages/dealdesk.shared.md. */
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.shared');

export const opportunityFlag = Flags.salesforceId({
  summary: messages.getMessage('flags.opportunity.summary'),
  length: 'both',
  startsWith: '006',
  required: true,
});

export const middlewareUrlFlag = Flags.string({
  summary: messages.getMessage('flags.middleware-url.summary'),
  description: messages.getMessage('flags.middleware-url.description'),
});

export const apiKeyFileFlag = Flags.file({
  summary: messages.getMessage('flags.api-key-file.summary'),
  description: messages.getMessage('flags.api-key-file.description'),
  exists: true,
});
