// A technician keeps the inventory: an IDN domain is recorded for a customer (bad names are
// refused at the field), shown as Unicode with its punycode, and turns up in the expiry list.
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
  await login(page, kontor.url, 'team@demo.kontor.test');
  await page.waitForURL(`${kontor.url}/`);
});
after(async () => { await browser?.close(); await kontor?.stop(); });

// days from today in the tenant's time zone, as the server counts them
function inDays(days) {
  const today = new Date(`${new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/Berlin' })}T00:00:00Z`);
  return new Date(today.getTime() + days * 86400000).toISOString().slice(0, 10);
}

test('an IDN domain is recorded for a customer, bad names named at the field', async () => {
  await page.goto(`${kontor.url}/domains`);
  await hydrated(page);
  await page.getByRole('link', { name: 'Neue Domain' }).click();
  await page.waitForURL(/\/domains\/new$/);
  await hydrated(page);
  await page.getByLabel('Domainname *').fill('konditorei..de');
  await page.getByLabel('Kunde suchen').fill('Weber');
  const customer = page.getByLabel('Kunde', { exact: true });
  await assert.doesNotReject(customer.locator('option', { hasText: 'Zahnarztpraxis Dr. Weber' }).waitFor({ state: 'attached' }));
  await customer.selectOption({ label: 'K-00002 · Zahnarztpraxis Dr. Weber' });
  await page.getByLabel('Läuft ab am').fill(inDays(20));
  await page.getByRole('button', { name: 'Speichern' }).click();
  await assert.doesNotReject(page.locator('#field-name-error').waitFor());

  await page.getByLabel('Domainname *').fill('Konditorei-Müller.de');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.waitForURL(/\/domains\/[0-9a-f-]{36}$/);
  await assert.doesNotReject(page.getByRole('heading', { name: /konditorei-müller\.de\s+xn--konditorei-mller-uzb\.de/ }).waitFor());
  await screenshot(page, 'domain-idn');
});

test('the expiry list shows what runs out within 30 days, with the days left in words', async () => {
  await page.goto(`${kontor.url}/expiring`);
  await hydrated(page);
  const row = page.locator('tbody tr', { hasText: 'konditorei-müller.de' });
  await assert.doesNotReject(row.waitFor());
  assert.match(await row.textContent(), /noch 20 Tage/);
  assert.match(await row.textContent(), /Zahnarztpraxis Dr\. Weber/);
  // the demo's bakery certificate runs out within the month too
  await assert.doesNotReject(page.locator('tbody tr', { hasText: 'www.baeckerei-schmidt.de' }).waitFor());
  await screenshot(page, 'expiring');
  assert.deepEqual(page.errors, []);
});
