/**
 * `npm run screenshots`: takes the Close Deal journey in Lightning Local (the one
 * test/lightning-browser.test.ts checks) in Debian's chromium, on a fresh local org, and saves a
 * PNG of each step as `docs/images/lightning-<n>-<step>.png` (1280×800), overwriting the last run's.
 * docs/lightning.md shows them with their captions.
 *
 * Re-runnable: each run starts from the seed (the data dir is emptied, except the components'
 * bundle, which is keyed by its sources and so stays valid), so the pictures follow the seed and
 * the pages as they are now.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Page } from 'playwright-core';
import { loadConfig, createLogger, startServer, REPO_ROOT } from '@dealdesk/middleware';
import { buildLightningBundle, lightningCacheDir } from '@dealdesk/middleware/lightning';
import { launchChromium } from '../test/support/chromium.ts';
import { closeDealJourney, type JourneyStep } from '../test/support/lightning-journey.ts';

const OUT_DIR = join(REPO_ROOT, 'docs', 'images');
const VIEWPORT = { width: 1280, height: 800 };
/** A picture over this is worth a look (a page that grew, a toast in the way): the docs stay light. */
const MAX_BYTES = 250 * 1024;

interface Shot {
  file: string;
  /** Only this element (the timeline, the signing form), when the page around it says little. */
  element?: string;
  /**
   * The page from its top-left corner to this element's bottom-right one, when what the step shows
   * is below the fold (a full-width picture of the whole page would be too heavy for the docs).
   */
  downTo?: string;
}

/** The steps photographed, in the journey's order; each is taken the first time the journey reaches it. */
const SHOTS: Partial<Record<JourneyStep, Shot>> = {
  opportunities: { file: 'lightning-1-opportunities.png' },
  opportunity: { file: 'lightning-2-opportunity.png' },
  'close-deal': { file: 'lightning-3-close-deal.png' },
  'timeline-live': { file: 'lightning-4-timeline-live.png', element: 'c-deal-closure-timeline' },
  'items-to-approve': { file: 'lightning-5-items-to-approve.png' },
  signing: { file: 'lightning-6-signing.png', element: 'main' },
  'closed-won': { file: 'lightning-7-closed-won.png', downTo: '[data-id=files-card]' },
  'deal-closure': { file: 'lightning-8-deal-closure.png' },
};

/** Saves the step's picture as its shot says, once the toasts have gone (they sit over the page). */
async function photograph(page: Page, shot: Shot, path: string): Promise<void> {
  const toasts = page.locator('#ll-toasts .slds-notify');
  // Toasts go after 5 s; one that stays (an error's) is worth a look, not a picture.
  for (let waited = 0; (await toasts.count()) > 0; waited += 250) {
    if (waited > 10_000)
      throw new Error(`${shot.file}: a toast stays on the page: ${await toasts.first().innerText()}`);
    await page.waitForTimeout(250);
  }
  const options = { path, type: 'png', animations: 'disabled', caret: 'hide' } as const;
  if (shot.element) {
    await page.locator(shot.element).first().screenshot(options);
    return;
  }
  const box = shot.downTo ? await page.locator(shot.downTo).first().boundingBox() : null;
  if (shot.downTo && !box) throw new Error(`${shot.file}: ${shot.downTo} is not on the page`);
  await page.screenshot(
    box
      ? {
          ...options,
          fullPage: true,
          clip: {
            x: 0,
            y: 0,
            width: Math.ceil(box.x + box.width + 16),
            height: Math.ceil(box.y + box.height + 16),
          },
        }
      : options,
  );
}

// A folder of its own, never DEALDESK_DATA_DIR: the run empties it.
const dataDir = join(REPO_ROOT, '.data', 'screenshots');
mkdirSync(dataDir, { recursive: true });
for (const entry of readdirSync(dataDir))
  if (entry !== 'lightning') rmSync(join(dataDir, entry), { recursive: true, force: true });

// The components' bundle before the browser: the first record page would otherwise wait for the
// build, longer than a click waits for its page. Local mode builds in the same mode, so it finds this one.
await buildLightningBundle({ cacheDir: lightningCacheDir(dataDir), mode: 'development' });

const config = loadConfig({
  ...process.env,
  DEALDESK_MODE: 'local',
  PORT: '0',
  DEALDESK_DATA_DIR: dataDir,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
});
const server = await startServer(config, createLogger({ level: config.logLevel }), { timerPollMs: 100 });
const browser = await launchChromium();
let code = 0;
try {
  mkdirSync(OUT_DIR, { recursive: true });
  const context = await browser.newContext({
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    reducedMotion: 'reduce',
  });
  // Longer than the tests wait: a component edited mid-run rebuilds the bundle before its page answers.
  context.setDefaultTimeout(90_000);
  const taken = new Set<JourneyStep>();
  const heavy: string[] = [];
  const shoot = async (step: JourneyStep, page: Page) => {
    const shot = SHOTS[step];
    if (!shot || taken.has(step)) return;
    taken.add(step);
    const { file } = shot;
    const path = join(OUT_DIR, file);
    await photograph(page, shot, path);
    const bytes = statSync(path).size;
    process.stdout.write(`${relative(REPO_ROOT, path)}  ${Math.round(bytes / 1024)} KB\n`);
    if (bytes > MAX_BYTES) heavy.push(`${file} (${Math.round(bytes / 1024)} KB)`);
  };
  await closeDealJourney({
    server,
    base: server.url,
    page: await context.newPage(),
    note: 'Verbal yes from the COO on the call; they want to start on the first of next month.',
    at: shoot,
  });
  const missing = Object.keys(SHOTS).filter((s) => !taken.has(s as JourneyStep));
  if (missing.length > 0) throw new Error(`the journey never reached: ${missing.join(', ')}`);
  // Every picture is written all the same; the run fails so that someone looks before committing them.
  if (heavy.length > 0) throw new Error(`over ${MAX_BYTES / 1024} KB: ${heavy.join(', ')}`);
} catch (err) {
  process.stderr.write(`screenshots failed: ${err instanceof Error ? err.message : String(err)}\n`);
  code = 1;
} finally {
  await browser.close();
  await server.close();
}
process.exit(code);
