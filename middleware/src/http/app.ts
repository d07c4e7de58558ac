/**
 * The express app, built without listening so tests can drive it with supertest. `server.ts`
 * wires the real dependencies.
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import helmet from 'helmet';
import type { Metrics } from '../metrics.ts';
import type { Logger } from '../logger.ts';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void> | void;
}

export interface AppDeps {
  logger: Logger;
  /** Serves `GET /metrics` in the Prometheus text format when set. */
  metrics?: () => Metrics | undefined;
  /** Routers mounted at the root behind the middleware's HTTP layer: the API, and in local mode the signing pages. */
  mounts?: express.Router[];
  /**
   * Local stand-ins for remote services (in local mode: the local org), mounted ahead of the
   * middleware's own request log, security headers and HTTP metrics. They answer as the service
   * they replace would, and their traffic is already logged and counted where the middleware
   * calls them (the Salesforce request metrics); passing each org call through the middleware's
   * own HTTP layer as well cost ~7% of a closure's CPU and doubled the org's lines in the log.
   */
  standIns?: express.Router[];
  readiness?: ReadinessCheck[];
  version?: string;
}

export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(/(\/esign\/sign\/)[^/?#]+/, '$1[REDACTED]');
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  for (const router of deps.standIns ?? []) app.use(router);
  app.use(requestLogger(deps.logger));

  // Security headers for every response; the local signing pages set their own stricter CSP.
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(countHttpRequests(deps.metrics));
  registerProbes(app, deps);

  for (const router of deps.mounts ?? []) app.use(router);

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such endpoint', details: {} } });
  });
  app.use(lastResortErrorHandler(deps.logger));
  return app;
}

function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    // Health probes every few seconds would drown the log.
    autoLogging: {
      ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics',
    },
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    // Signing links carry the recipient's only credential in the path; it never reaches a log.
    serializers: {
      req: (req: { url?: string }) => ({ ...req, url: redactUrl(req.url) }),
    },
  });
}

function countHttpRequests(metrics: AppDeps['metrics']) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.on('finish', () => {
      // The route pattern, not the URL, keeps label values few (no ids or tokens in them).
      const route = (req.route as { path?: string } | undefined)?.path;
      metrics?.()?.httpRequests.inc({
        method: req.method,
        route: route ? `${req.baseUrl}${String(route)}` : 'unmatched',
        status: String(res.statusCode),
      });
    });
    next();
  };
}

/** `GET /metrics`, `/healthz` and `/readyz`. */
function registerProbes(app: Express, deps: AppDeps): void {
  app.get('/metrics', async (_req, res) => {
    const metrics = deps.metrics?.();
    if (!metrics) {
      res.status(404).json({ error: { code: 'NOT_FOUND', message: 'Metrics are not enabled', details: {} } });
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: deps.version ?? 'dev' });
  });

  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      (deps.readiness ?? []).map(async (c) => {
        try {
          await c.check();
          return { name: c.name, ok: true };
        } catch (err) {
          return { name: c.name, ok: false, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    const ok = results.every((r) => r.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready', checks: results });
  });
}

/** Last resort: an unexpected failure is logged with its stack and answered without internals. */
function lastResortErrorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const e = err as { status?: number; type?: string; message?: string };
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({
        error: { code: 'MALFORMED_JSON', message: 'The request body is not valid JSON', details: {} },
      });
      return;
    }
    if (e.type === 'entity.too.large') {
      res.status(413).json({
        error: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large', details: {} },
      });
      return;
    }
    // A path that does not decode (`/v1/approvals/%/decision`) is the caller's mistake.
    if (err instanceof URIError) {
      res.status(400).json({
        error: {
          code: 'MALFORMED_URL',
          message: 'The request path is not valid percent-encoding',
          details: {},
        },
      });
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res
        .status(e.status)
        .json({ error: { code: 'BAD_REQUEST', message: 'The request is malformed', details: {} } });
      return;
    }
    // A stand-in's request has no request logger: pino-http runs after the stand-ins.
    (req.log ?? logger).error({ err }, 'unhandled error');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal error', details: {} } });
  };
}
