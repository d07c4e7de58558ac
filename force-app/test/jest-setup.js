/**
 * Jest setup for the LWC suites: registers the sa11y accessibility matcher `expect(element).toBeAccessible()`.
 */
import { registerSa11yMatcher } from '@sa11y/jest';

registerSa11yMatcher();
