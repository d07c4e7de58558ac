import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CONFIG_DIR, REPO_ROOT } from '../../paths.ts';
import { loadScenarios, scenarioDeal } from '../../eval/contract-scenarios.ts';
import { pdfText } from '@dealdesk/test-kit/pdf-text';
import { loadContractLibrary } from './clause-library.ts';
import { generateContract } from './generate-contract.ts';
import { renderPdfNow, type PdfOptions } from './contract-pdf.ts';
import { VARIANTS } from './contract-model.ts';

const options: PdfOptions = {
  title: 'Test Customer — Master Subscription Agreement',
  createdAt: new Date('2026-11-25T09:30:00Z'),
  reference: 'Agreement A1B2C3D4 v1',
};

describe('contract PDFs with shared standard-font metrics', () => {
  it('are byte for byte what pdfkit renders with its own per-document fonts, for every labelled scenario', async () => {
    const library = loadContractLibrary(join(CONFIG_DIR, 'contracts'));
    const scenarios = loadScenarios(join(REPO_ROOT, 'test/fixtures/contracts/scenarios.json'));
    let documents = 0;
    for (const s of scenarios) {
      const { deal, signals } = scenarioDeal(s);
      const g = await generateContract({
        deal,
        signals,
        terms: null,
        library,
        seller: {
          name: 'Meridian Software Inc.',
          address: '500 Howard Street, San Francisco, CA 94105, United States',
          country: 'United States',
          governingLaw: 'the State of California',
        },
        policy: {
          discountAuthorityPercent: 10,
          largeDealCorporate: 1_000_000,
          sellerCountry: 'United States',
        },
        defaultTermMonths: 12,
        agreementNumber: 'A1B2C3D4',
        createdAt: options.createdAt,
        // Render here, twice: the shared tables fill up as documents use them, so later documents
        // are measured from tables earlier ones started.
        renderPdf: async (text, o) => {
          const [shared, own] = [await renderPdfNow(text, o), await renderPdfNow(text, o, 'pdfkit')];
          assert.ok(Buffer.from(shared).equals(Buffer.from(own)), `${s.id} "${o.title}" differs`);
          documents++;
          return shared;
        },
      });
      assert.equal(Object.keys(g.pdfs).length, VARIANTS.length);
    }
    assert.equal(documents, scenarios.length * VARIANTS.length);
  });

  it('agree on text outside Western European characters, kerning pairs and every markup element', async () => {
    const text = [
      '# AVTALE — Łódź & Škoda “Wavy” AV TA',
      '@party Provider|Meridian Software Inc.|500 Howard Street, San Francisco',
      '@party Customer|Ærøskøbing Ølbryggeri ApS|Vestergade 1, 5970 Ærøskøbing',
      '@index',
      '## 1. Definitions',
      'AVAVAV To Ty Yo We “quoted” ‘single’ … € 1 234,56 — naïve café 東京 Москва ½ ™ ©.',
      '- A bullet: WAVE, Tokyo, LT, P.A.',
      '> Notice: this clause is non-standard.',
      '| Qty | Product | Unit price | Discount | Total |',
      '| 12 | Platform — Enterprise | 1,000.00 | 10% | 10,800.00 |',
      '| | Total | | | 10,800.00 |',
      '### 1.1 Sub',
      '@sign Customer|Åsa Öberg|CFO|/sig1/|/date1/',
    ].join('\n');
    const shared = await renderPdfNow(text, options);
    const own = await renderPdfNow(text, options, 'pdfkit');
    assert.ok(Buffer.from(shared).equals(Buffer.from(own)));
    const extracted = await pdfText(shared);
    assert.match(extracted, /Ærøskøbing Ølbryggeri ApS/);
    assert.match(extracted, /“quoted” ‘single’ … € 1 234,56/);
  });
});
