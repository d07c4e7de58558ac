import { fileURLToPath } from 'node:url';

/**
 * The force-app folder of this repository. The local org is the dealdesk package's org, so its
 * tests and the test harness default to the objects declared there; the server passes its own.
 */
export const REPO_FORCE_APP_DIR = fileURLToPath(new URL('../../../force-app', import.meta.url));
