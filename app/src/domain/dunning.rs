//! Dunning rules (German law):
//! - a debtor is in default after the due date (§286 BGB); from then on the statutory
//!   default interest runs: the base rate (Basiszinssatz, §247 BGB, reset by the
//!   Bundesbank on 1 January and 1 July) plus 5 points for consumers, plus 9 points when
//!   no consumer is involved (§288 (1), (2) BGB), per day on the open amount (act/365);
//! - a business debtor also owes a flat 40 € (§288 (5) BGB), which a tenant claims by
//!   setting it as a level's fee;
//! - the levels (reminder, first and final notice) follow each other by days after the due
//!   date; an invoice moves up at most one level per run, and not before the last letter's
//!   payment deadline has passed; a letter names all of a customer's overdue invoices at
//!   the highest level reached.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A dunning level as the tenant configures it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// 1, 2, 3 …
    pub level: i32,
    /// Reached this many days after the due date.
    pub days_after_due: i32,
    /// Charged once per letter at this level.
    pub fee: Decimal,
    /// Whether letters at this level claim default interest.
    pub interest: bool,
}

/// The base rate in force from a date on (percent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaseRate {
    pub from: NaiveDate,
    pub percent: Decimal,
}

/// Points above the base rate: 9 when no consumer is involved, else 5.
pub fn surcharge_points(business: bool) -> Decimal {
    if business {
        Decimal::from(9)
    } else {
        Decimal::from(5)
    }
}

/// Default interest on `open` from the day after `due` up to and including `until`, day
/// by day under the base rate of each day; rounded to the cent.
pub fn default_interest(
    open: Decimal,
    due: NaiveDate,
    until: NaiveDate,
    business: bool,
    rates: &[BaseRate],
) -> Decimal {
    if open <= Decimal::ZERO || until <= due {
        return Decimal::ZERO;
    }
    let points = surcharge_points(business);
    let mut sorted: Vec<&BaseRate> = rates.iter().collect();
    sorted.sort_by_key(|r| r.from);
    let mut total = Decimal::ZERO;
    let mut day = due;
    while let Some(next) = day.succ_opt().filter(|next| *next <= until) {
        day = next;
        let rate = sorted
            .iter()
            .rev()
            .find(|r| r.from <= day)
            .map_or(Decimal::ZERO, |r| r.percent);
        total += open * (rate + points) / Decimal::from(36_500);
    }
    total.round_dp(2)
}

/// The level an invoice `days_overdue` days past due should reach, moving up at most one
/// level from `current` (0 = never dunned). None when it stays where it is.
pub fn next_level(levels: &[Level], current: i32, days_overdue: i64) -> Option<&Level> {
    levels
        .iter()
        .filter(|l| l.level == current + 1)
        .find(|l| days_overdue >= i64::from(l.days_after_due))
}

/// The levels German agencies start with: a friendly reminder, a first notice with a fee,
/// a final notice with fee and interest.
pub fn default_levels() -> Vec<Level> {
    vec![
        Level {
            level: 1,
            days_after_due: 7,
            fee: Decimal::ZERO,
            interest: false,
        },
        Level {
            level: 2,
            days_after_due: 21,
            fee: Decimal::from(5),
            interest: true,
        },
        Level {
            level: 3,
            days_after_due: 35,
            fee: Decimal::from(10),
            interest: true,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn money(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn published_base_rates() -> Vec<BaseRate> {
        [(2025, 1, 1, "2.27"), (2025, 7, 1, "1.27")]
            .into_iter()
            .map(|(y, m, day, p)| BaseRate {
                from: d(y, m, day),
                percent: money(p),
            })
            .collect()
    }

    #[test]
    fn interest_runs_per_day_at_base_rate_plus_points() {
        let rates = published_base_rates();
        // 1,000 € for 30 days in autumn 2025: 1.27 + 9 = 10.27 % → 8.44 €
        assert_eq!(
            default_interest(money("1000"), d(2025, 9, 1), d(2025, 10, 1), true, &rates),
            money("8.44")
        );
        // a consumer: 1.27 + 5 = 6.27 % → 5.15 €
        assert_eq!(
            default_interest(money("1000"), d(2025, 9, 1), d(2025, 10, 1), false, &rates),
            money("5.15")
        );
        assert_eq!(
            default_interest(money("1000"), d(2025, 9, 1), d(2025, 9, 1), true, &rates),
            Decimal::ZERO
        );
    }

    #[test]
    fn a_rate_change_splits_the_period() {
        let rates = published_base_rates();
        // 20 days under 2.27 % (to 30 June), 10 days under 1.27 % (1–10 July), business
        let expected = money("1000") * money("11.27") / money("100") * money("20") / money("365")
            + money("1000") * money("10.27") / money("100") * money("10") / money("365");
        assert_eq!(
            default_interest(money("1000"), d(2025, 6, 10), d(2025, 7, 10), true, &rates),
            expected.round_dp(2)
        );
    }

    #[test]
    fn levels_are_climbed_one_at_a_time() {
        let levels = default_levels();
        assert_eq!(next_level(&levels, 0, 3), None);
        assert_eq!(next_level(&levels, 0, 8).map(|l| l.level), Some(1));
        // 40 days overdue but never reminded: the reminder comes first
        assert_eq!(next_level(&levels, 0, 40).map(|l| l.level), Some(1));
        assert_eq!(next_level(&levels, 1, 22).map(|l| l.level), Some(2));
        assert_eq!(next_level(&levels, 2, 30), None);
        assert_eq!(next_level(&levels, 3, 90), None);
    }
}
