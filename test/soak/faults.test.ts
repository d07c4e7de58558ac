/**
 * The long fault run (`npm run soak`): 200 closures by default, with 20% of Salesforce and
 * e-signature calls failing. FAULT_DEALS and FAULT_SEED override.
 */
process.env.FAULT_DEALS ??= '200';
await import('../faults.test.ts');
