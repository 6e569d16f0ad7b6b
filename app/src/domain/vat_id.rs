//! VAT identification numbers (USt-IdNr.) of the EU member states: format per country,
//! and the check digit for German numbers (ISO 7064 MOD 11,10).

use super::{compact, ParseError};
use serde::{Deserialize, Serialize};

/// Country prefix and the shape of the rest: `9` a digit, `A` a letter, `X` either.
/// Several shapes per country where the law allows several.
const FORMATS: &[(&str, &[&str])] = &[
    ("AT", &["U99999999"]),
    ("BE", &["9999999999"]),
    ("BG", &["999999999", "9999999999"]),
    ("CY", &["99999999A"]),
    ("CZ", &["99999999", "999999999", "9999999999"]),
    ("DE", &["999999999"]),
    ("DK", &["99999999"]),
    ("EE", &["999999999"]),
    ("EL", &["999999999"]),
    ("ES", &["X9999999X"]),
    ("FI", &["99999999"]),
    ("FR", &["XX999999999"]),
    ("HR", &["99999999999"]),
    ("HU", &["99999999"]),
    ("IE", &["9X99999A", "9999999A", "9999999AA"]),
    ("IT", &["99999999999"]),
    ("LT", &["999999999", "999999999999"]),
    ("LU", &["99999999"]),
    ("LV", &["99999999999"]),
    ("MT", &["99999999"]),
    ("NL", &["999999999B99"]),
    ("PL", &["9999999999"]),
    ("PT", &["999999999"]),
    (
        "RO",
        &[
            "99",
            "999",
            "9999",
            "99999",
            "999999",
            "9999999",
            "99999999",
            "999999999",
            "9999999999",
        ],
    ),
    ("SE", &["999999999901"]),
    ("SI", &["99999999"]),
    ("SK", &["9999999999"]),
    ("XI", &["999999999", "999999999999"]),
];

fn matches(shape: &str, value: &str) -> bool {
    shape.len() == value.len()
        && shape.chars().zip(value.chars()).all(|(s, c)| match s {
            '9' => c.is_ascii_digit(),
            'A' => c.is_ascii_alphabetic(),
            'X' => c.is_ascii_alphanumeric(),
            literal => literal == c,
        })
}

/// The check digit of a German VAT id from its first eight digits.
fn german_check_digit(digits: &[u32]) -> u32 {
    let mut product = 10;
    for d in digits {
        let mut sum = (d + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (2 * sum) % 11;
    }
    let check = 11 - product;
    if check == 10 {
        0
    } else {
        check
    }
}

/// A VAT id in its compact form, e.g. `DE136695976`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatId(String);

impl VatId {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let id = compact(input);
        if id.is_empty() {
            return Err(ParseError::Empty);
        }
        if id.len() < 4 || !id.is_char_boundary(2) {
            return Err(ParseError::Format);
        }
        let (country, number) = id.split_at(2);
        let shapes = FORMATS
            .iter()
            .find(|(code, _)| *code == country)
            .map(|(_, shapes)| *shapes)
            .ok_or(ParseError::Country)?;
        if !shapes.iter().any(|shape| matches(shape, number)) {
            return Err(ParseError::Format);
        }
        if country == "DE" {
            let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
            if digits[0] == 0 || german_check_digit(&digits[..8]) != digits[8] {
                return Err(ParseError::Checksum);
            }
        }
        Ok(VatId(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn country(&self) -> &str {
        &self.0[..2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_numbers_of_real_companies_pass_the_check_digit() {
        for id in ["DE136695976", "DE 811 128 135", "de811569869"] {
            assert!(VatId::parse(id).is_ok(), "{id}");
        }
    }

    #[test]
    fn broken_numbers_name_the_problem() {
        for (id, error) in [
            ("DE136695977", ParseError::Checksum),
            ("DE13669597", ParseError::Format),
            ("DE1366959766", ParseError::Format),
            ("QQ123456789", ParseError::Country),
            ("ATX12345678", ParseError::Format),
            ("", ParseError::Empty),
            ("D", ParseError::Format),
        ] {
            assert_eq!(VatId::parse(id), Err(error), "{id}");
        }
    }

    #[test]
    fn other_member_states_by_format() {
        for id in [
            "ATU13585627",
            "FR40303265045",
            "NL004495445B01",
            "IE6388047V",
            "ESB12345678",
            "IT00743110157",
        ] {
            assert!(VatId::parse(id).is_ok(), "{id}");
        }
        assert_eq!(
            VatId::parse("ATU1358562").map(|v| v.country().to_owned()),
            Err(ParseError::Format)
        );
    }
}
