//! SEPA direct debit rules (EPC SDD rulebook, as German banks apply it):
//! - a mandate reference is at most 35 characters of the EPC identifier set, unique per creditor;
//! - the first collection of a mandate is FRST, every later one RCUR; a mandate unused for
//!   36 months has expired and may not be collected any more;
//! - a file is handed in at least one TARGET day before the collection date (CORE and B2B alike);
//! - names and remittance text use the EPC Latin set plus the German banks' additions.

use super::bank::group_iban;
use super::calendar::next_target_day;
use super::ParseError;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// CORE for consumers and businesses; B2B only for businesses, with the debtor's bank
/// confirming the mandate, and no refund right.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scheme {
    #[serde(rename = "CORE")]
    Core,
    #[serde(rename = "B2B")]
    B2b,
}

impl Scheme {
    pub fn code(self) -> &'static str {
        match self {
            Scheme::Core => "CORE",
            Scheme::B2b => "B2B",
        }
    }

    pub fn parse(code: &str) -> Option<Scheme> {
        match code.trim().to_ascii_uppercase().as_str() {
            "CORE" => Some(Scheme::Core),
            "B2B" => Some(Scheme::B2b),
            _ => None,
        }
    }
}

/// Whether a collection is the mandate's first or a later one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SequenceType {
    #[serde(rename = "FRST")]
    First,
    #[serde(rename = "RCUR")]
    Recurring,
}

impl SequenceType {
    pub fn code(self) -> &'static str {
        match self {
            SequenceType::First => "FRST",
            SequenceType::Recurring => "RCUR",
        }
    }

    pub fn parse(code: &str) -> Option<SequenceType> {
        match code {
            "FRST" => Some(SequenceType::First),
            "RCUR" => Some(SequenceType::Recurring),
            _ => None,
        }
    }
}

/// The characters EPC allows in identifiers (mandate reference, end-to-end id, message id).
fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+?/-:().,'".contains(c)
}

/// An identifier the banks accept: 1–35 characters of the EPC set, not starting or ending
/// with `/`, no `//`.
pub fn parse_identifier(input: &str) -> Result<String, ParseError> {
    let id = input.trim();
    if id.is_empty() {
        return Err(ParseError::Empty);
    }
    if id.chars().count() > 35 {
        return Err(ParseError::Length);
    }
    if !id.chars().all(is_identifier_char)
        || id.starts_with('/')
        || id.ends_with('/')
        || id.contains("//")
    {
        return Err(ParseError::Format);
    }
    Ok(id.to_owned())
}

/// A mandate reference (Mandatsreferenz), as the customer signed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MandateReference(String);

impl MandateReference {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        parse_identifier(input).map(MandateReference)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `text` in the character set German banks accept in names and remittance information:
/// accented Latin letters lose their accent, anything else outside the set becomes a
/// space; at most `max` characters.
pub fn bank_text(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let mapped = match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | 'Ä' | 'Ö' | 'Ü' | 'ä' | 'ö' | 'ü' | 'ß' => {
                Some(c)
            }
            '/' | '-' | '?' | ':' | '(' | ')' | '.' | ',' | '\'' | '+' | ' ' | '&' | '*' | '$'
            | '%' => Some(c),
            'À' | 'Á' | 'Â' | 'Ã' | 'Å' | 'Ą' | 'Ā' => Some('A'),
            'à' | 'á' | 'â' | 'ã' | 'å' | 'ą' | 'ā' => Some('a'),
            'Ç' | 'Ć' | 'Č' => Some('C'),
            'ç' | 'ć' | 'č' => Some('c'),
            'È' | 'É' | 'Ê' | 'Ë' | 'Ę' | 'Ě' | 'Ē' => Some('E'),
            'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ě' | 'ē' => Some('e'),
            'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => Some('I'),
            'ì' | 'í' | 'î' | 'ï' | 'ī' => Some('i'),
            'Ł' => Some('L'),
            'ł' => Some('l'),
            'Ñ' | 'Ń' | 'Ň' => Some('N'),
            'ñ' | 'ń' | 'ň' => Some('n'),
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ø' | 'Ō' => Some('O'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'ō' => Some('o'),
            'Ř' => Some('R'),
            'ř' => Some('r'),
            'Ś' | 'Š' => Some('S'),
            'ś' | 'š' => Some('s'),
            'Ù' | 'Ú' | 'Û' | 'Ů' | 'Ū' => Some('U'),
            'ù' | 'ú' | 'û' | 'ů' | 'ū' => Some('u'),
            'Ý' => Some('Y'),
            'ý' | 'ÿ' => Some('y'),
            'Ź' | 'Ż' | 'Ž' => Some('Z'),
            'ź' | 'ż' | 'ž' => Some('z'),
            _ => None,
        };
        match mapped {
            Some(c) => out.push(c),
            None if !out.ends_with(' ') => out.push(' '),
            None => {}
        }
    }
    out.trim()
        .chars()
        .take(max)
        .collect::<String>()
        .trim_end()
        .to_owned()
}

/// `text` made into an EPC identifier: characters outside the set become `-`.
pub fn identifier_text(text: &str) -> String {
    let mapped: String = text
        .trim()
        .chars()
        .map(|c| if is_identifier_char(c) { c } else { '-' })
        .take(35)
        .collect();
    let mut out = mapped.replace("//", "/-");
    while out.starts_with('/') || out.ends_with('/') {
        out = out.trim_matches('/').to_owned();
    }
    if out.is_empty() {
        "NOTPROVIDED".to_owned()
    } else {
        out
    }
}

/// A mandate not used for 36 months has expired (EPC rulebook 4.7): from the last
/// collection, or from signing when it was never used.
pub fn mandate_expired(
    last_used: Option<NaiveDate>,
    signed_on: NaiveDate,
    today: NaiveDate,
) -> bool {
    let since = last_used.unwrap_or(signed_on);
    since
        .checked_add_months(Months::new(36))
        .is_some_and(|expiry| expiry < today)
}

/// The earliest collection date of a file handed in today: the next TARGET day.
pub fn earliest_collection_date(today: NaiveDate) -> NaiveDate {
    next_target_day(today)
}

/// Sequence types for collections in the order they go to the bank: `(mandate, still
/// first)`. Only the first collection of a mandate that was never collected is FRST; a
/// second one in the same file is already RCUR.
pub fn sequence_types<K: PartialEq>(collections: &[(K, bool)]) -> Vec<SequenceType> {
    collections
        .iter()
        .enumerate()
        .map(|(index, (mandate, first))| {
            let earlier = collections[..index].iter().any(|(m, _)| m == mandate);
            if *first && !earlier {
                SequenceType::First
            } else {
                SequenceType::Recurring
            }
        })
        .collect()
}

/// Whether a debtor's new IBAN is at another bank than the old one. For German IBANs the
/// bank code (Bankleitzahl) tells; elsewhere the bank is taken as changed, which the
/// bank treats the same as an unchanged one with a new account.
pub fn changed_bank(old_iban: &str, new_iban: &str) -> bool {
    let bank = |iban: &str| iban.get(4..12).map(str::to_owned);
    match (old_iban.get(..2), new_iban.get(..2)) {
        (Some("DE"), Some("DE")) => bank(old_iban) != bank(new_iban),
        _ => true,
    }
}

/// An IBAN shown on paper with all but the country, check digits and last four hidden.
pub fn masked_iban(iban: &str) -> String {
    let chars: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    let shown_tail = chars.len().saturating_sub(4);
    let masked: String = chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < 4 || i >= shown_tail { *c } else { 'X' })
        .collect();
    group_iban(&masked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn mandate_references_follow_the_epc_set() {
        assert_eq!(
            MandateReference::parse(" K-10001-1 ").unwrap().as_str(),
            "K-10001-1"
        );
        assert_eq!(MandateReference::parse(""), Err(ParseError::Empty));
        assert_eq!(
            MandateReference::parse(&"A".repeat(36)),
            Err(ParseError::Length)
        );
        for bad in ["K 1", "K_1", "/K1", "K1/", "K//1", "Kä1"] {
            assert_eq!(
                MandateReference::parse(bad),
                Err(ParseError::Format),
                "{bad}"
            );
        }
    }

    #[test]
    fn bank_text_keeps_german_letters_and_drops_the_rest() {
        assert_eq!(bank_text("Müller & Söhne GmbH", 70), "Müller & Söhne GmbH");
        assert_eq!(
            bank_text("Łódź Świętość Sp. z o.o.", 70),
            "Lodz Swietosc Sp. z o.o."
        );
        assert_eq!(bank_text("Tõnu Õun OÜ", 70), "Tonu Oun OÜ");
        assert_eq!(bank_text("ООО Ромашка", 70), "");
        assert_eq!(bank_text("a_b@c", 70), "a b c");
        assert_eq!(bank_text("abcdef", 3), "abc");
    }

    #[test]
    fn identifiers_are_made_safe() {
        assert_eq!(identifier_text("RE-2026-00001"), "RE-2026-00001");
        assert_eq!(identifier_text("RE 2026_1"), "RE-2026-1");
        assert_eq!(identifier_text("/a//b/"), "a/-b");
        assert_eq!(identifier_text(""), "NOTPROVIDED");
    }

    #[test]
    fn mandates_expire_after_36_unused_months() {
        let signed = d(2023, 1, 10);
        assert!(!mandate_expired(None, signed, d(2026, 1, 10)));
        assert!(mandate_expired(None, signed, d(2026, 1, 11)));
        assert!(!mandate_expired(
            Some(d(2025, 6, 1)),
            signed,
            d(2026, 1, 11)
        ));
    }

    #[test]
    fn only_a_mandates_first_collection_is_frst() {
        let types = sequence_types(&[("a", true), ("b", false), ("a", true), ("c", true)]);
        assert_eq!(
            types,
            [
                SequenceType::First,
                SequenceType::Recurring,
                SequenceType::Recurring,
                SequenceType::First
            ]
        );
    }

    #[test]
    fn collection_is_one_target_day_ahead() {
        assert_eq!(earliest_collection_date(d(2026, 12, 3)), d(2026, 12, 4));
        assert_eq!(earliest_collection_date(d(2026, 12, 4)), d(2026, 12, 7));
    }

    #[test]
    fn bank_changes_and_masks() {
        assert!(!changed_bank(
            "DE89370400440532013000",
            "DE12370400440532013001"
        ));
        assert!(changed_bank(
            "DE89370400440532013000",
            "DE02120300000000202051"
        ));
        assert!(changed_bank("AT611904300234573201", "AT611904300234573202"));
        assert_eq!(
            masked_iban("DE89370400440532013000"),
            "DE89 XXXX XXXX XXXX XX30 00"
        );
    }
}
