import assert from 'node:assert/strict';
import request from 'supertest';
import { startLocalOrg, type LocalOrgHarness } from './testing.ts';
import { LOCAL_ORG_API_VERSION } from './local-org.ts';

const API = `/services/data/v${LOCAL_ORG_API_VERSION}`;
const AUTH = { Authorization: 'Bearer test-token' };

describe('local org: repeated slashes and what it does not support', () => {
  let h: LocalOrgHarness;
  before(async () => (h = await startLocalOrg()));
  after(async () => h.close());

  it('collapses repeated slashes in /services paths before routing, as Salesforce does', async () => {
    // `sf` keeps the instance URL as http://host:port/ and then asks for //services/data/...
    const res = await request(h.app)
      .get(`//services//data/v${LOCAL_ORG_API_VERSION}//query?q=SELECT+COUNT()+FROM+User`)
      .set(AUTH)
      .expect(200);
    assert.ok(res.body.totalSize > 0);
    await request(h.app).get('//services/data').expect(200);
    await request(h.app).get('//services/oauth2/userinfo').set(AUTH).expect(200);
    // Other paths keep their slashes: the middleware's own routes are not the org's to rewrite.
    const other = await request(h.app).get('//healthz');
    assert.equal(other.status, 404);
  });

  it('answers Salesforce REST resources it lacks with NOT_FOUND, naming the missing API', async () => {
    for (const [method, path, api] of [
      ['POST', 'jobs/ingest', 'Bulk API 2.0'],
      ['GET', 'jobs/query/750xx0000000001', 'Bulk API 2.0'],
      ['GET', 'tooling/query?q=SELECT+Id+FROM+ApexClass', 'the Tooling API'],
      ['GET', 'search?q=FIND+%7Bacme%7D', 'SOSL search'],
      ['POST', 'composite/batch', 'composite batch requests'],
      ['POST', 'actions/standard/chatterPost', 'invocable actions other than standard/emailSimple'],
    ] as const) {
      const res = await request(h.app)[method === 'GET' ? 'get' : 'post'](`${API}/${path}`).set(AUTH);
      assert.equal(res.status, 404, path);
      assert.deepEqual(Object.keys(res.body[0]), ['message', 'errorCode'], path);
      assert.equal(res.body[0].errorCode, 'NOT_FOUND', path);
      assert.match(res.body[0].message, new RegExp(`the local org does not support ${api}`), path);
    }
    const unknown = await request(h.app).get(`${API}/nothing-like-this`).set(AUTH).expect(404);
    assert.match(
      unknown.body[0].message,
      /^The requested resource does not exist: .*It serves sobjects, query/,
    );
  });

  it('still asks for a session before saying what it lacks', async () => {
    const res = await request(h.app).post(`${API}/jobs/ingest`).set('Authorization', 'Bearer nope');
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });

  it('answers SOAP APIs with a SOAP fault that jsforce reads as the error', async () => {
    const res = await request(h.app)
      .post(`/services/Soap/m/${LOCAL_ORG_API_VERSION}`)
      .set('Content-Type', 'text/xml')
      .set('SOAPAction', '""')
      .send('<soapenv:Envelope/>');
    assert.equal(res.status, 500);
    assert.match(res.headers['content-type'] ?? '', /^text\/xml/);
    assert.match(res.text, /<faultcode>sf:API_DISABLED_FOR_ORG<\/faultcode>/);
    assert.match(
      res.text,
      /<faultstring>API_DISABLED_FOR_ORG: The local org does not support the Metadata API/,
    );
    // Through jsforce's Metadata API client, as `sf project deploy` and `sf org list metadata` call it.
    await assert.rejects(h.conn.metadata.describe(LOCAL_ORG_API_VERSION), (err: Error) => {
      assert.match(err.message, /does not support the Metadata API/);
      return true;
    });
  });

  it('answers Bulk API 1.0, Apex REST and other /services paths in their error shapes', async () => {
    const bulk = await request(h.app).post('/services/async/65.0/job').set('Content-Type', 'application/xml');
    assert.equal(bulk.status, 400);
    assert.match(bulk.text, /<exceptionCode>FeatureNotEnabled<\/exceptionCode>/);
    const bulkJson = await request(h.app)
      .post('/services/async/65.0/job')
      .set('Content-Type', 'application/json')
      .send({});
    assert.equal(bulkJson.body.exceptionCode, 'FeatureNotEnabled');
    const apex = await request(h.app).get('/services/apexrest/deals').expect(404);
    assert.equal(apex.body[0].errorCode, 'NOT_FOUND');
    assert.match(apex.body[0].message, /Apex REST services/);
    const other = await request(h.app).get('/services/oauth2/authorize').expect(404);
    assert.match(other.body[0].message, /does not support the resource \/services\/oauth2\/authorize/);
  });
});
