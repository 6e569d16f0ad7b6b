// The customer portal: staff invite a customer's user from the customer file; the person
// sets a password through the link, lands in the portal in the tenant's branding, sees the
// customer's contract and domain, and cannot open staff pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKontor, launchBrowser, loginAdmin, login, watchErrors, hydrated, screenshot } from '../support.js';

const PORTAL_PASSWORD = 'Kundenportal 2026!';
const EMAIL = 'paula@portal-test.example';

let kontor;
let browser;
let staff;
let customerId;
let link;
before(async () => {
  kontor = await startKontor();
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  staff = await context.newPage();
  staff.errors = watchErrors(staff);
  await loginAdmin(staff, kontor);
});
after(async () => { await browser?.close(); await kontor?.stop(); });

/** A server function call with the staff session, as the app's own pages make it. */
async function call(endpoint, data) {
  const response = await staff.request.post(`${kontor.url}/sf/${endpoint}`, {
    data,
    headers: { origin: kontor.url, 'content-type': 'application/json' },
  });
  assert.equal(response.status(), 200, `${endpoint}: ${await response.text()}`);
  return response.json();
}

function inDays(days) {
  const day = new Date(Date.now() + days * 86400000);
  return day.toISOString().slice(0, 10);
}

test('staff invite a portal user from the customer file', async () => {
  const created = await call('customers/create', {
    input: { kind: 'company', company_name: 'Portal Test GmbH', billing_country: 'DE' },
    ignore_duplicates: true,
  });
  customerId = created.created.id;
  await call('contracts/create', {
    input: {
      customer_id: customerId, description: 'Webhosting Business', start_date: '2026-01-01', fee: '19.00',
      fee_unit: 'month', billing_interval: 'quarterly', billing_mode: 'in_advance', notes: 'nur intern',
    },
  });
  await call('inventory/domains/create', {
    input: { customer_id: customerId, name: 'portal-prüfung.de', expires_on: inDays(20), registrar: 'Registrar X' },
  });

  await staff.goto(`${kontor.url}/customers/${customerId}`);
  await hydrated(staff);
  const section = staff.getByRole('region', { name: 'Zugänge zum Kundenportal' });
  await assert.doesNotReject(section.getByText('Noch niemand dieses Kunden').waitFor());
  await section.locator('summary', { hasText: 'Zugang zum Kundenportal einladen' }).click();
  await section.getByRole('button', { name: 'Einladen' }).click();
  assert.match(await section.locator('#portal-user-email-error').textContent(), /E-Mail/);
  await section.getByLabel('E-Mail *').fill(EMAIL);
  await section.getByLabel('Name *').fill('Paula Portal');
  await section.getByLabel('Rolle').selectOption({ label: 'Kunde (Technik)' });
  await section.getByRole('button', { name: 'Einladen' }).click();
  const field = section.getByTestId('portal-invitation-link');
  await assert.doesNotReject(field.waitFor());
  link = await field.inputValue();
  assert.match(link, /\/invite\/[A-Za-z0-9_-]+$/);
  await assert.doesNotReject(section.getByRole('cell', { name: /Paula Portal/ }).waitFor());
  assert.match(await section.locator('tbody').textContent(), /Kunde \(Technik\).*Eingeladen/);
  await screenshot(staff, 'portal-invite');
  assert.deepEqual(staff.errors, []);
});

test('the invited person sets a password and sees only the portal', async () => {
  const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.errors = watchErrors(page);
  await page.goto(link.replace(/^https?:\/\/[^/]+/, kontor.url));
  await page.getByLabel('Neues Passwort').fill(PORTAL_PASSWORD);
  await page.getByLabel('Passwort wiederholen').fill(PORTAL_PASSWORD);
  await page.getByRole('button', { name: 'Passwort festlegen' }).click();
  await page.waitForURL(/\/login$/);
  await login(page, kontor.url, EMAIL, PORTAL_PASSWORD);
  await page.waitForURL(`${kontor.url}/portal`);
  await hydrated(page);

  await assert.doesNotReject(page.getByRole('heading', { name: 'Portal Test GmbH' }).waitFor());
  const nav = page.getByRole('navigation', { name: 'Kundenportal' });
  assert.equal(await nav.getByRole('link', { name: 'Übersicht' }).getAttribute('aria-current'), 'page');
  assert.match(await page.locator('.tile', { hasText: 'Aktive Verträge' }).textContent(), /Aktive Verträge\s*1/);
  assert.match(await page.locator('.tile', { hasText: 'Nächste Rechnung' }).textContent(), /57,00\s€/);
  assert.match(await page.locator('.tile', { hasText: 'Domains mit Ablauf' }).textContent(), /60 Tagen\s*1/);
  await assert.doesNotReject(page.getByRole('cell', { name: /portal-prüfung\.de/ }).waitFor());
  await screenshot(page, 'portal-overview');

  await nav.getByRole('link', { name: 'Verträge' }).click();
  await page.waitForURL(`${kontor.url}/portal/contracts`);
  const row = page.getByRole('row', { name: /Webhosting Business/ });
  await assert.doesNotReject(row.waitFor());
  assert.match(await row.textContent(), /19,00\s€ pro Monat/);
  assert.match(await row.textContent(), /57,00\s€/);
  assert.equal(await page.getByRole('row').count(), 2, 'the header and the own contract only');
  assert.equal(await nav.getByRole('link', { name: 'Verträge' }).getAttribute('aria-current'), 'page');
  assert.doesNotMatch(await page.locator('main').textContent(), /nur intern/);
  await screenshot(page, 'portal-contracts');

  await row.getByRole('link').first().click();
  await page.waitForURL(/\/portal\/contracts\/[0-9a-f-]{36}$/);
  await assert.doesNotReject(page.getByRole('heading', { name: /Webhosting Business/ }).waitFor());
  const next = page.getByRole('region', { name: 'Nächste Rechnungen' });
  assert.equal(await next.locator('tbody tr').count(), 4);
  assert.match(await next.locator('tbody tr').first().textContent(), /01\.01\.2026.*31\.03\.2026.*57,00\s€/);
  await screenshot(page, 'portal-contract');

  await nav.getByRole('link', { name: 'Domains' }).click();
  await page.waitForURL(`${kontor.url}/portal/domains`);
  const domain = page.getByRole('row', { name: /portal-prüfung\.de/ });
  await assert.doesNotReject(domain.waitFor());
  assert.match(await domain.textContent(), /xn--portal-prfung-/);
  assert.match(await domain.textContent(), /noch (19|20|21) Tage/);
  assert.doesNotMatch(await page.locator('main').textContent(), /Registrar X/);

  // the profile, where the person switches on 2FA, opens inside the portal
  await page.locator('.user-menu summary').click();
  await page.getByRole('link', { name: 'Mein Profil' }).click();
  await page.waitForURL(`${kontor.url}/portal/profile`);
  await assert.doesNotReject(page.getByRole('heading', { name: 'Zwei-Faktor-Anmeldung' }).waitFor());

  // staff pages send the portal user back to the portal
  await page.goto(`${kontor.url}/customers`);
  await page.waitForURL(`${kontor.url}/portal`);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the portal on a phone', async () => {
  const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await login(page, kontor.url, EMAIL, PORTAL_PASSWORD);
  await page.waitForURL(`${kontor.url}/portal`);
  await page.goto(`${kontor.url}/portal/contracts`);
  await hydrated(page);
  await assert.doesNotReject(page.getByRole('row', { name: /Webhosting Business/ }).waitFor());
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await screenshot(page, 'portal-contracts-phone');
  await context.close();
});
