/**
 * Bearer authentication for calls from Salesforce (the External Credential's key). Keys are
 * compared in constant time; two keys may be valid at once so a key can be rotated without
 * downtime.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { sendError } from './errors.ts';

function digest(value: string): Buffer {
  // Hashing first gives equal-length buffers, so the comparison leaks neither content nor length.
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Whether a presented key is one of `keys`, in constant time. */
export function keyMatcher(keys: readonly string[]): (presented: string | undefined) => boolean {
  const digests = keys.map(digest);
  return (presented) => {
    const d = presented === undefined ? undefined : digest(presented);
    // Compare against every key, always, so timing does not reveal which one matched.
    let ok = false;
    for (const k of digests) if (d && timingSafeEqual(d, k)) ok = true;
    return ok;
  };
}

export function requireApiKey(keys: readonly string[]) {
  const matches = keyMatcher(keys);
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (!matches(match?.[1])) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="dealdesk"');
      sendError(res, 401, 'UNAUTHORIZED', 'Missing or invalid bearer token');
      return;
    }
    next();
  };
}
