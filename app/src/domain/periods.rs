//! Billing periods of term contracts (Laufzeitverträge).
//!
//! - Periods are anchored on the contract start: period k begins at start + k × interval
//!   months, always counted from the original start and clamped to the month's last day,
//!   and ends the day before the next anchor (start 31 Jan 2025, monthly: 31 Jan–27 Feb,
//!   28 Feb–30 Mar, 31 Mar–29 Apr, …).
//! - The fee is quoted per fee unit, independent of the billing interval: 19.00 per month
//!   billed quarterly is 57.00 per quarter. A full period costs fee × interval months /
//!   unit months × quantity × (1 − discount/100), rounded to cents (half away from zero).
//! - A partial period (billed-until inside it, or the end date inside it) is prorated by
//!   days of that period, computed exactly and rounded once.
//! - In advance a charge is due on its first day; in arrears on the day after its last day.
//!   Nothing is charged before the start or after the (inclusive) end.
//! - Billed-until is the last day already billed; billing again from it charges nothing twice.
//! - An earlier end inside already billed days is credited period by period, each piece
//!   priced as its charge would have been, so a credit never exceeds what was billed.
//! - The earliest end after notice is the end of the first period that lies past both the
//!   minimum term and the full notice period (the notice day counts as its first day).

use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// The unit the recurring fee is quoted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeUnit {
    Month,
    Quarter,
    Year,
    TwoYears,
}

impl FeeUnit {
    pub fn months(self) -> u32 {
        match self {
            FeeUnit::Month => 1,
            FeeUnit::Quarter => 3,
            FeeUnit::Year => 12,
            FeeUnit::TwoYears => 24,
        }
    }
}

/// How often the contract is invoiced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillingInterval {
    Monthly,
    Quarterly,
    HalfYearly,
    Yearly,
    Biennial,
}

impl BillingInterval {
    pub fn months(self) -> u32 {
        match self {
            BillingInterval::Monthly => 1,
            BillingInterval::Quarterly => 3,
            BillingInterval::HalfYearly => 6,
            BillingInterval::Yearly => 12,
            BillingInterval::Biennial => 24,
        }
    }
}

/// Whether a period is invoiced at its start or after it is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillingMode {
    InAdvance,
    InArrears,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeUnit {
    Days,
    Weeks,
    Months,
}

/// Notice period for cancellation, e.g. 3 months or 14 days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticePeriod {
    pub amount: u32,
    pub unit: NoticeUnit,
}

/// What the billing engine needs to know about a contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    /// First day of service; periods are anchored on it.
    pub start: NaiveDate,
    /// Last day of service (inclusive); `None` = open-ended.
    pub end: Option<NaiveDate>,
    /// Net recurring fee per `fee_unit`, per 1 quantity.
    pub fee: Decimal,
    pub fee_unit: FeeUnit,
    pub quantity: Decimal,
    /// 0..=100
    pub discount_percent: Decimal,
    pub interval: BillingInterval,
    pub mode: BillingMode,
}

/// Days from `from` to `to`, both inclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One line to invoice (or credit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    /// The days actually charged (may be partial).
    pub period: Period,
    /// Net, rounded to 2 places (half away from zero); negative for credits.
    pub amount: Decimal,
    /// True when `period` is shorter than the full interval period.
    pub prorated: bool,
    /// In advance: `period.from`; in arrears: the day after `period.to`.
    pub due_on: NaiveDate,
}

/// The k-th full interval period (k = 0, 1, …) anchored on `start`.
pub fn nth_period(start: NaiveDate, interval: BillingInterval, k: u32) -> Period {
    let from = anchor(start, interval, k).unwrap_or(NaiveDate::MAX);
    // The calendar ends before the next anchor: the last period runs to its end.
    let to = k
        .checked_add(1)
        .and_then(|next| anchor(start, interval, next))
        .and_then(|next_from| next_from.pred_opt())
        .unwrap_or(NaiveDate::MAX);
    Period { from, to }
}

/// Net amount of one full interval period, rounded to 2 places.
pub fn full_period_amount(terms: &Terms) -> Decimal {
    amount_for_days(terms, 1, 1)
}

/// Everything due on `today` that is not billed yet: the periods after `billed_until`
/// (`None` = nothing billed yet) that are due by `today`, clipped to `terms.end`, a partial
/// period prorated by days. Never a charge before `start` or after `end`.
pub fn due_charges(
    terms: &Terms,
    billed_until: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<Charge> {
    let mut charges = Vec::new();
    let mut billed_until = billed_until;
    while let Some(charge) = next_charge(terms, billed_until) {
        if charge.due_on > today {
            break;
        }
        billed_until = Some(charge.period.to);
        charges.push(charge);
    }
    charges
}

/// The next charge after `billed_until` regardless of today (for "next invoice" previews),
/// or `None` when the contract has ended and everything is billed.
pub fn next_charge(terms: &Terms, billed_until: Option<NaiveDate>) -> Option<Charge> {
    let first_day = match billed_until {
        Some(billed) if billed >= terms.start => billed.succ_opt()?,
        _ => terms.start,
    };
    if terms.end.is_some_and(|end| first_day > end) {
        return None;
    }
    let full = period_containing(terms.start, terms.interval, first_day);
    let last_day = terms.end.map_or(full.to, |end| end.min(full.to));
    let period = Period {
        from: first_day,
        to: last_day,
    };
    let due_on = match terms.mode {
        BillingMode::InAdvance => period.from,
        BillingMode::InArrears => period.to.succ_opt()?,
    };
    Some(Charge {
        amount: amount_for_days(terms, days_in(&period), days_in(&full)),
        prorated: period != full,
        period,
        due_on,
    })
}

/// A new recurring fee from a day on. Earlier periods keep the fee they were billed with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceChange {
    pub valid_from: NaiveDate,
    pub fee: Decimal,
}

/// The terms with the fee valid on `day`: the latest change on or before it, else the
/// original fee. A charge is priced by the fee valid on its first day.
pub fn priced_on(terms: &Terms, changes: &[PriceChange], day: NaiveDate) -> Terms {
    let fee = changes
        .iter()
        .filter(|change| change.valid_from <= day)
        .max_by_key(|change| change.valid_from)
        .map_or(terms.fee, |change| change.fee);
    Terms {
        fee,
        ..terms.clone()
    }
}

/// The next `count` charges after `billed_until`, each priced by the fee valid on its first
/// day: what the next invoices will carry (the contract form previews them live).
pub fn upcoming_charges(
    terms: &Terms,
    changes: &[PriceChange],
    billed_until: Option<NaiveDate>,
    count: usize,
) -> Vec<Charge> {
    let mut charges = Vec::new();
    let mut billed_until = billed_until;
    while charges.len() < count {
        let Some(unpriced) = next_charge(terms, billed_until) else {
            break;
        };
        let priced = priced_on(terms, changes, unpriced.period.from);
        let Some(charge) = next_charge(&priced, billed_until) else {
            break;
        };
        billed_until = Some(charge.period.to);
        charges.push(charge);
    }
    charges
}

/// The credit (negative amount) for days already billed after a new, earlier end: covers
/// (`new_end`, `billed_until`]; `None` when nothing to credit. Due on its first day.
pub fn credit_for_early_end(
    terms: &Terms,
    billed_until: NaiveDate,
    new_end: NaiveDate,
) -> Option<Charge> {
    let first_day = new_end.succ_opt()?.max(terms.start);
    if first_day > billed_until {
        return None;
    }
    let mut total = Decimal::ZERO;
    let mut prorated = false;
    let mut day = first_day;
    loop {
        let full = period_containing(terms.start, terms.interval, day);
        let piece = Period {
            from: day,
            to: full.to.min(billed_until),
        };
        total += amount_for_days(terms, days_in(&piece), days_in(&full));
        prorated |= piece != full;
        match piece.to.succ_opt() {
            Some(next) if piece.to < billed_until => day = next,
            _ => break,
        }
    }
    let mut amount = -total;
    // A zero fee would otherwise print as "-0.00".
    if amount.is_zero() {
        amount.set_sign_positive(true);
    }
    Some(Charge {
        period: Period {
            from: first_day,
            to: billed_until,
        },
        amount,
        prorated,
        due_on: first_day,
    })
}

/// The earliest possible end when notice is given on `notice_given`: the last day of the
/// first interval period whose last day is ≥ start + minimum term − 1 day and
/// ≥ `notice_given` + notice period − 1 day. `minimum_term_months` 0 = no minimum term.
/// A contract that already ends earlier ends on its end date.
pub fn earliest_end(
    terms: &Terms,
    minimum_term_months: u32,
    notice: NoticePeriod,
    notice_given: NaiveDate,
) -> NaiveDate {
    let minimum_term_last_day = last_day_of_span(
        terms.start,
        terms
            .start
            .checked_add_months(Months::new(minimum_term_months)),
    );
    let notice_span_end = match notice.unit {
        NoticeUnit::Days => notice_given.checked_add_days(Days::new(u64::from(notice.amount))),
        NoticeUnit::Weeks => {
            notice_given.checked_add_days(Days::new(u64::from(notice.amount).saturating_mul(7)))
        }
        NoticeUnit::Months => notice_given.checked_add_months(Months::new(notice.amount)),
    };
    let notice_last_day = last_day_of_span(notice_given, notice_span_end);
    let must_run_until = minimum_term_last_day.max(notice_last_day);
    let end = period_containing(terms.start, terms.interval, must_run_until).to;
    terms.end.map_or(end, |fixed_end| end.min(fixed_end))
}

/// The day before `span_end` (exclusive end of a span starting on `span_start`); a span of
/// length zero ends the day before it starts.
fn last_day_of_span(span_start: NaiveDate, span_end: Option<NaiveDate>) -> NaiveDate {
    match span_end {
        Some(day) => day.pred_opt().unwrap_or(span_start),
        None => NaiveDate::MAX,
    }
}

fn anchor(start: NaiveDate, interval: BillingInterval, k: u32) -> Option<NaiveDate> {
    let months = k.checked_mul(interval.months())?;
    // chrono clamps to the month's last day (31 Jan + 1 month = 28/29 Feb).
    start.checked_add_months(Months::new(months))
}

/// The full period that contains `day`; period 0 for days before the start.
fn period_containing(start: NaiveDate, interval: BillingInterval, day: NaiveDate) -> Period {
    if day <= start {
        return nth_period(start, interval, 0);
    }
    let months_between = (i64::from(day.year()) - i64::from(start.year())) * 12
        + i64::from(day.month0())
        - i64::from(start.month0());
    let mut k = u32::try_from(months_between / i64::from(interval.months())).unwrap_or(0);
    // The guess can overshoot by one when the anchor day in the day's month is after it.
    while k > 0 && anchor(start, interval, k).is_none_or(|from| from > day) {
        k -= 1;
    }
    while let Some(next_from) = k
        .checked_add(1)
        .and_then(|next| anchor(start, interval, next))
    {
        if next_from > day {
            break;
        }
        k += 1;
    }
    nth_period(start, interval, k)
}

fn days_in(period: &Period) -> i64 {
    (period.to - period.from).num_days() + 1
}

/// Amount for `charged_days` of a period of `period_days`, from one exact quotient rounded once.
fn amount_for_days(terms: &Terms, charged_days: i64, period_days: i64) -> Decimal {
    let numerator = terms.fee
        * Decimal::from(terms.interval.months())
        * terms.quantity
        * (Decimal::ONE_HUNDRED - terms.discount_percent)
        * Decimal::from(charged_days);
    let denominator =
        Decimal::from(terms.fee_unit.months()) * Decimal::ONE_HUNDRED * Decimal::from(period_days);
    let mut amount =
        (numerator / denominator).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    amount.rescale(2);
    amount
}

impl FeeUnit {
    pub const ALL: [FeeUnit; 4] = [
        FeeUnit::Month,
        FeeUnit::Quarter,
        FeeUnit::Year,
        FeeUnit::TwoYears,
    ];

    /// The stored and wire name (as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            FeeUnit::Month => "month",
            FeeUnit::Quarter => "quarter",
            FeeUnit::Year => "year",
            FeeUnit::TwoYears => "two_years",
        }
    }

    pub fn parse(text: &str) -> Option<FeeUnit> {
        FeeUnit::ALL
            .into_iter()
            .find(|value| value.as_str() == text)
    }
}

impl BillingInterval {
    pub const ALL: [BillingInterval; 5] = [
        BillingInterval::Monthly,
        BillingInterval::Quarterly,
        BillingInterval::HalfYearly,
        BillingInterval::Yearly,
        BillingInterval::Biennial,
    ];

    /// The stored and wire name (as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            BillingInterval::Monthly => "monthly",
            BillingInterval::Quarterly => "quarterly",
            BillingInterval::HalfYearly => "half_yearly",
            BillingInterval::Yearly => "yearly",
            BillingInterval::Biennial => "biennial",
        }
    }

    pub fn parse(text: &str) -> Option<BillingInterval> {
        BillingInterval::ALL
            .into_iter()
            .find(|value| value.as_str() == text)
    }
}

impl BillingMode {
    pub const ALL: [BillingMode; 2] = [BillingMode::InAdvance, BillingMode::InArrears];

    /// The stored and wire name (as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            BillingMode::InAdvance => "in_advance",
            BillingMode::InArrears => "in_arrears",
        }
    }

    pub fn parse(text: &str) -> Option<BillingMode> {
        BillingMode::ALL
            .into_iter()
            .find(|value| value.as_str() == text)
    }
}

impl NoticeUnit {
    pub const ALL: [NoticeUnit; 3] = [NoticeUnit::Days, NoticeUnit::Weeks, NoticeUnit::Months];

    /// The stored and wire name (as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeUnit::Days => "days",
            NoticeUnit::Weeks => "weeks",
            NoticeUnit::Months => "months",
        }
    }

    pub fn parse(text: &str) -> Option<NoticeUnit> {
        NoticeUnit::ALL
            .into_iter()
            .find(|value| value.as_str() == text)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    const INTERVALS: [BillingInterval; 5] = [
        BillingInterval::Monthly,
        BillingInterval::Quarterly,
        BillingInterval::HalfYearly,
        BillingInterval::Yearly,
        BillingInterval::Biennial,
    ];
    const FEE_UNITS: [FeeUnit; 4] = [
        FeeUnit::Month,
        FeeUnit::Quarter,
        FeeUnit::Year,
        FeeUnit::TwoYears,
    ];
    const MODES: [BillingMode; 2] = [BillingMode::InAdvance, BillingMode::InArrears];

    fn d(text: &str) -> NaiveDate {
        NaiveDate::from_str(text).unwrap()
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn period(from: &str, to: &str) -> Period {
        Period {
            from: d(from),
            to: d(to),
        }
    }

    fn terms(
        start: &str,
        end: Option<&str>,
        fee: &str,
        fee_unit: FeeUnit,
        interval: BillingInterval,
        mode: BillingMode,
    ) -> Terms {
        Terms {
            start: d(start),
            end: end.map(d),
            fee: dec(fee),
            fee_unit,
            quantity: Decimal::ONE,
            discount_percent: Decimal::ZERO,
            interval,
            mode,
        }
    }

    /// "from..to amount [prorated] due day": one line per charge, as the tables read.
    fn show(charge: &Charge) -> String {
        let prorated = if charge.prorated { " prorated" } else { "" };
        format!(
            "{}..{} {}{prorated} due {}",
            charge.period.from, charge.period.to, charge.amount, charge.due_on
        )
    }

    fn show_all(charges: &[Charge]) -> Vec<String> {
        charges.iter().map(show).collect()
    }

    #[test]
    fn unit_and_interval_months() {
        let fee: Vec<u32> = FEE_UNITS.iter().map(|u| u.months()).collect();
        assert_eq!(fee, [1, 3, 12, 24]);
        let interval: Vec<u32> = INTERVALS.iter().map(|i| i.months()).collect();
        assert_eq!(interval, [1, 3, 6, 12, 24]);
    }

    #[test]
    fn periods_are_anchored_on_the_original_start() {
        use BillingInterval::*;
        for (start, interval, k, from, to) in [
            ("2025-01-31", Monthly, 0, "2025-01-31", "2025-02-27"),
            ("2025-01-31", Monthly, 1, "2025-02-28", "2025-03-30"),
            ("2025-01-31", Monthly, 2, "2025-03-31", "2025-04-29"),
            ("2025-01-31", Monthly, 3, "2025-04-30", "2025-05-30"),
            ("2025-01-31", Monthly, 11, "2025-12-31", "2026-01-30"),
            ("2024-01-31", Monthly, 0, "2024-01-31", "2024-02-28"),
            ("2024-01-31", Monthly, 1, "2024-02-29", "2024-03-30"),
            ("2024-02-29", Monthly, 0, "2024-02-29", "2024-03-28"),
            ("2024-02-29", Monthly, 1, "2024-03-29", "2024-04-28"),
            ("2024-02-29", Yearly, 0, "2024-02-29", "2025-02-27"),
            ("2024-02-29", Yearly, 1, "2025-02-28", "2026-02-27"),
            ("2024-02-29", Yearly, 3, "2027-02-28", "2028-02-28"),
            ("2024-02-29", Yearly, 4, "2028-02-29", "2029-02-27"),
            ("2025-01-15", Quarterly, 0, "2025-01-15", "2025-04-14"),
            ("2025-01-15", Quarterly, 1, "2025-04-15", "2025-07-14"),
            ("2025-08-31", HalfYearly, 0, "2025-08-31", "2026-02-27"),
            ("2025-08-31", HalfYearly, 1, "2026-02-28", "2026-08-30"),
            ("2025-01-01", Yearly, 0, "2025-01-01", "2025-12-31"),
            ("2025-03-01", Biennial, 0, "2025-03-01", "2027-02-28"),
            ("2025-03-01", Biennial, 1, "2027-03-01", "2029-02-28"),
        ] {
            assert_eq!(
                nth_period(d(start), interval, k),
                period(from, to),
                "{start} {interval:?} k={k}"
            );
        }
    }

    #[test]
    fn full_period_amounts() {
        use BillingInterval::*;
        use FeeUnit::*;
        for (fee, unit, interval, quantity, discount, expected) in [
            ("19.00", Month, Quarterly, "1", "0", "57.00"),
            ("120.00", Year, Monthly, "1", "0", "10.00"),
            ("240.00", TwoYears, Yearly, "1", "0", "120.00"),
            ("100.00", Year, Monthly, "1", "0", "8.33"),
            ("10.00", Quarter, Monthly, "1", "0", "3.33"),
            ("100.00", Month, Biennial, "1", "0", "2400.00"),
            ("10.00", Month, Yearly, "3", "10", "324.00"),
            ("9.99", Month, HalfYearly, "2.5", "12.5", "131.12"),
            // 0.505 rounds half away from zero, not to even.
            ("1.01", Month, Monthly, "1", "50", "0.51"),
            ("50.00", Month, Monthly, "1", "100", "0.00"),
        ] {
            let mut t = terms(
                "2025-01-01",
                None,
                fee,
                unit,
                interval,
                BillingMode::InAdvance,
            );
            t.quantity = dec(quantity);
            t.discount_percent = dec(discount);
            assert_eq!(
                full_period_amount(&t).to_string(),
                expected,
                "{fee}/{unit:?} {interval:?} ×{quantity} -{discount}%"
            );
        }
    }

    #[test]
    fn due_charges_worked_examples() {
        use BillingInterval::*;
        use BillingMode::*;
        use FeeUnit::*;
        type Case = (
            &'static str,
            Terms,
            Option<&'static str>,
            &'static str,
            Vec<&'static str>,
        );
        let cases: Vec<Case> = vec![
            (
                "monthly in advance, the third period is due on its first day",
                terms("2025-01-15", None, "19.00", Month, Monthly, InAdvance),
                None,
                "2025-03-15",
                vec![
                    "2025-01-15..2025-02-14 19.00 due 2025-01-15",
                    "2025-02-15..2025-03-14 19.00 due 2025-02-15",
                    "2025-03-15..2025-04-14 19.00 due 2025-03-15",
                ],
            ),
            (
                "monthly in advance, a day earlier",
                terms("2025-01-15", None, "19.00", Month, Monthly, InAdvance),
                None,
                "2025-03-14",
                vec![
                    "2025-01-15..2025-02-14 19.00 due 2025-01-15",
                    "2025-02-15..2025-03-14 19.00 due 2025-02-15",
                ],
            ),
            (
                "monthly in arrears, due the day after the period",
                terms("2025-01-15", None, "19.00", Month, Monthly, InArrears),
                None,
                "2025-03-15",
                vec![
                    "2025-01-15..2025-02-14 19.00 due 2025-02-15",
                    "2025-02-15..2025-03-14 19.00 due 2025-03-15",
                ],
            ),
            (
                "monthly in arrears, on the last day of a period it is not yet due",
                terms("2025-01-15", None, "19.00", Month, Monthly, InArrears),
                None,
                "2025-03-14",
                vec!["2025-01-15..2025-02-14 19.00 due 2025-02-15"],
            ),
            (
                "19.00 per month billed quarterly is 57.00",
                terms("2025-01-01", None, "19.00", Month, Quarterly, InAdvance),
                None,
                "2025-01-01",
                vec!["2025-01-01..2025-03-31 57.00 due 2025-01-01"],
            ),
            (
                "nothing before the start",
                terms("2025-01-01", None, "19.00", Month, Quarterly, InAdvance),
                None,
                "2024-12-31",
                vec![],
            ),
            (
                "billed until inside a period: the rest of it, prorated",
                terms("2025-01-01", None, "31.00", Month, Monthly, InAdvance),
                Some("2025-03-10"),
                "2025-03-20",
                vec!["2025-03-11..2025-03-31 21.00 prorated due 2025-03-11"],
            ),
            (
                "billed until before the start counts as nothing billed",
                terms("2025-01-01", None, "31.00", Month, Monthly, InAdvance),
                Some("2024-06-30"),
                "2025-01-01",
                vec!["2025-01-01..2025-01-31 31.00 due 2025-01-01"],
            ),
            (
                "end inside a period: the last charge is prorated",
                terms(
                    "2025-04-01",
                    Some("2025-06-10"),
                    "30.00",
                    Month,
                    Monthly,
                    InAdvance,
                ),
                None,
                "2030-01-01",
                vec![
                    "2025-04-01..2025-04-30 30.00 due 2025-04-01",
                    "2025-05-01..2025-05-31 30.00 due 2025-05-01",
                    "2025-06-01..2025-06-10 10.00 prorated due 2025-06-01",
                ],
            ),
            (
                "in arrears the partial last period is due the day after the end",
                terms(
                    "2025-04-01",
                    Some("2025-06-10"),
                    "30.00",
                    Month,
                    Monthly,
                    InArrears,
                ),
                None,
                "2025-06-10",
                vec![
                    "2025-04-01..2025-04-30 30.00 due 2025-05-01",
                    "2025-05-01..2025-05-31 30.00 due 2025-06-01",
                ],
            ),
            (
                "in arrears the partial last period, a day later",
                terms(
                    "2025-04-01",
                    Some("2025-06-10"),
                    "30.00",
                    Month,
                    Monthly,
                    InArrears,
                ),
                Some("2025-05-31"),
                "2025-06-11",
                vec!["2025-06-01..2025-06-10 10.00 prorated due 2025-06-11"],
            ),
            (
                "everything billed up to the end",
                terms(
                    "2025-04-01",
                    Some("2025-06-10"),
                    "30.00",
                    Month,
                    Monthly,
                    InAdvance,
                ),
                Some("2025-06-10"),
                "2030-01-01",
                vec![],
            ),
            (
                "end before start: nothing",
                terms(
                    "2025-04-01",
                    Some("2025-03-31"),
                    "30.00",
                    Month,
                    Monthly,
                    InAdvance,
                ),
                None,
                "2030-01-01",
                vec![],
            ),
            (
                "start on the 31st, monthly",
                terms("2025-01-31", None, "28.00", Month, Monthly, InAdvance),
                None,
                "2025-04-30",
                vec![
                    "2025-01-31..2025-02-27 28.00 due 2025-01-31",
                    "2025-02-28..2025-03-30 28.00 due 2025-02-28",
                    "2025-03-31..2025-04-29 28.00 due 2025-03-31",
                    "2025-04-30..2025-05-30 28.00 due 2025-04-30",
                ],
            ),
            (
                "start on 29 Feb, yearly, ending a month into the second year (32 of 365 days)",
                terms(
                    "2024-02-29",
                    Some("2025-03-31"),
                    "1200.00",
                    Year,
                    Yearly,
                    InAdvance,
                ),
                None,
                "2030-01-01",
                vec![
                    "2024-02-29..2025-02-27 1200.00 due 2024-02-29",
                    "2025-02-28..2025-03-31 105.21 prorated due 2025-02-28",
                ],
            ),
            (
                "half-yearly with end inside the second half (46 of 184 days)",
                terms(
                    "2025-01-01",
                    Some("2025-08-15"),
                    "50.00",
                    Month,
                    HalfYearly,
                    InAdvance,
                ),
                None,
                "2030-01-01",
                vec![
                    "2025-01-01..2025-06-30 300.00 due 2025-01-01",
                    "2025-07-01..2025-08-15 75.00 prorated due 2025-07-01",
                ],
            ),
            (
                "quarterly in arrears, migrated mid-quarter and ending mid-quarter",
                terms(
                    "2025-01-01",
                    Some("2025-05-20"),
                    "19.00",
                    Month,
                    Quarterly,
                    InArrears,
                ),
                Some("2025-02-15"),
                "2030-01-01",
                vec![
                    // 44 of 90 days of 57.00; then 50 of 91 days.
                    "2025-02-16..2025-03-31 27.87 prorated due 2025-04-01",
                    "2025-04-01..2025-05-20 31.32 prorated due 2025-05-21",
                ],
            ),
            (
                "biennial in arrears, not yet over",
                terms("2025-03-01", None, "10.00", Month, Biennial, InArrears),
                None,
                "2027-02-28",
                vec![],
            ),
            (
                "biennial in arrears, over",
                terms("2025-03-01", None, "10.00", Month, Biennial, InArrears),
                None,
                "2027-03-01",
                vec!["2025-03-01..2027-02-28 240.00 due 2027-03-01"],
            ),
            (
                "240.00 per two years billed yearly",
                terms("2025-01-01", None, "240.00", TwoYears, Yearly, InAdvance),
                None,
                "2026-01-01",
                vec![
                    "2025-01-01..2025-12-31 120.00 due 2025-01-01",
                    "2026-01-01..2026-12-31 120.00 due 2026-01-01",
                ],
            ),
            (
                "120.00 per year billed monthly",
                terms("2025-01-01", None, "120.00", Year, Monthly, InArrears),
                None,
                "2025-03-01",
                vec![
                    "2025-01-01..2025-01-31 10.00 due 2025-02-01",
                    "2025-02-01..2025-02-28 10.00 due 2025-03-01",
                ],
            ),
        ];
        for (name, terms, billed_until, today, expected) in cases {
            let charges = due_charges(&terms, billed_until.map(d), d(today));
            assert_eq!(show_all(&charges), expected, "{name}");
            if let Some(last) = charges.last() {
                assert!(
                    due_charges(&terms, Some(last.period.to), d(today)).is_empty(),
                    "{name}: billed twice"
                );
            }
        }
    }

    #[test]
    fn next_charge_previews() {
        use BillingInterval::*;
        use BillingMode::*;
        use FeeUnit::*;
        let open = terms("2025-01-01", None, "19.00", Month, Monthly, InAdvance);
        assert_eq!(
            next_charge(&open, None).as_ref().map(show).as_deref(),
            Some("2025-01-01..2025-01-31 19.00 due 2025-01-01")
        );
        assert_eq!(
            next_charge(&open, Some(d("2025-06-30")))
                .as_ref()
                .map(show)
                .as_deref(),
            Some("2025-07-01..2025-07-31 19.00 due 2025-07-01")
        );
        let arrears = terms(
            "2025-01-01",
            Some("2025-07-15"),
            "31.00",
            Month,
            Monthly,
            InArrears,
        );
        assert_eq!(
            next_charge(&arrears, Some(d("2025-06-30")))
                .as_ref()
                .map(show)
                .as_deref(),
            Some("2025-07-01..2025-07-15 15.00 prorated due 2025-07-16")
        );
        assert_eq!(next_charge(&arrears, Some(d("2025-07-15"))), None);
        let ended_before_start = terms(
            "2025-01-01",
            Some("2024-12-31"),
            "19.00",
            Month,
            Monthly,
            InAdvance,
        );
        assert_eq!(next_charge(&ended_before_start, None), None);
    }

    #[test]
    fn credits_for_early_end() {
        use BillingInterval::*;
        use BillingMode::*;
        use FeeUnit::*;
        let yearly = terms("2025-01-01", None, "1200.00", Year, Yearly, InAdvance);
        let monthly = terms("2025-01-01", None, "100.00", Year, Monthly, InAdvance);
        let free = terms("2025-01-01", None, "0.00", Year, Monthly, InAdvance);
        for (name, terms, billed_until, new_end, expected) in [
            (
                "half a year back: 184 of 365 days",
                &yearly,
                "2025-12-31",
                "2025-06-30",
                Some("2025-07-01..2025-12-31 -604.93 prorated due 2025-07-01"),
            ),
            (
                "whole months are credited as billed (2 × 8.33, not 16.67)",
                &monthly,
                "2025-03-31",
                "2025-01-31",
                Some("2025-02-01..2025-03-31 -16.66 due 2025-02-01"),
            ),
            (
                "half of February (14 of 28 days = 4.17) and March",
                &monthly,
                "2025-03-31",
                "2025-02-14",
                Some("2025-02-15..2025-03-31 -12.50 prorated due 2025-02-15"),
            ),
            (
                "end before the start credits everything billed",
                &monthly,
                "2025-01-31",
                "2024-12-01",
                Some("2025-01-01..2025-01-31 -8.33 due 2025-01-01"),
            ),
            (
                "end on the billed-until day",
                &monthly,
                "2025-03-31",
                "2025-03-31",
                None,
            ),
            (
                "end after the billed-until day",
                &monthly,
                "2025-03-31",
                "2025-04-30",
                None,
            ),
            (
                "nothing billed yet",
                &monthly,
                "2024-12-31",
                "2024-12-01",
                None,
            ),
            (
                "a free contract credits 0.00, not -0.00",
                &free,
                "2025-03-31",
                "2025-02-14",
                Some("2025-02-15..2025-03-31 0.00 prorated due 2025-02-15"),
            ),
        ] {
            let credit = credit_for_early_end(terms, d(billed_until), d(new_end));
            assert_eq!(credit.as_ref().map(show).as_deref(), expected, "{name}");
        }
    }

    #[test]
    fn earliest_possible_ends() {
        use BillingInterval::*;
        use NoticeUnit::*;
        let contract = |start: &str, end: Option<&str>, interval| {
            terms(
                start,
                end,
                "10.00",
                FeeUnit::Month,
                interval,
                BillingMode::InAdvance,
            )
        };
        for (name, terms, minimum_term, amount, unit, notice_given, expected) in [
            (
                "minimum term of 12 months decides",
                contract("2025-01-01", None, Monthly),
                12,
                1,
                Months,
                "2025-03-10",
                "2025-12-31",
            ),
            (
                "notice late in the minimum term pushes into the next period",
                contract("2025-01-01", None, Monthly),
                12,
                1,
                Months,
                "2025-12-15",
                "2026-01-31",
            ),
            (
                "14 days, no minimum term: just in time",
                contract("2025-01-01", None, Monthly),
                0,
                14,
                Days,
                "2025-03-18",
                "2025-03-31",
            ),
            (
                "14 days, one day too late",
                contract("2025-01-01", None, Monthly),
                0,
                14,
                Days,
                "2025-03-19",
                "2025-04-30",
            ),
            (
                "6 weeks before the yearly renewal",
                contract("2025-07-01", None, Yearly),
                0,
                6,
                Weeks,
                "2026-05-19",
                "2026-06-30",
            ),
            (
                "6 weeks, two days too late: another year",
                contract("2025-07-01", None, Yearly),
                0,
                6,
                Weeks,
                "2026-05-21",
                "2027-06-30",
            ),
            (
                "quarterly, 24 months minimum, 3 months notice early on",
                contract("2025-01-01", None, Quarterly),
                24,
                3,
                Months,
                "2025-02-01",
                "2026-12-31",
            ),
            (
                "3 months notice on the first day of the last quarter",
                contract("2025-01-01", None, Quarterly),
                24,
                3,
                Months,
                "2026-10-01",
                "2026-12-31",
            ),
            (
                "3 months notice a day later",
                contract("2025-01-01", None, Quarterly),
                24,
                3,
                Months,
                "2026-10-02",
                "2027-03-31",
            ),
            (
                "one month minimum from the 31st ends before the next anchor",
                contract("2025-01-31", None, Monthly),
                1,
                0,
                Days,
                "2025-01-31",
                "2025-02-27",
            ),
            (
                "notice before the start still ends a period",
                contract("2025-01-01", None, Monthly),
                0,
                1,
                Weeks,
                "2024-12-01",
                "2025-01-31",
            ),
            (
                "a fixed end before the earliest end stays",
                contract("2025-01-01", Some("2025-06-30"), Monthly),
                12,
                3,
                Months,
                "2025-02-01",
                "2025-06-30",
            ),
        ] {
            let notice = NoticePeriod { amount, unit };
            assert_eq!(
                earliest_end(&terms, minimum_term, notice, d(notice_given)),
                d(expected),
                "{name}"
            );
        }
    }

    #[test]
    fn serde_names() {
        assert_eq!(
            serde_json::to_string(&BillingInterval::HalfYearly).unwrap(),
            "\"half_yearly\""
        );
        assert_eq!(
            serde_json::to_string(&FeeUnit::TwoYears).unwrap(),
            "\"two_years\""
        );
        assert_eq!(
            serde_json::to_string(&BillingMode::InArrears).unwrap(),
            "\"in_arrears\""
        );
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        // 2000-01-01 ..= 2100-12-31
        (0u64..36890).prop_map(|offset| d("2000-01-01") + Days::new(offset))
    }

    fn any_interval() -> impl Strategy<Value = BillingInterval> {
        prop::sample::select(INTERVALS.to_vec())
    }

    fn any_terms() -> impl Strategy<Value = Terms> {
        (
            any_date(),
            prop::option::of(0u64..3000),
            1i64..10_000_000,
            prop::sample::select(FEE_UNITS.to_vec()),
            1i64..1000,
            0i64..=100,
            any_interval(),
            prop::sample::select(MODES.to_vec()),
        )
            .prop_map(
                |(start, length, fee_cents, fee_unit, quantity, discount, interval, mode)| Terms {
                    start,
                    end: length.map(|days| start + Days::new(days)),
                    fee: Decimal::new(fee_cents, 2),
                    fee_unit,
                    quantity: Decimal::from(quantity),
                    discount_percent: Decimal::from(discount),
                    interval,
                    mode,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn consecutive_periods_touch(start in any_date(), interval in any_interval(), k in 0u32..300) {
            let this = nth_period(start, interval, k);
            let next = nth_period(start, interval, k + 1);
            prop_assert!(this.from <= this.to);
            prop_assert_eq!(this.to + Days::new(1), next.from);
        }

        #[test]
        fn charges_cover_start_to_end(terms in any_terms(), length in 0u64..3000) {
            let end = terms.start + Days::new(length);
            let terms = Terms { end: Some(end), ..terms };
            let charges = due_charges(&terms, None, d("2200-01-01"));
            prop_assert_eq!(charges.first().map(|c| c.period.from), Some(terms.start));
            prop_assert_eq!(charges.last().map(|c| c.period.to), Some(end));
            for charge in &charges {
                prop_assert!(charge.period.from <= charge.period.to);
                prop_assert!(charge.amount >= Decimal::ZERO);
            }
            for pair in charges.windows(2) {
                prop_assert_eq!(pair[0].period.to + Days::new(1), pair[1].period.from);
            }
        }

        /// A year billed in pieces at arbitrary cut days (as when an end date is extended
        /// again and again) adds up to the yearly fee within a cent per piece.
        #[test]
        fn prorated_parts_add_up_to_the_yearly_fee(
            start in any_date(),
            fee_cents in 1i64..100_000_000,
            cut_offsets in prop::collection::btree_set(0u64..366, 0..8),
        ) {
            let fee = Decimal::new(fee_cents, 2);
            let year = nth_period(start, BillingInterval::Yearly, 0);
            let mut cuts: Vec<NaiveDate> = cut_offsets
                .into_iter()
                .map(|offset| start + Days::new(offset))
                .filter(|cut| *cut < year.to)
                .collect();
            cuts.push(year.to);
            let mut parts = Vec::new();
            let mut billed_until = None;
            for cut in cuts {
                let terms = Terms {
                    start,
                    end: Some(cut),
                    fee,
                    fee_unit: FeeUnit::Year,
                    quantity: Decimal::ONE,
                    discount_percent: Decimal::ZERO,
                    interval: BillingInterval::Monthly,
                    mode: BillingMode::InArrears,
                };
                parts.extend(due_charges(&terms, billed_until, d("2200-01-01")));
                billed_until = Some(cut);
            }
            let total: Decimal = parts.iter().map(|c| c.amount).sum();
            let tolerance = Decimal::new(1, 2) * Decimal::from(parts.len());
            prop_assert!((total - fee).abs() <= tolerance, "{} vs {} in {} parts", total, fee, parts.len());
        }

        #[test]
        fn billing_again_or_in_steps_changes_nothing(
            terms in any_terms(),
            first_offset in 0u64..4000,
            second_offset in 0u64..4000,
        ) {
            let earlier = terms.start + Days::new(first_offset.min(second_offset)) - Days::new(30);
            let later = terms.start + Days::new(first_offset.max(second_offset));
            let at_once = due_charges(&terms, None, later);
            if let Some(last) = at_once.last() {
                prop_assert!(due_charges(&terms, Some(last.period.to), later).is_empty());
            }
            let mut in_steps = due_charges(&terms, None, earlier);
            let billed_until = in_steps.last().map(|c| c.period.to);
            in_steps.extend(due_charges(&terms, billed_until, later));
            prop_assert_eq!(in_steps, at_once);
        }
    }

    #[test]
    fn price_changes_apply_from_the_first_period_starting_on_or_after_them() {
        let terms = Terms {
            start: d("2025-01-01"),
            end: None,
            fee: dec("19.00"),
            fee_unit: FeeUnit::Month,
            quantity: Decimal::ONE,
            discount_percent: Decimal::ZERO,
            interval: BillingInterval::Quarterly,
            mode: BillingMode::InAdvance,
        };
        let changes = [PriceChange {
            valid_from: d("2025-03-15"),
            fee: dec("21.00"),
        }];
        let charges = upcoming_charges(&terms, &changes, None, 3);
        let amounts: Vec<Decimal> = charges.iter().map(|c| c.amount).collect();
        // the change inside Q1 applies from Q2: history is not rewritten
        assert_eq!(amounts, vec![dec("57.00"), dec("63.00"), dec("63.00")]);
        assert_eq!(charges[1].period, period("2025-04-01", "2025-06-30"));
        assert_eq!(
            priced_on(&terms, &changes, d("2025-03-14")).fee,
            dec("19.00")
        );
    }
}
