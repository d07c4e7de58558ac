/**
 * Signing in and out of Lightning Local, and "Log in as": an administrator switches the page
 * session to another active user (the rep, an approver) and back, as Salesforce's Login-As does.
 * The integration user is not offered: nobody works in Lightning as the middleware.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { SalesforceApiError } from '@dealdesk/local-org';
import { authed, type LightningContext } from './context.ts';
import { layout, loginPage, notice } from './pages.ts';
import { isSameOrigin } from './sessions.ts';

export const HOME = '/lightning/o/Opportunity/list';

export const form = express.urlencoded({ extended: false, limit: '64kb' });

/** Cross-site posts are refused before they change anything. */
export function sameOriginOnly(req: Request, res: Response, next: NextFunction): void {
  if (isSameOrigin(req)) return next();
  res.status(403).type('text/plain').send('Cross-site requests are refused');
}

/** Only a path inside Lightning Local may be returned to after login: never another site. */
export function safeReturn(value: unknown): string {
  return typeof value === 'string' && /^\/lightning(\/[\w-]|$|\?)/.test(value) && !value.includes('//')
    ? value
    : HOME;
}

export function sessionRoutes(router: Router, ctx: LightningContext): void {
  const { org, access, sessions } = ctx;
  router.get('/lightning/login', (req, res) => {
    res.type('html').send(loginPage(undefined, safeReturn(req.query.retURL), ctx.loginHint));
  });
  router.post('/lightning/login', form, sameOriginOnly, (req, res) => {
    const body = req.body as { token?: unknown; retURL?: unknown };
    const retURL = safeReturn(body.retURL);
    let userId: string | undefined;
    try {
      userId = typeof body.token === 'string' ? org.authenticate(`Bearer ${body.token.trim()}`) : undefined;
    } catch (err) {
      if (!(err instanceof SalesforceApiError)) throw err;
    }
    if (!userId || !access.forUser(userId)) {
      res
        .status(401)
        .type('html')
        .send(loginPage('That token does not sign in to the local org.', retURL, ctx.loginHint));
      return;
    }
    sessions.create(res, userId, ctx.secureCookies);
    res.redirect(303, retURL);
  });
  router.post('/lightning/logout', sameOriginOnly, (req, res) => {
    sessions.destroy(res, sessions.get(req));
    res.redirect(303, '/lightning/login');
  });
  router.post('/lightning/session/login-as', form, sameOriginOnly, (req, res) => {
    const a = authed(ctx, req, res, false);
    if (!a) return;
    const adminId = a.session.loginAsBy ?? a.user.userId;
    if (!access.forUser(adminId)?.isAdmin) {
      res
        .status(403)
        .type('html')
        .send(
          layout(
            { title: 'Log in as', user: a.user, session: a.session },
            notice('error', 'Only an administrator can log in as another user.', 'login-as-refused'),
          ),
        );
      return;
    }
    const requested = (req.body as { userId?: unknown }).userId;
    const target = typeof requested === 'string' ? access.forUser(requested) : undefined;
    if (!target || target.userId === org.integrationUserId) {
      a.session.flash = { variant: 'error', message: 'That user cannot be logged in as.' };
    } else if (target.userId === adminId) {
      delete a.session.loginAsBy;
      a.session.userId = adminId;
    } else {
      a.session.userId = target.userId;
      a.session.loginAsBy = adminId;
    }
    ctx.logger.info({ adminId, userId: a.session.userId }, 'Lightning Local: logged in as');
    res.redirect(303, HOME);
  });
  router.post('/lightning/session/logout-as', sameOriginOnly, (req, res) => {
    const a = authed(ctx, req, res, false);
    if (!a) return;
    if (a.session.loginAsBy) {
      a.session.userId = a.session.loginAsBy;
      delete a.session.loginAsBy;
    }
    res.redirect(303, HOME);
  });
}
