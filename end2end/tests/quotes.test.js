// Quotes to projects: the project manager prices a role, writes a quote (the role's rate
// fills in, sums follow as she types, an optional item stays out of the total), sends it and
// records the customer's yes, which opens the project with a work package per item; the
// bakery's owner accepts the demo quote in the portal with its optional training.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminSessionFor, hydrated, login, screenshot, watchErrors } from '../support.js';

const session = adminSessionFor(before, after);

test('write a quote, send it, and the yes opens the project', async () => {
  const { kontor, page } = session;
  // a role with its rate, in the project settings
  await page.goto(`${kontor.url}/projects/settings`);
  await hydrated(page);
  const roles = page.locator('section[aria-labelledby="job-roles"]');
  await assert.doesNotReject(roles.getByRole('rowheader', { name: 'Design' }).waitFor());
  await roles.getByLabel('Rolle', { exact: true }).fill('Fotografie');
  await roles.getByLabel('Stundensatz (netto)').fill('85');
  await roles.getByRole('button', { name: 'Rolle hinzufügen' }).click();
  await assert.doesNotReject(roles.getByRole('rowheader', { name: 'Fotografie' }).waitFor());

  await page.goto(`${kontor.url}/quotes`);
  await hydrated(page);
  await page.getByRole('link', { name: 'Neues Angebot' }).click();
  await page.waitForURL(/\/quotes\/new$/);
  await hydrated(page);
  await page.getByLabel('Kunde suchen').fill('Weber');
  const customer = page.getByLabel('Kunde', { exact: true });
  await customer.locator('option', { hasText: 'Zahnarztpraxis Dr. Weber' }).waitFor({ state: 'attached' });
  await customer.selectOption({ label: 'K-00002 · Zahnarztpraxis Dr. Weber' });
  await page.getByLabel('Betreff').fill('Praxisfotos für die Website');
  // the role's rate is the offer
  const role = page.getByLabel('Rolle, Pos. 1');
  await role.locator('option', { hasText: 'Fotografie' }).waitFor({ state: 'attached' });
  await role.selectOption({ label: 'Fotografie' });
  assert.equal(await page.getByLabel('Einzelpreis, Pos. 1').inputValue(), '85');
  await page.getByLabel('Beschreibung, Pos. 1').fill('Fotoshooting in der Praxis');
  await page.getByLabel('Menge, Pos. 1').fill('6');
  await page.getByRole('button', { name: 'Festposition hinzufügen' }).click();
  await page.getByLabel('Beschreibung, Pos. 2').fill('Bildlizenzen');
  await page.getByLabel('Einzelpreis, Pos. 2').fill('240');
  await page.getByRole('button', { name: 'Stundenposition hinzufügen' }).click();
  await page.getByLabel('Beschreibung, Pos. 3').fill('Bildbearbeitung');
  await page.getByLabel('Menge, Pos. 3').fill('3');
  await page.getByLabel('Einzelpreis, Pos. 3').fill('85');
  await page.getByLabel('Optional, Pos. 3').check();
  // 6 × 85 + 240; the optional retouching is offered on top
  await assert.doesNotReject(page.getByTestId('quote-net').getByText('750,00').waitFor());
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.waitForURL(/\/quotes\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await assert.doesNotReject(page.getByRole('heading', { name: /A-\d{4}-\d+ · Praxisfotos für die Website/ }).waitFor());

  await page.getByLabel('Per E-Mail mit PDF an den Kunden senden').uncheck();
  await page.getByRole('button', { name: 'Angebot versenden' }).click();
  await assert.doesNotReject(page.getByRole('link', { name: 'PDF herunterladen' }).waitFor());
  await assert.doesNotReject(page.locator('main .badge', { hasText: 'Versandt' }).waitFor());
  // sent with 19 % VAT: 750 + 142.50
  await assert.doesNotReject(page.getByTestId('quote-gross').getByText('892,50').waitFor());
  await screenshot(page, 'quote-sent');

  // the practice calls: yes, with the retouching
  await page.getByLabel('3. Bildbearbeitung').check();
  await page.getByRole('button', { name: 'Annehmen und Projekt anlegen' }).click();
  await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await assert.doesNotReject(page.getByRole('heading', { name: /P-\d+ · Praxisfotos für die Website/ }).waitFor());
  for (const name of ['Fotoshooting in der Praxis', 'Bildlizenzen', 'Bildbearbeitung']) {
    await assert.doesNotReject(page.getByRole('heading', { name }).first().waitFor(), name);
  }
  assert.deepEqual(page.errors, []);
});

test("the bakery's owner accepts the demo quote in the portal", async () => {
  const { kontor, page: staff } = session;
  const context = await staff.context().browser().newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.errors = watchErrors(page);
  await login(page, kontor.url, 'kunde@demo.kontor.test');
  await page.waitForURL(/\/portal$/);
  await page.getByRole('link', { name: 'Angebote' }).click();
  await page.waitForURL(/\/portal\/quotes$/);
  await hydrated(page);
  await page.getByRole('link', { name: /A-\d{4}-0001/ }).click();
  await page.waitForURL(/\/portal\/quotes\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await assert.doesNotReject(page.getByRole('heading', { name: /Online-Shop für Torten/ }).waitFor());
  await page.getByLabel('5. Schulung Ihres Teams').check();
  await screenshot(page, 'portal-quote');
  await page.getByRole('button', { name: 'Angebot verbindlich annehmen' }).click();
  await assert.doesNotReject(page.getByText('Sie haben dieses Angebot angenommen.').waitFor());
  assert.deepEqual(page.errors, []);
  await context.close();

  // the project manager's quote list shows it accepted, its project carries the training
  await staff.goto(`${kontor.url}/quotes?status=accepted`);
  await hydrated(staff);
  await staff.getByRole('link', { name: /A-\d{4}-0001/ }).click();
  await hydrated(staff);
  await assert.doesNotReject(staff.getByText('durch kunde@demo.kontor.test').waitFor());
  await staff.locator('main .alert a[href^="/projects/"]').click();
  await hydrated(staff);
  await assert.doesNotReject(staff.getByRole('heading', { name: 'Schulung Ihres Teams' }).first().waitFor());
});
