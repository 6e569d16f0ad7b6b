// Dunning: the accountant sets the levels (a typo is named at its field), previews a run,
// and blocks a customer from dunning in the customer file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminSessionFor, hydrated, screenshot } from '../support.js';

const session = adminSessionFor(before, after);

test('levels are set, a run is previewed and a customer is blocked', async () => {
  const { kontor, page } = session;
  await page.goto(`${kontor.url}/dunning`);
  await hydrated(page);
  const fee = page.getByLabel('Mahnung: Mahngebühr', { exact: true });
  await assert.doesNotReject(fee.waitFor());
  await fee.fill('zehn');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await assert.doesNotReject(page.getByText('Bitte einen Betrag größer 0').first().waitFor());
  await fee.fill('7,50');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await assert.doesNotReject(page.getByText('Mahnstufen gespeichert.').waitFor());

  await page.getByRole('button', { name: 'Vorschau' }).click();
  await assert.doesNotReject(page.getByText(/^Vorschau: \d+ Mahnbriefe würden geschrieben\.$/).waitFor());
  await screenshot(page, 'dunning');

  await page.goto(`${kontor.url}/customers?q=Bäckerei`);
  await hydrated(page);
  await page.getByRole('link', { name: 'Bäckerei Schmidt GmbH' }).click();
  await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await assert.doesNotReject(page.getByText('Wird gemahnt').waitFor());
  await page.getByRole('button', { name: 'Mahnsperre setzen' }).click();
  await assert.doesNotReject(page.getByText('Mahnsperre aktiv').waitFor());
  await page.reload();
  await hydrated(page);
  await assert.doesNotReject(page.getByText('Mahnsperre aktiv').waitFor());
  assert.deepEqual(page.errors, []);
});
