//! A person's capacity and planned load per week, for resource planning.
//!
//! Capacity is the person's regular hours on each weekday, less the public holidays of
//! their federal state and their absences (whole days). An assignment books hours per week
//! over a date range; a week the range only touches gets the share of the person's
//! regular hours that falls inside it. Load compares planned hours with capacity.

use super::holidays::{holidays, FederalState};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Regular working hours from Monday to Sunday.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyHours(pub [Decimal; 7]);

impl Default for WeeklyHours {
    /// Eight hours Monday to Friday.
    fn default() -> Self {
        let day = Decimal::from(8);
        WeeklyHours([day, day, day, day, day, Decimal::ZERO, Decimal::ZERO])
    }
}

impl WeeklyHours {
    pub fn total(&self) -> Decimal {
        self.0.iter().copied().sum()
    }

    /// The regular hours on the weekday of `date`.
    pub fn on(&self, date: NaiveDate) -> Decimal {
        let index = match date.weekday() {
            Weekday::Mon => 0,
            Weekday::Tue => 1,
            Weekday::Wed => 2,
            Weekday::Thu => 3,
            Weekday::Fri => 4,
            Weekday::Sat => 5,
            Weekday::Sun => 6,
        };
        self.0[index]
    }
}

/// Whole days away (leave, illness), `from` and `to` included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Absence {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Absence {
    fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

/// The Monday of the ISO week `date` falls in.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    let back = Days::new(u64::from(date.weekday().num_days_from_monday()));
    date.checked_sub_days(back).unwrap_or(NaiveDate::MIN)
}

/// The days from `from` to `to`, both included; none when `to` is earlier.
fn days(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |day| *day <= to)
}

/// Hours available from `from` to `to` (both included): the regular hours of every day that
/// is neither a public holiday of the state nor inside an absence.
pub fn capacity(
    hours: &WeeklyHours,
    state: FederalState,
    absences: &[Absence],
    from: NaiveDate,
    to: NaiveDate,
) -> Decimal {
    // holidays are computed once per year, not once per day
    let mut year_holidays: Option<(i32, Vec<NaiveDate>)> = None;
    let mut total = Decimal::ZERO;
    for day in days(from, to) {
        let regular = hours.on(day);
        if regular.is_zero() || absences.iter().any(|absence| absence.contains(day)) {
            continue;
        }
        let dates = match &year_holidays {
            Some((year, dates)) if *year == day.year() => dates,
            _ => {
                let dates = holidays(day.year(), state)
                    .into_iter()
                    .map(|holiday| holiday.date)
                    .collect();
                &year_holidays.insert((day.year(), dates)).1
            }
        };
        if !dates.contains(&day) {
            total += regular;
        }
    }
    total
}

/// Hours per week booked for a person from `from` to `to` (both included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub hours_per_week: Decimal,
}

/// The hours an assignment plans in the week starting `monday` (any day of the week will do):
/// `hours_per_week` in a week it fully covers, else the share of the person's regular weekly
/// hours on the covered days (calendar days for someone with no regular hours), to the
/// hundredth. Holidays do not reduce it: they show as less capacity instead.
pub fn planned_in_week(assignment: &Assignment, hours: &WeeklyHours, monday: NaiveDate) -> Decimal {
    let monday = week_start(monday);
    let sunday = monday
        .checked_add_days(Days::new(6))
        .unwrap_or(NaiveDate::MAX);
    let first = monday.max(assignment.from);
    let last = sunday.min(assignment.to);
    if first > last {
        return Decimal::ZERO;
    }
    if first == monday && last == sunday {
        return assignment.hours_per_week;
    }
    let weekly = hours.total();
    let (part, whole) = if weekly.is_zero() {
        let covered = days(first, last).count();
        (Decimal::from(covered), Decimal::from(7))
    } else {
        (days(first, last).map(|day| hours.on(day)).sum(), weekly)
    };
    assignment
        .hours_per_week
        .checked_mul(part)
        .and_then(|booked| booked.checked_div(whole))
        .unwrap_or(Decimal::ZERO)
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// How booked a person is: the traffic light of a planning grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Load {
    /// Less than half the capacity planned.
    Free,
    /// From half to less than 85 %.
    Partly,
    /// From 85 % to 100 %.
    Full,
    Overbooked,
}

/// Classifies planned hours against capacity; without capacity any planned hour overbooks.
pub fn load(planned: Decimal, capacity: Decimal) -> Load {
    if capacity <= Decimal::ZERO {
        return if planned <= Decimal::ZERO {
            Load::Free
        } else {
            Load::Overbooked
        };
    }
    let Some(utilization) = planned.checked_div(capacity) else {
        return Load::Overbooked;
    };
    if utilization < Decimal::new(5, 1) {
        Load::Free
    } else if utilization < Decimal::new(85, 2) {
        Load::Partly
    } else if utilization <= Decimal::ONE {
        Load::Full
    } else {
        Load::Overbooked
    }
}

/// Planned hours as whole percent of capacity, halves rounded up; `None` without capacity.
pub fn utilization_percent(planned: Decimal, capacity: Decimal) -> Option<Decimal> {
    if capacity <= Decimal::ZERO {
        return None;
    }
    planned
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(capacity)
        .map(|percent| percent.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn part_time() -> WeeklyHours {
        // 30 h: long Monday and Tuesday, short Wednesday, nothing later
        WeeklyHours([
            dec("12"),
            dec("12"),
            dec("6"),
            dec("0"),
            dec("0"),
            dec("0"),
            dec("0"),
        ])
    }

    #[test]
    fn weekly_hours() {
        let hours = WeeklyHours::default();
        assert_eq!(hours.total(), dec("40"));
        assert_eq!(hours.on(d(2026, 5, 29)), dec("8"));
        assert_eq!(hours.on(d(2026, 5, 30)), dec("0"));
        assert_eq!(part_time().total(), dec("30"));
        assert_eq!(part_time().on(d(2026, 6, 3)), dec("6"));
    }

    #[test]
    fn week_starts() {
        for (date, monday) in [
            (d(2026, 5, 25), d(2026, 5, 25)),
            (d(2026, 5, 31), d(2026, 5, 25)),
            (d(2026, 5, 28), d(2026, 5, 25)),
            // ISO week 53 of 2026 runs into 2027
            (d(2027, 1, 1), d(2026, 12, 28)),
        ] {
            assert_eq!(week_start(date), monday, "{date}");
        }
    }

    #[test]
    fn capacity_of_weeks() {
        use FederalState as S;
        let default = WeeklyHours::default();
        let none: &[Absence] = &[];
        // 2026-06-05 (Fri) to 2026-06-08 (Mon): leave over a weekend
        let long_weekend = [Absence {
            from: d(2026, 6, 5),
            to: d(2026, 6, 8),
        }];
        for (hours, state, absences, from, to, expected) in [
            (default, S::Nw, none, d(2026, 5, 18), d(2026, 5, 24), "40"),
            // Pfingstmontag
            (default, S::Nw, none, d(2026, 5, 25), d(2026, 5, 31), "32"),
            // Fronleichnam on Thursday 4 June counts in NW, not in BE
            (default, S::Nw, none, d(2026, 6, 1), d(2026, 6, 7), "32"),
            (default, S::Be, none, d(2026, 6, 1), d(2026, 6, 7), "40"),
            (
                default,
                S::Nw,
                &long_weekend,
                d(2026, 6, 1),
                d(2026, 6, 7),
                "24",
            ),
            (
                default,
                S::Be,
                &long_weekend,
                d(2026, 6, 1),
                d(2026, 6, 7),
                "32",
            ),
            (
                default,
                S::Be,
                &long_weekend,
                d(2026, 6, 8),
                d(2026, 6, 14),
                "32",
            ),
            // over the new year: Christmas Day and New Year's Day are Fridays, 26 Dec a Saturday
            (default, S::By, none, d(2026, 12, 21), d(2027, 1, 3), "64"),
            (
                part_time(),
                S::Nw,
                none,
                d(2026, 5, 25),
                d(2026, 5, 31),
                "18",
            ),
            (
                part_time(),
                S::Nw,
                &long_weekend,
                d(2026, 6, 1),
                d(2026, 6, 14),
                "48",
            ),
            // one day, and an empty range
            (default, S::Sn, none, d(2026, 11, 18), d(2026, 11, 18), "0"),
            (default, S::By, none, d(2026, 11, 18), d(2026, 11, 18), "8"),
            (default, S::By, none, d(2026, 6, 7), d(2026, 6, 1), "0"),
        ] {
            assert_eq!(
                capacity(&hours, state, absences, from, to),
                dec(expected),
                "{} {from}..{to}",
                state.code()
            );
        }
    }

    #[test]
    fn planned_hours_per_week() {
        let default = WeeklyHours::default();
        let no_hours = WeeklyHours([Decimal::ZERO; 7]);
        let three_days = WeeklyHours([
            dec("8"),
            dec("8"),
            dec("8"),
            dec("0"),
            dec("0"),
            dec("0"),
            dec("0"),
        ]);
        let monday = d(2026, 6, 1);
        let assignment = |from, to, hours: &str| Assignment {
            from,
            to,
            hours_per_week: dec(hours),
        };
        for (booked, hours, week, expected) in [
            // covers the whole week
            (
                assignment(d(2026, 5, 1), d(2026, 6, 30), "20"),
                default,
                monday,
                "20",
            ),
            (
                assignment(monday, d(2026, 6, 7), "12.345"),
                default,
                monday,
                "12.345",
            ),
            // any day names its week
            (
                assignment(d(2026, 5, 1), d(2026, 6, 30), "20"),
                default,
                d(2026, 6, 4),
                "20",
            ),
            // starts Wednesday: 24 of 40 regular hours
            (
                assignment(d(2026, 6, 3), d(2026, 6, 30), "20"),
                default,
                monday,
                "12.00",
            ),
            // ends Tuesday: 16 of 40
            (
                assignment(d(2026, 5, 1), d(2026, 6, 2), "20"),
                default,
                monday,
                "8.00",
            ),
            // only the weekend, when the person does not work
            (
                assignment(d(2026, 6, 6), d(2026, 6, 30), "20"),
                default,
                monday,
                "0",
            ),
            // a single Wednesday of a part-timer: 6 of 30
            (
                assignment(d(2026, 6, 3), d(2026, 6, 3), "10"),
                part_time(),
                monday,
                "2.00",
            ),
            // thirds round to the hundredth
            (assignment(monday, monday, "10"), three_days, monday, "3.33"),
            // no regular hours: calendar days, 3 of 7
            (
                assignment(d(2026, 6, 5), d(2026, 6, 30), "10"),
                no_hours,
                monday,
                "4.29",
            ),
            // no overlap
            (
                assignment(d(2026, 6, 8), d(2026, 6, 30), "20"),
                default,
                monday,
                "0",
            ),
            (
                assignment(d(2026, 5, 1), d(2026, 5, 31), "20"),
                default,
                monday,
                "0",
            ),
            (
                assignment(d(2026, 6, 30), d(2026, 6, 1), "20"),
                default,
                monday,
                "0",
            ),
        ] {
            assert_eq!(
                planned_in_week(&booked, &hours, week),
                dec(expected),
                "{}..{} in week {week}",
                booked.from,
                booked.to
            );
        }
    }

    #[test]
    fn load_levels() {
        for (planned, capacity, expected, percent) in [
            ("0", "0", Load::Free, None),
            ("1", "0", Load::Overbooked, None),
            ("0", "40", Load::Free, Some("0")),
            ("19.99", "40", Load::Free, Some("50")),
            ("20", "40", Load::Partly, Some("50")),
            ("33.99", "40", Load::Partly, Some("85")),
            ("34", "40", Load::Full, Some("85")),
            ("40", "40", Load::Full, Some("100")),
            ("40.01", "40", Load::Overbooked, Some("100")),
            ("60", "40", Load::Overbooked, Some("150")),
            ("1", "3", Load::Free, Some("33")),
            ("2", "3", Load::Partly, Some("67")),
            ("1", "8", Load::Free, Some("13")),
        ] {
            let (planned, capacity) = (dec(planned), dec(capacity));
            assert_eq!(load(planned, capacity), expected, "{planned}/{capacity}");
            assert_eq!(
                utilization_percent(planned, capacity),
                percent.map(dec),
                "{planned}/{capacity}"
            );
        }
    }
}
