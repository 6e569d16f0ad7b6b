//! The collection file for the bank: ISO 20022 pain.008.001.08 as the German banks'
//! DFÜ agreement (Anlage 3) and the EPC implementation guidelines read it. One payment
//! information block per collection date, scheme and sequence type; names and texts in the
//! banks' character set; BIC given where known, else "NOTPROVIDED".

use crate::domain::sepa::{bank_text, Scheme, SequenceType};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The tenant collecting.
pub struct Creditor<'a> {
    pub name: &'a str,
    pub iban: &'a str,
    pub bic: Option<&'a str>,
    pub creditor_id: &'a str,
}

/// What changed on a mandate since the bank last saw it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Amendment {
    pub original_reference: Option<String>,
    pub original_iban: Option<String>,
    /// The new account is at another bank ("same mandate, new debtor agent").
    pub new_bank: bool,
}

/// One invoice to collect.
pub struct Collection {
    pub end_to_end_id: String,
    pub collection_date: NaiveDate,
    pub scheme: Scheme,
    pub sequence: SequenceType,
    pub amount: Decimal,
    pub mandate_reference: String,
    pub signed_on: NaiveDate,
    pub amendment: Option<Amendment>,
    pub debtor_name: String,
    pub debtor_iban: String,
    pub debtor_bic: Option<String>,
    pub remittance: String,
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
}

fn agent(x: &mut String, tag: &str, bic: Option<&str>) {
    match bic {
        Some(bic) => {
            let _ = write!(
                x,
                "<{tag}><FinInstnId><BICFI>{}</BICFI></FinInstnId></{tag}>",
                esc(bic)
            );
        }
        None => {
            let _ = write!(
                x,
                "<{tag}><FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId></{tag}>"
            );
        }
    }
}

fn amount(value: Decimal) -> String {
    format!("{:.2}", value.round_dp(2))
}

/// The file: `message_id` (max 35, EPC set) names it; payment information ids follow it.
pub fn render(
    message_id: &str,
    created_at: DateTime<Utc>,
    creditor: &Creditor,
    collections: &[Collection],
) -> String {
    let mut groups: BTreeMap<(NaiveDate, &'static str, SequenceType), Vec<&Collection>> =
        BTreeMap::new();
    for collection in collections {
        groups
            .entry((
                collection.collection_date,
                collection.scheme.code(),
                collection.sequence,
            ))
            .or_default()
            .push(collection);
    }
    let total: Decimal = collections.iter().map(|c| c.amount.round_dp(2)).sum();
    let creditor_name = bank_text(creditor.name, 70);
    let mut x = String::with_capacity(1_500 + collections.len() * 900);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.008.001.08\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n<CstmrDrctDbtInitn>\n");
    let _ = writeln!(
        x,
        "<GrpHdr><MsgId>{}</MsgId><CreDtTm>{}</CreDtTm><NbOfTxs>{}</NbOfTxs><CtrlSum>{}</CtrlSum><InitgPty><Nm>{}</Nm></InitgPty></GrpHdr>",
        esc(message_id),
        created_at.format("%Y-%m-%dT%H:%M:%S"),
        collections.len(),
        amount(total),
        esc(&creditor_name)
    );
    let id_stem: String = message_id.chars().take(30).collect();
    for (index, ((date, scheme, sequence), items)) in groups.iter().enumerate() {
        let sum: Decimal = items.iter().map(|c| c.amount.round_dp(2)).sum();
        let _ = write!(
            x,
            "<PmtInf><PmtInfId>{}-{}</PmtInfId><PmtMtd>DD</PmtMtd><BtchBookg>true</BtchBookg><NbOfTxs>{}</NbOfTxs><CtrlSum>{}</CtrlSum>",
            esc(&id_stem),
            index + 1,
            items.len(),
            amount(sum)
        );
        let _ = write!(
            x,
            "<PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl><LclInstrm><Cd>{scheme}</Cd></LclInstrm><SeqTp>{}</SeqTp></PmtTpInf><ReqdColltnDt>{}</ReqdColltnDt>",
            sequence.code(),
            date.format("%Y-%m-%d")
        );
        let _ = write!(
            x,
            "<Cdtr><Nm>{}</Nm></Cdtr><CdtrAcct><Id><IBAN>{}</IBAN></Id></CdtrAcct>",
            esc(&creditor_name),
            esc(creditor.iban)
        );
        agent(&mut x, "CdtrAgt", creditor.bic);
        let _ = writeln!(
            x,
            "<ChrgBr>SLEV</ChrgBr><CdtrSchmeId><Id><PrvtId><Othr><Id>{}</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></CdtrSchmeId>",
            esc(creditor.creditor_id)
        );
        for item in items {
            transaction(&mut x, item);
        }
        x.push_str("</PmtInf>\n");
    }
    x.push_str("</CstmrDrctDbtInitn>\n</Document>\n");
    x
}

fn transaction(x: &mut String, item: &Collection) {
    let _ = write!(
        x,
        "<DrctDbtTxInf><PmtId><EndToEndId>{}</EndToEndId></PmtId><InstdAmt Ccy=\"EUR\">{}</InstdAmt>",
        esc(&item.end_to_end_id),
        amount(item.amount)
    );
    let _ = write!(
        x,
        "<DrctDbtTx><MndtRltdInf><MndtId>{}</MndtId><DtOfSgntr>{}</DtOfSgntr>",
        esc(&item.mandate_reference),
        item.signed_on.format("%Y-%m-%d")
    );
    match &item.amendment {
        Some(amendment) => {
            x.push_str("<AmdmntInd>true</AmdmntInd><AmdmntInfDtls>");
            if let Some(reference) = &amendment.original_reference {
                let _ = write!(x, "<OrgnlMndtId>{}</OrgnlMndtId>", esc(reference));
            }
            match (&amendment.original_iban, amendment.new_bank) {
                (Some(_), true) => x.push_str(
                    "<OrgnlDbtrAgt><FinInstnId><Othr><Id>SMNDA</Id></Othr></FinInstnId></OrgnlDbtrAgt>",
                ),
                (Some(iban), false) => {
                    let _ = write!(
                        x,
                        "<OrgnlDbtrAcct><Id><IBAN>{}</IBAN></Id></OrgnlDbtrAcct>",
                        esc(iban)
                    );
                }
                (None, _) => {}
            }
            x.push_str("</AmdmntInfDtls>");
        }
        None => x.push_str("<AmdmntInd>false</AmdmntInd>"),
    }
    x.push_str("</MndtRltdInf></DrctDbtTx>");
    agent(x, "DbtrAgt", item.debtor_bic.as_deref());
    let _ = writeln!(
        x,
        "<Dbtr><Nm>{}</Nm></Dbtr><DbtrAcct><Id><IBAN>{}</IBAN></Id></DbtrAcct><RmtInf><Ustrd>{}</Ustrd></RmtInf></DrctDbtTxInf>",
        esc(&bank_text(&item.debtor_name, 70)),
        esc(&item.debtor_iban),
        esc(&bank_text(&item.remittance, 140))
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collection(sequence: SequenceType, amount: &str) -> Collection {
        Collection {
            end_to_end_id: "RE-2026-00001".into(),
            collection_date: NaiveDate::from_ymd_opt(2026, 12, 17).unwrap(),
            scheme: Scheme::Core,
            sequence,
            amount: amount.parse().unwrap(),
            mandate_reference: "10001-1".into(),
            signed_on: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            amendment: None,
            debtor_name: "Müller & Söhne".into(),
            debtor_iban: "DE89370400440532013000".into(),
            debtor_bic: None,
            remittance: "Rechnung RE-2026-00001".into(),
        }
    }

    #[test]
    fn groups_by_sequence_and_sums_each_block() {
        let creditor = Creditor {
            name: "Webagentur Nord GmbH",
            iban: "DE02120300000000202051",
            bic: Some("BYLADEM1001"),
            creditor_id: "DE98ZZZ09999999999",
        };
        let xml = render(
            "0123456789abcdef0123456789abcdef",
            DateTime::UNIX_EPOCH,
            &creditor,
            &[
                collection(SequenceType::Recurring, "10.00"),
                collection(SequenceType::First, "5.50"),
                collection(SequenceType::Recurring, "1.25"),
            ],
        );
        assert_eq!(xml.matches("<PmtInf>").count(), 2);
        assert!(xml.contains("<NbOfTxs>3</NbOfTxs><CtrlSum>16.75</CtrlSum>"));
        assert!(xml.contains("<SeqTp>FRST</SeqTp>"));
        assert!(xml.contains("<NbOfTxs>2</NbOfTxs><CtrlSum>11.25</CtrlSum>"));
        assert!(xml.contains("<Nm>Müller &amp; Söhne</Nm>"));
        assert!(xml.contains("<Othr><Id>NOTPROVIDED</Id></Othr>"));
    }
}
