// Starts a private Kontor (its own embedded PostgreSQL in a temporary folder) and Chromium.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PASSWORD = 'demo-password-e2e';
let nextPort = 3100 + (process.pid % 500) * 2;

/** Kontor on a free port with the demo tenant; resolves once it answers. */
export async function startKontor(env = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'kontor-e2e-'));
  const port = nextPort++;
  const binary = process.env.KONTOR_BIN || join(root, 'target/debug/kontor');
  const child = spawn(binary, ['serve'], {
    env: { ...process.env, KONTOR_DATA_DIR: dataDir, KONTOR_ADDR: `127.0.0.1:${port}`, KONTOR_DEMO_PASSWORD: PASSWORD, DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`kontor exited:\n${output}`);
    if (output.includes('Kontor is running')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const secret = output.match(/^\s+([A-Z2-7]{32})$/m)?.[1];
  if (!secret) throw new Error(`no TOTP secret in kontor output:\n${output}`);
  return {
    url,
    adminTotpSecret: secret,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A real SMTP server (Debian's aiosmtpd) that stores every mail it accepts in a maildir. */
export async function startSmtp() {
  const dir = mkdtempSync(join(tmpdir(), 'kontor-smtp-'));
  const port = nextPort++;
  const child = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`,
    '-c', 'aiosmtpd.handlers.Mailbox', join(dir, 'maildir')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `smtp://127.0.0.1:${port}`,
    /** The raw messages received so far. */
    messages: () => {
      const folder = join(dir, 'maildir', 'new');
      return existsSync(folder) ? readdirSync(folder).map((name) => readFileSync(join(folder, name), 'utf8')) : [];
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The TOTP code an authenticator app would show now (RFC 6238), `offset` steps away. */
export function totp(secretBase32, offset = 0) {
  const step = Math.floor(Date.now() / 1000 / 30) + offset;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const o = digest[19] & 0xf;
  const value = ((digest[o] & 0x7f) << 24) | (digest[o + 1] << 16) | (digest[o + 2] << 8) | digest[o + 3];
  return String(value % 1_000_000).padStart(6, '0');
}

/** Collects console errors and failed hydration so tests can assert none happened. */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // answers like 422 are expected in validation tests; script errors are not
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()); });
  return errors;
}

/** Waits until the WASM has hydrated the page. */
export async function hydrated(page) {
  await page.waitForFunction(() => !!window.__kontor_hydrated, null, { timeout: 15000 });
}

export async function login(page, url, email, password = PASSWORD) {
  await page.goto(`${url}/login`);
  await page.getByLabel(/^E-Mail$/i).fill(email);
  await page.getByLabel(/^(Passwort|Password)$/).fill(password);
  await page.getByRole('button', { name: /Anmelden|Log in/ }).click();
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(root, 'end2end/screenshots', `${name}.png`), fullPage: true });
}

let lastAdminStep = null;
/** Logs in as the demo admin with password and a TOTP code (never the same code twice). */
export async function loginAdmin(page, kontor) {
  let step = Math.floor(Date.now() / 30000);
  if (step === lastAdminStep) {
    await new Promise((r) => setTimeout(r, (step + 1) * 30000 - Date.now() + 200));
    step += 1;
  }
  lastAdminStep = step;
  await login(page, kontor.url, 'admin@demo.kontor.test');
  await page.waitForURL(/\/login\/2fa/);
  await page.getByLabel(/Bestätigungscode|Verification code/).fill(totp(kontor.adminTotpSecret));
  await page.getByRole('button', { name: /Bestätigen|Confirm/ }).click();
  await page.waitForURL(`${kontor.url}/`);
}

/**
 * A fresh Kontor with the demo admin signed in, in German on a desktop viewport; the test's
 * `after` calls `session.close()`.
 */
export async function adminSession(env = {}) {
  const kontor = await startKontor(env);
  const browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.errors = watchErrors(page);
  await loginAdmin(page, kontor);
  return { kontor, page, close: async () => { await browser.close(); await kontor.stop(); } };
}

/** Registers `before`/`after` hooks that open and close an `adminSession`; the returned
 * object holds `kontor` and `page` once the tests run. */
export function adminSessionFor(before, after, env = {}) {
  const session = {};
  before(async () => { Object.assign(session, await adminSession(env)); });
  after(async () => { await session.close?.(); });
  return session;
}

/** Bills everything due within the next 30 days for real and issues the run's drafts. */
export async function billAndIssueAhead(page, kontor) {
  const ahead = new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10);
  await page.goto(`${kontor.url}/billing`);
  await hydrated(page);
  await page.getByLabel('Stichtag').fill(ahead);
  await page.getByLabel('Nur Vorschau').uncheck();
  await page.getByRole('button', { name: 'Jetzt abrechnen' }).click();
  await page.waitForURL(/\/billing\/runs\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Alle Entwürfe dieses Laufs ausstellen' }).click();
  await page.getByText(/Rechnungen ausgestellt\./).waitFor();
}
