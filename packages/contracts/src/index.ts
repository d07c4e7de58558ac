export * from './salesforce-id.ts';
export * from './soql.ts';
export * from './api.ts';
export * from './conditions.ts';
export * from './clause-library.ts';
export * from './terms.ts';
export * from './playbook.ts';
