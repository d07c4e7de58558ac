import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root, from both `src/` (tests) and `dist/` (built server): each is one level below middleware/. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FORCE_APP_DIR = join(REPO_ROOT, 'force-app');
export const CONFIG_DIR = join(REPO_ROOT, 'config');
