/**
 * What the local org answers where it stops emulating Salesforce: the REST resources, SOAP APIs
 * and Bulk APIs it does not have. Each answer is in the shape the real API uses for an error
 * (REST `[{message, errorCode}]`, a SOAP fault, a Bulk API 1.0 `<error>`), so clients such as
 * jsforce and the `sf` CLI surface the message instead of failing to parse a body, and the message
 * says the local org, not Salesforce, lacks the feature.
 */
import express, { type Request, type Response, type Router } from 'express';
import { SalesforceApiError } from './errors.ts';

/** What the local org serves under /services/data/vNN.N/, for the hint in every refusal. */
const SERVED =
  'It serves sobjects, query, queryAll, composite (with composite/sobjects and composite/tree), ' +
  'process/approvals, chatter/feed-elements, actions/standard/emailSimple and limits.';

/**
 * Salesforce REST resources the local org does not have, by their first path segment after
 * /services/data/vNN.N/ (or two, for composite, chatter, actions and process sub-resources).
 */
const REST_RESOURCES: Record<string, string> = {
  jobs: 'Bulk API 2.0',
  tooling: 'the Tooling API',
  search: 'SOSL search',
  parameterizedSearch: 'SOSL search',
  analytics: 'the Reports and Dashboards REST API',
  'ui-api': 'the User Interface API',
  connect: 'Connect REST API',
  wave: 'the CRM Analytics REST API',
  'async-queries': 'Async SOQL',
  recent: 'recently viewed items',
  tabs: 'tabs',
  theme: 'themes',
  appMenu: 'the app menu',
  scheduling: 'Salesforce Scheduler',
  consent: 'the Consent API',
  'composite/batch': 'composite batch requests',
  'composite/graph': 'composite graph requests',
  chatter: 'Chatter REST API resources other than feed-elements',
  actions: 'invocable actions other than standard/emailSimple',
  'process/rules': 'workflow rules',
};

/**
 * The error for a resource under /services/data/vNN.N/ that the local org does not route:
 * Salesforce's 404 NOT_FOUND, whose message names the missing API when it is a Salesforce API the
 * local org lacks (a CLI user sees why `sf data import bulk` fails here and not on a real org).
 */
export function unsupportedRestResource(segments: readonly string[], version: string): SalesforceApiError {
  const path = segments.join('/');
  const name =
    REST_RESOURCES[segments.slice(0, 2).join('/')] ?? (segments[0] ? REST_RESOURCES[segments[0]] : undefined);
  const message = name
    ? `The requested resource does not exist: the local org does not support ${name} (/services/data/v${version}/${path}). ${SERVED}`
    : `The requested resource does not exist: /services/data/v${version}/${path}. ${SERVED}`;
  return new SalesforceApiError('NOT_FOUND', message, { status: 404, bodyHasFields: false });
}

/** SOAP endpoints by their /services/Soap/{letter} path, as Salesforce names them. */
const SOAP_APIS: Record<string, string> = {
  m: 'the Metadata API (deploy, retrieve and metadata CRUD)',
  u: 'the SOAP API (partner WSDL)',
  c: 'the SOAP API (enterprise WSDL)',
  T: 'the Tooling API (SOAP)',
  s: 'the Apex API (SOAP: executeAnonymous, runTests)',
  class: 'Apex SOAP web services',
};

function escapeXml(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

/**
 * A SOAP 1.1 fault as Salesforce sends one: HTTP 500, `sf:` fault code. API_DISABLED_FOR_ORG is
 * Salesforce's own code for "this API is not enabled for this organization", which is the case.
 */
function soapFault(res: Response, api: string, path: string): void {
  const message = `The local org does not support ${api} (${path}); use a real Salesforce org for it. The local org serves the REST API under /services/data.`;
  res
    .status(500)
    .type('text/xml; charset=utf-8')
    .send(
      '<?xml version="1.0" encoding="UTF-8"?>' +
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com">' +
        '<soapenv:Body><soapenv:Fault><faultcode>sf:API_DISABLED_FOR_ORG</faultcode>' +
        `<faultstring>API_DISABLED_FOR_ORG: ${escapeXml(message)}</faultstring>` +
        '</soapenv:Fault></soapenv:Body></soapenv:Envelope>',
    );
}

/**
 * Bulk API 1.0 (/services/async) errors are `<error><exceptionCode>…` (or the JSON equivalent when
 * the client sent JSON); FeatureNotEnabled is the code Bulk API uses for a feature an org lacks.
 */
function bulkV1Error(req: Request, res: Response): void {
  const message =
    'The local org does not support Bulk API 1.0 (/services/async). The local org serves the REST API under /services/data.';
  if (/json/i.test(req.get('content-type') ?? '')) {
    res.status(400).json({ exceptionCode: 'FeatureNotEnabled', exceptionMessage: message });
    return;
  }
  res
    .status(400)
    .type('application/xml; charset=utf-8')
    .send(
      '<?xml version="1.0" encoding="UTF-8"?>' +
        '<error xmlns="http://www.force.com/2009/06/asyncapi/dataload">' +
        `<exceptionCode>FeatureNotEnabled</exceptionCode><exceptionMessage>${escapeXml(message)}</exceptionMessage></error>`,
    );
}

/**
 * The catch-all for /services/* paths the local org's own routes did not answer: SOAP APIs, Bulk
 * API 1.0, Apex REST and anything else under /services, each refused in its API's error shape.
 * Mounted after those routes; paths outside /services fall through to the middleware.
 */
export function createUnsupportedRouter(): Router {
  const router = express.Router();
  router.all(/^\/services\/Soap\/([^/]+)(?:\/.*)?$/, (req, res) => {
    const letter = (req.params as unknown as Record<string, string>)[0] ?? '';
    soapFault(res, SOAP_APIS[letter] ?? `the SOAP endpoint /services/Soap/${letter}`, req.path);
  });
  router.all(/^\/services\/async(?:\/.*)?$/, bulkV1Error);
  router.all(/^\/services(?:\/.*)?$/, (req, res) => {
    const what = req.path.startsWith('/services/apexrest')
      ? 'Apex REST services (the local org runs no Apex)'
      : `the resource ${req.path}`;
    const body = [
      {
        message: `The requested resource does not exist: the local org does not support ${what}. The local org serves the REST API under /services/data and OAuth under /services/oauth2/token and /services/oauth2/userinfo.`,
        errorCode: 'NOT_FOUND',
      },
    ];
    res.status(404).setHeader('Content-Type', 'application/json;charset=UTF-8');
    res.end(JSON.stringify(body));
  });
  return router;
}

/**
 * Collapses repeated slashes in a /services path before routing, as Salesforce's front end does:
 * `sf` stores the instance URL with a trailing slash and then asks for `//services/data/...`.
 * Only paths that become /services/... are touched; the middleware's own routes keep theirs.
 */
export const collapseSlashes: express.RequestHandler = (req, _res, next) => {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  if (path.includes('//')) {
    const collapsed = path.replace(/\/{2,}/g, '/');
    if (collapsed.startsWith('/services/') || collapsed === '/services')
      req.url = collapsed + (q < 0 ? '' : req.url.slice(q));
  }
  next();
};
