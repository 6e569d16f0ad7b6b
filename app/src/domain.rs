//! Pure business rules shared by browser and server: identifiers of banks and tax
//! authorities, permissions, and how numbers, money and dates are shown.
//! No IO, no clock, no framework: everything here is a function of its arguments.

pub mod bank;
pub mod billing;
pub mod billing_schedule;
pub mod budget;
pub mod calendar;
pub mod capacity;
pub mod csv;
pub mod datev;
pub mod domain_name;
pub mod draft_lines;
pub mod dunning;
pub mod durations;
pub mod format;
pub mod holidays;
pub mod ical;
pub mod invoice_math;
pub mod leitweg;
pub mod numbering;
pub mod payment_matching;
pub mod periods;
pub mod permissions;
pub mod quote;
pub mod rates;
pub mod receivables;
pub mod registrar_list;
pub mod sepa;
pub mod tax;
pub mod usage_pricing;
pub mod vat_id;

pub use bank::{Bic, CreditorId, Iban};
pub use domain_name::DomainName;
pub use permissions::{Permission, Role};
pub use vat_id::VatId;

/// Why a value could not be parsed; the UI turns this into a sentence in the user's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ParseError {
    Empty,
    Format,
    Length,
    Checksum,
    Country,
}

impl ParseError {
    pub fn key(self) -> crate::i18n::Key {
        use crate::i18n::Key;
        match self {
            ParseError::Empty => Key::ErrRequired,
            ParseError::Format => Key::ErrFormat,
            ParseError::Length => Key::ErrLength,
            ParseError::Checksum => Key::ErrChecksum,
            ParseError::Country => Key::ErrCountry,
        }
    }
}

/// A plausible e-mail address: one @, a dot in the domain, no spaces. Delivery proves the rest.
pub fn is_plausible_email(input: &str) -> bool {
    let email = input.trim();
    !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
}

/// Removes spaces and upper-cases: how IBANs, BICs and VAT ids are written by people.
fn compact(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '.')
        .collect::<String>()
        .to_ascii_uppercase()
}

/// ISO 7064 MOD 97-10 over letters (A=10 … Z=35) and digits, as IBAN and creditor id use it.
fn mod97(text: &str) -> Option<u32> {
    let mut rest: u32 = 0;
    for c in text.chars() {
        let value = c.to_digit(36)?;
        rest = if value >= 10 {
            (rest * 100 + value) % 97
        } else {
            (rest * 10 + value) % 97
        };
    }
    Some(rest)
}
