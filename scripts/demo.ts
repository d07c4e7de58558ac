/**
 * `npm run demo`: starts the middleware in local mode on a fresh demo data directory, closes the
 * seeded verbal-yes deal end to end, prints each step, and exits 0 when the deal is closed.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, createLogger, startServer, REPO_ROOT } from '@dealdesk/middleware';
import { runDemo } from '@dealdesk/middleware/demo';

const dataDir = process.env.DEALDESK_DATA_DIR ?? join('.data', 'demo');
rmSync(join(REPO_ROOT, dataDir), { recursive: true, force: true });
const config = loadConfig({
  ...process.env,
  PORT: process.env.PORT ?? '0',
  DEALDESK_DATA_DIR: dataDir,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
});
const logger = createLogger({ level: config.logLevel });
const server = await startServer(config, logger, { timerPollMs: 200 });
let code = 0;
try {
  process.stdout.write(`dealdesk demo: local org and middleware at ${server.url} (data in ${dataDir})\n\n`);
  await runDemo(server);
  process.stdout.write(
    `\nThe local org keeps the result in ${dataDir}; inspect it with npm start after setting DEALDESK_DATA_DIR=${dataDir}.\n`,
  );
} catch (err) {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  code = 1;
} finally {
  await server.close();
}
process.exit(code);
