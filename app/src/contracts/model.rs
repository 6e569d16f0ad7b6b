use crate::domain::format::{parse_date, parse_decimal};
use crate::domain::periods::{
    BillingInterval, BillingMode, Charge, FeeUnit, NoticePeriod, NoticeUnit, PriceChange, Terms,
};
use crate::domain::tax::VatCategory;
use crate::error::FieldErrors;
use crate::i18n::{Key, Lang};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a contract stands on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    /// Starts later.
    Upcoming,
    Active,
    /// Ended before today.
    Past,
}

impl ContractStatus {
    pub const ALL: [ContractStatus; 3] = [
        ContractStatus::Active,
        ContractStatus::Upcoming,
        ContractStatus::Past,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContractStatus::Upcoming => "upcoming",
            ContractStatus::Active => "active",
            ContractStatus::Past => "past",
        }
    }

    pub fn parse(text: &str) -> Option<ContractStatus> {
        ContractStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn on(start: NaiveDate, end: Option<NaiveDate>, today: NaiveDate) -> ContractStatus {
        if start > today {
            ContractStatus::Upcoming
        } else if end.is_some_and(|end| end < today) {
            ContractStatus::Past
        } else {
            ContractStatus::Active
        }
    }

    pub fn key(self) -> Key {
        match self {
            ContractStatus::Upcoming => Key::ContractUpcoming,
            ContractStatus::Active => Key::ContractActive,
            ContractStatus::Past => Key::ContractPast,
        }
    }
}

pub fn fee_unit_key(unit: FeeUnit) -> Key {
    match unit {
        FeeUnit::Month => Key::PerMonth,
        FeeUnit::Quarter => Key::PerQuarter,
        FeeUnit::Year => Key::PerYear,
        FeeUnit::TwoYears => Key::PerTwoYears,
    }
}

pub fn interval_key(interval: BillingInterval) -> Key {
    match interval {
        BillingInterval::Monthly => Key::IntervalMonthly,
        BillingInterval::Quarterly => Key::IntervalQuarterly,
        BillingInterval::HalfYearly => Key::IntervalHalfYearly,
        BillingInterval::Yearly => Key::IntervalYearly,
        BillingInterval::Biennial => Key::IntervalBiennial,
    }
}

pub fn mode_key(mode: BillingMode) -> Key {
    match mode {
        BillingMode::InAdvance => Key::InAdvance,
        BillingMode::InArrears => Key::InArrears,
    }
}

pub fn notice_unit_key(unit: NoticeUnit) -> Key {
    match unit {
        NoticeUnit::Days => Key::UnitDays,
        NoticeUnit::Weeks => Key::UnitWeeks,
        NoticeUnit::Months => Key::UnitMonths,
    }
}

pub fn vat_category_key(category: VatCategory) -> Key {
    match category {
        VatCategory::Standard => Key::VatStandard,
        VatCategory::Reduced => Key::VatReduced,
        VatCategory::Zero => Key::VatZero,
        VatCategory::Exempt => Key::VatExempt,
    }
}

/// A contract as the form and the API send it: amounts and dates as typed, so every
/// problem can be reported at its field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContractInput {
    pub customer_id: Option<Uuid>,
    pub product_id: Option<Uuid>,
    pub description: String,
    /// `YYYY-MM-DD` or `DD.MM.YYYY`
    pub start_date: String,
    /// empty = open-ended
    pub end_date: String,
    pub minimum_term_months: i32,
    pub notice_amount: i32,
    pub notice_unit: NoticeUnit,
    pub setup_fee: String,
    pub fee: String,
    pub fee_unit: FeeUnit,
    pub quantity: String,
    pub discount_percent: String,
    pub vat_category: VatCategory,
    pub billing_interval: BillingInterval,
    pub billing_mode: BillingMode,
    pub notes: String,
}

impl Default for ContractInput {
    fn default() -> Self {
        ContractInput {
            customer_id: None,
            product_id: None,
            description: String::new(),
            start_date: String::new(),
            end_date: String::new(),
            minimum_term_months: 0,
            notice_amount: 1,
            notice_unit: NoticeUnit::Months,
            setup_fee: "0.00".to_owned(),
            fee: String::new(),
            fee_unit: FeeUnit::Month,
            quantity: "1".to_owned(),
            discount_percent: "0".to_owned(),
            vat_category: VatCategory::Standard,
            billing_interval: BillingInterval::Monthly,
            billing_mode: BillingMode::InAdvance,
            notes: String::new(),
        }
    }
}

/// A contract whose every field has been checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidContract {
    pub customer_id: Uuid,
    pub product_id: Option<Uuid>,
    pub description: String,
    pub terms: Terms,
    pub minimum_term_months: u32,
    pub notice: NoticePeriod,
    pub setup_fee: Decimal,
    pub vat_category: VatCategory,
    pub notes: String,
}

/// Amounts above this are typing mistakes, not hosting contracts.
const MAX_AMOUNT: Decimal = Decimal::from_parts(10_000_000, 0, 0, false, 0);

/// Reads a required (or, with `default`, optional) amount in `0..=MAX_AMOUNT` with at most
/// `places` decimals.
pub(crate) fn amount(
    errors: &mut FieldErrors,
    lang: Lang,
    field: &str,
    text: &str,
    places: u32,
    max: Decimal,
) -> Decimal {
    if text.trim().is_empty() {
        errors.add(field, Key::ErrRequired.text(lang));
        return Decimal::ZERO;
    }
    match parse_decimal(text) {
        None => {
            errors.add(field, Key::ErrNumber.text(lang));
            Decimal::ZERO
        }
        Some(value) if value.is_sign_negative() && !value.is_zero() => {
            errors.add(field, Key::ErrNegative.text(lang));
            Decimal::ZERO
        }
        Some(value) if value > max => {
            errors.add(field, Key::ErrTooLarge.text(lang));
            Decimal::ZERO
        }
        Some(value) if value.scale() > places && value.normalize().scale() > places => {
            errors.add(
                field,
                Key::ErrDecimals.fill(lang, &[("places", &places.to_string())]),
            );
            Decimal::ZERO
        }
        Some(value) => value.normalize(),
    }
}

impl ContractInput {
    /// Checks every field, reporting all problems at once in `lang`.
    pub fn parse(&self, lang: Lang) -> Result<ValidContract, FieldErrors> {
        let mut errors = FieldErrors::default();
        let customer_id = self.customer_id.unwrap_or_else(|| {
            errors.add("customer_id", Key::ErrRequired.text(lang));
            Uuid::nil()
        });
        let description = self.description.trim().to_owned();
        if description.is_empty() {
            errors.add("description", Key::ErrRequired.text(lang));
        } else if description.chars().count() > 500 {
            errors.add("description", Key::ErrTooLong.text(lang));
        }
        let start = if self.start_date.trim().is_empty() {
            errors.add("start_date", Key::ErrRequired.text(lang));
            None
        } else {
            let parsed = parse_date(&self.start_date);
            if parsed.is_none() {
                errors.add("start_date", Key::ErrDate.text(lang));
            }
            parsed
        };
        let end = if self.end_date.trim().is_empty() {
            None
        } else {
            let parsed = parse_date(&self.end_date);
            match (parsed, start) {
                (None, _) => errors.add("end_date", Key::ErrDate.text(lang)),
                (Some(end), Some(start)) if end < start => {
                    errors.add("end_date", Key::ErrEndBeforeStart.text(lang))
                }
                _ => {}
            }
            parsed
        };
        if !(0..=120).contains(&self.minimum_term_months) {
            errors.add("minimum_term_months", Key::ErrMonths120.text(lang));
        }
        if !(0..=730).contains(&self.notice_amount) {
            errors.add("notice_amount", Key::ErrNoticeAmount.text(lang));
        }
        let fee = amount(&mut errors, lang, "fee", &self.fee, 4, MAX_AMOUNT);
        let setup_fee = amount(
            &mut errors,
            lang,
            "setup_fee",
            &self.setup_fee,
            2,
            MAX_AMOUNT,
        );
        let quantity = amount(
            &mut errors,
            lang,
            "quantity",
            &self.quantity,
            4,
            Decimal::from(1_000_000),
        );
        if quantity.is_zero() && errors.get("quantity").is_none() {
            errors.add("quantity", Key::ErrPositive.text(lang));
        }
        let discount_percent = amount(
            &mut errors,
            lang,
            "discount_percent",
            &self.discount_percent,
            2,
            Decimal::ONE_HUNDRED,
        );
        if self.notes.chars().count() > 20_000 {
            errors.add("notes", Key::ErrTooLong.text(lang));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let Some(start) = start else {
            return Err(errors);
        };
        Ok(ValidContract {
            customer_id,
            product_id: self.product_id,
            description,
            terms: Terms {
                start,
                end,
                fee,
                fee_unit: self.fee_unit,
                quantity,
                discount_percent,
                interval: self.billing_interval,
                mode: self.billing_mode,
            },
            // both checked to be in range above
            minimum_term_months: u32::try_from(self.minimum_term_months).unwrap_or(0),
            notice: NoticePeriod {
                amount: u32::try_from(self.notice_amount).unwrap_or(0),
                unit: self.notice_unit,
            },
            setup_fee,
            vat_category: self.vat_category,
            notes: self.notes.trim().to_owned(),
        })
    }
}

/// One line of a contract list (per customer or across the tenant).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContractRow {
    pub id: Uuid,
    pub number: String,
    pub customer_id: Uuid,
    pub customer_number: String,
    pub customer_name: String,
    pub product_name: Option<String>,
    pub description: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub setup_fee: Decimal,
    pub setup_fee_billed: bool,
    /// The fee valid today, per `fee_unit` and 1 quantity.
    pub fee: Decimal,
    pub fee_unit: FeeUnit,
    pub quantity: Decimal,
    pub billing_interval: BillingInterval,
    pub billing_mode: BillingMode,
    pub billed_until: Option<NaiveDate>,
    pub status: ContractStatus,
    pub cancelled: bool,
    pub currency: String,
    /// What the next invoice for this contract carries (None: nothing left to bill).
    pub next_charge: Option<Charge>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContractFilter {
    pub customer_id: Option<Uuid>,
    /// None = all
    pub status: Option<ContractStatus>,
    pub billing_interval: Option<BillingInterval>,
    pub cancelled: Option<bool>,
}

/// A domain or server linked to a contract, for the contract page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedAsset {
    pub id: Uuid,
    /// "domain" or "server"
    pub kind: String,
    pub name: String,
}

/// Everything about one contract.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContractFile {
    pub id: Uuid,
    pub number: String,
    pub customer_number: String,
    pub customer_name: String,
    pub product_name: Option<String>,
    pub data: ContractInput,
    pub currency: String,
    pub today: NaiveDate,
    pub status: ContractStatus,
    pub billed_until: Option<NaiveDate>,
    pub setup_fee_billed: bool,
    pub price_changes: Vec<PriceChange>,
    /// The next invoices' lines for this contract, priced with the changes.
    pub upcoming: Vec<Charge>,
    pub cancellation: Option<Cancellation>,
    /// The earliest end if notice were given today (when not cancelled).
    pub earliest_end_today: Option<NaiveDate>,
    pub assets: Vec<LinkedAsset>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    pub notice_given_on: NaiveDate,
    pub end_date: NaiveDate,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CancelInput {
    /// The day the notice was received; empty = today.
    pub notice_given_on: String,
    /// The wished end; empty = the earliest possible end.
    pub end_date: String,
    /// End before the earliest end by agreement; unused days already billed are credited.
    pub early: bool,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelOutcome {
    pub end_date: NaiveDate,
    pub earliest_end: NaiveDate,
    /// Already billed days after the end, credited by the next billing run.
    pub credit: Option<Charge>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriceChangeInput {
    pub valid_from: String,
    pub fee: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ContractInput {
        ContractInput {
            customer_id: Some(Uuid::from_u128(7)),
            description: "Domain example.de".to_owned(),
            start_date: "01.01.2027".to_owned(),
            fee: "19,00".to_owned(),
            billing_interval: BillingInterval::Quarterly,
            ..ContractInput::default()
        }
    }

    #[test]
    fn a_good_contract_parses_with_german_numbers() {
        let contract = input().parse(Lang::De).unwrap();
        assert_eq!(contract.terms.fee, Decimal::from(19));
        assert_eq!(
            contract.terms.start,
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
        );
        assert_eq!(
            crate::domain::periods::full_period_amount(&contract.terms).to_string(),
            "57.00"
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = ContractInput {
            customer_id: None,
            description: " ".to_owned(),
            start_date: "2027-01-10".to_owned(),
            end_date: "2027-01-09".to_owned(),
            fee: "-5".to_owned(),
            setup_fee: "abc".to_owned(),
            quantity: "0".to_owned(),
            discount_percent: "150".to_owned(),
            minimum_term_months: 500,
            ..ContractInput::default()
        };
        let errors = bad.parse(Lang::En).unwrap_err();
        for field in [
            "customer_id",
            "description",
            "end_date",
            "fee",
            "setup_fee",
            "quantity",
            "discount_percent",
            "minimum_term_months",
        ] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        assert!(errors.get("start_date").is_none());
    }

    #[test]
    fn too_many_decimals_and_absurd_amounts_are_refused() {
        let mut bad = input();
        bad.fee = "19.123456".to_owned();
        bad.setup_fee = "99999999".to_owned();
        let errors = bad.parse(Lang::De).unwrap_err();
        assert!(errors.get("fee").is_some() && errors.get("setup_fee").is_some());
    }
}
