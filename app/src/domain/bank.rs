//! Bank identifiers: IBAN (ISO 13616), BIC (ISO 9362) and the SEPA creditor identifier.

use super::{compact, mod97, ParseError};
use serde::{Deserialize, Serialize};

/// IBAN lengths of the SEPA countries and their territories.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("VA", 22),
];

/// A checked IBAN, stored without spaces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Iban(String);

impl Iban {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let iban = compact(input);
        if iban.is_empty() {
            return Err(ParseError::Empty);
        }
        if iban.len() < 5 || !iban.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ParseError::Format);
        }
        let (country, rest) = iban.split_at(2);
        let expected = IBAN_LENGTHS
            .iter()
            .find(|(code, _)| *code == country)
            .map(|(_, len)| *len)
            .ok_or(ParseError::Country)?;
        if !rest[..2].chars().all(|c| c.is_ascii_digit()) {
            return Err(ParseError::Format);
        }
        if iban.len() != expected {
            return Err(ParseError::Length);
        }
        let rotated = format!("{}{}", &iban[4..], &iban[..4]);
        if mod97(&rotated) != Some(1) {
            return Err(ParseError::Checksum);
        }
        Ok(Iban(iban))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Groups of four, as printed on invoices: `DE89 3704 0044 0532 0130 00`.
    pub fn formatted(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// IBANs read in groups of four.
pub fn group_iban(iban: &str) -> String {
    let compact: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A checked BIC (8 or 11 characters).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bic(String);

impl Bic {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let bic = compact(input);
        if bic.is_empty() {
            return Err(ParseError::Empty);
        }
        if bic.len() != 8 && bic.len() != 11 {
            return Err(ParseError::Length);
        }
        let bytes = bic.as_bytes();
        let bank_ok = bytes[..4].iter().all(u8::is_ascii_alphabetic);
        let country_ok = bytes[4..6].iter().all(u8::is_ascii_alphabetic);
        let rest_ok = bytes[6..].iter().all(u8::is_ascii_alphanumeric);
        if !(bank_ok && country_ok && rest_ok) {
            return Err(ParseError::Format);
        }
        Ok(Bic(bic))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A checked SEPA creditor identifier (Gläubiger-ID), e.g. `DE98ZZZ09999999999`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditorId(String);

impl CreditorId {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let id = compact(input);
        if id.is_empty() {
            return Err(ParseError::Empty);
        }
        if id.len() < 8 || id.len() > 35 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ParseError::Format);
        }
        let country = &id[..2];
        if !country.chars().all(|c| c.is_ascii_alphabetic())
            || !id[2..4].chars().all(|c| c.is_ascii_digit())
        {
            return Err(ParseError::Format);
        }
        if country == "DE" && id.len() != 18 {
            return Err(ParseError::Length);
        }
        // The business code (positions 5-7) is not part of the check.
        let checked = format!("{}{}00", &id[7..], country);
        let check_digits: u32 = id[2..4].parse().map_err(|_| ParseError::Format)?;
        let expected = 98 - mod97(&checked).ok_or(ParseError::Format)?;
        if check_digits != expected {
            return Err(ParseError::Checksum);
        }
        Ok(CreditorId(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_from_real_examples() {
        for (input, expected) in [
            ("DE89 3704 0044 0532 0130 00", Ok("DE89370400440532013000")),
            ("de89370400440532013000", Ok("DE89370400440532013000")),
            ("AT611904300234573201", Ok("AT611904300234573201")),
            ("NL91ABNA0417164300", Ok("NL91ABNA0417164300")),
            ("GB29 NWBK 6016 1331 9268 19", Ok("GB29NWBK60161331926819")),
            ("DE89 3704 0044 0532 0130 01", Err(ParseError::Checksum)),
            ("DE89 3704 0044 0532 0130", Err(ParseError::Length)),
            ("XX89370400440532013000", Err(ParseError::Country)),
            ("DE8937040044053201300!", Err(ParseError::Format)),
            ("  ", Err(ParseError::Empty)),
        ] {
            assert_eq!(
                Iban::parse(input).as_ref().map(Iban::as_str),
                expected.as_ref().map(|s| *s),
                "{input}"
            );
        }
    }

    #[test]
    fn iban_prints_in_groups_of_four() {
        let iban = Iban::parse("DE89370400440532013000").map(|i| i.formatted());
        assert_eq!(iban, Ok("DE89 3704 0044 0532 0130 00".to_owned()));
    }

    #[test]
    fn bics() {
        assert_eq!(
            Bic::parse("COBADEFFXXX").map(|b| b.0),
            Ok("COBADEFFXXX".into())
        );
        assert_eq!(
            Bic::parse("genodef1s10").map(|b| b.0),
            Ok("GENODEF1S10".into())
        );
        assert_eq!(Bic::parse("DEUTDEFF").map(|b| b.0), Ok("DEUTDEFF".into()));
        assert_eq!(Bic::parse("DEUTDEF"), Err(ParseError::Length));
        assert_eq!(Bic::parse("1EUTDEFF"), Err(ParseError::Format));
        assert_eq!(Bic::parse(""), Err(ParseError::Empty));
    }

    #[test]
    fn creditor_ids() {
        // the Bundesbank's published example identifier
        assert!(CreditorId::parse("DE98ZZZ09999999999").is_ok());
        assert!(CreditorId::parse("de98 zzz 0999 9999 999").is_ok());
        assert_eq!(
            CreditorId::parse("DE97ZZZ09999999999"),
            Err(ParseError::Checksum)
        );
        assert_eq!(
            CreditorId::parse("DE98ZZZ0999999999"),
            Err(ParseError::Length)
        );
        assert_eq!(
            CreditorId::parse("9E98ZZZ09999999999"),
            Err(ParseError::Format)
        );
    }
}
