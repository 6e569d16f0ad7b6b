// The month's billing: the accountant looks at a preview, bills for real, issues the run's
// drafts and opens an invoice with its number, VAT breakdown, PDF and e-invoice download.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKontor, launchBrowser, loginAdmin, watchErrors, hydrated, screenshot } from '../support.js';

let kontor;
let browser;
let page;
before(async () => {
  kontor = await startKontor();
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.errors = watchErrors(page);
  await loginAdmin(page, kontor);
});
after(async () => { await browser?.close(); await kontor?.stop(); });

test('a preview, a billing run and issuing its invoices', async () => {
  // the demo is billed up to today: a month ahead, the next periods are due
  const ahead = new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10);
  await page.goto(`${kontor.url}/billing`);
  await hydrated(page);
  assert.equal(await page.getByLabel('Nur Vorschau').isChecked(), true);
  await page.getByLabel('Stichtag').fill(ahead);
  await page.getByRole('button', { name: 'Vorschau erstellen' }).click();
  await page.waitForURL(/\/billing\/runs\/[0-9a-f-]{36}$/);
  await assert.doesNotReject(page.getByRole('heading', { name: /^Vorschau zum/ }).waitFor());
  await assert.doesNotReject(page.getByText('Dies ist eine Vorschau: Es wurde nichts abgerechnet.').waitFor());
  await assert.doesNotReject(page.locator('tbody tr').first().waitFor());
  const previewRows = await page.locator('tbody tr').count();
  assert.ok(previewRows > 0, 'the demo has contracts due');

  await page.goto(`${kontor.url}/billing`);
  await hydrated(page);
  await page.getByLabel('Stichtag').fill(ahead);
  await page.getByLabel('Nur Vorschau').uncheck();
  await page.getByRole('button', { name: 'Jetzt abrechnen' }).click();
  await page.waitForURL(/\/billing\/runs\/[0-9a-f-]{36}$/);
  await assert.doesNotReject(page.getByRole('heading', { name: /^Abrechnung zum/ }).waitFor());
  await hydrated(page);
  await assert.doesNotReject(page.locator('tbody tr').first().waitFor());
  assert.equal(await page.locator('tbody tr').count(), previewRows, 'the run made the invoices the preview showed');
  await screenshot(page, 'billing-run');
  await page.getByRole('button', { name: 'Alle Entwürfe dieses Laufs ausstellen' }).click();
  await assert.doesNotReject(page.getByText(/Rechnungen ausgestellt\./).waitFor());
  const year = new Date().getFullYear();
  const first = page.getByRole('link', { name: `RE-${year}-00001` });
  await assert.doesNotReject(first.waitFor());
  await first.click();
  await assert.doesNotReject(page.getByRole('heading', { name: new RegExp(`^Rechnung RE-${year}-00001`) }).waitFor());
  await assert.doesNotReject(page.getByText('Gesamtbetrag').waitFor());
  await assert.doesNotReject(page.getByRole('button', { name: 'Gutschrift erstellen' }).waitFor());
  const download = page.getByRole('link', { name: /ZUGFeRD-XML|XRechnung/ });
  const xml = await page.request.get(new URL(await download.getAttribute('href'), kontor.url).href);
  assert.equal(xml.status(), 200);
  assert.match(await xml.text(), new RegExp(`<ram:ID>RE-${year}-00001</ram:ID>`));
  const pdfLink = page.getByRole('link', { name: 'PDF', exact: true });
  const pdf = await page.request.get(new URL(await pdfLink.getAttribute('href'), kontor.url).href);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.match(pdf.headers()['content-disposition'], new RegExp(`RE-${year}-00001\\.pdf`));
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  await screenshot(page, 'invoice');
  assert.deepEqual(page.errors, []);
});
