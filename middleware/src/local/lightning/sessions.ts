/**
 * Sessions of Lightning Local's browser pages. A person signs in with an access token of the local
 * org (the admin's is in the banner and the data dir), as `sf org login access-token` does; the
 * page session then lives in an HttpOnly, SameSite=Strict cookie holding a random id. An
 * administrator may "Log in as" any active user, as in Salesforce, and log back out to themselves.
 * Sessions live in memory: a restart signs everyone out.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';

export const COOKIE = 'dealdesk_lightning_sid';
const SESSION_TTL_MS = 12 * 3600_000;

export interface LightningSession {
  id: string;
  /** Who the pages act as. */
  userId: string;
  /** The administrator who logged in as `userId`, if any. */
  loginAsBy?: string;
  expiresAt: number;
  /** A one-time message for the next page (a decision taken, a refusal). */
  flash?: { variant: 'success' | 'error'; message: string };
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

export class SessionStore {
  private readonly sessions = new Map<string, LightningSession>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  get(req: Request): LightningSession | undefined {
    const id = cookieValue(req, COOKIE);
    const session = id ? this.sessions.get(id) : undefined;
    if (!session) return undefined;
    if (session.expiresAt < this.now()) {
      this.sessions.delete(session.id);
      return undefined;
    }
    return session;
  }

  create(res: Response, userId: string, secure: boolean): LightningSession {
    // Expired sessions go when new ones come, so a long-running server does not collect them.
    for (const [id, s] of this.sessions) if (s.expiresAt < this.now()) this.sessions.delete(id);
    const session: LightningSession = {
      id: randomBytes(24).toString('base64url'),
      userId,
      expiresAt: this.now() + SESSION_TTL_MS,
    };
    this.sessions.set(session.id, session);
    res.cookie(COOKIE, session.id, {
      httpOnly: true,
      sameSite: 'strict',
      secure,
      path: '/lightning',
      maxAge: SESSION_TTL_MS,
    });
    return session;
  }

  destroy(res: Response, session: LightningSession | undefined): void {
    if (session) this.sessions.delete(session.id);
    res.clearCookie(COOKIE, { path: '/lightning' });
  }
}

/**
 * Cross-site form posts are refused: browsers say where a request comes from (Sec-Fetch-Site,
 * Origin), and only Lightning Local's own pages may change anything.
 */
export function isSameOrigin(req: Request): boolean {
  const site = req.get('Sec-Fetch-Site');
  if (site && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.get('Origin');
  // No Origin: not a browser's cross-site post (browsers send it on every POST).
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.get('Host');
  } catch {
    return false;
  }
}
