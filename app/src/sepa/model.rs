use crate::domain::sepa::{Scheme, SequenceType};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MandateStatus {
    Active,
    Revoked,
}

impl MandateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MandateStatus::Active => "active",
            MandateStatus::Revoked => "revoked",
        }
    }

    pub fn parse(text: &str) -> Option<MandateStatus> {
        match text {
            "active" => Some(MandateStatus::Active),
            "revoked" => Some(MandateStatus::Revoked),
            _ => None,
        }
    }
}

/// A customer's SEPA mandate as the creditor keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mandate {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub reference: String,
    pub signed_on: NaiveDate,
    pub scheme: Scheme,
    pub account_holder: String,
    pub iban: String,
    pub bic: Option<String>,
    pub next_sequence: SequenceType,
    pub status: MandateStatus,
    pub revoked_on: Option<NaiveDate>,
    pub last_collection_on: Option<NaiveDate>,
    /// An amendment the bank learns with the next collection.
    pub amended_from_reference: Option<String>,
    pub amended_from_iban: Option<String>,
    /// Unused for 36 months: may not be collected any more.
    pub expired: bool,
}

/// A new mandate, or the amended fields of an existing one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MandateInput {
    /// Empty: the next free `{customer number}-{n}`.
    pub reference: String,
    /// `YYYY-MM-DD` or `DD.MM.YYYY`
    pub signed_on: String,
    /// `CORE` or `B2B`
    pub scheme: String,
    pub account_holder: String,
    pub iban: String,
    /// Optional within SEPA.
    pub bic: String,
}

/// An invoice the next collection file would collect.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DueCollection {
    pub invoice_id: Uuid,
    pub invoice_number: String,
    pub customer_id: Uuid,
    pub buyer_name: String,
    pub due_date: NaiveDate,
    pub amount: Decimal,
    pub currency: String,
    pub mandate_reference: String,
    pub scheme: Scheme,
    pub sequence: SequenceType,
}

/// What a collection on `collection_date` would take, and the date's limits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CollectionPreview {
    pub collection_date: NaiveDate,
    pub earliest_date: NaiveDate,
    pub items: Vec<DueCollection>,
    pub total: Decimal,
    /// Direct-debit invoices left out, with the reason (mandate revoked or expired).
    pub held_back: Vec<(String, String)>,
}

/// An exported collection file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectDebitFile {
    pub id: Uuid,
    pub message_id: String,
    pub collection_date: NaiveDate,
    pub transaction_count: i32,
    pub total: Decimal,
    pub created_at: String,
    pub created_by: Option<String>,
}
