// Payments: the accountant bills the month, imports the bank's camt.053 statement, sees a
// partial payment matched by the invoice number and clears the review list; the invoice
// shows itself partly paid and stays in the open items.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminSessionFor, billAndIssueAhead, hydrated, screenshot } from '../support.js';

const session = adminSessionFor(before, after);

// A statement as the bank's online banking exports it: two credits.
function statement(number) {
  const day = new Date().toISOString().slice(0, 10);
  const entry = (amount, ref, name, iban, text) => `<Ntry><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
    <Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>${day}</Dt></BookgDt><AcctSvcrRef>${ref}</AcctSvcrRef>
    <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
    <RltdPties><Dbtr><Pty><Nm>${name}</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>${iban}</IBAN></Id></DbtrAcct></RltdPties>
    <RmtInf><Ustrd>${text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`;
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>E2E</MsgId><CreDtTm>${day}T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>E2E-1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
${entry('10.00', 'E1', 'Bäckerei Schmidt GmbH', 'DE75512108001245126199', `Rechnung ${number.replaceAll('-', ' ')} Teilzahlung`)}
${entry('1.23', 'E2', 'Max Unbekannt', 'DE44500105175407324931', 'Danke')}
</Stmt></BkToCstmrStmt></Document>`;
  return { name: 'kontoauszug.xml', mimeType: 'application/xml', buffer: Buffer.from(xml, 'utf8') };
}

test('a bank statement pays an invoice in part and the review list is cleared', async () => {
  const { kontor, page } = session;
  await billAndIssueAhead(page, kontor);
  const number = `RE-${new Date().getFullYear()}-00001`;

  await page.getByRole('link', { name: 'Zahlungen', exact: true }).click();
  await page.waitForURL(/\/payments$/);
  await hydrated(page);
  await page.getByLabel(/Kontoauszug \(camt\.053/).setInputFiles(statement(number));
  await page.getByRole('button', { name: 'Einlesen' }).click();
  await assert.doesNotReject(page.getByText('2 Buchungen gelesen: 1 zugeordnet, 1 zu prüfen, 0 schon bekannt.').first().waitFor());
  const rows = page.locator('section', { has: page.getByRole('heading', { name: 'Zahlungseingänge' }) }).locator('tbody tr');
  await assert.doesNotReject(page.getByRole('link', { name: number }).first().waitFor());
  await assert.doesNotReject(page.getByText('Rechnungsnummer im Verwendungszweck').waitFor());
  await screenshot(page, 'payments');

  // the unknown 1,23 € is no customer payment
  await page.getByRole('link', { name: 'Zu prüfen', exact: true }).click();
  await page.waitForURL(/status=unmatched/);
  await hydrated(page);
  assert.equal(await rows.count(), 1);
  await rows.first().getByRole('textbox', { name: 'Rechnungsnummern' }).fill('RE-1999-99999');
  await page.getByRole('button', { name: 'Zuordnen' }).click();
  await assert.doesNotReject(page.getByText(/gibt es nicht oder sie sind nicht ausgestellt: RE-1999-99999/).waitFor());
  await page.getByRole('button', { name: 'Keine Kundenzahlung' }).click();
  await assert.doesNotReject(page.getByText('Keine Zahlungen.').waitFor());

  // the invoice is partly paid and still open
  await page.goto(`${kontor.url}/open-items`);
  await hydrated(page);
  const link = page.getByRole('link', { name: number });
  await assert.doesNotReject(link.waitFor());
  await screenshot(page, 'open-items');
  await link.click();
  await page.waitForURL(/\/invoices\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await assert.doesNotReject(page.getByText('Teilweise bezahlt').waitFor());
  const card = page.locator('section', { has: page.getByRole('heading', { name: 'Zahlungen', exact: true }) });
  await assert.doesNotReject(card.getByText('10,00 €').first().waitFor());
  await assert.doesNotReject(page.getByText('Überweisung', { exact: true }).first().waitFor());
  assert.deepEqual(page.errors, []);
});
