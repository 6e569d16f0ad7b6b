// The monthly registrar reconciliation: a registrar list is uploaded as a dry run, the report
// shows the domain billed to no one, and one click makes it a contract.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

test('an unbilled domain from the registrar list becomes a contract', async () => {
  // INWX layout; the bakery's IDN domain has no contract in the demo
  const file = join(mkdtempSync(join(tmpdir(), 'kontor-')), 'inwx.csv');
  writeFileSync(file,
    'Domain;Status;Erstellt;Ablaufdatum;Verlängerungsmodus;Preis\n' +
    'baeckerei-schmidt.de;OK;01.03.2015;01.03.2030;AUTORENEW;3,50\n' +
    'bäckerei-schmidt.de;OK;01.03.2019;01.03.2030;AUTORENEW;3,50\n' +
    '=HYPERLINK("http://x");OK;;;;\n');
  await page.goto(`${kontor.url}/reconciliation`);
  await hydrated(page);
  await page.getByLabel('Registrar *').fill('InterNetX');
  await page.getByLabel('CSV-Datei des Registrars *').setInputFiles(file);
  await page.getByRole('button', { name: 'Abgleichen' }).click();
  await page.waitForURL(/\/reconciliation\/[0-9a-f-]{36}$/);
  const unbilledTab = page.getByRole('link', { name: /^Nicht berechnet/ });
  await assert.doesNotReject(unbilledTab.waitFor());
  assert.match(await unbilledTab.textContent(), /1/);
  assert.match(await page.getByRole('link', { name: /^Abgelehnt/ }).textContent(), /1/);
  await assert.doesNotReject(page.getByText('Probelauf: In Kontor wurde nichts geändert.').waitFor());

  const row = page.locator('tbody tr', { hasText: 'bäckerei-schmidt.de' });
  await assert.doesNotReject(row.waitFor());
  assert.match(await row.textContent(), /Bäckerei Schmidt/);
  await screenshot(page, 'reconciliation-report');
  await row.getByRole('checkbox', { name: 'bäckerei-schmidt.de auswählen' }).check();
  await page.getByRole('button', { name: 'Verträge anlegen (1)' }).click();
  await assert.doesNotReject(page.getByText('1 Verträge angelegt.').waitFor());
  await assert.doesNotReject(row.getByText('Vertrag angelegt:').waitFor());

  await page.getByRole('link', { name: /^Abgelehnt/ }).click();
  const rejected = page.locator('tbody tr', { hasText: 'Tabellenformel' });
  await assert.doesNotReject(rejected.waitFor());
  assert.deepEqual(page.errors, []);
});
