// The customer's money matters in the portal: after the month is billed, the bakery's owner
// sees the invoice, the open balance and how they pay, and downloads the PDF.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminSessionFor, billAndIssueAhead, login, watchErrors, hydrated, screenshot } from '../support.js';

const session = adminSessionFor(before, after);

test('the owner sees the open invoice, the balance and downloads the PDF', async () => {
  const { kontor, page: staff } = session;
  await billAndIssueAhead(staff, kontor);

  const context = await staff.context().browser().newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.errors = watchErrors(page);
  await login(page, kontor.url, 'kunde@demo.kontor.test');
  await page.waitForURL(`${kontor.url}/portal`);
  await hydrated(page);
  const nav = page.getByRole('navigation', { name: 'Kundenportal' });
  await nav.getByRole('link', { name: 'Rechnungen' }).click();
  await page.waitForURL(`${kontor.url}/portal/invoices`);
  await hydrated(page);
  const number = `RE-${new Date().getFullYear()}-00001`;
  const open = page.getByRole('region', { name: 'Offene Rechnungen' });
  await assert.doesNotReject(open.getByRole('cell', { name: number }).waitFor());
  assert.match(await page.locator('.tile', { hasText: 'Offen' }).first().textContent(), /\d+,\d\d\s€/);
  await assert.doesNotReject(page.getByText('Sie zahlen per Überweisung.').waitFor());
  const pdf = page.getByRole('link', { name: `${number} PDF` });
  const response = await page.request.get(new URL(await pdf.getAttribute('href'), kontor.url).href);
  assert.equal(response.status(), 200);
  assert.equal(response.headers()['content-type'], 'application/pdf');
  await screenshot(page, 'portal-invoices');
  assert.deepEqual(page.errors, []);
  await context.close();
});
