import assert from 'node:assert/strict';
import request from 'supertest';
import { startLocalOrg, type LocalOrgHarness } from './testing.ts';

describe('local org OAuth userinfo and token', () => {
  let h: LocalOrgHarness;
  beforeEach(async () => (h = await startLocalOrg()));
  afterEach(async () => h.close());

  it("answers with the token's user and org, as @salesforce/core's access-token login reads them", async () => {
    const res = await request(h.app)
      .get('/services/oauth2/userinfo')
      .set('Authorization', 'Bearer test-token')
      .expect(200);
    const user = (
      await h.conn.query<{ Id: string; Username: string }>(
        `SELECT Id, Username FROM User WHERE Id = '${h.org.integrationUserId}'`,
      )
    ).records[0]!;
    const orgId = (await h.conn.query<{ Id: string }>('SELECT Id FROM Organization')).records[0]!.Id;
    assert.equal(res.body.user_id, user.Id);
    assert.equal(res.body.preferred_username, user.Username);
    assert.equal(res.body.organization_id, orgId);
    assert.match(res.body.sub, new RegExp(`^http://[^/]+/id/${orgId}/${user.Id}$`));
    assert.equal(res.body.active, true);
  });

  it('answers the Organization query @salesforce/core makes when it records a login', async () => {
    const org = (
      await h.conn.query<Record<string, unknown>>(
        'SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization',
      )
    ).records[0]!;
    assert.equal(org.OrganizationType, 'Developer Edition');
    assert.equal(org.IsSandbox, false);
    assert.equal(org.TrialExpirationDate, null);
    assert.equal(org.NamespacePrefix, null);
  });

  it('refuses a missing or unknown token the way Salesforce does: 403 and a bare text code', async () => {
    const res = await request(h.app).get('/services/oauth2/userinfo').set('Authorization', 'Bearer nope');
    assert.equal(res.status, 403);
    assert.match(res.headers['content-type'] ?? '', /^text\/plain/);
    assert.equal(res.text, 'Bad_OAuth_Token');
    const none = await request(h.app).get('/services/oauth2/userinfo').expect(403);
    assert.equal(none.text, 'Missing_OAuth_Token');
  });

  it('answers refresh tokens and authorization codes it never issued with invalid_grant', async () => {
    for (const [form, description] of [
      [
        'grant_type=refresh_token&refresh_token=5Aep861x&client_id=PlatformCLI',
        'expired access/refresh token',
      ],
      ['grant_type=authorization_code&code=aPrx&client_id=PlatformCLI', 'invalid authorization code'],
    ] as const) {
      const res = await request(h.app)
        .post('/services/oauth2/token')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send(form)
        .expect(400);
      assert.deepEqual(res.body, { error: 'invalid_grant', error_description: description });
    }
    const noAssertion = await request(h.app)
      .post('/services/oauth2/token')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer')
      .expect(400);
    assert.equal(noAssertion.body.error, 'invalid_grant');
  });

  it('refuses a token request that is not a JWT bearer form, whatever its body, with a 400', async () => {
    for (const [type, body] of [
      ['application/json', '{}'],
      ['application/json', '[]'],
      ['text/plain', 'grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer'],
      ['application/x-www-form-urlencoded', 'grant_type=password&username=a&password=b'],
    ] as const) {
      const res = await request(h.app).post('/services/oauth2/token').set('Content-Type', type).send(body);
      assert.equal(res.status, 400, `${type} ${body}`);
      assert.equal(res.body.error, 'unsupported_grant_type');
    }
  });
});
