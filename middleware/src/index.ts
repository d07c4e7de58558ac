/**
 * @dealdesk/middleware: the server and what embeds or drives it. The other entry points are
 * `./demo`, `./language-model` (training and reading the language model), `./eval`,
 * `./lightning`, `./agents` (the pieces the end-to-end tests and benches call directly) and
 * `./testing` (the middleware's own harnesses, never in dist).
 */
export { startServer, type RunningServer } from './server.ts';
export { loadConfig, ConfigError, ENV_VARS, secretValues } from './config/config.ts';
export { createLogger } from './logger.ts';
export { createRuntime } from './runtime.ts';
export { setupTracing, TracingConfigError } from './tracing.ts';
export { REPO_ROOT } from './paths.ts';
export { createSalesforceCrm } from './adapters/salesforce/salesforce-crm.ts';
export { SalesforceAuthError } from './adapters/salesforce/jwt-bearer.ts';
export type { DealContext } from './ports/crm.ts';
export type { Notification } from './ports/notify.ts';
