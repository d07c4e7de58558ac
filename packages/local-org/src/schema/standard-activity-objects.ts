/** The standard objects for activities, files and feed posts on records. */
import { field, readOnly, type ObjectDef } from './model.ts';
import { bool, date, datetime, longText, pick, ref, required, standard, text } from './standard-fields.ts';

/** Activities on records: tasks and email messages. */
export function activityObjects(): ObjectDef[] {
  return [
    standard({
      name: 'Task',
      label: 'Task',
      labelPlural: 'Tasks',
      keyPrefix: '00T',
      owner: true,
      fields: [
        text('Subject', 'Subject', 255, { nameField: true }),
        longText('Description', 'Comments', 32000),
        pick(
          'Status',
          'Status',
          ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'],
          { ...required, defaultValue: 'Not Started' },
        ),
        pick('Priority', 'Priority', ['High', 'Normal', 'Low'], { ...required, defaultValue: 'Normal' }),
        date('ActivityDate', 'Due Date Only'),
        ref(
          'WhatId',
          'Related To ID',
          ['Account', 'Opportunity', 'Contract', 'Deal_Closure__c', 'Deal_Approval__c', 'Handoff_Package__c'],
          'What',
          { childRelationshipName: 'Tasks' },
        ),
        ref('WhoId', 'Name ID', ['Contact'], 'Who', { childRelationshipName: 'Tasks' }),
        pick('Type', 'Type', ['Call', 'Email', 'Meeting', 'Other']),
        pick('TaskSubtype', 'Task Subtype', ['Task', 'Email', 'Call', 'ListEmail', 'Cadence'], {
          updateable: false,
        }),
        field('CallDurationInSeconds', 'Call Duration', 'int', { precision: 8 }),
        bool('IsClosed', 'Closed', false, readOnly),
      ],
    }),
    standard({
      name: 'EmailMessage',
      label: 'Email Message',
      labelPlural: 'Email Messages',
      keyPrefix: '02s',
      currency: false,
      fields: [
        text('Subject', 'Subject', 3000, { nameField: true }),
        longText('TextBody', 'Text Body', 131072),
        longText('HtmlBody', 'HTML Body', 131072),
        text('FromAddress', 'From Address', 1000),
        text('FromName', 'From Name', 1000),
        text('ToAddress', 'To Address', 4000),
        text('CcAddress', 'CC Address', 4000),
        datetime('MessageDate', 'Message Date'),
        bool('Incoming', 'Is Incoming', false),
        pick('Status', 'Status', ['0', '1', '2', '3', '4', '5'], { ...required, defaultValue: '3' }),
        ref(
          'RelatedToId',
          'Related To ID',
          ['Account', 'Opportunity', 'Contract', 'Deal_Closure__c'],
          'RelatedTo',
          { childRelationshipName: 'Emails' },
        ),
      ],
    }),
  ];
}

/** Files (content documents, their versions and links to records) and Chatter feed items. */
// eslint-disable-next-line max-lines-per-function -- a table of the standard objects' fields: data, not logic
export function contentObjects(): ObjectDef[] {
  return [
    standard({
      name: 'ContentDocument',
      label: 'Content Document',
      labelPlural: 'Content Documents',
      keyPrefix: '069',
      owner: true,
      currency: false,
      createable: false,
      fields: [
        text('Title', 'Title', 255, { nameField: true }),
        ref(
          'LatestPublishedVersionId',
          'Latest Published Version ID',
          ['ContentVersion'],
          'LatestPublishedVersion',
          readOnly,
        ),
        text('FileType', 'File Type', 20, readOnly),
        text('FileExtension', 'File Extension', 40, readOnly),
        field('ContentSize', 'Size', 'int', { ...readOnly, precision: 10 }),
        longText('Description', 'Description', 1000),
      ],
    }),
    standard({
      name: 'ContentVersion',
      label: 'Content Version',
      labelPlural: 'Content Versions',
      keyPrefix: '068',
      owner: true,
      currency: false,
      deletable: false,
      fields: [
        text('Title', 'Title', 255, { ...required, nameField: true }),
        text('PathOnClient', 'Path On Client', 500, { ...required, updateable: false }),
        field('VersionData', 'Version Data', 'base64', { updateable: false }),
        ref('ContentDocumentId', 'Content Document ID', ['ContentDocument'], 'ContentDocument', {
          updateable: false,
          childRelationshipName: 'ContentVersions',
        }),
        ref(
          'FirstPublishLocationId',
          'First Publish Location ID',
          ['Account', 'Opportunity', 'Contract', 'Deal_Closure__c', 'User'],
          'FirstPublishLocation',
          { updateable: false },
        ),
        text('VersionNumber', 'Version Number', 20, readOnly),
        bool('IsLatest', 'Is Latest', true, readOnly),
        field('ContentSize', 'Size', 'int', { ...readOnly, precision: 10 }),
        text('FileType', 'File Type', 20, readOnly),
        text('FileExtension', 'File Extension', 40, readOnly),
        text('Checksum', 'Checksum', 50, readOnly),
        longText('Description', 'Description', 1000),
        longText('ReasonForChange', 'Reason For Change', 1000),
      ],
    }),
    standard({
      name: 'ContentDocumentLink',
      label: 'Content Document Link',
      labelPlural: 'Content Document Link',
      keyPrefix: '06A',
      currency: false,
      updateable: false,
      fields: [
        ref('ContentDocumentId', 'Content Document ID', ['ContentDocument'], 'ContentDocument', {
          ...required,
          updateable: false,
          childRelationshipName: 'ContentDocumentLinks',
          cascadeDelete: true,
        }),
        ref(
          'LinkedEntityId',
          'Linked Entity ID',
          ['Account', 'Opportunity', 'Contract', 'Deal_Closure__c', 'User'],
          'LinkedEntity',
          { ...required, updateable: false, childRelationshipName: 'ContentDocumentLinks' },
        ),
        pick('ShareType', 'Share Type', ['V', 'C', 'I'], { defaultValue: 'V' }),
        pick('Visibility', 'Visibility', ['AllUsers', 'InternalUsers', 'SharedUsers'], {
          defaultValue: 'AllUsers',
        }),
      ],
    }),
    standard({
      name: 'FeedItem',
      label: 'Feed Item',
      labelPlural: 'Feed Items',
      keyPrefix: '0D5',
      currency: false,
      fields: [
        ref(
          'ParentId',
          'Parent ID',
          ['Account', 'Opportunity', 'Contract', 'User', 'Deal_Closure__c', 'Deal_Approval__c'],
          'Parent',
          { ...required, updateable: false, childRelationshipName: 'Feeds' },
        ),
        longText('Body', 'Body', 10000),
        text('Title', 'Title', 255),
        field('LinkUrl', 'Link Url', 'url', { length: 1000 }),
        bool('IsRichText', 'Is Rich Text', false),
        pick('Type', 'Feed Item Type', ['TextPost', 'LinkPost', 'ContentPost', 'AdvancedTextPost'], {
          defaultValue: 'TextPost',
        }),
      ],
    }),
  ];
}
