// Drafts and accounting: the accountant types a manual invoice (a bad line is named at its
// field, each line's net shows as she types), corrects it, issues it; then reads the revenue
// statistics with their chart, enters the DATEV numbers and downloads the booking batch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminSessionFor, hydrated, screenshot } from '../support.js';

const session = adminSessionFor(before, after);

test('a manual invoice is typed, corrected and issued', async () => {
  const { kontor, page } = session;
  await page.goto(`${kontor.url}/invoices`);
  await hydrated(page);
  await page.getByRole('link', { name: 'Neue Rechnung' }).click();
  await page.waitForURL(/\/invoices\/new$/);
  await hydrated(page);
  await page.getByLabel('Kunde suchen').fill('Weber');
  const customer = page.getByLabel('Kunde', { exact: true });
  await assert.doesNotReject(customer.locator('option', { hasText: 'Zahnarztpraxis Dr. Weber' }).waitFor({ state: 'attached' }));
  await customer.selectOption({ label: 'K-00002 · Zahnarztpraxis Dr. Weber' });

  await page.getByLabel('Beschreibung, Pos. 1').fill('Beratung Barrierefreiheit');
  await page.getByLabel('Menge, Pos. 1').fill('2,5');
  await page.getByLabel('Einheit, Pos. 1').selectOption({ label: 'Stunde' });
  await page.getByLabel('Einzelpreis, Pos. 1').fill('120,00');
  await assert.doesNotReject(page.locator('tbody tr').first().getByText('300,00 €').waitFor());
  await page.getByRole('button', { name: 'Position hinzufügen' }).click();
  await page.getByLabel('Menge, Pos. 2').fill('-1');
  await page.getByLabel('Einzelpreis, Pos. 2').fill('20');
  await page.getByRole('button', { name: 'Speichern' }).click();
  // the second line has no description: named there, nothing saved
  await assert.doesNotReject(page.locator('#line-1-description-error').getByText('Pflichtfeld.').waitFor());
  assert.match(page.url(), /\/invoices\/new$/);
  await page.getByLabel('Beschreibung, Pos. 2').fill('Rabatt Stammkunde');
  await assert.doesNotReject(page.locator('tfoot').getByText('280,00 €').waitFor());
  await screenshot(page, 'invoice-new');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.waitForURL(/\/invoices\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await assert.doesNotReject(page.getByRole('heading', { name: /Rechnungsentwurf/ }).waitFor());
  // 280,00 € net + 19 % = 333,20 €
  await assert.doesNotReject(page.getByText('333,20 €').waitFor());

  await page.getByRole('button', { name: 'Bearbeiten' }).click();
  await page.getByLabel('Menge, Pos. 1').fill('3');
  await page.getByRole('button', { name: 'Entfernen, Pos. 2' }).click();
  await page.getByRole('button', { name: 'Speichern' }).click();
  await assert.doesNotReject(page.getByText('Entwurf gespeichert.').waitFor());
  // 360,00 € net + 19 % = 428,40 €
  await assert.doesNotReject(page.getByText('428,40 €').waitFor());
  await page.getByRole('button', { name: 'Ausstellen' }).click();
  await assert.doesNotReject(page.getByText(/Ausgestellt als RE-\d{4}-\d{5}\./).waitFor());
  await assert.doesNotReject(page.getByRole('link', { name: 'PDF' }).waitFor());
  assert.equal(await page.getByRole('button', { name: 'Bearbeiten' }).count(), 0, 'an issued invoice is final');
  assert.deepEqual(page.errors, []);
});

test('revenue statistics and the DATEV batch', async () => {
  const { kontor, page } = session;
  await page.goto(`${kontor.url}/reports/revenue`);
  await hydrated(page);
  await assert.doesNotReject(page.getByRole('img', { name: /Umsatz netto je Monat/ }).waitFor());
  // the tenant's day (Berlin), not the test machine's: near midnight they differ
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
  const month = `${today.slice(5, 7)}/${today.slice(0, 4)}`;
  const bar = page.locator(`g.chart-bar[aria-label^="${month}: "]`);
  await bar.focus();
  // this month's bar names the invoice just issued: 360,00 € net
  assert.match(await bar.getAttribute('aria-label'), /^\d\d\/\d{4}: [\d.]+,\d\d\s€$/);
  await screenshot(page, 'revenue');

  await page.goto(`${kontor.url}/accounting`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Prüfen' }).click();
  await assert.doesNotReject(page.getByText('Für den DATEV-Export fehlen Berater- und Mandantennummer').waitFor());
  await page.getByRole('link', { name: /Abrechnungseinstellungen/ }).click();
  await page.waitForURL(/\/billing\/settings$/);
  await hydrated(page);
  await page.getByLabel('Beraternummer').fill('29098');
  await page.getByLabel('Mandantennummer').fill('55003');
  await page.getByLabel('Abrechnungslauf').selectOption('monthly');
  await page.getByLabel('Am', { exact: true }).selectOption('1');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await assert.doesNotReject(page.getByText(/Nächster geplanter Lauf: 01\.\d\d\.\d{4}, ab 6:00 Uhr\./).waitFor());
  await screenshot(page, 'billing-settings');

  await page.goto(`${kontor.url}/accounting`);
  await hydrated(page);
  await page.getByLabel('Von').fill(`${today.slice(0, 8)}01`);
  await page.getByLabel('Bis').fill(today);
  await page.getByRole('button', { name: 'Prüfen' }).click();
  await assert.doesNotReject(page.getByText('Buchungssätze').waitFor());
  await screenshot(page, 'datev');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Buchungsstapel herunterladen' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^EXTF_Buchungsstapel_\d{8}_\d{8}\.csv$/);
  const file = await download.path();
  const { readFile } = await import('node:fs/promises');
  const text = (await readFile(file)).toString('latin1');
  assert.match(text, /^"EXTF";700;21;"Buchungsstapel";13;/);
  assert.match(text, /;"RE-\d{4}-\d{5}";/);
  assert.deepEqual(page.errors, []);
});
