/**
 * What Lightning Local's routes share: the local org, who may do what, the page sessions, the
 * Apex stand-in, the event streams and the components' bundle; and the two steps every page
 * takes: find the signed-in user, and build the page frame around them.
 */
import type { Request, Response } from 'express';
import type { Logger } from '../../logger.ts';
import { soqlString } from '@dealdesk/contracts';
import type { LocalOrg } from '@dealdesk/local-org';
import type { AccessModel, UserAccess } from './access.ts';
import type { DealDeskControllerStandIn } from './apex-controller.ts';
import type { LightningBundle } from './build.ts';
import type { EmpStreams } from './emp-stream.ts';
import { layout, notice, type Frame } from './pages.ts';
import { str } from './record-values.ts';
import type { LightningSession, SessionStore } from './sessions.ts';

export interface Authed {
  session: LightningSession;
  user: UserAccess;
}

export interface LightningContext {
  org: LocalOrg;
  logger: Logger;
  access: AccessModel;
  sessions: SessionStore;
  controller: DealDeskControllerStandIn;
  streams: EmpStreams;
  bundle: Promise<LightningBundle>;
  loginHint: string;
  secureCookies: boolean;
}

/** The signed-in user; otherwise a redirect to the login page (pages) or a 401 (calls from components). */
export function authed(ctx: LightningContext, req: Request, res: Response, api: boolean): Authed | undefined {
  const session = ctx.sessions.get(req);
  const user = session ? ctx.access.forUser(session.userId) : undefined;
  if (session && user) return { session, user };
  if (session) ctx.sessions.destroy(res, session);
  if (api) {
    res.status(401).json({
      error: {
        message: 'Your session has ended. Log in again.',
        exceptionType: 'System.NoAccessException',
        isUserDefinedException: false,
      },
    });
  } else {
    res.redirect(303, `/lightning/login?retURL=${encodeURIComponent(req.originalUrl)}`);
  }
  return undefined;
}

/**
 * The frame of a page: the user, who an administrator may switch to ("Log in as"), and the
 * bundle's script when the page shows components (waiting for the first build).
 */
export async function frameFor(
  ctx: LightningContext,
  a: Authed,
  title: string,
  withComponents: boolean,
): Promise<{ frame: Frame; buildError?: string }> {
  const admin = a.session.loginAsBy
    ? ctx.access.forUser(a.session.loginAsBy)
    : a.user.isAdmin
      ? a.user
      : undefined;
  const switchable = admin?.isAdmin
    ? ctx.org
        .query(
          `SELECT Id, Name, Title FROM User WHERE IsActive = true AND Id != ${soqlString(ctx.org.integrationUserId)} ORDER BY Name`,
        )
        .records.map((u) => ({ id: String(u.Id), name: String(u.Name), title: str(u.Title) }))
    : undefined;
  let script: string | undefined;
  let buildError: string | undefined;
  if (withComponents) {
    try {
      script = `/lightning/app/${(await ctx.bundle).key}/app.js`;
    } catch (err) {
      buildError = err instanceof Error ? err.message : String(err);
    }
  }
  return {
    frame: {
      title,
      user: a.user,
      session: a.session,
      ...(switchable ? { switchable } : {}),
      ...(a.session.loginAsBy && admin ? { loginAsByName: admin.name } : {}),
      ...(script ? { script } : {}),
    },
    ...(buildError ? { buildError } : {}),
  };
}

export function notFound(res: Response, a: Authed, message: string): void {
  res
    .status(404)
    .type('html')
    .send(
      layout(
        { title: 'Page not found', user: a.user, session: a.session },
        notice('warning', message, 'not-found'),
      ),
    );
}
