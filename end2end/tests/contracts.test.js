// The accountant's contract flow: the classic contract overview in the customer file, a new
// contract with its live invoice preview, validation, cancellation with the earliest end,
// and the tenant-wide list by status.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKontor, launchBrowser, login, watchErrors, hydrated, screenshot } from '../support.js';

let kontor;
let browser;
let page;
before(async () => {
  kontor = await startKontor();
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.errors = watchErrors(page);
  await login(page, kontor.url, 'buchhaltung@demo.kontor.test');
  await page.waitForURL(`${kontor.url}/`);
});
after(async () => { await browser?.close(); await kontor?.stop(); });

async function openBakery() {
  await page.goto(`${kontor.url}/customers?q=Bäckerei`);
  await hydrated(page);
  await page.getByRole('link', { name: 'Bäckerei Schmidt GmbH' }).click();
  await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
  await hydrated(page);
}

test('the customer file shows past, active and upcoming contracts at a glance', async () => {
  await openBakery();
  const section = page.getByRole('region', { name: 'Verträge' });
  await assert.doesNotReject(section.getByRole('cell', { name: /Managed Server M für den Webshop/ }).waitFor());
  const rows = section.locator('tbody tr');
  assert.equal(await rows.count(), 3);
  const text = await section.textContent();
  assert.match(text, /19,00\s€ pro Monat/);
  assert.match(text, /Quartalsweise im Voraus/);
  assert.match(text, /149,00\s€/);
  await section.getByRole('button', { name: 'Anstehende' }).click();
  await assert.doesNotReject(section.getByText('Keine Verträge.').waitFor());
  await section.getByRole('button', { name: 'Aktive' }).click();
  await assert.doesNotReject(rows.first().waitFor());
  await screenshot(page, 'customer-contracts');
});

test('a new contract previews its invoices live and names bad fields', async () => {
  const section = page.getByRole('region', { name: 'Verträge' });
  await section.getByRole('link', { name: 'Neuer Vertrag' }).click();
  await page.waitForURL(/\/contracts\/new\?customer=/);
  await hydrated(page);
  assert.match(await page.locator('main').textContent(), /K-00001 · Bäckerei Schmidt GmbH/);
  await page.getByLabel('Beschreibung *').fill('Domain baeckerei-schmidt.shop');
  await page.getByLabel('Beginn *').fill('2027-01-01');
  await page.getByLabel('Laufende Gebühr *').fill('19,00');
  await page.getByLabel('Intervall', { exact: true }).selectOption('quarterly');
  const preview = page.getByRole('region', { name: 'Vorschau der nächsten Rechnungen' });
  await assert.doesNotReject(preview.getByText(/kostet 57,00\s€ netto/).waitFor());
  assert.match(await preview.textContent(), /01\.04\.2027 – 30\.06\.2027/);

  await page.getByLabel('Laufende Gebühr *').fill('-5');
  await page.getByLabel('Rabatt (%)').fill('150');
  await page.getByRole('button', { name: 'Vertrag anlegen' }).click();
  assert.equal((await page.locator('#field-fee-error').textContent()).trim(), 'Der Betrag darf nicht negativ sein.');
  assert.match(await page.locator('#field-discount_percent-error').textContent(), /unplausibel/);
  await page.getByLabel('Laufende Gebühr *').fill('19,00');
  await page.getByLabel('Rabatt (%)').fill('0');
  await page.getByLabel('Mindestlaufzeit (Monate)').fill('12');
  await page.getByRole('button', { name: 'Vertrag anlegen' }).click();
  await page.waitForURL(/\/contracts\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await assert.doesNotReject(page.getByRole('heading', { name: /^V-\d{5} · Domain baeckerei-schmidt\.shop/ }).waitFor());
  const next = page.getByRole('region', { name: 'Nächste Rechnungen' });
  assert.match(await next.textContent(), /01\.01\.2027 – 31\.03\.2027/);
  await screenshot(page, 'contract-page');
});

test('cancelling tells the earliest possible end and refuses an earlier one', async () => {
  const cancel = page.getByRole('region', { name: 'Vertrag kündigen' });
  await cancel.getByLabel('Kündigung eingegangen am').fill('2027-03-15');
  // minimum term of 12 months from 1 Jan 2027, quarterly periods
  await assert.doesNotReject(cancel.getByText('Frühestmögliches Ende: 31.12.2027').waitFor());
  await cancel.getByLabel('Gewünschtes Ende').fill('2027-06-30');
  await cancel.getByRole('button', { name: 'Vertrag kündigen' }).click();
  assert.match(await page.locator('#field-end_date-error').textContent(), /31\.12\.2027/);
  await cancel.getByLabel('Gewünschtes Ende').fill('');
  await cancel.getByRole('button', { name: 'Vertrag kündigen' }).click();
  await assert.doesNotReject(page.getByText('Gekündigt am 15.03.2027 zum 31.12.2027.').waitFor());
  assert.equal(await page.getByRole('region', { name: 'Vertrag kündigen' }).count(), 0);
});

test('the tenant-wide list filters by status and searches', async () => {
  await page.goto(`${kontor.url}/contracts?status=upcoming`);
  await hydrated(page);
  await assert.doesNotReject(page.getByRole('cell', { name: /Hosting alpenblick-hotels\.at/ }).waitFor());
  await page.getByRole('link', { name: 'Alle', exact: true }).click();
  await page.waitForURL(/status=all/);
  await page.getByLabel('Verträge suchen').fill('Spamfilter');
  await page.getByRole('button', { name: 'Suchen' }).click();
  await page.waitForURL(/q=Spamfilter/);
  await assert.doesNotReject(page.getByRole('cell', { name: /Spamfilter auf dem Hauptserver/ }).waitFor());
  assert.equal(await page.locator('tbody tr').count(), 1);
  await screenshot(page, 'contracts-list');
  assert.deepEqual(page.errors, []);
});
