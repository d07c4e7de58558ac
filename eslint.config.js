import js from '@eslint/js';
import lwcConfig from '@salesforce/eslint-config-lwc';
import prettier from 'eslint-config-prettier';
import pluginJest from 'eslint-plugin-jest';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TYPESCRIPT_FILES = ['**/*.ts', '**/*.mts', '**/*.cts', '**/*.js', '**/*.mjs', '**/*.cjs'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/lib/**',
      '**/coverage/**',
      '.data/**',
      '.sfdx/**',
      '.sf/**',
    ],
  },
  // The middleware, the plugin, scripts and tests: TypeScript's strict rules.
  ...[js.configs.recommended, ...tseslint.configs.strict].map((c) => ({
    ...c,
    files: TYPESCRIPT_FILES,
    ignores: ['force-app/**'],
  })),
  {
    files: TYPESCRIPT_FILES,
    ignores: ['force-app/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Size limits on production code (issue 23): a file over 500 lines, a function over 80 lines or
  // with more than 5 parameters needs a split, or an eslint-disable comment saying why
  // (`-- reason`). Tests, harnesses, the eval and the local org's seed data are not production code.
  {
    files: ['middleware/src/**/*.ts', 'packages/*/src/**/*.ts', 'sf-plugin/src/**/*.ts'],
    ignores: [
      '**/*.test.ts',
      '**/*.contract.ts',
      'middleware/src/test-support/**',
      'middleware/src/eval/**',
      'packages/test-kit/**',
      'packages/local-org/src/seed/**',
      'packages/local-org/src/testing.ts',
    ],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'max-lines': ['error', { max: 500 }],
      'max-lines-per-function': ['error', { max: 80 }],
      // More than five positional parameters (issue 23 found 8 and 10) gets a typed object instead.
      'max-params': ['error', 5],
    },
  },
  // Lightning web components: Salesforce's own LWC configuration, as an SFDX project uses it.
  // The components, their Jest tests, and the platform modules' mocks those tests run with.
  ...lwcConfig.configs.recommended.map((c) => ({ ...c, files: ['force-app/**/*.js'] })),
  {
    files: ['force-app/**/lwc/**/__tests__/**/*.js', 'force-app/test/**/*.js'],
    rules: { '@lwc/lwc/no-unexpected-wire-adapter-usages': 'off' },
    languageOptions: { globals: { ...globals.node, ...pluginJest.environments.globals.globals } },
  },
  prettier,
);
