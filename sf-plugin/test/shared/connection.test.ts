import { expect } from 'chai';
import { connectionProblem, isLocalOrg, LOCAL_ORG_INSTANCE } from '../../src/shared/connection.ts';

const conn = { instanceUrl: 'https://acme.my.salesforce.com/' };
const sfError = (errorCode: string, message: string) =>
  Object.assign(new Error(message), { name: errorCode, errorCode });

describe('connection problems', () => {
  it('calls a refused token a session problem, whether Salesforce named it or only answered 401', () => {
    for (const err of [
      sfError('INVALID_SESSION_ID', 'Session expired or invalid'),
      sfError('ERROR_HTTP_401', 'HTTP 401'),
      Object.assign(new Error('expired access/refresh token'), { name: 'invalid_grant' }),
    ]) {
      const problem = connectionProblem(err, conn);
      expect(problem.kind, err.message).to.equal('session');
      expect(problem.message).to.equal(`https://acme.my.salesforce.com refused the session: ${err.message}`);
    }
  });

  it('calls a failed fetch an unreachable org, naming the network error', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }),
    });
    expect(connectionProblem(refused, conn)).to.deep.include({
      kind: 'unreachable',
      message: 'Cannot reach the org at https://acme.my.salesforce.com (ENOTFOUND)',
    });
  });

  it('calls any other answer an API problem, with Salesforce’s code, never missing metadata', () => {
    const problem = connectionProblem(sfError('NOT_FOUND', 'The requested resource does not exist'), conn);
    expect(problem.kind).to.equal('api');
    expect(problem.message).to.equal(
      "https://acme.my.salesforce.com did not answer like a Salesforce org's REST API: The requested resource does not exist (NOT_FOUND)",
    );
    expect(problem.fix).to.match(/instance URL/);
    expect(connectionProblem(new Error('boom'), conn).message).to.match(/REST API: boom$/);
  });

  it('tells the local org by its instance name, which no real org has', () => {
    expect(isLocalOrg(LOCAL_ORG_INSTANCE)).to.equal(true);
    for (const pod of ['NA135', 'USA570S', 'EU45', 'CS89', null])
      expect(isLocalOrg(pod), String(pod)).to.equal(false);
  });
});
