/**
 * Lightning Local: the package's own Lightning components in a browser, over the local org, at
 * Salesforce's URLs (`/lightning/o/Opportunity/list`, `/lightning/r/<Object>/<id>/view`,
 * `/lightning/approvals`). Local mode only. The router carries its full paths, so it mounts at the
 * root beside the middleware's other routers.
 *
 * The components' bundle is built when a page first needs it and
 * cached in the data dir (build.ts); the first page with components waits for it, later pages
 * and later starts do not.
 */
import express, { type Router } from 'express';
import { join } from 'node:path';
import type { Logger } from '../../logger.ts';
import { FORCE_APP_DIR } from '../../paths.ts';
import type { LocalOrg } from '@dealdesk/local-org';
import { AccessModel } from './access.ts';
import { ApexError, ApexRequestSchema, DealDeskControllerStandIn } from './apex-controller.ts';
import { buildLightningBundle, lightningCacheDir, packageDir, type LightningBundle } from './build.ts';
import { authed, notFound, type LightningContext } from './context.ts';
import { EmpStreams } from './emp-stream.ts';
import { approvalRoutes, pageRoutes } from './page-routes.ts';
import { sameOriginOnly, sessionRoutes } from './session-routes.ts';
import { SessionStore } from './sessions.ts';

export interface LightningLocalOptions {
  localOrg: LocalOrg;
  /** The middleware's data dir; the bundle is cached under `<dataDir>/lightning`. */
  dataDir: string;
  logger: Logger;
  /** DealClosureStartQueueable's stand-in: calls the middleware for a closure a rep started. */
  enqueueStart: (dealClosureId: string) => void;
  /** Where a person finds a token to log in with (shown on the login page). */
  loginHint?: string;
  /** Cookies only over HTTPS (behind a TLS proxy). */
  secureCookies?: boolean;
  mode?: 'development' | 'production';
  forceAppDir?: string;
}

export interface LightningLocal {
  router: Router;
  /** The components' bundle; rejects when the build fails (pages then say so). */
  bundle: Promise<LightningBundle>;
  /** Ends the open event streams (the server is stopping). */
  close(): void;
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // LWC's synthetic shadow inserts component styles as <style> elements.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export async function createLightningLocal(options: LightningLocalOptions): Promise<LightningLocal> {
  const { localOrg: org, logger } = options;
  // Built on the first page that needs it, not at start-up: most local-mode processes (tests, the
  // demo, the bench) never open /lightning, and a cold build costs seconds of CPU.
  let built: Promise<LightningBundle> | undefined;
  const bundle = (): Promise<LightningBundle> => {
    if (!built) {
      built = buildLightningBundle({
        cacheDir: lightningCacheDir(options.dataDir),
        mode: options.mode ?? 'development',
      });
      built.then(
        (b) => logger.info({ key: b.key, components: b.components }, 'Lightning Local bundle ready'),
        (err: unknown) => logger.error({ err }, 'Lightning Local bundle failed to build'),
      );
    }
    return built;
  };
  const ctx: LightningContext = {
    org,
    logger,
    access: new AccessModel(org, options.forceAppDir ?? FORCE_APP_DIR),
    sessions: new SessionStore(),
    controller: new DealDeskControllerStandIn({ org, enqueueStart: options.enqueueStart }),
    streams: new EmpStreams(org),
    get bundle() {
      return bundle();
    },
    loginHint: options.loginHint ?? 'Log in with an access token of the local org.',
    secureCookies: options.secureCookies ?? false,
  };
  const router = express.Router();
  router.use('/lightning', (_req, res, next) => {
    res.set('Content-Security-Policy', CSP);
    res.set('Referrer-Policy', 'same-origin');
    next();
  });
  assetRoutes(router, ctx);
  sessionRoutes(router, ctx);
  pageRoutes(router, ctx);
  approvalRoutes(router, ctx);
  componentRoutes(router, ctx);
  router.use('/lightning', (req, res) => {
    const a = ctx.sessions.get(req) ? authed(ctx, req, res, false) : undefined;
    if (a) notFound(res, a, 'There is no such page in Lightning Local.');
    else if (!res.headersSent) res.status(404).type('text/plain').send('No such page');
  });
  return {
    router,
    get bundle() {
      return bundle();
    },
    close: () => ctx.streams.close(),
  };
}

/** SLDS's stylesheets and icons, and the bundle under its key (so browsers may keep it forever). */
function assetRoutes(router: Router, ctx: LightningContext): void {
  router.use(
    '/lightning/assets',
    express.static(join(packageDir('@salesforce-ux/design-system'), 'assets'), {
      maxAge: '1d',
      fallthrough: false,
    }),
  );
  router.use('/lightning/app/:key', async (req, res, next) => {
    const built = await ctx.bundle.catch(() => undefined);
    if (!built || req.params.key !== built.key) {
      res.status(404).type('text/plain').send('No such bundle');
      return;
    }
    express.static(built.dir, { immutable: true, maxAge: '365d', fallthrough: false })(req, res, next);
  });
}

/** What the components call: the Apex stand-in (`@salesforce/apex`) and platform events (`lightning/empApi`). */
function componentRoutes(router: Router, ctx: LightningContext): void {
  router.post('/lightning/apex', express.json({ limit: '1mb' }), sameOriginOnly, (req, res) => {
    const a = authed(ctx, req, res, true);
    if (!a) return;
    const request = ApexRequestSchema.safeParse(req.body);
    if (!request.success) {
      res.status(400).json({
        error: {
          message: 'Expected { classname, method, params }',
          exceptionType: 'System.JSONException',
          isUserDefinedException: false,
        },
      });
      return;
    }
    try {
      res.json({ returnValue: ctx.controller.invoke(a.user, request.data) });
    } catch (err) {
      if (!(err instanceof ApexError)) throw err;
      ctx.logger.debug(
        { method: request.data.method, userId: a.user.userId, message: err.message },
        'Apex stand-in refused',
      );
      // 200 with the error inside, as Aura answers a failed action: a refusal is an answer, not a failed request.
      res.json({ error: err.body(), statusCode: err.status });
    }
  });
  router.get('/lightning/stream', (req, res) => {
    const a = authed(ctx, req, res, true);
    if (a) ctx.streams.serve(req, res, a.user);
  });
}
