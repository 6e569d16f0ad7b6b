// Projects and time: the project manager plans a project, runs the timer from the top bar
// (it survives a reload and shows in a second tab), types hours into the weekly timesheet
// with the keyboard, and sees the traffic light turn red on the dashboard and the project
// page, whose burn chart is read point by point with the keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminSessionFor, hydrated, screenshot } from '../support.js';

const session = adminSessionFor(before, after);

test('plan a project, time it, fill the week, watch the light turn', async () => {
  const { kontor, page } = session;
  await page.goto(`${kontor.url}/projects`);
  await hydrated(page);
  await page.getByRole('link', { name: 'Neues Projekt' }).click();
  await page.waitForURL(/\/projects\/new$/);
  await hydrated(page);
  await page.getByLabel('Kunde suchen').fill('Weber');
  const customer = page.getByLabel('Kunde', { exact: true });
  await customer.locator('option', { hasText: 'Zahnarztpraxis Dr. Weber' }).waitFor({ state: 'attached' });
  await customer.selectOption({ label: 'K-00002 · Zahnarztpraxis Dr. Weber' });
  await page.getByRole('button', { name: 'Speichern' }).click();
  // the name is missing: named at its field, nothing created
  await assert.doesNotReject(page.locator('#field-name-error').getByText('Pflichtfeld.').waitFor());
  await page.getByLabel(/^Name/).fill('Relaunch Praxis-Website');
  await page.getByLabel('Budget (Stunden)').fill('5');
  await page.getByLabel('Stundensatz des Projekts (€)').fill('110');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
  await hydrated(page);
  const projectUrl = page.url();
  await assert.doesNotReject(page.getByRole('heading', { name: /P-\d+ · Relaunch Praxis-Website/ }).waitFor());
  await assert.doesNotReject(page.locator('main .light-green').first().waitFor());

  // the timer, started from the top bar
  await page.locator('.timer-start > button').click();
  const timerProject = page.locator('#timer-project');
  const option = timerProject.locator('option', { hasText: 'Relaunch Praxis-Website' });
  await option.waitFor({ state: 'attached' });
  await timerProject.selectOption(await option.getAttribute('value'));
  await page.locator('#timer-note').fill('Kick-off');
  await page.locator('.timer-start form').getByRole('button', { name: 'Timer starten' }).click();
  const clock = page.getByRole('timer');
  await assert.doesNotReject(clock.waitFor());
  const first = await clock.textContent();
  await page.waitForTimeout(1500);
  assert.notEqual(await clock.textContent(), first, 'the clock ticks');
  // a reload and a second tab show the same running timer
  await page.reload();
  await hydrated(page);
  await assert.doesNotReject(page.getByRole('timer').waitFor());
  const second = await page.context().newPage();
  await second.goto(`${kontor.url}/`);
  await assert.doesNotReject(second.getByRole('timer').waitFor());
  await assert.doesNotReject(second.locator('.timer-project', { hasText: 'Relaunch Praxis-Website' }).waitFor());
  await page.getByRole('button', { name: 'Stopp' }).click();
  await assert.doesNotReject(page.locator('.timer-start > button').waitFor());
  // the other tab hears of it when it gets focus again
  await second.bringToFront();
  await second.evaluate(() => window.dispatchEvent(new Event('focus')));
  await assert.doesNotReject(second.locator('.timer-start > button').waitFor());
  await second.close();

  // the week: the timer's project has its row; Monday typed, arrow right, Tuesday typed, Enter
  await page.goto(`${kontor.url}/time`);
  await hydrated(page);
  const monday = page.locator('#cell-0-0');
  await assert.doesNotReject(monday.waitFor());
  await monday.fill('4,5');
  await monday.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'cell-0-1');
  await page.locator('#cell-0-1').fill('zwei');
  await page.locator('#cell-0-1').press('Enter');
  // a bad cell is named with its row and day; nothing is saved
  await assert.doesNotReject(page.getByRole('alert').getByText(/Relaunch Praxis-Website.*Di .*Dauer/).waitFor());
  await page.locator('#cell-0-1').fill('1:30');
  await page.locator('#cell-0-1').press('Enter');
  const entries = page.locator('section[aria-labelledby="time-entries"]');
  await assert.doesNotReject(entries.getByRole('cell', { name: '1,50', exact: true }).waitFor());
  await assert.doesNotReject(entries.getByRole('cell', { name: 'Kick-off' }).waitFor());
  await screenshot(page, 'time-week');

  // 6 of 5 hours: red on the dashboard, and the red filter finds it
  await page.goto(`${kontor.url}/projects`);
  await hydrated(page);
  const row = page.locator('tbody tr', { hasText: 'Relaunch Praxis-Website' });
  await assert.doesNotReject(row.locator('.light-red').getByText('Kritisch').waitFor());
  await page.getByRole('group', { name: 'Nach Ampel filtern' }).getByRole('button', { name: /Kritisch/ }).click();
  await assert.doesNotReject(page.locator('[aria-pressed="true"]', { hasText: 'Kritisch' }).waitFor());
  await assert.doesNotReject(row.waitFor());
  assert.equal(await page.locator('tbody .light-green').count(), 0, 'only red projects are listed');
  await screenshot(page, 'projects-dashboard');

  // the project page: the burn chart's week read with the keyboard
  await page.goto(projectUrl);
  await hydrated(page);
  await assert.doesNotReject(page.locator('main .light-red').first().waitFor());
  const point = page.locator('.burn-chart .chart-point').last();
  await point.focus();
  assert.match(await point.getAttribute('aria-label'), /^Woche ab \d\d\.\d\d\.\d{4}: 6,\d\d h gebucht, -1,\d\d h übrig$/);
  assert.ok(await page.evaluate(() => document.activeElement.classList.contains('chart-over')), 'the week over plan is marked by shape');
  await screenshot(page, 'project-page');
  assert.deepEqual(page.errors, []);
});

test('the resource plan: read it with the keyboard, plan someone, drag the assignment to a colleague', async () => {
  const { kontor, page } = session;
  await page.goto(`${kontor.url}/resources`);
  await hydrated(page);
  const first = page.locator('#heat-0-0');
  await first.focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'heat-0-1');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'heat-1-1');
  const second = (await page.locator('.heat-name').nth(1).textContent()).trim();
  await page.keyboard.press('Enter');
  await assert.doesNotReject(page.getByRole('heading', { name: second, exact: true }).waitFor());

  // 50 hours a week for two weeks: overbooked, said in words and by hatching
  const monday = new Date();
  monday.setDate(monday.getDate() - ((monday.getDay() + 6) % 7));
  const iso = (d) => d.toISOString().slice(0, 10);
  const end = new Date(monday.getTime() + 13 * 86400000);
  await page.getByText('Einsatz planen').click();
  const project = page.locator('#assign-project');
  const option = project.locator('option', { hasText: 'Relaunch Praxis-Website' });
  await option.waitFor({ state: 'attached' });
  await project.selectOption(await option.getAttribute('value'));
  await page.locator('#field-starts_on').first().fill(iso(monday));
  await page.locator('#field-ends_on').first().fill(iso(end));
  await page.getByLabel(/Stunden je Woche/).fill('50');
  await page.getByRole('button', { name: 'Speichern' }).first().click();
  const cell = page.locator('#heat-1-0');
  await assert.doesNotReject(page.locator('#heat-1-0.load-over').waitFor());
  assert.match(await cell.getAttribute('aria-label'), new RegExp(`^${second}, KW \\d+ ab .*: 50,0 h geplant von .*überbucht`));
  await screenshot(page, 'resources');

  // dragged onto the first person's row, one week later
  const firstName = (await page.locator('.heat-name').nth(0).textContent()).trim();
  const item = page.locator('.assignment', { hasText: 'Relaunch Praxis-Website' });
  await item.dragTo(page.locator('#heat-0-1'));
  await assert.doesNotReject(page.locator('#heat-0-1.load-over').waitFor());
  await assert.doesNotReject(page.locator('#heat-1-0:not(.load-over)').waitFor());
  assert.match(await page.locator('#heat-0-1').getAttribute('aria-label'), new RegExp(`^${firstName}, `));
  assert.deepEqual(page.errors, []);
});
