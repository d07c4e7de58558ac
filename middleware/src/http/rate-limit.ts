/**
 * Per-caller rate limiting for the API (express-rate-limit): a caller is its API key when it
 * presents a valid one (so the whole Salesforce org shares one budget however many IPs it calls
 * from), otherwise its IP address (so guessing keys is throttled too). Refusals are 429 with
 * Retry-After and the API's error shape.
 */
import type { Request, Response } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitRequestHandler } from 'express-rate-limit';
import { createHash } from 'node:crypto';
import { keyMatcher } from './auth.ts';
import { sendError } from './errors.ts';

export interface RateLimitOptions {
  perMinute: number;
  apiKeys: readonly string[];
  onLimited?: (req: Request) => void;
}

export function createRateLimit(options: RateLimitOptions): RateLimitRequestHandler {
  const matches = keyMatcher(options.apiKeys);
  return rateLimit({
    windowMs: 60_000,
    limit: options.perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req: Request) => {
      const presented = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
      // The key itself never becomes a map key in memory; its digest does.
      if (presented && matches(presented))
        return `key:${createHash('sha256').update(presented).digest('hex').slice(0, 32)}`;
      return `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
    handler: (req: Request, res: Response) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000));
      res.setHeader('Retry-After', String(seconds));
      options.onLimited?.(req);
      sendError(res, 429, 'RATE_LIMITED', `Too many requests; retry in ${seconds} s`, {
        retryAfterSeconds: seconds,
      });
    },
  });
}
