// The accountant's customer flow: create with validation and duplicate warning, contacts,
// call notes, edit, search.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKontor, launchBrowser, login, watchErrors, hydrated, screenshot } from '../support.js';

let kontor;
let browser;
let page;
before(async () => {
  kontor = await startKontor();
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.errors = watchErrors(page);
  await login(page, kontor.url, 'buchhaltung@demo.kontor.test');
  await page.waitForURL(`${kontor.url}/`);
});
after(async () => { await browser?.close(); await kontor?.stop(); });

async function fillCompany(name, vatId) {
  await page.getByLabel('Firmenname *').fill(name);
  await page.getByLabel('Straße und Hausnummer').fill('Marktplatz 3');
  await page.getByLabel('PLZ', { exact: true }).fill('04109');
  await page.getByLabel('Ort', { exact: true }).fill('Leipzig');
  await page.getByLabel('USt-IdNr.').fill(vatId);
}

test('the accountant creates a customer, fixing a wrong VAT id first', async () => {
  await page.goto(`${kontor.url}/customers`);
  await hydrated(page);
  await page.getByRole('link', { name: 'Neuer Kunde' }).click();
  await page.waitForURL(/\/customers\/new$/);
  await hydrated(page);
  await fillCompany('Konditorei Sommer GmbH', 'DE136695977');
  await page.getByLabel('Schlagworte').fill('Konditorei, Webshop');
  await page.getByRole('button', { name: 'Kunde anlegen' }).click();
  assert.equal((await page.locator('#field-vat_id-error').textContent()).trim(), 'Die Prüfziffer stimmt nicht – bitte auf Tippfehler prüfen.');
  await page.getByLabel('USt-IdNr.').fill('DE 136 695 976');
  await page.getByRole('button', { name: 'Kunde anlegen' }).click();
  await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
  await assert.doesNotReject(page.getByRole('heading', { name: 'K-00006 · Konditorei Sommer GmbH' }).waitFor());
  assert.match(await page.locator('.facts').textContent(), /DE136695976/);
});

test('contacts and call notes are added on the customer file', async () => {
  await page.locator('summary', { hasText: 'Ansprechpartner hinzufügen' }).click();
  await page.getByLabel('Vorname').fill('Petra');
  await page.getByLabel('Nachname *').fill('Sommer');
  await page.getByRole('region', { name: 'Ansprechpartner' }).getByLabel('E-Mail').fill('petra@konditorei-sommer.de');
  await page.getByLabel('Funktion').selectOption('management');
  await page.getByLabel('Hauptansprechpartner').check();
  await page.getByRole('button', { name: 'Ansprechpartner hinzufügen' }).click();
  await assert.doesNotReject(page.getByRole('cell', { name: /Petra Sommer/ }).waitFor());
  assert.equal(await page.getByLabel('Nachname *').inputValue(), '', 'the form is ready for the next contact');

  await page.getByLabel('Betreff *').fill('Erstgespräch Webshop');
  await page.getByLabel('Mit', { exact: true }).selectOption({ label: 'Petra Sommer' });
  await page.getByLabel('Was wurde besprochen?').fill('Möchte einen Shop mit Zahlungsanbindung.');
  await page.getByRole('button', { name: 'Gespräch notieren' }).click();
  await assert.doesNotReject(page.locator('.timeline li', { hasText: 'Erstgespräch Webshop' }).waitFor());
  assert.match(await page.locator('.timeline li').first().textContent(), /Bernd Buchhaltung → Petra Sommer/);
  await screenshot(page, 'customer-file');
});

test('a look-alike customer is pointed out before it is created', async () => {
  await page.goto(`${kontor.url}/customers/new`);
  await hydrated(page);
  await fillCompany('Konditorei Sommer', '');
  await page.getByRole('button', { name: 'Kunde anlegen' }).click();
  const warning = page.getByRole('alert').filter({ hasText: 'Diesen Kunden gibt es vielleicht schon' });
  await assert.doesNotReject(warning.waitFor());
  assert.match(await warning.textContent(), /K-00006 · Konditorei Sommer GmbH — ähnlicher Name/);
  await screenshot(page, 'customer-duplicate');
  await warning.getByRole('button', { name: 'Trotzdem anlegen' }).click();
  await assert.doesNotReject(page.getByRole('heading', { name: 'K-00007 · Konditorei Sommer' }).waitFor());
});

test('the customer is edited and found by search', async () => {
  await page.getByRole('link', { name: 'Bearbeiten' }).click();
  await page.waitForURL(/\/edit$/);
  await hydrated(page);
  await page.getByLabel('Ort', { exact: true }).fill('Dresden');
  await page.getByLabel('Zahlungsziel (Tage)').fill('500');
  await page.getByRole('button', { name: 'Speichern' }).click();
  assert.equal((await page.locator('#field-payment_terms_days-error').textContent()).trim(), 'Bitte ein Zahlungsziel zwischen 0 und 365 Tagen angeben.');
  await page.getByLabel('Zahlungsziel (Tage)').fill('30');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
  assert.match(await page.locator('.facts').textContent(), /Dresden/);

  await page.goto(`${kontor.url}/customers?q=dresden`);
  await hydrated(page);
  const rows = page.locator('tbody tr');
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), /K-00007/);
  await page.goto(`${kontor.url}/customers?tag=Konditorei`);
  assert.equal(await page.locator('tbody tr').count(), 1);
  assert.match(await page.locator('tbody tr').first().textContent(), /K-00006/);
  await screenshot(page, 'customers-list');
  assert.deepEqual(page.errors, []);
});
