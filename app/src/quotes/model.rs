use crate::contracts::model::amount;
use crate::domain::format::parse_date;
use crate::domain::invoice_math::LineTax;
use crate::domain::quote::{ItemKind, Priced, QuoteSums};
use crate::error::FieldErrors;
use crate::i18n::{Key, Lang};
use crate::projects::model::{required_text, ProjectBilling};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a quote stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteStatus {
    /// Being written; its latest version was not sent yet.
    Draft,
    /// The latest version is with the customer.
    Sent,
    /// Commissioned: its project exists.
    Accepted,
    Declined,
}

impl QuoteStatus {
    pub const ALL: [QuoteStatus; 4] = [
        QuoteStatus::Draft,
        QuoteStatus::Sent,
        QuoteStatus::Accepted,
        QuoteStatus::Declined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuoteStatus::Draft => "draft",
            QuoteStatus::Sent => "sent",
            QuoteStatus::Accepted => "accepted",
            QuoteStatus::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<QuoteStatus> {
        QuoteStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn key(self) -> Key {
        match self {
            QuoteStatus::Draft => Key::QuoteDraft,
            QuoteStatus::Sent => Key::QuoteSent,
            QuoteStatus::Accepted => Key::QuoteAccepted,
            QuoteStatus::Declined => Key::QuoteDeclined,
        }
    }
}

/// An item as typed: numbers in German or English notation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuoteItemInput {
    pub kind: ItemKind,
    pub title: String,
    pub description: String,
    /// For hours: the job role whose rate was offered.
    pub job_role_id: Option<Uuid>,
    /// Hours, or pieces of a fixed item.
    pub quantity: String,
    /// Rate per hour, or price per piece.
    pub unit_price: String,
    pub optional: bool,
}

/// A quote's content as the form and the API send it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuoteInput {
    /// Only when the quote is created; its customer stays.
    pub customer_id: Option<Uuid>,
    pub title: String,
    pub billing: ProjectBilling,
    pub manager_id: Option<Uuid>,
    /// The letter's opening text above the items.
    pub intro: String,
    pub valid_until: String,
    pub items: Vec<QuoteItemInput>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidItem {
    pub kind: ItemKind,
    pub title: String,
    pub description: String,
    pub job_role_id: Option<Uuid>,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub optional: bool,
}

impl ValidItem {
    pub fn priced(&self) -> Priced {
        Priced {
            kind: self.kind,
            name: self.title.clone(),
            quantity: self.quantity,
            unit_price: self.unit_price,
            optional: self.optional,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidQuote {
    pub customer_id: Option<Uuid>,
    pub title: String,
    pub billing: ProjectBilling,
    pub manager_id: Option<Uuid>,
    pub intro: String,
    pub valid_until: NaiveDate,
    pub items: Vec<ValidItem>,
}

const MAX_ITEMS: usize = 200;
const MAX_QUANTITY: Decimal = Decimal::from_parts(100_000, 0, 0, false, 0);
const MAX_PRICE: Decimal = Decimal::from_parts(10_000_000, 0, 0, false, 0);

impl QuoteItemInput {
    fn parse(&self, lang: Lang, index: usize, errors: &mut FieldErrors) -> ValidItem {
        let field = |name: &str| format!("items.{index}.{name}");
        let title = required_text(errors, lang, &field("title"), &self.title, 200);
        if self.description.chars().count() > 2000 {
            errors.add(&field("description"), Key::ErrTooLong.text(lang));
        }
        let quantity = amount(
            errors,
            lang,
            &field("quantity"),
            &self.quantity,
            2,
            MAX_QUANTITY,
        );
        if quantity.is_zero() && errors.get(&field("quantity")).is_none() {
            errors.add(&field("quantity"), Key::ErrPositive.text(lang));
        }
        let unit_price = amount(
            errors,
            lang,
            &field("unit_price"),
            &self.unit_price,
            2,
            MAX_PRICE,
        );
        ValidItem {
            kind: self.kind,
            title,
            description: self.description.trim().to_owned(),
            job_role_id: self.job_role_id.filter(|_| self.kind == ItemKind::Hours),
            quantity,
            unit_price,
            optional: self.optional,
        }
    }
}

impl QuoteInput {
    /// Checks every field, reporting all problems at once in `lang`; items' fields are
    /// named `items.{index}.{field}`.
    pub fn parse(&self, lang: Lang) -> Result<ValidQuote, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = required_text(&mut errors, lang, "title", &self.title, 200);
        if self.billing == ProjectBilling::Retainer {
            errors.add("billing", Key::QuoteErrRetainer.text(lang));
        }
        if self.intro.chars().count() > 5000 {
            errors.add("intro", Key::ErrTooLong.text(lang));
        }
        let valid_until = match parse_date(&self.valid_until) {
            Some(date) => date,
            None => {
                let key = if self.valid_until.trim().is_empty() {
                    Key::ErrRequired
                } else {
                    Key::ErrDate
                };
                errors.add("valid_until", key.text(lang));
                NaiveDate::MIN
            }
        };
        if self.items.is_empty() {
            errors.add("items", Key::QuoteErrNoItems.text(lang));
        } else if self.items.len() > MAX_ITEMS {
            errors.add("items", Key::ErrTooLong.text(lang));
        } else if self.items.iter().all(|item| item.optional) {
            errors.add("items", Key::QuoteErrOnlyOptional.text(lang));
        }
        let items: Vec<ValidItem> = self
            .items
            .iter()
            .take(MAX_ITEMS)
            .enumerate()
            .map(|(index, item)| item.parse(lang, index, &mut errors))
            .collect();
        errors
            .is_empty()
            .then(|| ValidQuote {
                customer_id: self.customer_id,
                title,
                billing: self.billing,
                manager_id: self.manager_id,
                intro: self.intro.trim().to_owned(),
                valid_until,
                items,
            })
            .ok_or(errors)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuoteFilter {
    pub status: Option<QuoteStatus>,
    pub customer_id: Option<Uuid>,
}

/// A quote in lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuoteSummary {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub customer_id: Uuid,
    pub customer_name: String,
    pub status: QuoteStatus,
    pub version: i32,
    pub valid_until: NaiveDate,
    /// Sent and past its validity: the customer can no longer accept it.
    pub expired: bool,
    pub net_total: Decimal,
    pub currency: String,
    pub project_id: Option<Uuid>,
}

/// An item as stored, with its net amount.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuoteItem {
    pub position: i32,
    pub kind: ItemKind,
    pub title: String,
    pub description: String,
    pub job_role_id: Option<Uuid>,
    pub job_role: Option<String>,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub optional: bool,
    pub net: Decimal,
}

impl QuoteItem {
    pub fn priced(&self) -> Priced {
        Priced {
            kind: self.kind,
            name: self.title.clone(),
            quantity: self.quantity,
            unit_price: self.unit_price,
            optional: self.optional,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuoteVersionInfo {
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub net_total: Decimal,
}

/// One version of a quote with everything its page and PDF show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuoteDetail {
    pub summary: QuoteSummary,
    pub billing: ProjectBilling,
    pub manager_id: Option<Uuid>,
    pub manager_name: Option<String>,
    /// The version shown (the latest unless an earlier one was asked for).
    pub shown_version: i32,
    pub intro: String,
    pub valid_until: NaiveDate,
    pub sent_at: Option<DateTime<Utc>>,
    pub items: Vec<QuoteItem>,
    pub versions: Vec<QuoteVersionInfo>,
    pub accepted_options: Vec<i32>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub decline_reason: String,
    pub project_number: Option<String>,
    /// The VAT every item carries for this customer.
    pub tax: LineTax,
    pub sums: QuoteSums,
    pub customer_email: String,
    pub language: String,
}

impl QuoteDetail {
    /// The form content of the shown version, for editing or as the next version.
    pub fn input(&self, lang: Lang) -> QuoteInput {
        let decimal = |value| crate::domain::format::typed(value, lang);
        QuoteInput {
            customer_id: Some(self.summary.customer_id),
            title: self.summary.title.clone(),
            billing: self.billing,
            manager_id: self.manager_id,
            intro: self.intro.clone(),
            valid_until: self.valid_until.to_string(),
            items: self
                .items
                .iter()
                .map(|item| QuoteItemInput {
                    kind: item.kind,
                    title: item.title.clone(),
                    description: item.description.clone(),
                    job_role_id: item.job_role_id,
                    quantity: decimal(item.quantity),
                    unit_price: decimal(item.unit_price),
                    optional: item.optional,
                })
                .collect(),
        }
    }

    /// Whether the shown version is the latest and can still be edited.
    pub fn editable(&self) -> bool {
        self.shown_version == self.summary.version && self.summary.status == QuoteStatus::Draft
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(title: &str, quantity: &str, price: &str, optional: bool) -> QuoteItemInput {
        QuoteItemInput {
            title: title.to_owned(),
            quantity: quantity.to_owned(),
            unit_price: price.to_owned(),
            optional,
            ..QuoteItemInput::default()
        }
    }

    fn input(items: Vec<QuoteItemInput>) -> QuoteInput {
        QuoteInput {
            title: "Relaunch".to_owned(),
            valid_until: "2026-12-31".to_owned(),
            items,
            ..QuoteInput::default()
        }
    }

    #[test]
    fn german_numbers_are_read() {
        let quote = input(vec![item("Konzept", "12,5", "1.100,00", false)])
            .parse(Lang::De)
            .unwrap();
        assert_eq!(quote.items[0].quantity, Decimal::new(125, 1));
        assert_eq!(quote.items[0].unit_price, Decimal::from(1100));
    }

    #[test]
    fn every_bad_item_field_is_named() {
        let errors = input(vec![
            item("Konzept", "12,5", "110", false),
            item("", "0", "-5", false),
        ])
        .parse(Lang::De)
        .unwrap_err();
        assert!(errors.get("items.1.title").is_some());
        assert!(errors.get("items.1.quantity").is_some());
        assert!(errors.get("items.1.unit_price").is_some());
        assert!(errors.get("items.0.title").is_none());
    }

    #[test]
    fn a_quote_needs_a_binding_item_a_date_and_no_retainer() {
        let mut quote = input(vec![item("Schulung", "4", "95", true)]);
        quote.valid_until = "31.13.2026".to_owned();
        quote.billing = ProjectBilling::Retainer;
        let errors = quote.parse(Lang::En).unwrap_err();
        assert!(errors.get("items").is_some());
        assert!(errors.get("valid_until").is_some());
        assert!(errors.get("billing").is_some());
        assert!(input(Vec::new())
            .parse(Lang::En)
            .unwrap_err()
            .get("items")
            .is_some());
    }

    #[test]
    fn fixed_items_carry_no_role() {
        let mut fixed = item("Lizenz", "1", "59,90", false);
        fixed.kind = ItemKind::Fixed;
        fixed.job_role_id = Some(Uuid::nil());
        let quote = input(vec![fixed]).parse(Lang::De).unwrap();
        assert_eq!(quote.items[0].job_role_id, None);
    }
}
