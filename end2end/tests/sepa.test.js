// SEPA direct debit: the accountant records a customer's mandate (a typo in the IBAN is
// named at the field), bills and issues the month, and exports the collection file for the
// bank; the invoices collected are gone from the next preview.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminSessionFor, billAndIssueAhead, hydrated, screenshot } from '../support.js';

const session = adminSessionFor(before, after);

/// A Tuesday to Thursday at least `days` ahead that is no TARGET holiday: a bank day.
function bankDayAhead(days) {
  const day = new Date(Date.now() + days * 86400000);
  for (;;) {
    const iso = day.toISOString().slice(0, 10);
    const holiday = ['12-25', '12-26', '01-01', '05-01'].includes(iso.slice(5));
    if ([2, 3, 4].includes(day.getUTCDay()) && !holiday) return iso;
    day.setUTCDate(day.getUTCDate() + 1);
  }
}

test('a mandate recorded, the month billed and its direct debits exported as pain.008', async () => {
  const { kontor, page } = session;
  await page.goto(`${kontor.url}/customers?q=Bäckerei`);
  await hydrated(page);
  await page.getByRole('link', { name: 'Bäckerei Schmidt GmbH' }).click();
  await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
  await hydrated(page);
  const card = page.locator('section', { has: page.getByRole('heading', { name: 'SEPA-Mandate' }) });
  await assert.doesNotReject(card.getByText('Kein SEPA-Mandat').waitFor());
  await card.getByRole('button', { name: 'Mandat erfassen' }).click();
  await card.getByLabel('Unterschrieben am').fill('2026-11-20');
  await card.getByLabel('Kontoinhaber').fill('Bäckerei Schmidt GmbH');
  await card.getByLabel('IBAN').fill('DE89 3704 0044 0532 0130 01');
  await card.getByRole('button', { name: 'Speichern' }).click();
  const ibanError = card.locator('#field-iban-error');
  await assert.doesNotReject(ibanError.waitFor());
  assert.match(await ibanError.innerText(), /Prüfziffer/);
  assert.equal(await card.getByLabel('IBAN').getAttribute('aria-invalid'), 'true');
  await card.getByLabel('IBAN').fill('DE89 3704 0044 0532 0130 00');
  await card.getByRole('button', { name: 'Speichern' }).click();
  await assert.doesNotReject(page.getByText(/Mandat .+-1 gespeichert\./).waitFor());
  await assert.doesNotReject(card.getByText('Erstlastschrift (FRST)').waitFor());
  await assert.doesNotReject(card.getByText('DE89 3704 0044 0532 0130 00').waitFor());
  await screenshot(page, 'sepa-mandate');

  // bill the coming month and issue it: the bakery and the dental practice pay by direct debit
  await billAndIssueAhead(page, kontor);

  await page.goto(`${kontor.url}/billing`);
  await hydrated(page);
  await page.getByRole('link', { name: /SEPA-Lastschriften/ }).click();
  await page.waitForURL(/\/billing\/direct-debits$/);
  await hydrated(page);
  const date = bankDayAhead(45);
  await page.getByLabel('Einzugstag').fill(date);
  const due = page.getByRole('table', { name: 'Fällige Lastschriften' });
  await assert.doesNotReject(due.getByRole('link', { name: 'Bäckerei Schmidt GmbH' }).waitFor());
  await assert.doesNotReject(due.getByRole('link', { name: 'Zahnarztpraxis Dr. Weber' }).waitFor());
  assert.ok(await due.getByText('Erstlastschrift (FRST)').count() >= 2);
  await screenshot(page, 'sepa-direct-debits');
  await page.getByRole('button', { name: 'Datei erstellen' }).click();
  await assert.doesNotReject(page.getByText(/Lastschriftdatei mit \d+ Einzügen erstellt\./).waitFor());
  const link = page.getByRole('link', { name: 'Herunterladen', exact: true });
  const file = await page.request.get(new URL(await link.getAttribute('href'), kontor.url).href);
  assert.equal(file.status(), 200);
  const xml = await file.text();
  assert.match(xml, /urn:iso:std:iso:20022:tech:xsd:pain\.008\.001\.08/);
  assert.match(xml, new RegExp(`<ReqdColltnDt>${date}</ReqdColltnDt>`));
  assert.match(xml, /<MndtId>[^<]+-1<\/MndtId>/);
  assert.match(xml, /<SeqTp>FRST<\/SeqTp>/);
  // collected once: the preview of the same date is empty now, the file is listed
  await assert.doesNotReject(page.getByText(/^0 Lastschriften zum/).waitFor());
  const files = page.getByRole('table', { name: 'Erstellte Lastschriftdateien' });
  await assert.doesNotReject(files.locator('tbody tr').first().waitFor());
  await screenshot(page, 'sepa-exported');

  // the bakery's mandate moved on to recurring collections
  await page.goto(`${kontor.url}/customers?q=Bäckerei`);
  await hydrated(page);
  await page.getByRole('link', { name: 'Bäckerei Schmidt GmbH' }).click();
  await hydrated(page);
  await assert.doesNotReject(page.getByText('Folgelastschrift (RCUR)').waitFor());
  assert.deepEqual(page.errors, []);
});
