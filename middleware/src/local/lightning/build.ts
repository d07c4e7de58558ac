/**
 * Builds Lightning Local's browser bundle: the package's own components from force-app, compiled
 * with the LWC compiler (rollup + @lwc/rollup-plugin), base components from
 * lightning-base-components, and the platform modules a real org provides (`@salesforce/apex`,
 * `lightning/empApi`, `lightning/navigation`, ...) from `lwc/` beside this file.
 *
 * The build runs lazily, once per distinct input: its output lands in
 * `<cacheDir>/<key>/`, where the key hashes every source file and the compiler versions, so a
 * restart reuses it and an edited component rebuilds. Concurrent builders (replicas, tests) each
 * write a temporary folder and rename it into place; the rename is atomic, the loser's copy is
 * dropped.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import type { Plugin, RollupLog } from 'rollup';
import { FORCE_APP_DIR, REPO_ROOT } from '../../paths.ts';

const require = createRequire(import.meta.url);

/** The package's components. */
export const COMPONENTS_DIR = join(FORCE_APP_DIR, 'main', 'default', 'lwc');
/** Lightning Local's platform modules (JS and templates, compiled like components). */
export const PLATFORM_DIR = join(REPO_ROOT, 'middleware', 'src', 'local', 'lightning', 'lwc');
/** The build's own source: a change to it is a change to the output. */
const BUILDER_FILE = join(REPO_ROOT, 'middleware', 'src', 'local', 'lightning', 'build.ts');

/** The packages whose versions the output depends on. */
const TOOLCHAIN = [
  'rollup',
  '@lwc/rollup-plugin',
  '@lwc/engine-dom',
  '@lwc/synthetic-shadow',
  'lightning-base-components',
] as const;

export interface LightningBundle {
  /** The build's key: part of every asset URL, so browsers may cache them forever. */
  key: string;
  /** Folder holding `app.js` and its chunks. */
  dir: string;
  /** Custom element tag names the bundle can create, e.g. `c-close-deal`. */
  components: string[];
}

/** Where the bundles are cached: `<dataDir>/lightning/<key>/`. */
export function lightningCacheDir(dataDir: string): string {
  return join(dataDir, 'lightning');
}

export interface BuildOptions {
  cacheDir: string;
  /** LWC's development mode reports misuse of components in the console; production is quieter and faster. */
  mode?: 'development' | 'production';
  componentsDir?: string;
}

/** Where a package's files are (its package.json's folder), as the middleware resolves it. */
export function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

function packageVersion(name: string): string {
  const pkg = JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  return String(pkg.version);
}

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path, keep));
    else if (keep(path)) out.push(path);
  }
  return out.sort();
}

/** A component's own files; its Jest tests do not change the bundle. */
const isComponentSource = (path: string) =>
  !path.split(sep).includes('__tests__') && /\.(js|html|css|js-meta\.xml)$/.test(path);

/** The components force-app exposes to Lightning pages, as `c/<name>` specifiers. */
export function exposedComponents(componentsDir: string): { name: string; tag: string; entry: string }[] {
  if (!existsSync(componentsDir)) return [];
  return readdirSync(componentsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .filter((name) => {
      const meta = join(componentsDir, name, `${name}.js-meta.xml`);
      return existsSync(meta) && /<isExposed>\s*true\s*<\/isExposed>/.test(readFileSync(meta, 'utf8'));
    })
    .sort()
    .map((name) => ({
      name,
      tag: `c-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      entry: join(componentsDir, name, `${name}.js`),
    }));
}

/** The cache key: every input file's path and content, the toolchain's versions and the mode. */
export function buildKey(options: BuildOptions): string {
  const componentsDir = options.componentsDir ?? COMPONENTS_DIR;
  const hash = createHash('sha256');
  hash.update(`mode:${options.mode ?? 'development'}\n`);
  for (const name of TOOLCHAIN) hash.update(`${name}@${packageVersion(name)}\n`);
  for (const file of [
    ...filesUnder(componentsDir, isComponentSource),
    ...filesUnder(PLATFORM_DIR, () => true),
    BUILDER_FILE,
  ]) {
    hash.update(`${relative(REPO_ROOT, file)}\n`);
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Module records for the LWC resolver: one alias per platform module and per package component. */
function moduleRecords(componentsDir: string): { name: string; path: string }[] {
  const records: { name: string; path: string }[] = [];
  // Platform modules: lwc/<namespace>/<name>/<name>.js → <namespace>/<name>, where `salesforce` stands
  // for `@salesforce` and `i18n` for `@salesforce/i18n`.
  const prefixes: Record<string, string> = { salesforce: '@salesforce', i18n: '@salesforce/i18n' };
  for (const ns of readdirSync(PLATFORM_DIR)) {
    for (const name of readdirSync(join(PLATFORM_DIR, ns))) {
      const path = join(PLATFORM_DIR, ns, name, `${name}.js`);
      if (existsSync(path)) records.push({ name: `${prefixes[ns] ?? ns}/${name}`, path });
    }
  }
  for (const name of readdirSync(componentsDir)) {
    const path = join(componentsDir, name, `${name}.js`);
    if (existsSync(path)) records.push({ name: `c/${name}`, path });
  }
  return records;
}

const APEX_PREFIX = '@salesforce/apex/';
const VIRTUAL_APEX = '\0apex:';
const VIRTUAL_ENTRY = '\0lightning-local-entry';

/**
 * What the LWC plugin leaves to the platform: the entry that starts the page, an Apex method per
 * `@salesforce/apex/Class.method` import, and the build-time constants a bundler defines.
 */
function platformPlugin(componentsDir: string, mode: 'development' | 'production'): Plugin {
  const apexRuntime = join(PLATFORM_DIR, 'll', 'apexMethod', 'apexMethod.js');
  const boot = join(PLATFORM_DIR, 'll', 'boot', 'boot.js');
  return {
    name: 'lightning-local-platform',
    resolveId(source) {
      if (source === VIRTUAL_ENTRY) return source;
      if (source.startsWith(APEX_PREFIX)) {
        const target = source.slice(APEX_PREFIX.length);
        if (!/^\w+\.\w+$/.test(target)) this.error(`unsupported Apex import "${source}"`);
        return `${VIRTUAL_APEX}${target}`;
      }
      return null;
    },
    load(id) {
      if (id === VIRTUAL_ENTRY) {
        const components = exposedComponents(componentsDir);
        // Synthetic shadow first, as on the platform: SLDS's global styles reach into components.
        return [
          `import '@lwc/synthetic-shadow';`,
          `import { boot } from ${JSON.stringify(boot)};`,
          ...components.map((c, i) => `import C${i} from ${JSON.stringify(`c/${c.name}`)};`),
          `boot({ ${components.map((c, i) => `${JSON.stringify(c.tag)}: C${i}`).join(', ')} });`,
        ].join('\n');
      }
      if (id.startsWith(VIRTUAL_APEX)) {
        const [classname, method] = id.slice(VIRTUAL_APEX.length).split('.');
        return [
          `import { apexMethod } from ${JSON.stringify(apexRuntime)};`,
          `export default apexMethod(${JSON.stringify(classname)}, ${JSON.stringify(method)});`,
        ].join('\n');
      }
      return null;
    },
    transform(code) {
      if (!code.includes('process.env.NODE_ENV') && !code.includes('import.meta.env')) return null;
      return {
        code: code
          .replaceAll('process.env.NODE_ENV', JSON.stringify(mode))
          .replaceAll('import.meta.env.SSR', 'false'),
        map: null,
      };
    },
  };
}

/** Compiles the bundle into `outDir`. Unresolved imports fail the build: on the platform they would fail the page. */
async function compile(outDir: string, options: BuildOptions): Promise<void> {
  const [{ rollup }, { default: lwc }] = await Promise.all([import('rollup'), import('@lwc/rollup-plugin')]);
  const componentsDir = options.componentsDir ?? COMPONENTS_DIR;
  const mode = options.mode ?? 'development';
  const problems: string[] = [];
  const onLog = (level: string, log: RollupLog) => {
    if (log.code === 'UNRESOLVED_IMPORT' || log.code === 'MISSING_EXPORT') problems.push(log.message);
    else if (level === 'warn' && log.code !== 'CIRCULAR_DEPENDENCY' && log.code !== 'THIS_IS_UNDEFINED')
      problems.push(`${log.code ?? 'WARNING'}: ${log.message}`);
  };
  const bundle = await rollup({
    input: VIRTUAL_ENTRY,
    onLog,
    plugins: [
      platformPlugin(componentsDir, mode),
      lwc({
        // A folder inside the middleware workspace, so npm records resolve the workspace's packages.
        rootDir: PLATFORM_DIR,
        modules: [...moduleRecords(componentsDir), { npm: 'lightning-base-components' }],
        // The engine the compiler was built for: the repository root also holds an older one (for Jest).
        defaultModules: [
          { name: 'lwc', path: join(packageDir('@lwc/engine-dom'), 'dist', 'index.js') },
          {
            name: '@lwc/synthetic-shadow',
            path: join(packageDir('@lwc/synthetic-shadow'), 'dist', 'index.js'),
          },
        ],
        exclude: ['**/@lwc/engine-dom/**', '**/@lwc/synthetic-shadow/**'],
      }),
    ],
  });
  try {
    await bundle.write({
      dir: outDir,
      format: 'es',
      entryFileNames: 'app.js',
      chunkFileNames: 'chunks/[name]-[hash].js',
    });
  } finally {
    await bundle.close();
  }
  // Only problems in code this repository owns fail the build; base components' own notices do not.
  const ours = problems.filter((p) => !p.includes('lightning-base-components'));
  if (ours.length > 0) throw new Error(`the Lightning Local build has problems:\n${ours.join('\n')}`);
}

const inFlight = new Map<string, Promise<LightningBundle>>();

/** The bundle for the current sources: from the cache, or built now (once per process and key). */
export function buildLightningBundle(options: BuildOptions): Promise<LightningBundle> {
  const key = buildKey(options);
  const dir = join(options.cacheDir, key);
  const componentsDir = options.componentsDir ?? COMPONENTS_DIR;
  const components = exposedComponents(componentsDir).map((c) => c.tag);
  if (existsSync(join(dir, 'app.js'))) return Promise.resolve({ key, dir, components });
  const running = inFlight.get(dir);
  if (running) return running;
  const work = (async () => {
    mkdirSync(options.cacheDir, { recursive: true });
    const tmp = join(options.cacheDir, `.${key}-${process.pid}-${Date.now()}`);
    try {
      await compile(tmp, options);
      try {
        renameSync(tmp, dir);
      } catch (err) {
        // Another builder finished first: its output is the same build.
        if (!existsSync(join(dir, 'app.js'))) throw err;
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    pruneOldBuilds(options.cacheDir, key);
    return { key, dir, components };
  })();
  inFlight.set(dir, work);
  void work.then(
    () => inFlight.delete(dir),
    () => inFlight.delete(dir),
  );
  return work;
}

/** Keeps the cache small: older builds go once a newer one is in place (a week's grace for running replicas). */
function pruneOldBuilds(cacheDir: string, keep: string): void {
  const weekAgo = Date.now() - 7 * 24 * 3600_000;
  for (const entry of readdirSync(cacheDir)) {
    if (entry === keep || entry.startsWith('.')) continue;
    const path = join(cacheDir, entry);
    if (statSync(path).mtimeMs < weekAgo) rmSync(path, { recursive: true, force: true });
  }
}
