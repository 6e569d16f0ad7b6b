// The month's billing: the accountant looks at a preview, bills for real, issues the run's
// drafts and opens an invoice with its number, VAT breakdown, PDF and e-invoice download.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKontor, startSmtp, launchBrowser, loginAdmin, watchErrors, hydrated, screenshot } from '../support.js';

let kontor;
let smtp;
let browser;
let page;
before(async () => {
  smtp = await startSmtp();
  kontor = await startKontor({ KONTOR_SMTP_URL: smtp.url });
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.errors = watchErrors(page);
  await loginAdmin(page, kontor);
});
after(async () => { await browser?.close(); await kontor?.stop(); await smtp?.stop(); });

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
  // the mail worker delivers the invoice with its PDF and XML to the customer's address
  await assert.doesNotReject(page.getByRole('heading', { name: 'Versand per E-Mail' }).waitFor());
  for (let i = 0; i < 40 && !(await page.getByText('Zugestellt an den Mailserver').isVisible()); i++) {
    await new Promise((r) => setTimeout(r, 500));
    await page.reload();
    await hydrated(page);
  }
  await assert.doesNotReject(page.getByText('Zugestellt an den Mailserver').waitFor({ timeout: 1000 }));
  const mail = smtp.messages().find((m) => m.includes(`RE-${year}-00001.pdf`));
  assert.ok(mail, 'the mail with the PDF arrived');
  assert.match(mail, new RegExp(`RE-${year}-00001-zugferd\\.xml`));
  await screenshot(page, 'invoice');
  assert.deepEqual(page.errors, []);
});

test('the accountant words the invoice e-mail', async () => {
  await page.goto(`${kontor.url}/billing`);
  await hydrated(page);
  await page.getByLabel('Vorlage', { exact: true }).selectOption({ label: 'Rechnung (EN)' });
  await assert.doesNotReject(page.getByLabel('Betreff').waitFor());
  assert.match(await page.getByLabel('Betreff').inputValue(), /^Your invoice \{number\}/);
  await page.getByLabel('Text').fill('Dear {customer},\nplease pay {betrag}.');
  await page.getByRole('button', { name: 'Vorlage speichern' }).click();
  await assert.doesNotReject(page.getByText('Unbekannter Platzhalter: {betrag}').waitFor());
  await page.getByLabel('Text').fill('Dear {customer},\nplease pay {amount} by {due_date}.');
  await page.getByRole('button', { name: 'Vorlage speichern' }).click();
  await assert.doesNotReject(page.getByText('Die Vorlage ist gespeichert.').waitFor());
  await assert.doesNotReject(page.getByRole('button', { name: 'Standardtext verwenden' }).waitFor());
  await screenshot(page, 'mail-templates');
  assert.deepEqual(page.errors, []);
});
