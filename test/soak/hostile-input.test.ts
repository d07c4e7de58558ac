/** The long fuzz run (`npm run soak`): 10,000 hostile requests by default; FUZZ_REQUESTS overrides. */
process.env.FUZZ_REQUESTS ??= '10000';
await import('../hostile-input.test.ts');
