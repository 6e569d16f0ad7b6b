// The accountant's usage import: a CSV upload from the browser (multipart server function)
// with a bad row is refused with the line and reason, a dry run saves nothing, the fixed
// file is imported, and the contract page charts it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKontor, launchBrowser, login, watchErrors, hydrated, screenshot } from '../support.js';

let kontor;
let browser;
let page;
let contractId;
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

// last month, as `MM/YYYY`: within the terms of the demo's older contracts
function lastMonth() {
  const now = new Date();
  const month = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${String(month.getMonth() + 1).padStart(2, '0')}/${month.getFullYear()}`;
}

// What German Excel writes: Windows-1252 (ü as 0xFC), semicolons, decimal commas.
function file(rows) {
  const text = `Vertrag;Domain;Metrik;Monat;Menge;Einheit\r\n${rows.join('\r\n')}\r\n`;
  return { name: 'verbrauch-müller.csv', mimeType: 'text/csv', buffer: Buffer.from(text, 'latin1') };
}

async function upload(rows, dryRun) {
  await page.getByLabel('CSV-Datei *').setInputFiles(file(rows));
  await page.getByLabel(/Nur prüfen/).setChecked(dryRun);
  await page.getByRole('button', { name: 'Importieren' }).click();
}

test('a file with a bad row is refused with the line and the reason, nothing saved', async () => {
  await page.getByRole('link', { name: 'Verbrauch' }).click();
  await page.waitForURL(/\/usage$/);
  await hydrated(page);
  await assert.doesNotReject(page.getByText('Keine Verbrauchsdaten gefunden.').waitFor());
  const month = lastMonth();
  await upload([
    `V-00001;;traffic_gb;${month};1.234,5;GB`,
    `;dr-weber-koeln.de;mailboxes;${month};14;Postfach`,
    `;bäckerei-schmidt.de;traffic_gb;${month};3;GB`,
  ], false);
  const report = page.getByRole('region', { name: 'Prüfbericht' });
  await assert.doesNotReject(report.getByText('1 von 3 Zeilen sind fehlerhaft', { exact: false }).waitFor());
  const text = await report.textContent();
  assert.match(text, /Windows-1252/);
  assert.match(text, /Die Domain bäckerei-schmidt\.de ist keinem Vertrag zugeordnet\./);
  assert.equal((await report.locator('tbody tr').first().locator('td').first().textContent()).trim(), '4');
  await screenshot(page, 'usage-report-rejected');
});

test('a dry run checks the fixed file and saves nothing; the import then stores it', async () => {
  const month = lastMonth();
  const rows = [
    `V-00001;;traffic_gb;${month};1.234,5;GB`,
    `;dr-weber-koeln.de;mailboxes;${month};14;Postfach`,
  ];
  await upload(rows, true);
  const report = page.getByRole('region', { name: 'Prüfbericht' });
  await assert.doesNotReject(report.getByText(/Probelauf/).waitFor());
  assert.match(await report.textContent(), /2 neu, 0 geändert, 0 unverändert/);
  const records = page.getByRole('region', { name: 'Verbrauchsdaten' });
  assert.equal(await records.locator('tbody tr').count(), 0);

  await upload(rows, false);
  await assert.doesNotReject(report.getByText(/Importiert:/).waitFor());
  await assert.doesNotReject(records.getByRole('cell', { name: /1\.234,5 GB/ }).waitFor());
  assert.match(await records.textContent(), /V-00004/);
  await screenshot(page, 'usage-imported');

  await upload(rows, false);
  await assert.doesNotReject(report.getByText(/0 neu, 0 geändert, 2 unverändert/).waitFor());
  assert.deepEqual(page.errors, []);
});

test('the contract page charts the usage with a table for those who do not see the chart', async () => {
  const records = page.getByRole('region', { name: 'Verbrauchsdaten' });
  await records.getByRole('link', { name: 'V-00001' }).click();
  await page.waitForURL(/\/contracts\/[0-9a-f-]{36}$/);
  contractId = page.url().split('/').pop();
  await page.reload();
  await hydrated(page);
  const usage = page.getByRole('region', { name: 'Verbrauch', exact: true });
  await assert.doesNotReject(usage.getByRole('img', { name: /Datenverkehr \(GB\), letzte 12 Monate/ }).waitFor());
  await usage.getByText('Als Tabelle').click();
  assert.match(await usage.locator('table').textContent(), /1\.234,5 GB/);
  assert.equal(await page.getByRole('img').count(), 1);
  await screenshot(page, 'usage-chart');
});

test('the customer sees the chart of their own contract in the portal', async () => {
  const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1366, height: 900 } });
  const portal = await context.newPage();
  portal.errors = watchErrors(portal);
  await login(portal, kontor.url, 'kunde@demo.kontor.test');
  await portal.waitForURL(`${kontor.url}/portal`);
  await portal.goto(`${kontor.url}/portal/contracts/${contractId}`);
  await hydrated(portal);
  await assert.doesNotReject(portal.getByRole('img', { name: /Datenverkehr \(GB\)/ }).waitFor());
  assert.deepEqual(portal.errors, []);
  await context.close();
});

test('usage prices are kept on the product page', async () => {
  await page.goto(`${kontor.url}/products`);
  await hydrated(page);
  await page.locator('tbody tr').first().getByRole('link').first().click();
  await page.waitForURL(/\/products\/[0-9a-f-]{36}$/);
  await hydrated(page);
  const prices = page.getByRole('region', { name: 'Verbrauchspreise' });
  await prices.getByRole('button', { name: 'Metrik hinzufügen' }).click();
  await prices.getByLabel('Metrik', { exact: true }).fill('traffic_gb');
  await prices.getByLabel('Einheit').fill('GB');
  await prices.getByLabel('Inklusive').fill('100');
  await prices.getByLabel('Staffelpreise').fill('0: abc');
  await prices.getByRole('button', { name: 'Verbrauchspreise speichern' }).click();
  await assert.doesNotReject(prices.getByText(/Staffeln als/).waitFor());
  await prices.getByLabel('Staffelpreise').fill('0: 0,10\n1000: 0,05');
  await prices.getByRole('button', { name: 'Verbrauchspreise speichern' }).click();
  await assert.doesNotReject(page.getByText('Gespeichert.').first().waitFor());
  await page.reload();
  await hydrated(page);
  assert.equal(await prices.getByLabel('Metrik', { exact: true }).inputValue(), 'traffic_gb');
  assert.match(await prices.getByLabel('Staffelpreise').inputValue(), /1000: 0.05/);
  await screenshot(page, 'usage-prices');
  assert.deepEqual(page.errors, []);
});
