/**
 * The REST API surface of the local org, as a dispatcher from (method, path, body) to a
 * response. `rest-router.ts` feeds it HTTP requests; `composite` feeds it subrequests inside one
 * transaction. Shapes and status codes follow the Salesforce REST API Developer Guide. Each
 * resource family has its own file (`rest-sobjects.ts`, `rest-query.ts`, `rest-composite.ts`,
 * `rest-collections.ts`); the small resources (limits, approvals, chatter, email) stay here.
 */
import { EmailSimpleSchema, FeedItemInputSchema, postFeedElement, sendSimpleEmails } from './notify-api.ts';
import { ProcessRequestsBodySchema } from './approvals.ts';
import type { Dml } from './dml.ts';
import { SalesforceApiError, sfError } from './errors.ts';
import { LOCAL_ORG_API_VERSION, type LocalOrg } from './local-org.ts';
import {
  apiBase,
  errorResponse,
  parseBody,
  type ApiRequest,
  type ApiResponse,
  type RestContext,
} from './rest-common.ts';
import { composite } from './rest-composite.ts';
import { QueryResource } from './rest-query.ts';
import { sobjects } from './rest-sobjects.ts';
import type { RecordReader } from './soql/engine.ts';
import { unsupportedRestResource } from './unsupported.ts';

export { errorResponse, type ApiRequest, type ApiResponse } from './rest-common.ts';

export class RestApi implements RestContext {
  readonly org: LocalOrg;
  private readonly queries: QueryResource;

  constructor(org: LocalOrg) {
    this.org = org;
    this.queries = new QueryResource(this);
  }

  handle(req: ApiRequest): ApiResponse {
    try {
      return this.route(req, undefined);
    } catch (err) {
      return errorResponse(err);
    }
  }

  /** Routes one request; `dml` is set when it runs inside a composite transaction. */
  route(req: ApiRequest, dml: Dml | undefined): ApiResponse {
    const [resource, ...rest] = req.segments;
    const m = req.method;
    switch (resource) {
      case undefined:
      case '':
        this.count(req, 'resources', 'GET /');
        return { status: 200, body: this.resources(req) };
      case 'sobjects':
        return sobjects(this, req, rest, dml);
      case 'query':
      case 'queryAll':
        if (m !== 'GET') throw sfError.methodNotAllowed(m);
        return this.queries.handle(req, rest, resource, dml);
      case 'composite':
        return composite(this, req, rest, dml);
      case 'process':
        if (rest[0] !== 'approvals') break;
        return this.processApprovals(req, dml);
      case 'chatter':
        if (rest[0] !== 'feed-elements' || rest.length !== 1) break;
        if (m !== 'POST') throw sfError.methodNotAllowed(m);
        this.count(req, 'chatter', 'POST chatter/feed-elements');
        return {
          status: 201,
          body: this.write(req, dml, (d) => postFeedElement(d, parseBody(FeedItemInputSchema, req.body))),
        };
      case 'actions':
        if (rest[0] !== 'standard' || rest[1] !== 'emailSimple' || rest.length !== 2) break;
        if (m !== 'POST') throw sfError.methodNotAllowed(m);
        this.count(req, 'actions', 'POST actions/standard/emailSimple');
        return {
          status: 200,
          body: sendSimpleEmails(
            this.org.outbox,
            req.userId,
            this.org.clock(),
            parseBody(EmailSimpleSchema, req.body),
          ),
        };
      case 'limits':
        this.count(req, 'limits', 'GET limits');
        return { status: 200, body: this.limits() };
    }
    throw unsupportedRestResource(req.segments, req.version);
  }

  count(req: ApiRequest, resource: string, operation: string): void {
    // Composite subrequests are part of one API call and are not counted again.
    if (req.headers['x-local-subrequest'] !== 'true') this.org.count(resource, operation);
  }

  private resources(req: ApiRequest): Record<string, string> {
    const base = apiBase(req);
    return {
      sobjects: `${base}/sobjects`,
      query: `${base}/query`,
      queryAll: `${base}/queryAll`,
      composite: `${base}/composite`,
      process: `${base}/process`,
      limits: `${base}/limits`,
    };
  }

  private limits(): Record<string, { Max: number; Remaining: number }> {
    const used = this.org.requestStats().total;
    return {
      DailyApiRequests: { Max: 100_000, Remaining: Math.max(0, 100_000 - used) },
      DataStorageMB: { Max: 5, Remaining: 5 },
      FileStorageMB: { Max: 20, Remaining: 20 },
    };
  }

  /** Runs a write in the composite's transaction, or in a transaction of its own. */
  write<T>(req: ApiRequest, dml: Dml | undefined, work: (dml: Dml) => T): T {
    return dml ? work(dml) : this.org.transact(req.userId, work);
  }

  reader(dml: Dml | undefined): RecordReader {
    return this.org.reader(dml ? dml.tx : this.org.store);
  }

  // ---------- process/approvals ----------

  private processApprovals(req: ApiRequest, dml: Dml | undefined): ApiResponse {
    if (req.method === 'GET') {
      this.count(req, 'process', 'GET process/approvals');
      const approvals: Record<string, unknown[]> = {};
      for (const def of this.org.approvals.list()) {
        (approvals[def.object] ??= []).push({
          description: def.description,
          id: this.org.processDefinitions.get(def.developerName),
          name: def.developerName,
          object: def.object,
          sortOrder: 1,
        });
      }
      return { status: 200, body: { approvals } };
    }
    if (req.method !== 'POST') throw sfError.methodNotAllowed(req.method);
    this.count(req, 'process', 'POST process/approvals');
    const body = parseBody(ProcessRequestsBodySchema, req.body);
    const ids = this.org.processDefinitions;
    if (body.requests.length === 1) {
      const result = this.write(req, dml, (d) => this.org.approvals.process(d, ids, body.requests[0]!));
      return { status: 200, body: [result] };
    }
    // Bulk: requests that succeed are committed; failing ones report their errors.
    const results = body.requests.map((r) => {
      try {
        return this.write(req, dml, (d) => this.org.approvals.process(d, ids, r));
      } catch (err) {
        if (!(err instanceof SalesforceApiError)) throw err;
        return {
          success: false,
          errors: [{ statusCode: err.errorCode, message: err.message, fields: err.fields }],
        };
      }
    });
    return { status: 200, body: results };
  }
}

export { LOCAL_ORG_API_VERSION };
