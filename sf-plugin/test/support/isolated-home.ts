/**
 * Loaded by mocha before any test file: every test runs with a throwaway home directory, so sf
 * state (auth files, config, aliases, the generic keychain) never touches the developer's real
 * ~/.sf and ~/.sfdx, and no OS keychain is asked for a secret.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const home = mkdtempSync(join(tmpdir(), 'dealdesk-sf-home-'));
process.env.HOME = home;
process.env.USERPROFILE = home;
process.env.SF_USE_GENERIC_UNIX_KEYCHAIN = 'true';
process.env.SF_DISABLE_TELEMETRY = 'true';
process.env.SF_AUTOUPDATE_DISABLE = 'true';
process.env.SF_DISABLE_LOG_FILE = 'true';
delete process.env.SF_TARGET_ORG;
delete process.env.DEALDESK_MIDDLEWARE_URL;
delete process.env.DEALDESK_API_KEY;
// Each oclif command run adds signal listeners; many runs in one process are expected here.
process.setMaxListeners(100);
process.on('exit', () => rmSync(home, { recursive: true, force: true }));
