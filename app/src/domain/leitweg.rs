//! Leitweg-ID: how German public-sector buyers are addressed for e-invoices (XRechnung
//! BT-10). Coarse address of 2–12 digits, an optional fine address of up to 30 letters and
//! digits, and two check digits after ISO 7064 MOD 97-10 over all of it.

use super::{mod97, ParseError};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeitwegId(String);

impl LeitwegId {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let text = input.trim().to_ascii_uppercase();
        if text.is_empty() {
            return Err(ParseError::Empty);
        }
        let parts: Vec<&str> = text.split('-').collect();
        let (coarse, fine, check) = match parts.as_slice() {
            [coarse, check] => (*coarse, "", *check),
            [coarse, fine, check] => (*coarse, *fine, *check),
            _ => return Err(ParseError::Format),
        };
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if !(2..=12).contains(&coarse.len())
            || !digits(coarse)
            || check.len() != 2
            || !digits(check)
            || (parts.len() == 3
                && (fine.is_empty()
                    || fine.len() > 30
                    || !fine.chars().all(|c| c.is_ascii_alphanumeric())))
        {
            return Err(ParseError::Format);
        }
        if mod97(&format!("{coarse}{fine}{check}")) != Some(1) {
            return Err(ParseError::Checksum);
        }
        Ok(LeitwegId(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_ids_pass_and_typos_fail() {
        for ok in [
            "04011000-1234512345-06",
            "991-33333TEST-33",
            " 991-33333test-33 ",
        ] {
            assert!(LeitwegId::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            LeitwegId::parse("991-33333test-33").unwrap().as_str(),
            "991-33333TEST-33"
        );
        assert_eq!(
            LeitwegId::parse("04011000-1234512345-07"),
            Err(ParseError::Checksum)
        );
        assert_eq!(
            LeitwegId::parse("04011000-12345_12345-06"),
            Err(ParseError::Format)
        );
        assert_eq!(LeitwegId::parse("1-06"), Err(ParseError::Format));
        assert_eq!(LeitwegId::parse(""), Err(ParseError::Empty));
    }
}
