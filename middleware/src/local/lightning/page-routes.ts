/**
 * Lightning Local's pages at Salesforce's URLs: the opportunity list view, record pages, and Items
 * to Approve with its Approve and Reject buttons.
 */
import type { Router } from 'express';
import { authed, frameFor, notFound, type LightningContext } from './context.ts';
import { decide, DecisionSchema, itemsToApprove } from './approvals-inbox.ts';
import { approvalsPage, listPage, notice, type OpportunityRow } from './pages.ts';
import { RECORD_PAGE_OBJECTS, recordPage, type RecordPageObject } from './record-pages.ts';
import { num, parentField, str } from './record-values.ts';
import { form, HOME, sameOriginOnly } from './session-routes.ts';

export function pageRoutes(router: Router, ctx: LightningContext): void {
  const { org } = ctx;
  router.get('/lightning', (_req, res) => res.redirect(302, HOME));
  router.get('/lightning/o/Opportunity/list', async (req, res) => {
    const a = authed(ctx, req, res, false);
    if (!a) return;
    const filter = req.query.filterName === 'All' ? 'All' : 'Open';
    const rows: OpportunityRow[] = a.user.canRead('Opportunity')
      ? org
          .query(
            'SELECT Id, Name, Account.Name, StageName, Amount, CurrencyIsoCode, CloseDate, Owner.Name FROM Opportunity ' +
              `${filter === 'Open' ? 'WHERE IsClosed = false ' : ''}ORDER BY CloseDate, Name`,
          )
          .records.map((r) => ({
            id: String(r.Id),
            name: String(r.Name),
            accountName: parentField(r.Account, 'Name'),
            stageName: str(r.StageName),
            amount: num(r.Amount),
            currencyIsoCode: str(r.CurrencyIsoCode),
            closeDate: str(r.CloseDate),
            ownerName: parentField(r.Owner, 'Name'),
          }))
      : [];
    const { frame } = await frameFor(ctx, a, 'Opportunities', false);
    res.type('html').send(listPage({ ...frame, active: 'opportunities' }, rows, filter));
  });
  router.get('/lightning/r/:object/:id/view', async (req, res) => {
    const a = authed(ctx, req, res, false);
    if (!a) return;
    const object = req.params.object as RecordPageObject;
    if (!RECORD_PAGE_OBJECTS.includes(object)) {
      notFound(res, a, `Lightning Local has no record page for ${req.params.object}.`);
      return;
    }
    const { frame, buildError } = await frameFor(ctx, a, object, true);
    const page = recordPage(org, frame, object, req.params.id);
    const html = buildError
      ? page.replace(
          '<main id="main" class="ll-main">',
          `<main id="main" class="ll-main">${notice('error', `The components could not be built: ${buildError}`, 'build-error')}`,
        )
      : page;
    // 200 either way, as Lightning Experience answers every record URL: the page itself says what is missing.
    res.type('html').send(html);
  });
  // Salesforce's short form: the object comes from the id's key prefix.
  router.get('/lightning/r/:id/view', (req, res) => {
    const type = org.registry.byKeyPrefix(req.params.id.slice(0, 3))?.name ?? 'Record';
    res.redirect(302, `/lightning/r/${encodeURIComponent(type)}/${encodeURIComponent(req.params.id)}/view`);
  });
}

/** Items to Approve, and the decision on one item, taken as the signed-in user. */
export function approvalRoutes(router: Router, ctx: LightningContext): void {
  const { org } = ctx;
  router.get('/lightning/approvals', async (req, res) => {
    const a = authed(ctx, req, res, false);
    if (!a) return;
    const { frame } = await frameFor(ctx, a, 'Items to Approve', false);
    res.type('html').send(approvalsPage(frame, itemsToApprove(org, a.user.userId)));
  });
  router.post('/lightning/approvals/:workitemId', form, sameOriginOnly, (req, res) => {
    const a = authed(ctx, req, res, false);
    if (!a) return;
    const workitemId = String(req.params.workitemId);
    const decision = DecisionSchema.safeParse(req.body);
    if (!decision.success) {
      a.session.flash = {
        variant: 'error',
        message: decision.error.issues[0]?.message ?? 'Choose Approve or Reject.',
      };
    } else {
      const outcome = decide(org, a.user.userId, workitemId, decision.data);
      const verb = decision.data.action === 'Approve' ? 'approved' : 'rejected';
      a.session.flash = outcome.ok
        ? {
            variant: 'success',
            message: `You ${verb} the request${outcome.status === 'Pending' ? '; it waits for the other approvers' : ''}.`,
          }
        : { variant: 'error', message: outcome.message };
      ctx.logger.info(
        { workitemId, userId: a.user.userId, ok: outcome.ok },
        'Lightning Local approval decision',
      );
    }
    res.redirect(303, '/lightning/approvals');
  });
}
