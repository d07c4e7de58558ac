/**
 * The process whose memory `npm run bench` reports at 1,000 parked runs: the built middleware
 * (middleware/dist, what `npm start` runs, so no TypeScript stripping is counted) in salesforce
 * mode against the parent's local org, so the org's records are not counted as its memory.
 * Driven over IPC: it tells the parent its URL and API key, then each run that reaches "approvals
 * submitted" (or stops), and answers `measure` with its memory after a full GC.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../middleware/dist/config/config.js';
import { createLogger } from '../middleware/dist/logger.js';
import { startServer } from '../middleware/dist/server.js';

const dir = mkdtempSync(join(tmpdir(), 'dealdesk-bench-parked-'));
const config = loadConfig({
  PORT: '0',
  DEALDESK_DATA_DIR: dir,
  LOG_LEVEL: 'silent',
  DEALDESK_RATE_LIMIT_PER_MINUTE: '1000000',
  DEALDESK_MODE: 'salesforce',
  SF_LOGIN_URL: process.env.BENCH_ORG_URL,
  SF_CLIENT_ID: 'dealdesk-bench',
  SF_USERNAME: process.env.BENCH_ORG_USERNAME,
  SF_PRIVATE_KEY: process.env.BENCH_ORG_KEY,
  DEALDESK_API_KEY: randomBytes(32).toString('base64url'),
  // The operator's setting when given (e.g. DEALDESK_WORKER_THREADS=0 to compare); else the default.
  ...(process.env.DEALDESK_WORKER_THREADS
    ? { DEALDESK_WORKER_THREADS: process.env.DEALDESK_WORKER_THREADS }
    : {}),
});
const server = await startServer(config, createLogger({ level: 'silent' }), { timerPollMs: 0 });
globalThis.gc?.();
/** Before any closure: what the loaded middleware costs by itself. */
const idleRss = process.memoryUsage().rss;
const store = server.system.store;
const updateRun = store.updateRun.bind(store);
// Every argument passes through: the step and events that commit with the update are part of it.
store.updateRun = async (...args) => {
  const [id] = args;
  const run = await updateRun(...args);
  if (run.status === 'waiting' && run.waitingFor === 'approval') process.send({ parked: id });
  else if ((run.status === 'waiting' && run.waitingFor === 'rep') || run.status === 'failed')
    process.send({ stopped: id, error: run.error });
  return run;
};
const mib = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
process.on('message', async (message) => {
  if (message === 'measure') {
    const parked =
      (await store.countUnfinished()).find((c) => c.status === 'waiting' && c.waitingFor === 'approval')
        ?.count ?? 0;
    const before = process.memoryUsage();
    globalThis.gc?.();
    await sleep(200);
    const after = process.memoryUsage();
    if (process.env.BENCH_HEAP_SNAPSHOT)
      (await import('node:v8')).writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT);
    const used = process.cpuUsage();
    process.send({
      measured: {
        parkedRuns: parked,
        rssMiB: mib(after.rss),
        rssAtStartMiB: mib(idleRss),
        rssBeforeGcMiB: mib(before.rss),
        heapUsedMiB: mib(after.heapUsed),
        heapTotalMiB: mib(after.heapTotal),
        externalMiB: mib(after.external),
        cpuMs: Math.round((used.user + used.system) / 1000),
      },
    });
  } else if (message === 'close') {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    process.disconnect();
  }
});
process.send({ ready: { url: server.url, apiKey: server.apiKey } });
