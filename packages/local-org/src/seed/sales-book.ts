/**
 * The demo company's wider book of business, spliced into `demoCompany`: more accounts with
 * their contacts, two years of closed deals to learn from, and an open pipeline of twenty deals.
 * The scenario deals in demo-company.ts stay as they are.
 */
import type { SeedRecord } from './seed-types.ts';
import { salesAccounts } from './sales-accounts.ts';
import { salesHistory } from './sales-history.ts';
import { openPipeline } from './open-pipeline.ts';

export const salesBook: SeedRecord[] = [...salesAccounts, ...salesHistory(), ...openPipeline];
