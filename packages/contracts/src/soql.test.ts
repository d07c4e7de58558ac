import assert from 'node:assert/strict';
import { soqlString, soqlStringList } from './soql.ts';
import { looksLikeSalesforceId, SALESFORCE_ID_PATTERN } from './salesforce-id.ts';

describe('SOQL literals', () => {
  it('quotes a value so quotes and backslashes stay inside the literal', () => {
    assert.equal(soqlString('Acme'), "'Acme'");
    assert.equal(soqlString("O'Brien"), "'O\\'Brien'");
    // The backslash is escaped first, so it cannot cancel the escape of the quote after it.
    assert.equal(soqlString("a\\' OR Name != '"), "'a\\\\\\' OR Name != \\''");
  });

  it('lists values for IN', () => {
    assert.equal(soqlStringList(['a', "b'c"]), "('a', 'b\\'c')");
  });
});

describe('Salesforce id shape', () => {
  it('accepts 15 and 18 letters and digits, with the key prefix asked for', () => {
    assert.equal(looksLikeSalesforceId('006D000000I8mIm'), true);
    assert.equal(looksLikeSalesforceId('006D000000I8mImIAJ', '006'), true);
    assert.equal(looksLikeSalesforceId('001D000000I8mImIAJ', '006'), false);
    // Only the shape: a checksum that cannot be right still passes, as the ports have always let it.
    assert.equal(looksLikeSalesforceId('006D000000I8mIm999'), true);
  });

  it('refuses what is not shaped like an id', () => {
    for (const bad of ['', '006', '006D000000I8mI', '006D000000I8mIm1', '006D000000I8mIm!', 'x'.repeat(19)])
      assert.equal(looksLikeSalesforceId(bad), false, bad);
  });

  it('keeps the pattern the schemas publish', () => {
    assert.equal(SALESFORCE_ID_PATTERN.source, '^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$');
  });
});
