/**
 * Jest for the Lightning web components in force-app (run by `npm run test:lwc`): sfdx-lwc-jest's preset, the
 * shared mocks of lightning/* modules under force-app/test/jest-mocks, and the sa11y matcher.
 */
import sfdxLwcJest from '@salesforce/sfdx-lwc-jest/config.js';

const { jestConfig } = sfdxLwcJest;
const mocks = '<rootDir>/force-app/test/jest-mocks';

export default {
  ...jestConfig,
  roots: ['<rootDir>/force-app'],
  testMatch: ['**/__tests__/**/*.test.js'],
  moduleNameMapper: {
    '^@salesforce/apex$': `${mocks}/apex`,
    '^lightning/actions$': `${mocks}/lightning/actions`,
    '^lightning/empApi$': `${mocks}/lightning/empApi`,
    '^lightning/navigation$': `${mocks}/lightning/navigation`,
    '^lightning/platformShowToastEvent$': `${mocks}/lightning/platformShowToastEvent`,
    '^lightning/refresh$': `${mocks}/lightning/refresh`,
  },
  setupFilesAfterEnv: [...(jestConfig.setupFilesAfterEnv ?? []), '<rootDir>/force-app/test/jest-setup.js'],
  testTimeout: 10000,
};
