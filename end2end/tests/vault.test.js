// The password vault: an admin stores a customer's mailbox login (the password is required
// at its field), reveals it – shown with a copy button – and it hides again on "Verbergen"
// and by itself after 30 seconds; the printable list reveals everything at once. A server
// started with a wrong vault key refuses to run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKontor, launchBrowser, loginAdmin, watchErrors, hydrated, screenshot } from '../support.js';

const SECRET = 'Praxis-Postfach#2026';
let kontor;
let browser;
let page;
before(async () => {
  kontor = await startKontor();
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.errors = watchErrors(page);
  // fake timers, so the 30-second auto-hide can be fast-forwarded
  await page.clock.install();
  await loginAdmin(page, kontor);
});
after(async () => { await browser?.close(); await kontor?.stop(); });

function vault() {
  return page.getByRole('region', { name: 'Zugangsdaten' });
}

test('an admin stores a credential in the customer file, the password required', async () => {
  await page.goto(`${kontor.url}/customers?q=Weber`);
  await hydrated(page);
  await page.getByRole('link', { name: /Zahnarztpraxis Dr\. Weber/ }).first().click();
  await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await vault().getByRole('button', { name: 'Neue Zugangsdaten' }).click();
  await vault().getByLabel('Art', { exact: true }).selectOption('mail');
  await vault().getByLabel('Bezeichnung *').fill('Postfach Praxis');
  await vault().getByLabel('Host', { exact: true }).fill('imap.dr-weber-koeln.de');
  await vault().getByLabel('Port', { exact: true }).fill('993');
  await vault().getByLabel('Benutzername').fill('praxis@dr-weber-koeln.de');
  await vault().getByLabel('Domain', { exact: true }).selectOption({ label: 'dr-weber-koeln.de' });
  await vault().getByRole('button', { name: 'Speichern' }).click();
  assert.equal((await vault().locator('#field-secret-error').textContent()).trim(), 'Pflichtfeld.');

  await vault().getByLabel('Passwort *').fill(SECRET);
  await vault().getByRole('button', { name: 'Speichern' }).click();
  const row = vault().locator('tbody tr', { hasText: 'Postfach Praxis' });
  await assert.doesNotReject(row.waitFor());
  assert.match(await row.textContent(), /imap\.dr-weber-koeln\.de:993/);
  assert.match(await row.textContent(), /dr-weber-koeln\.de/);
  assert.ok(!(await page.content()).includes(SECRET), 'the list never holds the password');

  // a change without a new password keeps the stored one
  await row.getByRole('button', { name: 'Bearbeiten' }).click();
  const form = vault().getByRole('form', { name: 'Zugangsdaten „Postfach Praxis“ ändern' });
  await form.getByLabel('Bezeichnung *').fill('Postfach Praxis (IMAP)');
  await form.getByRole('button', { name: 'Speichern' }).click();
  await assert.doesNotReject(vault().locator('tbody tr', { hasText: 'Postfach Praxis (IMAP)' }).waitFor());
  await assert.doesNotReject(form.waitFor({ state: 'detached' }));
});

test('a revealed password shows with a copy button and hides again', async () => {
  const row = vault().locator('tbody tr', { hasText: 'Postfach Praxis' });
  await row.getByRole('button', { name: 'Passwort von Postfach Praxis (IMAP) anzeigen' }).click();
  const secret = row.getByTestId('secret');
  await assert.doesNotReject(secret.waitFor());
  assert.equal(await secret.textContent(), SECRET);
  await assert.doesNotReject(row.getByRole('button', { name: 'Kopieren' }).waitFor());
  await screenshot(page, 'vault-revealed');

  await row.getByRole('button', { name: 'Verbergen' }).click();
  await assert.doesNotReject(secret.waitFor({ state: 'detached' }));
  assert.ok(!(await page.content()).includes(SECRET));

  await row.getByRole('button', { name: /anzeigen/ }).click();
  await assert.doesNotReject(secret.waitFor());
  await page.clock.fastForward(29_000);
  assert.equal(await secret.count(), 1, 'still shown before 30 seconds');
  await page.clock.fastForward(2_000);
  await assert.doesNotReject(secret.waitFor({ state: 'detached' }));
  assert.ok(!(await page.content()).includes(SECRET));
});

test('the printable password list reveals all of the customer\'s passwords at once', async () => {
  await vault().getByRole('link', { name: 'Passwortliste' }).click();
  await page.waitForURL(/\/customers\/[0-9a-f-]{36}\/passwords$/);
  await hydrated(page);
  assert.ok(!(await page.content()).includes(SECRET), 'nothing is revealed before the click');
  await page.getByRole('button', { name: 'Alle Passwörter anzeigen' }).click();
  const row = page.locator('table.password-list tbody tr', { hasText: 'Postfach Praxis' });
  await assert.doesNotReject(row.waitFor());
  assert.match(await row.textContent(), new RegExp(SECRET));
  await assert.doesNotReject(page.getByRole('button', { name: 'Drucken' }).waitFor());
  await page.emulateMedia({ media: 'print' });
  await screenshot(page, 'vault-password-list-print');
  await page.emulateMedia({ media: 'screen' });
  await page.getByRole('button', { name: 'Verbergen' }).click();
  await assert.doesNotReject(row.waitFor({ state: 'detached' }));
  assert.deepEqual(page.errors, []);
});

/** Runs `kontor serve` on its own data folder (any free port) until it prints `until` or exits. */
async function serve(dataDir, env, until) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
  const child = spawn(process.env.KONTOR_BIN || join(root, 'target/debug/kontor'), ['serve'], {
    env: { ...process.env, KONTOR_DATA_DIR: dataDir, KONTOR_ADDR: '127.0.0.1:0', DATABASE_URL: '',
      KONTOR_DEMO_PASSWORD: 'demo-password-e2e', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let i = 0; i < 600 && child.exitCode === null && !output.includes(until); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (child.exitCode === null) {
    child.kill('SIGTERM');
  }
  return { code: await exited, output };
}

test('a server given the wrong vault key does not start', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kontor-e2e-vault-'));
  try {
    const first = await serve(dataDir, {}, 'Kontor is running');
    assert.match(first.output, /Kontor is running/, first.output.slice(0, 2000));
    assert.equal(statSync(join(dataDir, 'vault.key')).mode & 0o777, 0o600);
    const wrong = randomBytes(32).toString('base64');
    const second = await serve(dataDir, { KONTOR_VAULT_KEY: wrong }, 'Kontor is running');
    assert.notEqual(second.code, 0);
    assert.doesNotMatch(second.output, /Kontor is running/);
    assert.match(second.output, /Wrong vault key: the server does not start/, second.output.slice(0, 2000));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
