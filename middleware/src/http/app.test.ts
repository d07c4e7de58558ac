import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp, redactUrl } from './app.ts';
import { createLogger } from '../logger.ts';

describe('request logs', () => {
  it('never contain a signing token from a signing-page URL', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _enc, cb) {
          lines.push(chunk.toString());
          cb();
        },
      }),
    });
    await request(createApp({ logger })).get('/esign/sign/SECRET-SIGNING-TOKEN-123/documents/1?x=1');
    const all = lines.join('');
    assert.ok(all.includes('/esign/sign/[REDACTED]/documents/1'), all.slice(0, 300));
    assert.ok(!all.includes('SECRET-SIGNING-TOKEN-123'));
  });

  it('leaves other URLs alone', () => {
    assert.equal(redactUrl('/v1/closures/run-1'), '/v1/closures/run-1');
    assert.equal(redactUrl('/esign/sign/abc?x=1'), '/esign/sign/[REDACTED]?x=1');
  });
});
