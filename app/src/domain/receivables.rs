//! Receivables: how overdue an open invoice is (aging buckets as accountants report them)
//! and days sales outstanding.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgingBucket {
    #[serde(rename = "not_due")]
    NotDue,
    #[serde(rename = "days_1_30")]
    Days1To30,
    #[serde(rename = "days_31_60")]
    Days31To60,
    #[serde(rename = "days_61_90")]
    Days61To90,
    #[serde(rename = "over_90")]
    Over90,
}

impl AgingBucket {
    pub const ALL: [AgingBucket; 5] = [
        AgingBucket::NotDue,
        AgingBucket::Days1To30,
        AgingBucket::Days31To60,
        AgingBucket::Days61To90,
        AgingBucket::Over90,
    ];

    /// The bucket of an invoice due on `due` seen on `today`.
    pub fn of(due: NaiveDate, today: NaiveDate) -> AgingBucket {
        AgingBucket::of_days((today - due).num_days())
    }

    /// The bucket of an invoice `days_overdue` days past its due date.
    pub fn of_days(days_overdue: i64) -> AgingBucket {
        match days_overdue {
            ..=0 => AgingBucket::NotDue,
            1..=30 => AgingBucket::Days1To30,
            31..=60 => AgingBucket::Days31To60,
            61..=90 => AgingBucket::Days61To90,
            _ => AgingBucket::Over90,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AgingBucket::NotDue => "not_due",
            AgingBucket::Days1To30 => "days_1_30",
            AgingBucket::Days31To60 => "days_31_60",
            AgingBucket::Days61To90 => "days_61_90",
            AgingBucket::Over90 => "over_90",
        }
    }

    pub fn parse(text: &str) -> Option<AgingBucket> {
        AgingBucket::ALL.into_iter().find(|b| b.as_str() == text)
    }

    pub fn label(self) -> crate::i18n::Key {
        use crate::i18n::Key;
        match self {
            AgingBucket::NotDue => Key::AgingNotDue,
            AgingBucket::Days1To30 => Key::Aging1To30,
            AgingBucket::Days31To60 => Key::Aging31To60,
            AgingBucket::Days61To90 => Key::Aging61To90,
            AgingBucket::Over90 => Key::AgingOver90,
        }
    }

    /// Days overdue that fall in this bucket, for filtering in SQL: (from, to) inclusive.
    pub fn days(self) -> (i32, i32) {
        match self {
            AgingBucket::NotDue => (i32::MIN, 0),
            AgingBucket::Days1To30 => (1, 30),
            AgingBucket::Days31To60 => (31, 60),
            AgingBucket::Days61To90 => (61, 90),
            AgingBucket::Over90 => (91, i32::MAX),
        }
    }
}

/// Days sales outstanding: open receivables against what was invoiced in the last `days`
/// days, in days (one decimal). None when nothing was invoiced.
pub fn days_sales_outstanding(open: Decimal, invoiced: Decimal, days: u32) -> Option<Decimal> {
    if invoiced <= Decimal::ZERO {
        return None;
    }
    Some((open / invoiced * Decimal::from(days)).round_dp(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn buckets_follow_the_days_overdue() {
        let today = d(12, 31);
        assert_eq!(AgingBucket::of(d(12, 31), today), AgingBucket::NotDue);
        assert_eq!(AgingBucket::of(d(12, 30), today), AgingBucket::Days1To30);
        assert_eq!(AgingBucket::of(d(12, 1), today), AgingBucket::Days1To30);
        assert_eq!(AgingBucket::of(d(11, 30), today), AgingBucket::Days31To60);
        assert_eq!(AgingBucket::of(d(10, 2), today), AgingBucket::Days61To90);
        assert_eq!(AgingBucket::of(d(10, 1), today), AgingBucket::Over90);
        assert_eq!(AgingBucket::of(d(9, 1), today), AgingBucket::Over90);
    }

    #[test]
    fn dso_relates_open_items_to_sales() {
        let dso = days_sales_outstanding("30000".parse().unwrap(), "90000".parse().unwrap(), 90);
        assert_eq!(dso, Some("30.0".parse().unwrap()));
        assert_eq!(
            days_sales_outstanding(Decimal::ONE, Decimal::ZERO, 90),
            None
        );
    }
}
