import assert from 'node:assert/strict';
import { ConfigError, loadConfig, secretValues } from './config.ts';
import { esignProviderOf } from './esign-config.ts';

const KEY =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  assert.fail('expected a ConfigError');
}

describe('e-signature config', () => {
  it('uses the local signing service unless DocuSign is chosen or configured', () => {
    const c = loadConfig({});
    assert.equal(esignProviderOf(c), 'local');
    assert.equal(c.signature.reminderDelayDays, 2);
    assert.equal(c.docusign.authServer, 'account-d.docusign.com');
  });

  it('names every DocuSign setting that is missing when DocuSign is chosen', () => {
    const problems = problemsOf({ DEALDESK_ESIGN: 'docusign' });
    for (const name of [
      'DOCUSIGN_INTEGRATION_KEY',
      'DOCUSIGN_USER_ID',
      'DOCUSIGN_PRIVATE_KEY_FILE',
      'DOCUSIGN_CONNECT_SECRETS',
      'PUBLIC_URL',
    ])
      assert.ok(
        problems.some((p) => p.startsWith(name)),
        `${name} missing from ${problems.join(' | ')}`,
      );
  });

  it('validates the values and never echoes a secret', () => {
    const problems = problemsOf({
      DOCUSIGN_INTEGRATION_KEY: 'not-a-guid',
      DOCUSIGN_USER_ID: '7c1d9e1a-3b2f-4a8e-8f0e-5a6b7c8d9e0f',
      DOCUSIGN_PRIVATE_KEY: 'short-secret-value',
      DOCUSIGN_CONNECT_SECRETS: 'tiny-secret',
      DOCUSIGN_AUTH_SERVER: 'account-d.docusign.com/oauth?x',
    });
    const text = problems.join('\n');
    assert.match(text, /DOCUSIGN_INTEGRATION_KEY \(docusign.integrationKey\): expected the integration key/);
    assert.match(text, /DOCUSIGN_PRIVATE_KEY \(docusign.privateKey\): expected a PEM RSA private key/);
    assert.match(text, /DOCUSIGN_CONNECT_SECRETS \(docusign.connectSecrets\): each Connect HMAC secret/);
    assert.match(text, /DOCUSIGN_AUTH_SERVER/);
    assert.doesNotMatch(text, /short-secret-value|tiny-secret/);
  });

  it('takes several Connect secrets for rotation and treats them and the key as secrets', () => {
    const c = loadConfig({
      DOCUSIGN_INTEGRATION_KEY: '0b7b1d0e-4a8e-4c6e-9f5e-3c1d2a3b4c5d',
      DOCUSIGN_USER_ID: '7c1d9e1a-3b2f-4a8e-8f0e-5a6b7c8d9e0f',
      DOCUSIGN_PRIVATE_KEY: KEY,
      DOCUSIGN_CONNECT_SECRETS: 'first-connect-secret-aaaa, second-connect-secret-bbb',
      PUBLIC_URL: 'https://dealdesk.example.com',
    });
    assert.equal(esignProviderOf(c), 'docusign');
    assert.deepEqual(c.docusign.connectSecrets, ['first-connect-secret-aaaa', 'second-connect-secret-bbb']);
    const secrets = secretValues(c);
    for (const s of [KEY, 'first-connect-secret-aaaa', 'second-connect-secret-bbb'])
      assert.ok(secrets.includes(s));
  });
});
