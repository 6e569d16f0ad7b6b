// Login with password and TOTP, wrong password, lockout, recovery codes, role-based
// navigation, server-side refusal, language switch, logout, and login without JavaScript.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKontor, launchBrowser, login, loginAdmin, totp, watchErrors, hydrated, screenshot, PASSWORD } from '../support.js';

let kontor;
let browser;
before(async () => { kontor = await startKontor(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await kontor?.stop(); });

async function newPage(options = {}) {
  const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 860 }, ...options });
  const page = await context.newPage();
  return { context, page, errors: watchErrors(page) };
}

test('the admin logs in with password and TOTP and sees the staff shell', async () => {
  const { context, page, errors } = await newPage();
  await loginAdmin(page, kontor);
  await hydrated(page);
  await assert.doesNotReject(page.getByRole('heading', { name: 'Willkommen, Anna Admin' }).waitFor());
  const nav = page.getByRole('navigation', { name: 'Hauptnavigation' });
  for (const name of ['Übersicht', 'Kunden', 'Benutzer', 'Protokoll', 'API-Tokens', 'Mandant', 'Hintergrundaufgaben']) {
    assert.equal(await nav.getByRole('link', { name, exact: true }).count(), 1, name);
  }
  await screenshot(page, 'home-admin');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a wrong password is refused with a clear message', async () => {
  const { context, page } = await newPage();
  await login(page, kontor.url, 'buchhaltung@demo.kontor.test', 'falsch');
  const alert = page.getByRole('alert');
  assert.equal((await alert.textContent()).trim(), 'E-Mail oder Passwort ist falsch.');
  assert.equal(await page.getByLabel('E-Mail').inputValue(), 'buchhaltung@demo.kontor.test');
  await screenshot(page, 'login-wrong-password');
  await context.close();
});

test('ten failed attempts lock the account with a message that says for how long', async () => {
  const { context, page } = await newPage();
  for (let i = 0; i < 10; i++) await login(page, kontor.url, 'support@demo.kontor.test', `falsch-${i}`);
  await login(page, kontor.url, 'support@demo.kontor.test', PASSWORD);
  assert.match(await page.getByRole('alert').textContent(), /Zu viele fehlgeschlagene Anmeldeversuche\. Bitte in 15 Minuten erneut versuchen\./);
  assert.match(page.url(), /\/login\?error=throttled/);
  await context.close();
});

test('a user enrols TOTP in the profile and later logs in with a recovery code', async () => {
  const { context, page, errors } = await newPage();
  await login(page, kontor.url, 'projekt@demo.kontor.test');
  await page.waitForURL(`${kontor.url}/`);
  await page.goto(`${kontor.url}/profile`);
  await hydrated(page);
  await page.getByRole('button', { name: '2FA einrichten' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent()).trim();
  await screenshot(page, 'profile-totp-enrolment');
  await page.getByLabel('Bestätigungscode').fill(totp(secret));
  await page.getByRole('button', { name: '2FA einschalten' }).click();
  await page.getByTestId('recovery-codes').waitFor();
  const codes = await page.getByTestId('recovery-codes').locator('code').allTextContents();
  assert.equal(codes.length, 10);
  await screenshot(page, 'profile-recovery-codes');

  await page.locator('.user-menu summary').click();
  await page.getByRole('button', { name: 'Abmelden', exact: true }).click();
  await page.waitForURL(/\/login$/);
  await login(page, kontor.url, 'projekt@demo.kontor.test');
  await page.waitForURL(/\/login\/2fa/);
  await page.getByLabel('Bestätigungscode').fill(codes[0]);
  await page.getByRole('button', { name: 'Bestätigen' }).click();
  await page.waitForURL(`${kontor.url}/`);
  await assert.doesNotReject(page.getByRole('heading', { name: 'Willkommen, Petra Projekt' }).waitFor());
  assert.deepEqual(errors, []);
  await context.close();
});

test('navigation shows only what the role may use, and the server refuses the rest', async () => {
  const { context, page } = await newPage();
  await login(page, kontor.url, 'team@demo.kontor.test');
  await page.waitForURL(`${kontor.url}/`);
  await hydrated(page);
  const nav = page.getByRole('navigation', { name: 'Hauptnavigation' });
  assert.deepEqual((await nav.getByRole('link').allTextContents()).map((t) => t.trim()),
    ['Übersicht', 'Kunden', 'Verträge', 'Produkte', 'Projekte', 'Zeiterfassung', 'Ressourcen', 'Verbrauch', 'Domains', 'Server', 'Läuft ab', 'Dienste-Checks', 'Registrar-Abgleich']);
  // calling an admin server function directly, with the staff member's own session
  const status = await page.evaluate(async () => {
    const response = await fetch('/sf/tokens/list', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    return response.status;
  });
  assert.equal(status, 403);
  await page.goto(`${kontor.url}/settings`);
  await assert.doesNotReject(page.getByRole('alert').filter({ hasText: 'Dafür fehlt Ihnen die Berechtigung.' }).waitFor());
  await context.close();

  const accountant = await newPage();
  await login(accountant.page, kontor.url, 'buchhaltung@demo.kontor.test');
  await accountant.page.waitForURL(`${kontor.url}/`);
  const links = await accountant.page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link').allTextContents();
  assert.deepEqual(links.map((t) => t.trim()), ['Übersicht', 'Kunden', 'Verträge', 'Produkte', 'Angebote', 'Projekte', 'Zeiterfassung', 'Ressourcen', 'Verbrauch', 'Domains', 'Server', 'Läuft ab', 'Dienste-Checks', 'Registrar-Abgleich', 'Rechnungen', 'Abrechnung', 'Zahlungen', 'Mahnwesen', 'Umsatzstatistik', 'DATEV-Export', 'Protokoll']);
  await accountant.context.close();
});

test('the language switch changes the whole UI and is remembered', async () => {
  const { context, page } = await newPage();
  await login(page, kontor.url, 'buchhaltung@demo.kontor.test');
  await page.waitForURL(`${kontor.url}/`);
  await page.getByRole('button', { name: 'English' }).click();
  await assert.doesNotReject(page.getByRole('heading', { name: 'Welcome, Bernd Buchhaltung' }).waitFor());
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.reload();
  await assert.doesNotReject(page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Audit log' }).waitFor());
  await screenshot(page, 'home-english');
  await page.getByRole('button', { name: 'Deutsch' }).click();
  await assert.doesNotReject(page.getByRole('heading', { name: 'Willkommen, Bernd Buchhaltung' }).waitFor());
  await context.close();
});

test('logout ends the session', async () => {
  const { context, page } = await newPage();
  await login(page, kontor.url, 'buchhaltung@demo.kontor.test');
  await page.waitForURL(`${kontor.url}/`);
  await page.locator('.user-menu summary').click();
  await page.getByRole('button', { name: 'Abmelden', exact: true }).click();
  await page.waitForURL(/\/login$/);
  await page.goto(`${kontor.url}/audit`);
  assert.match(page.url(), /\/login\?next=\/audit$/);
  await context.close();
});

test('logging in works with JavaScript disabled', async () => {
  const { context, page } = await newPage({ javaScriptEnabled: false });
  await login(page, kontor.url, 'buchhaltung@demo.kontor.test', 'falsch');
  assert.equal((await page.getByRole('alert').textContent()).trim(), 'E-Mail oder Passwort ist falsch.');
  await login(page, kontor.url, 'buchhaltung@demo.kontor.test');
  await page.waitForURL(`${kontor.url}/`);
  await assert.doesNotReject(page.getByRole('heading', { name: 'Willkommen, Bernd Buchhaltung' }).waitFor());
  await context.close();
});
