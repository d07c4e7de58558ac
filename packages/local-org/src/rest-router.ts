/**
 * HTTP for the local org: `/services/data` (the Salesforce REST API) and `/local/*` (stats,
 * sessions and platform events for local tooling). Mounted by the middleware in local mode,
 * so `new Connection({ instanceUrl: 'http://localhost:3000', accessToken })` just works.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { SalesforceApiError, sfError } from './errors.ts';
import { LOCAL_ORG_API_VERSION, OAuthError, OLDEST_API_VERSION, type LocalOrg } from './local-org.ts';
import { RestApi, type ApiResponse } from './rest-api.ts';
import { createOrgFaultInjector, type OrgFaultOptions } from './faults.ts';
import { collapseSlashes, createUnsupportedRouter } from './unsupported.ts';

const BODY_LIMIT = '25mb';

/** Release names of API versions, e.g. 65.0 → Winter '26 (three releases a year since Summer '14 = 31.0). */
export function releaseLabel(major: number): string {
  const k = major - 31;
  const season = ['Summer', 'Winter', 'Spring'][((k % 3) + 3) % 3]!;
  const year = 14 + Math.floor(k / 3) + (((k % 3) + 3) % 3 === 0 ? 0 : 1);
  return `${season} '${String(year).padStart(2, '0')}`;
}

function versionsList(): { label: string; url: string; version: string }[] {
  const newest = Number(LOCAL_ORG_API_VERSION.split('.')[0]);
  const out = [];
  for (let v = OLDEST_API_VERSION; v <= newest; v++) {
    out.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
  }
  return out;
}

/**
 * A JSON answer as Salesforce's REST API sends it: its content type, and no ETag (express would
 * hash every body for one, and Salesforce does not send one on these resources).
 */
function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).setHeader('Content-Type', 'application/json;charset=UTF-8');
  res.end(JSON.stringify(body));
}

function send(res: Response, org: LocalOrg, result: ApiResponse): void {
  res.setHeader('Sforce-Limit-Info', `api-usage=${org.requestStats().total}/100000`);
  for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, v);
  if (result.binary) {
    res.status(result.status).type(result.binary.contentType).send(Buffer.from(result.binary.data));
  } else if (result.body === undefined) {
    res.status(result.status).end();
  } else {
    sendJson(res, result.status, result.body);
  }
}

function sendError(res: Response, err: SalesforceApiError): void {
  sendJson(res, err.status, err.toBody());
}

/** The userinfo response (Salesforce Help: "UserInfo Endpoint"), for the fields the local org holds. */
export function userInfo(org: LocalOrg, userId: string, self: string): Record<string, unknown> {
  const organizationId = String(org.query('SELECT Id FROM Organization LIMIT 1').records[0]?.Id ?? '');
  const user = org.query(
    'SELECT Id, Username, Name, FirstName, LastName, Email, IsActive, TimeZoneSidKey, LanguageLocaleKey, ' +
      `LocaleSidKey, LastModifiedDate FROM User WHERE Id = '${userId}'`,
  ).records[0];
  if (!user) throw sfError.invalidSession();
  const id = `${self}/id/${organizationId}/${userId}`;
  return {
    sub: id,
    user_id: userId,
    organization_id: organizationId,
    preferred_username: user.Username,
    nickname: String(user.Username).split('@')[0],
    name: user.Name,
    email: user.Email,
    email_verified: true,
    given_name: user.FirstName,
    family_name: user.LastName,
    zoneinfo: user.TimeZoneSidKey,
    active: user.IsActive === true,
    user_type: 'STANDARD',
    language: user.LanguageLocaleKey,
    locale: user.LocaleSidKey,
    updated_at: user.LastModifiedDate,
    urls: {
      rest: `${self}/services/data/v{version}/`,
      sobjects: `${self}/services/data/v{version}/sobjects/`,
      query: `${self}/services/data/v{version}/query/`,
      profile: `${self}/${userId}`,
    },
  };
}

/**
 * The token endpoint's answer to a grant the local org does not accept, in OAuth's error shape as
 * Salesforce words it: it issues no refresh tokens or authorization codes, so any presented one is
 * an invalid grant; other grant types (password, client credentials) are not enabled.
 */
function refusedGrant(grantType: unknown): { error: string; error_description: string } | undefined {
  switch (grantType) {
    case 'urn:ietf:params:oauth:grant-type:jwt-bearer':
      return undefined;
    case 'refresh_token':
      return { error: 'invalid_grant', error_description: 'expired access/refresh token' };
    case 'authorization_code':
      return { error: 'invalid_grant', error_description: 'invalid authorization code' };
    default:
      return { error: 'unsupported_grant_type', error_description: 'grant type not supported' };
  }
}

const SessionBodySchema = z.object({ username: z.string().min(1).max(80) });

export interface LocalOrgRouterOptions {
  /** Added latency per API request, to make a slow org (and crash windows) reproducible. */
  latencyMs?: number;
  /** Injected Salesforce faults (LOCAL_ORG_FAULT_*), for resilience tests and soak runs. */
  faults?: OrgFaultOptions;
}

export function createLocalOrgRouter(org: LocalOrg, options: LocalOrgRouterOptions = {}): Router {
  const router = express.Router();
  router.use(collapseSlashes);
  const latency = options.latencyMs ?? 0;
  if (latency > 0) router.use('/services/data', (_req, _res, next) => void setTimeout(next, latency));
  const json = express.json({ limit: BODY_LIMIT, type: () => true, strict: false });
  const faults: express.RequestHandler = options.faults
    ? createOrgFaultInjector(org, options.faults)
    : (_req, _res, next) => next();

  registerOAuthRoutes(router, org);
  registerRestApiRoutes(router, { org, json, faults });
  registerLocalToolingRoutes(router, { org, json });

  // Every other /services path (SOAP, Bulk API 1.0, Apex REST, ...) in its API's error shape.
  router.use(createUnsupportedRouter());
  router.use(bodyParserErrors);
  return router;
}

/** What the route groups share: the org, and the JSON body parser (with its limit and types). */
interface RouteContext {
  org: LocalOrg;
  json: express.RequestHandler;
}

function registerOAuthRoutes(router: Router, org: LocalOrg): void {
  // OAuth 2.0 JWT bearer flow, for middlewares that log in as a real org's integration user.
  router.post(
    '/services/oauth2/token',
    express.urlencoded({ extended: false, limit: '16kb' }),
    (req, res) => {
      // A body that is not a form (JSON, none) leaves req.body unset: refused as Salesforce does.
      const body = (req.body ?? {}) as Record<string, unknown>;
      const refused = refusedGrant(body.grant_type);
      if (refused || typeof body.assertion !== 'string') {
        res.status(400).json(refused ?? { error: 'invalid_grant', error_description: 'invalid assertion' });
        return;
      }
      const self = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
      try {
        const session = org.jwtBearerLogin(body.assertion, [
          'https://login.salesforce.com',
          'https://test.salesforce.com',
          self,
        ]);
        res.json({
          access_token: session.accessToken,
          scope: 'api',
          instance_url: self,
          id: `${self}/id/00DDd0000000001/${session.userId}`,
          token_type: 'Bearer',
        });
      } catch (err) {
        if (!(err instanceof OAuthError)) throw err;
        res.status(400).json({ error: err.error, error_description: err.message });
      }
    },
  );

  // OpenID Connect userinfo, which `sf org login access-token` (@salesforce/core AuthInfo) calls to
  // learn the username and org id behind a token.
  router.get('/services/oauth2/userinfo', (req, res) => {
    // Salesforce's identity service answers a missing or bad token with a 403 and a bare text
    // code, not a JSON error; @salesforce/core shows that text in its login error.
    if (!req.headers.authorization) {
      res.status(403).type('text/plain').send('Missing_OAuth_Token');
      return;
    }
    let userId: string;
    try {
      userId = org.authenticate(req.headers.authorization);
    } catch {
      res.status(403).type('text/plain').send('Bad_OAuth_Token');
      return;
    }
    res.json(userInfo(org, userId, `${req.protocol}://${req.get('host') ?? 'localhost'}`));
  });
}

function registerRestApiRoutes(router: Router, ctx: RouteContext & { faults: express.RequestHandler }): void {
  const { org } = ctx;
  const api = new RestApi(org);
  router.get('/services/data', (_req, res) => {
    res.json(versionsList());
  });

  const newest = Number(LOCAL_ORG_API_VERSION.split('.')[0]);
  router.all(
    /^\/services\/data\/v(\d+\.\d)(?:\/(.*))?$/,
    ctx.json,
    ctx.faults,
    (req: Request, res: Response) => {
      const params = req.params as unknown as Record<string, string | undefined>;
      const version = params[0] ?? '';
      const major = Number(version.split('.')[0]);
      if (!(major >= OLDEST_API_VERSION && major <= newest) || !version.endsWith('.0')) {
        sendError(res, sfError.notFound());
        return;
      }
      let userId: string;
      try {
        userId = org.authenticate(req.headers.authorization);
      } catch (err) {
        sendError(res, err as SalesforceApiError);
        return;
      }
      // req.url, not originalUrl: it is the path after collapseSlashes, which `//services` needs.
      const url = new URL(req.url, 'http://local');
      const segments = pathSegments(params[1] ?? '');
      if (!segments) {
        sendError(res, sfError.notFound());
        return;
      }
      send(
        res,
        org,
        api.handle({
          method: req.method,
          segments,
          query: url.searchParams,
          body: req.body,
          headers: forwardedHeaders(req),
          userId,
          version,
        }),
      );
    },
  );
}

/** The resource path's segments, decoded; undefined when one is not valid percent-encoding. */
function pathSegments(path: string): string[] | undefined {
  try {
    return path
      .split('/')
      .filter((s) => s.length > 0)
      .map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

function forwardedHeaders(req: Request): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers))
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  delete headers['x-local-subrequest'];
  return headers;
}

// Local tooling: request statistics (benchmarks count Salesforce calls per deal), sessions, events.
function registerLocalToolingRoutes(router: Router, ctx: RouteContext): void {
  const { org } = ctx;
  const requireUser = (req: Request, res: Response): string | undefined => {
    try {
      return org.authenticate(req.headers.authorization);
    } catch (err) {
      sendError(res, err as SalesforceApiError);
      return undefined;
    }
  };
  router.get('/local/stats', (req, res) => {
    if (requireUser(req, res)) res.json(org.requestStats());
  });
  router.delete('/local/stats', (req, res) => {
    if (!requireUser(req, res)) return;
    org.resetStats();
    res.status(204).end();
  });
  router.post('/local/sessions', ctx.json, (req, res) => {
    const userId = requireUser(req, res);
    if (!userId) return;
    openSession(org, userId, req, res);
  });
  router.get('/local/events', (req, res) => {
    if (!requireUser(req, res)) return;
    const after = Number(req.query.after ?? 0);
    if (!Number.isInteger(after) || after < 0) {
      sendError(res, sfError.jsonParser('after must be a non-negative integer replay id'));
      return;
    }
    const type = typeof req.query.type === 'string' ? req.query.type : undefined;
    res.json({ events: org.platformEventsSince(after, type) });
  });
}

function openSession(org: LocalOrg, userId: string, req: Request, res: Response): void {
  if (userId !== org.integrationUserId) {
    sendError(
      res,
      new SalesforceApiError(
        'INSUFFICIENT_ACCESS',
        'only the integration user can open sessions for others',
        { status: 403 },
      ),
    );
    return;
  }
  const body = SessionBodySchema.safeParse(req.body);
  if (!body.success) {
    sendError(res, sfError.jsonParser('expected {"username": "<username>"}'));
    return;
  }
  try {
    const session = org.createSession(body.data.username);
    res.status(201).json({
      access_token: session.accessToken,
      id: session.userId,
      instance_url: `${req.protocol}://${req.get('host')}`,
    });
  } catch (err) {
    if (err instanceof SalesforceApiError) sendError(res, err);
    else throw err;
  }
}

/** Body parser failures (malformed JSON, oversized bodies) in Salesforce's error shape. */
function bodyParserErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.parse.failed') {
    sendError(res, sfError.jsonParser(`Unexpected character in JSON body: ${e.message ?? 'malformed JSON'}`));
  } else if (e.type === 'entity.too.large') {
    sendError(
      res,
      new SalesforceApiError('JSON_PARSER_ERROR', `Request body exceeds the ${BODY_LIMIT} limit`, {
        status: 413,
      }),
    );
  } else if (e.status && e.status >= 400 && e.status < 500) {
    sendError(
      res,
      new SalesforceApiError('INVALID_REQUEST', e.message ?? 'bad request', { status: e.status }),
    );
  } else {
    next(err);
  }
}
