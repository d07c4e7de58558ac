/**
 * Builds Lightning Local's bundle ahead of the first page (CI, or to see compile errors at once):
 * `npm run build:lightning -w middleware [-- --production]`. Writes to the configured data dir's
 * cache, where the server looks first.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../../config/config.ts';
import { REPO_ROOT } from '../../paths.ts';
import { buildLightningBundle, lightningCacheDir } from './build.ts';

async function main(): Promise<void> {
  const dataDir = resolve(REPO_ROOT, loadConfig().dataDir);
  const mode = process.argv.includes('--production') ? 'production' : 'development';
  const started = Date.now();
  const bundle = await buildLightningBundle({ cacheDir: lightningCacheDir(dataDir), mode });
  process.stdout.write(
    `Lightning Local bundle ${bundle.key} (${mode}, ${bundle.components.join(', ')}) in ${bundle.dir}, ${Date.now() - started} ms\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
