//! Reading a bank statement: ISO 20022 camt.053 (versions 001.02 to 001.08, as German banks
//! deliver them; camt.054 debit notifications have the same entries). Only booked entries
//! count. A batch booking (one entry for a whole direct-debit file, or a batch of returns)
//! is split into its transactions, each with its own amount and end-to-end id.

use chrono::NaiveDate;
use roxmltree::{Document, Node};
use rust_decimal::Decimal;

/// One transaction as booked; `amount` is negative for money going out.
#[derive(Clone, Debug, PartialEq)]
pub struct StatementEntry {
    pub booked_on: NaiveDate,
    pub amount: Decimal,
    pub currency: String,
    pub end_to_end_id: Option<String>,
    pub payer_name: String,
    pub payer_iban: String,
    pub remittance: String,
    /// Unique for the account: the bank's reference, with the position in a batch.
    pub bank_reference: String,
    /// For a returned direct debit, the ISO reason code (e.g. AM04, MD06).
    pub return_reason: Option<String>,
    /// A batch booked as one sum without its transactions: the payment-information id of
    /// the collection it books (our own pain.008 names them).
    pub batch_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub account_iban: String,
    pub statement_id: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub entries: Vec<StatementEntry>,
}

/// Why a file is no statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CamtError {
    NotXml(String),
    NotCamt,
    /// An entry lacks what every booking has (amount, booking date); names the entry.
    Entry(usize, &'static str),
}

fn child<'a>(node: Node<'a, 'a>, name: &str) -> Option<Node<'a, 'a>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn children<'a>(node: Node<'a, 'a>, name: &'a str) -> impl Iterator<Item = Node<'a, 'a>> + 'a {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// The text at a path of local names below `node`.
fn text_at(node: Node, path: &[&str]) -> Option<String> {
    let mut current = node;
    for name in path {
        current = child(current, name)?;
    }
    current
        .text()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn date_at(node: Node, path: &[&str]) -> Option<NaiveDate> {
    let text = text_at(node, path)?;
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

fn amount_of(node: Node) -> Option<(Decimal, String)> {
    let amount = child(node, "Amt")?;
    let value = amount.text()?.trim().parse::<Decimal>().ok()?;
    Some((value, amount.attribute("Ccy").unwrap_or("EUR").to_owned()))
}

fn signed(value: Decimal, indicator: Option<String>) -> Decimal {
    if indicator.as_deref() == Some("DBIT") {
        -value
    } else {
        value
    }
}

/// Booked: `<Sts>BOOK</Sts>` (up to version 6) or `<Sts><Cd>BOOK</Cd></Sts>`.
fn is_booked(entry: Node) -> bool {
    match child(entry, "Sts") {
        None => true,
        Some(status) => {
            let code = child(status, "Cd")
                .and_then(|c| c.text())
                .or_else(|| status.text())
                .unwrap_or_default();
            code.trim() == "BOOK"
        }
    }
}

/// Name and IBAN of the other party: the debtor of a credit, the creditor of a debit.
fn counterparty(details: Node, credit: bool) -> (String, String) {
    let Some(parties) = child(details, "RltdPties") else {
        return (String::new(), String::new());
    };
    let (party, account) = if credit {
        ("Dbtr", "DbtrAcct")
    } else {
        ("Cdtr", "CdtrAcct")
    };
    let name = child(parties, party)
        .and_then(|p| text_at(p, &["Nm"]).or_else(|| text_at(p, &["Pty", "Nm"])))
        .unwrap_or_default();
    let iban = child(parties, account)
        .and_then(|a| text_at(a, &["Id", "IBAN"]))
        .unwrap_or_default();
    (name, iban)
}

fn remittance_of(details: Node) -> String {
    child(details, "RmtInf")
        .map(|info| {
            children(info, "Ustrd")
                .filter_map(|u| u.text())
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// Parses the statements of a file (a file may hold several accounts or days).
pub fn parse(xml: &str) -> Result<Vec<Statement>, CamtError> {
    let document = Document::parse(xml).map_err(|e| CamtError::NotXml(e.to_string()))?;
    let root = document.root_element();
    let container = child(root, "BkToCstmrStmt")
        .or_else(|| child(root, "BkToCstmrDbtCdtNtfctn"))
        .ok_or(CamtError::NotCamt)?;
    let mut statements = Vec::new();
    let mut position = 0usize;
    for statement in container
        .children()
        .filter(|c| c.is_element() && matches!(c.tag_name().name(), "Stmt" | "Ntfctn"))
    {
        let account_iban = child(statement, "Acct")
            .and_then(|a| text_at(a, &["Id", "IBAN"]))
            .unwrap_or_default();
        let mut entries = Vec::new();
        for entry in children(statement, "Ntry") {
            position += 1;
            if !is_booked(entry) {
                continue;
            }
            let (total, currency) = amount_of(entry).ok_or(CamtError::Entry(position, "Amt"))?;
            let booked_on = date_at(entry, &["BookgDt", "Dt"])
                .or_else(|| date_at(entry, &["BookgDt", "DtTm"]))
                .or_else(|| date_at(entry, &["ValDt", "Dt"]))
                .ok_or(CamtError::Entry(position, "BookgDt"))?;
            let entry_indicator = text_at(entry, &["CdtDbtInd"]);
            let reversal = text_at(entry, &["RvslInd"]).as_deref() == Some("true");
            let reference = text_at(entry, &["AcctSvcrRef"])
                .or_else(|| text_at(entry, &["NtryRef"]))
                .unwrap_or_else(|| format!("{booked_on}/{total}/{position}"));
            let details: Vec<Node> = child(entry, "NtryDtls")
                .map(|d| children(d, "TxDtls").collect())
                .unwrap_or_default();
            let batch = details.len() > 1;
            let parts: Vec<Option<Node>> = if details.is_empty() {
                vec![None]
            } else {
                details.into_iter().map(Some).collect()
            };
            for (index, detail) in parts.into_iter().enumerate() {
                let indicator = detail
                    .and_then(|d| text_at(d, &["CdtDbtInd"]))
                    .or_else(|| entry_indicator.clone());
                let value = if batch {
                    detail
                        .and_then(|d| {
                            amount_of(d).or_else(|| {
                                child(d, "AmtDtls")
                                    .and_then(|a| child(a, "TxAmt"))
                                    .and_then(amount_of)
                            })
                        })
                        .map(|(v, _)| v)
                        .ok_or(CamtError::Entry(position, "TxDtls/Amt"))?
                } else {
                    total
                };
                let mut amount = signed(value, indicator.clone());
                if reversal {
                    amount = -amount;
                }
                let credit = amount > Decimal::ZERO;
                let (payer_name, payer_iban) =
                    detail.map(|d| counterparty(d, credit)).unwrap_or_default();
                entries.push(StatementEntry {
                    booked_on,
                    amount,
                    currency: currency.clone(),
                    end_to_end_id: detail
                        .and_then(|d| text_at(d, &["Refs", "EndToEndId"]))
                        .filter(|id| id != "NOTPROVIDED"),
                    payer_name,
                    payer_iban,
                    remittance: detail.map(remittance_of).unwrap_or_default(),
                    bank_reference: if batch {
                        format!("{account_iban}:{reference}#{}", index + 1)
                    } else {
                        format!("{account_iban}:{reference}")
                    },
                    return_reason: detail
                        .and_then(|d| child(d, "RtrInf"))
                        .and_then(|r| text_at(r, &["Rsn", "Cd"])),
                    batch_id: if detail.is_none() {
                        text_at(entry, &["NtryDtls", "Btch", "PmtInfId"])
                    } else {
                        None
                    },
                });
            }
        }
        statements.push(Statement {
            statement_id: text_at(statement, &["Id"]).unwrap_or_default(),
            from: date_at(statement, &["FrToDt", "FrDtTm"]),
            to: date_at(statement, &["FrToDt", "ToDtTm"]),
            account_iban,
            entries,
        });
    }
    if statements.is_empty() {
        return Err(CamtError::NotCamt);
    }
    Ok(statements)
}

/// The transactions (end-to-end id, amount) of the payment-information block `id` of a
/// pain.008 collection file.
pub fn collection_transactions(xml: &str, id: &str) -> Vec<(String, Decimal)> {
    let Ok(document) = roxmltree::Document::parse(xml) else {
        return Vec::new();
    };
    document
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "PmtInf")
        .filter(|block| text_at(*block, &["PmtInfId"]).as_deref() == Some(id))
        .flat_map(|block| children(block, "DrctDbtTxInf").collect::<Vec<_>>())
        .filter_map(|tx| {
            Some((
                text_at(tx, &["PmtId", "EndToEndId"])?,
                text_at(tx, &["InstdAmt"])?.parse().ok()?,
            ))
        })
        .collect()
}

/// A batch entry of one of our collections, booked without its transactions, split into
/// them (each with its end-to-end id, the invoice number) when their sum is the entry's.
pub fn split_collection(
    entry: &StatementEntry,
    transactions: &[(String, Decimal)],
) -> Vec<StatementEntry> {
    let sum: Decimal = transactions.iter().map(|(_, amount)| *amount).sum();
    if transactions.is_empty() || sum != entry.amount.abs() {
        return vec![entry.clone()];
    }
    let sign = if entry.amount < Decimal::ZERO {
        -Decimal::ONE
    } else {
        Decimal::ONE
    };
    transactions
        .iter()
        .enumerate()
        .map(|(index, (end_to_end_id, amount))| StatementEntry {
            amount: *amount * sign,
            end_to_end_id: Some(end_to_end_id.clone()),
            bank_reference: format!("{}#{}", entry.bank_reference, index + 1),
            batch_id: None,
            ..entry.clone()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATEMENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
<BkToCstmrStmt><GrpHdr><MsgId>1</MsgId><CreDtTm>2026-12-18T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>2026-12-17-001</Id><FrToDt><FrDtTm>2026-12-17T00:00:00</FrDtTm><ToDtTm>2026-12-17T23:59:59</ToDtTm></FrToDt>
<Acct><Id><IBAN>DE02120300000000202051</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">119.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
  <BookgDt><Dt>2026-12-17</Dt></BookgDt><AcctSvcrRef>A1</AcctSvcrRef>
  <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
    <RltdPties><Dbtr><Pty><Nm>Bäckerei Müller</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct></RltdPties>
    <RmtInf><Ustrd>RE-2026-00001</Ustrd><Ustrd>Danke</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">35.70</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
  <BookgDt><Dt>2026-12-17</Dt></BookgDt><AcctSvcrRef>B7</AcctSvcrRef>
  <NtryDtls><Btch><PmtInfId>abc-1</PmtInfId></Btch>
    <TxDtls><Refs><EndToEndId>RE-2026-00002</EndToEndId></Refs><Amt Ccy="EUR">11.90</Amt><CdtDbtInd>CRDT</CdtDbtInd></TxDtls>
    <TxDtls><Refs><EndToEndId>RE-2026-00003</EndToEndId></Refs><Amt Ccy="EUR">23.80</Amt><CdtDbtInd>CRDT</CdtDbtInd></TxDtls>
  </NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">11.90</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
  <BookgDt><Dt>2026-12-17</Dt></BookgDt><AcctSvcrRef>R9</AcctSvcrRef>
  <NtryDtls><TxDtls><Refs><EndToEndId>RE-2026-00002</EndToEndId></Refs><RtrInf><Rsn><Cd>AM04</Cd></Rsn></RtrInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts><BookgDt><Dt>2026-12-17</Dt></BookgDt></Ntry>
</Stmt></BkToCstmrStmt></Document>"#;

    #[test]
    fn entries_batches_and_returns_are_read() {
        let statements = parse(STATEMENT).unwrap();
        assert_eq!(statements.len(), 1);
        let s = &statements[0];
        assert_eq!(s.account_iban, "DE02120300000000202051");
        assert_eq!(s.entries.len(), 4, "the pending entry is left out");
        let first = &s.entries[0];
        assert_eq!(first.amount, "119.00".parse::<Decimal>().unwrap());
        assert_eq!(first.payer_name, "Bäckerei Müller");
        assert_eq!(first.payer_iban, "DE89370400440532013000");
        assert_eq!(first.remittance, "RE-2026-00001 Danke");
        assert_eq!(first.end_to_end_id, None);
        assert_eq!(s.entries[1].end_to_end_id.as_deref(), Some("RE-2026-00002"));
        assert_eq!(s.entries[2].amount, "23.80".parse::<Decimal>().unwrap());
        assert_eq!(s.entries[2].bank_reference, "DE02120300000000202051:B7#2");
        let returned = &s.entries[3];
        assert_eq!(returned.amount, "-11.90".parse::<Decimal>().unwrap());
        assert_eq!(returned.return_reason.as_deref(), Some("AM04"));
    }

    #[test]
    fn other_files_are_refused() {
        assert!(matches!(parse("no xml"), Err(CamtError::NotXml(_))));
        assert_eq!(
            parse("<Document><Other/></Document>"),
            Err(CamtError::NotCamt)
        );
    }
}
