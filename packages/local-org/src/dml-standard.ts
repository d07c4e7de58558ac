/**
 * What a real org does on save beyond validation: fields it computes (names, Opportunity stage
 * flags and fiscal period, line-item prices, Contract end date and status, file metadata) and the
 * side effects of a write (the Opportunity Amount roll-up, ContentDocument and its link). Kept
 * apart from `dml.ts` because these are per-object rules of the standard objects, while `dml.ts`
 * holds the rules every object shares.
 */
import { createHash } from 'node:crypto';
import type { Dml } from './dml.ts';
import { SalesforceApiError, sfError } from './errors.ts';
import type { ObjectSchema } from './schema/registry.ts';
import { OPPORTUNITY_STAGES } from './schema/standard-objects.ts';
import type { SObjectRecord } from './store.ts';
import { formatDate, formatDateTime, parseDate } from './values.ts';

/** Fields a real org computes on save. */
export function deriveStandardFields(
  dml: Dml,
  schema: ObjectSchema,
  rec: SObjectRecord,
  before: SObjectRecord | undefined,
): void {
  switch (schema.name) {
    case 'Contact':
    case 'User':
      rec.Name = [rec.FirstName, rec.LastName].filter((p) => typeof p === 'string' && p.length > 0).join(' ');
      break;
    case 'Opportunity': {
      const stage = OPPORTUNITY_STAGES.find((s) => s.name === rec.StageName);
      if (stage) {
        rec.IsClosed = stage.closed;
        rec.IsWon = stage.won;
        // A stage change resets probability and forecast category unless the caller set them.
        if (!before || before.StageName !== rec.StageName) {
          if (!before || rec.Probability === before.Probability) rec.Probability = stage.probability;
          if (!before || rec.ForecastCategoryName === before.ForecastCategoryName)
            rec.ForecastCategoryName = stage.forecast;
        }
      }
      const close = typeof rec.CloseDate === 'string' ? parseDate(rec.CloseDate) : undefined;
      if (close) {
        rec.FiscalYear = close.getUTCFullYear();
        rec.FiscalQuarter = Math.floor(close.getUTCMonth() / 3) + 1;
      }
      break;
    }
    case 'OpportunityLineItem':
      deriveLineItem(dml, rec, before);
      break;
    case 'PricebookEntry': {
      const product = dml.tx.get(String(rec.Product2Id))?.fields;
      rec.Name = product ? (product.Name ?? null) : null;
      rec.ProductCode = product ? (product.ProductCode ?? null) : null;
      break;
    }
    case 'Contract': {
      const start = typeof rec.StartDate === 'string' ? parseDate(rec.StartDate) : undefined;
      const term = typeof rec.ContractTerm === 'number' ? rec.ContractTerm : undefined;
      rec.EndDate = start && term ? formatDate(addMonthsMinusOneDay(start, term)) : null;
      rec.StatusCode =
        rec.Status === 'Activated'
          ? 'Activated'
          : rec.Status === 'In Approval Process'
            ? 'InApproval'
            : 'Draft';
      if (rec.Status === 'Activated' && before?.Status !== 'Activated') {
        if (!before) {
          throw new SalesforceApiError(
            'FIELD_INTEGRITY_EXCEPTION',
            'Status: a contract must be created as Draft and activated by an update',
            {
              fields: ['Status'],
            },
          );
        }
        rec.ActivatedDate = formatDateTime(dml.ctx.now);
        rec.ActivatedById = dml.ctx.userId;
      }
      break;
    }
    case 'Task':
      rec.IsClosed = rec.Status === 'Completed' || rec.Status === 'Deferred';
      break;
    case 'ContentVersion':
      if (!before) deriveContentVersion(dml, rec);
      break;
  }
}

function deriveLineItem(dml: Dml, rec: SObjectRecord, before: SObjectRecord | undefined): void {
  const opp = dml.tx.get(String(rec.OpportunityId))?.fields;
  if (!before) {
    const pbeId = typeof rec.PricebookEntryId === 'string' ? rec.PricebookEntryId : undefined;
    const pbe = pbeId ? dml.tx.get(pbeId)?.fields : undefined;
    if (!pbe) throw sfError.requiredFieldMissing(['PricebookEntryId']);
    if (opp && pbe.CurrencyIsoCode !== opp.CurrencyIsoCode) {
      throw new SalesforceApiError(
        'FIELD_INTEGRITY_EXCEPTION',
        'field integrity exception: PricebookEntryId (pricebook entry currency code does not match opportunity currency code)',
        { fields: ['PricebookEntryId'] },
      );
    }
    rec.Product2Id = pbe.Product2Id ?? null;
    rec.ListPrice = pbe.UnitPrice ?? null;
    rec.ProductCode = pbe.ProductCode ?? null;
    if (rec.UnitPrice === null) rec.UnitPrice = pbe.UnitPrice ?? null;
    rec.Name = `${String(opp?.Name ?? '')} ${String(pbe.Name ?? '')}`.trim();
  }
  const quantity = Number(rec.Quantity ?? 0);
  const unit = Number(rec.UnitPrice ?? 0);
  const discount = Number(rec.Discount ?? 0);
  // Cents arithmetic so the roll-up to Opportunity.Amount is exact.
  const subtotalCents = Math.round(quantity * unit * 100);
  rec.Subtotal = subtotalCents / 100;
  rec.TotalPrice = Math.round(subtotalCents * (1 - discount / 100)) / 100;
}

function deriveContentVersion(dml: Dml, rec: SObjectRecord): void {
  const data = typeof rec.VersionData === 'string' ? Buffer.from(rec.VersionData, 'base64') : Buffer.alloc(0);
  rec.ContentSize = data.length;
  rec.Checksum = createHash('md5').update(data).digest('hex');
  const path = String(rec.PathOnClient ?? '');
  const ext = path.includes('.') ? path.slice(path.lastIndexOf('.') + 1).toLowerCase() : '';
  rec.FileExtension = ext || null;
  rec.FileType = ext ? ext.toUpperCase() : 'UNKNOWN';
  // The bytes live in the blob table; queries return the VersionData URL instead.
  dml.tx.putBlob(rec.Id, 'VersionData', data);
  rec.VersionData = null;
}

/** Standard side effects of a save: roll-ups and files. */
export function afterWrite(
  dml: Dml,
  schema: ObjectSchema,
  rec: SObjectRecord | undefined,
  before: SObjectRecord | undefined,
): void {
  const system = dml.withContext({ system: true });
  switch (schema.name) {
    case 'OpportunityLineItem': {
      const oppId = String((rec ?? before)!.OpportunityId);
      const opp = dml.tx.get(oppId);
      if (!opp) return;
      const items = dml.tx.findByField('OpportunityLineItem', 'OpportunityId', oppId, true);
      const cents = items.reduce((sum, i) => sum + Math.round(Number(i.TotalPrice ?? 0) * 100), 0);
      dml.tx.put('Opportunity', {
        ...opp.fields,
        Amount: items.length > 0 ? cents / 100 : (opp.fields.Amount ?? null),
        HasOpportunityLineItem: items.length > 0,
      });
      break;
    }
    case 'ContentVersion': {
      if (!rec || before) return;
      let documentId = typeof rec.ContentDocumentId === 'string' ? rec.ContentDocumentId : undefined;
      if (documentId) {
        const versions = dml.tx.findByField('ContentVersion', 'ContentDocumentId', documentId, true);
        for (const v of versions)
          if (v.Id !== rec.Id && v.IsLatest) dml.tx.put('ContentVersion', { ...v, IsLatest: false });
        rec.VersionNumber = String(versions.length);
      } else {
        const doc = system.insert('ContentDocument', { Title: rec.Title, OwnerId: rec.OwnerId });
        documentId = doc.Id;
        rec.ContentDocumentId = documentId;
        rec.VersionNumber = '1';
      }
      rec.IsLatest = true;
      dml.tx.put('ContentVersion', rec);
      const doc = dml.tx.get(documentId)!.fields;
      dml.tx.put('ContentDocument', {
        ...doc,
        Title: rec.Title ?? null,
        LatestPublishedVersionId: rec.Id,
        FileType: rec.FileType ?? null,
        FileExtension: rec.FileExtension ?? null,
        ContentSize: rec.ContentSize ?? null,
      });
      if (typeof rec.FirstPublishLocationId === 'string' && rec.VersionNumber === '1') {
        system.insert('ContentDocumentLink', {
          ContentDocumentId: documentId,
          LinkedEntityId: rec.FirstPublishLocationId,
          ShareType: 'V',
        });
      }
      break;
    }
  }
}

function addMonthsMinusOneDay(start: Date, months: number): Date {
  const d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months, start.getUTCDate()));
  // Month-end starts (Jan 31 + 1 month) clamp to the last day of the target month.
  if (d.getUTCDate() !== start.getUTCDate()) d.setUTCDate(0);
  d.setUTCDate(d.getUTCDate() - 1);
  return d;
}
