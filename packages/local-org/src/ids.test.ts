import assert from 'node:assert/strict';
import { idChecksum, isSalesforceId, mintId, to18 } from './ids.ts';

describe('Salesforce ids', () => {
  it('computes the documented 18-character forms', () => {
    // Pairs from the Process Approvals REST reference (contextId → entityId, nextApproverIds → actorIds).
    assert.equal(to18('001D000000I8mIm'), '001D000000I8mImIAJ');
    assert.equal(to18('005D00000015rY9'), '005D00000015rY9IAI');
  });

  it('restores the case of an 18-character id written in any case', () => {
    assert.equal(to18('001d000000i8mimiaj'), '001D000000I8mImIAJ');
    assert.equal(to18('001D000000I8MIMIAJ'), '001D000000I8mImIAJ');
  });

  it('rejects what is not an id', () => {
    for (const bad of [
      '',
      'abc',
      '001D000000I8mI',
      '001D000000I8mIm!',
      '001D000000I8mImIA_',
      'x'.repeat(19),
    ]) {
      assert.equal(isSalesforceId(bad), false, bad);
    }
  });

  it('mints unique ids with the key prefix and a valid checksum', () => {
    const seen = new Set<string>();
    for (let n = 1; n <= 5000; n++) {
      const id = mintId('006', n);
      assert.match(id, /^006[A-Za-z0-9]{15}$/);
      assert.equal(id.slice(15), idChecksum(id.slice(0, 15)));
      assert.equal(to18(id.slice(0, 15)), id);
      seen.add(id.toLowerCase());
    }
    // Unique even case-insensitively, which is what the checksum is for.
    assert.equal(seen.size, 5000);
  });
});
