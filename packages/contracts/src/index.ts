export * from './salesforce-id.ts';
export * from './soql.ts';
