/**
 * Contract generation speed: the three variants (full contract, executive summary, technical
 * appendix) of the seeded verbal-yes deal, from the deal to three hashed PDFs, timed with
 * pdfkit; then the same three documents as HTML printed to PDF by headless Chromium through
 * playwright-core (the common approach), in the same run, and the ratio of the medians.
 * Chromium is /usr/bin/chromium unless CHROMIUM_PATH names another; without one the Chromium
 * part is reported as skipped.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { seededVerbalYes } from './bench-lib.ts';
import { loadContractLibrary, generateContract, VARIANTS } from '@dealdesk/middleware/agents';
import { contractInputFromDeal } from '@dealdesk/middleware/testing';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The variant's markup as a printable HTML page with the same structure the PDF renderer draws. */
export function contractHtml(text: string, title: string): string {
  const out: string[] = [];
  let table: string[][] = [];
  const flush = () => {
    if (table.length === 0) return;
    const [head, ...rows] = table;
    out.push(
      `<table><thead><tr>${head!.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`,
    );
    table = [];
  };
  const sections = text.split('\n').filter((l) => /^## \d+\. /.test(l));
  for (const line of text.split('\n')) {
    if (!line.startsWith('| ')) flush();
    if (line.startsWith('# ')) out.push(`<h1>${escapeHtml(line.slice(2))}</h1>`);
    else if (line.startsWith('## ')) out.push(`<h2>${escapeHtml(line.slice(3))}</h2>`);
    else if (line.startsWith('### ')) out.push(`<h3>${escapeHtml(line.slice(4))}</h3>`);
    else if (line.startsWith('- ')) out.push(`<ul><li>${escapeHtml(line.slice(2))}</li></ul>`);
    else if (line.startsWith('> ')) out.push(`<aside>${escapeHtml(line.slice(2))}</aside>`);
    else if (line.startsWith('| '))
      table.push(
        line
          .slice(1)
          .split('|')
          .map((c) => c.trim()),
      );
    else if (line.startsWith('@party ')) {
      const [label, name, address] = line.slice(7).split('|');
      out.push(
        `<div class="party"><small>${escapeHtml(label ?? '')}</small><b>${escapeHtml(name ?? '')}</b><br>${escapeHtml(address ?? '')}</div>`,
      );
    } else if (line === '@index')
      out.push(
        `<nav><b>Clause index</b>${sections.map((s) => `<div>${escapeHtml(s.slice(3))}</div>`).join('')}</nav>`,
      );
    else if (line.startsWith('@sign ')) {
      const [role, name, t, anchor, date] = line.slice(6).split('|');
      out.push(
        `<div class="sign"><small>For ${escapeHtml(role ?? '')}</small><span class="anchor">${anchor}</span> ________________ <span class="anchor">${date}</span> ________<br>${escapeHtml(name ?? '')}${t ? `, ${escapeHtml(t)}` : ''}</div>`,
      );
    } else if (line.trim().length > 0) out.push(`<p>${escapeHtml(line)}</p>`);
  }
  flush();
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>
body{font-family:Helvetica,Arial,sans-serif;font-size:10pt;color:#1a1a1a}h1{text-align:center;font-size:17pt}
h2{font-size:11.5pt;margin-top:14pt}h3{font-size:10.5pt}p{text-align:justify}table{width:100%;border-collapse:collapse}
th{background:#eee;text-align:left}td,th{padding:4px;border-bottom:0.5px solid #bbb}.party{display:inline-block;width:45%;border:0.7px solid #bbb;padding:8px;margin-right:10px;vertical-align:top}
.anchor{color:#fff}aside{border:0.8px solid #8a1c1c;color:#8a1c1c;padding:4px;font-style:italic}.sign{margin-top:24px}
</style></head><body>${out.join('\n')}</body></html>`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const round = (x: number) => Math.round(x * 10) / 10;

export async function benchContracts(root: string, iterations = 40) {
  const deal = await seededVerbalYes();
  const input = contractInputFromDeal(deal, {
    library: loadContractLibrary(join(root, 'config/contracts')),
    agreementNumber: 'BENCH001',
    createdAt: new Date('2026-11-25T09:00:00Z'),
  });
  for (let i = 0; i < 5; i++) await generateContract(input);
  const times: number[] = [];
  let last = await generateContract(input);
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    last = await generateContract(input);
    times.push(performance.now() - t0);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const pdfkit = {
    medianMs: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    bytes: Object.fromEntries(VARIANTS.map((v) => [v, last.pdfs[v].length])),
  };

  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  let chromiumReport: Record<string, unknown> = { skipped: `no Chromium at ${executablePath}` };
  if (existsSync(executablePath)) {
    const launchStart = performance.now();
    const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    const launchMs = performance.now() - launchStart;
    try {
      const page = await browser.newPage();
      const pages = VARIANTS.map((v) => contractHtml(last.texts[v], `${v} ${last.model.customer.name}`));
      const render = async () => {
        for (const html of pages) {
          await page.setContent(html);
          await page.pdf({
            format: 'A4',
            margin: { top: '64px', bottom: '74px', left: '64px', right: '64px' },
            displayHeaderFooter: true,
            headerTemplate: '<span></span>',
            footerTemplate:
              '<div style="font-size:8px;width:100%;text-align:right;margin-right:64px">Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>',
          });
        }
      };
      for (let i = 0; i < 3; i++) await render();
      const ctimes: number[] = [];
      for (let i = 0; i < Math.min(iterations, 20); i++) {
        const t0 = performance.now();
        await render();
        ctimes.push(performance.now() - t0);
      }
      const csorted = ctimes.sort((a, b) => a - b);
      const median = percentile(csorted, 50);
      chromiumReport = {
        executable: executablePath,
        version: browser.version(),
        launchMs: round(launchMs),
        medianMs: round(median),
        p95Ms: round(percentile(csorted, 95)),
        iterations: csorted.length,
        note: 'browser launched once and kept warm; only the HTML-to-PDF of the three variants is timed',
      };
      (chromiumReport as { ratioToPdfkit?: number }).ratioToPdfkit = round(median / percentile(sorted, 50));
    } finally {
      await browser.close();
    }
  }
  return {
    benchmark:
      'contract generation: three variants of the seeded verbal-yes deal (selection, risk, render, consistency check, three PDFs, SHA-256)',
    iterations,
    pdfkit,
    chromium: chromiumReport,
    targets: { medianMs: 150 },
  };
}
