//! When a tenant's scheduled billing run is next due.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    /// Runs only when started by hand or through the API.
    #[default]
    Off,
    Daily,
    /// On one weekday (ISO: 1 = Monday … 7 = Sunday).
    Weekly,
    /// On one day of the month, 1 – 28 so that every month has it.
    Monthly,
}

impl Schedule {
    pub const ALL: [Schedule; 4] = [
        Schedule::Off,
        Schedule::Daily,
        Schedule::Weekly,
        Schedule::Monthly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Schedule::Off => "off",
            Schedule::Daily => "daily",
            Schedule::Weekly => "weekly",
            Schedule::Monthly => "monthly",
        }
    }

    pub fn parse(text: &str) -> Option<Schedule> {
        Schedule::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The days `day` may name.
    pub fn day_range(self) -> std::ops::RangeInclusive<u32> {
        match self {
            Schedule::Weekly => 1..=7,
            Schedule::Monthly => 1..=28,
            Schedule::Off | Schedule::Daily => 1..=1,
        }
    }
}

/// The first day on or after `from` the schedule runs on (`None` when it is off).
pub fn next_run_on(schedule: Schedule, day: u32, from: NaiveDate) -> Option<NaiveDate> {
    let matches = |date: NaiveDate| match schedule {
        Schedule::Off => false,
        Schedule::Daily => true,
        Schedule::Weekly => date.weekday().number_from_monday() == day,
        Schedule::Monthly => date.day() == day,
    };
    // a month has at most 31 days, so the day comes within 31 steps or never
    (0..31u64)
        .filter_map(|offset| from.checked_add_days(Days::new(offset)))
        .find(|date| matches(*date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn next_days_of_each_schedule() {
        // 2026-12-03 is a Thursday
        let today = d(2026, 12, 3);
        assert_eq!(next_run_on(Schedule::Off, 1, today), None);
        assert_eq!(next_run_on(Schedule::Daily, 1, today), Some(today));
        assert_eq!(next_run_on(Schedule::Weekly, 4, today), Some(today));
        assert_eq!(
            next_run_on(Schedule::Weekly, 1, today),
            Some(d(2026, 12, 7))
        );
        assert_eq!(
            next_run_on(Schedule::Monthly, 1, today),
            Some(d(2027, 1, 1))
        );
        assert_eq!(
            next_run_on(Schedule::Monthly, 28, d(2027, 2, 1)),
            Some(d(2027, 2, 28))
        );
        assert_eq!(next_run_on(Schedule::Monthly, 3, today), Some(today));
    }
}
