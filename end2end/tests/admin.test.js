// Administration: invite a user who then sets a password, tenant settings with inline
// validation, API tokens, and the audit log with its chain check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKontor, launchBrowser, login, loginAdmin, watchErrors, hydrated, screenshot } from '../support.js';

let kontor;
let browser;
let admin;
before(async () => {
  kontor = await startKontor();
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  admin = await context.newPage();
  admin.errors = watchErrors(admin);
  await loginAdmin(admin, kontor);
});
after(async () => { await browser?.close(); await kontor?.stop(); });

test('the admin invites a colleague who sets a password and logs in', async () => {
  await admin.goto(`${kontor.url}/users`);
  await hydrated(admin);
  await admin.getByLabel('E-Mail *').fill('kaputt');
  await admin.getByLabel('Name *').fill('Nina Neu');
  await admin.getByRole('button', { name: 'Einladen' }).click();
  assert.equal((await admin.locator('#field-email-error').textContent()).trim(), 'Bitte eine gültige E-Mail-Adresse angeben.');
  assert.equal(await admin.getByLabel('E-Mail *').getAttribute('aria-invalid'), 'true');
  await screenshot(admin, 'users-invite-error');

  await admin.getByLabel('E-Mail *').fill('nina@demo.kontor.test');
  await admin.getByRole('checkbox', { name: 'Support' }).check();
  await admin.getByRole('button', { name: 'Einladen' }).click();
  const link = (await admin.getByTestId('invitation-link').textContent()).trim();
  assert.match(link, /\/invite\/[A-Za-z0-9_-]{43}$/);
  await assert.doesNotReject(admin.getByRole('cell', { name: 'nina@demo.kontor.test' }).waitFor());

  const context = await browser.newContext({ locale: 'de-DE' });
  const page = await context.newPage();
  await page.goto(link);
  await page.getByLabel('Neues Passwort').fill('Ninas Passwort 1');
  await page.getByLabel('Passwort wiederholen').fill('Ninas Passwort 1');
  await page.getByRole('button', { name: 'Passwort festlegen' }).click();
  await page.waitForURL(/\/login$/);
  await login(page, kontor.url, 'nina@demo.kontor.test', 'Ninas Passwort 1');
  await assert.doesNotReject(page.getByRole('heading', { name: 'Willkommen, Nina Neu' }).waitFor());
  await context.close();
});

test('the admin searches, sorts and deactivates users', async () => {
  await admin.goto(`${kontor.url}/users?q=team`);
  await hydrated(admin);
  const rows = admin.locator('tbody tr');
  assert.equal(await rows.count(), 1);
  await admin.goto(`${kontor.url}/users`);
  await hydrated(admin);
  await admin.getByRole('button', { name: /^E-Mail/ }).click();
  await admin.waitForURL(/sort=email/);
  await admin.getByRole('button', { name: /^E-Mail/ }).click();
  await admin.waitForURL(/desc=1/);
  assert.equal(await admin.locator('th[aria-sort="descending"]').count(), 1);
  await assert.doesNotReject(admin.locator('tbody tr').first().getByRole('cell', { name: 'team@demo.kontor.test' }).waitFor());

  const row = admin.locator('tbody tr', { hasText: 'team@demo.kontor.test' });
  await row.locator('summary').click();
  await row.getByRole('button', { name: 'Deaktivieren' }).click();
  const dialog = admin.getByRole('dialog');
  assert.match(await dialog.textContent(), /Tim Team deaktivieren\?/);
  await screenshot(admin, 'users-confirm');
  await dialog.getByRole('button', { name: 'Deaktivieren' }).click();
  await assert.doesNotReject(row.getByText('Inaktiv').waitFor());
  assert.match(await admin.getByRole('status').filter({ hasText: 'Gespeichert' }).first().textContent(), /Gespeichert/);

  const context = await browser.newContext({ locale: 'de-DE' });
  const page = await context.newPage();
  await login(page, kontor.url, 'team@demo.kontor.test');
  assert.match(page.url(), /error=(credentials|no_tenant)/);
  await context.close();
});

test('tenant settings explain wrong identifiers at the field and save right ones', async () => {
  await admin.goto(`${kontor.url}/settings`);
  await hydrated(admin);
  await admin.getByLabel('IBAN').fill('DE89 3704 0044 0532 0130 01');
  await admin.getByLabel('USt-IdNr.').fill('DE123');
  await admin.getByRole('button', { name: 'Speichern' }).click();
  assert.equal((await admin.locator('#field-iban-error').textContent()).trim(), 'Die Prüfziffer stimmt nicht – bitte auf Tippfehler prüfen.');
  assert.equal((await admin.locator('#field-vat_id-error').textContent()).trim(), 'Das Format stimmt nicht.');
  await screenshot(admin, 'settings-errors');

  await admin.getByLabel('IBAN').fill('DE02 1203 0000 0000 2020 51');
  await admin.getByLabel('USt-IdNr.').fill('DE 811 569 869');
  await admin.getByLabel('Hauptfarbe').fill('#0b6e4f');
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"><rect width="40" height="20" fill="#0b6e4f"/></svg>';
  await admin.getByLabel('Logo').setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(svg) });
  await assert.doesNotReject(admin.getByRole('img', { name: 'Vorschau des Logos' }).waitFor());
  await admin.getByRole('button', { name: 'Speichern' }).click();
  await assert.doesNotReject(admin.getByText('Einstellungen gespeichert.').waitFor());
  await admin.reload();
  await hydrated(admin);
  // the form fills in once the settings have loaded; reading earlier saw an empty field
  const iban = admin.getByLabel('IBAN');
  await admin.waitForFunction((el) => el.value !== '', await iban.elementHandle());
  assert.equal(await iban.inputValue(), 'DE02120300000000202051');
  // the new brand colour themes the shell
  const colour = await admin.locator('.topbar').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(colour, 'rgb(11, 110, 79)');
  assert.match(await admin.locator('.brand-logo').getAttribute('src'), /^data:image\/svg\+xml;base64,/);
  await screenshot(admin, 'settings-saved');
});

test('the admin creates an API token that works once shown', async () => {
  await admin.goto(`${kontor.url}/api-tokens`);
  await hydrated(admin);
  await admin.getByLabel('Name *').fill('Webshop');
  await admin.getByRole('checkbox', { name: 'users:read' }).check();
  await admin.getByRole('button', { name: 'Token erstellen' }).click();
  const token = (await admin.getByTestId('new-token').textContent()).trim();
  const response = await fetch(`${kontor.url}/api/v1/users?limit=2`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.items.length, 2);
  assert.ok(body.next.startsWith('/api/v1/users?limit=2&cursor='));
  await screenshot(admin, 'api-tokens');
});

test('the audit log lists what happened, filters it and verifies the chain', async () => {
  await admin.goto(`${kontor.url}/audit?action=settings`);
  await hydrated(admin);
  await assert.doesNotReject(admin.getByRole('cell', { name: 'tenant.settings_changed' }).waitFor());
  assert.equal(await admin.locator('tbody tr').count(), 1);
  await admin.goto(`${kontor.url}/audit`);
  await hydrated(admin);
  for (const action of ['user.invited', 'user.invitation_accepted', 'user.deactivated', 'api_token.created', 'auth.login']) {
    assert.ok(await admin.getByRole('cell', { name: action, exact: true }).count() >= 1, action);
  }
  await admin.getByRole('button', { name: 'Kette prüfen' }).click();
  assert.match(await admin.getByText(/Kette geprüft/).textContent(), /Einträge, unverändert/);
  await screenshot(admin, 'audit');
  assert.deepEqual(admin.errors, []);
});
