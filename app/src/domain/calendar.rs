//! Calendar facts that business days are made of.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Easter Sunday of the Gregorian calendar (anonymous Gregorian algorithm, "Meeus/Jones/Butcher").
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    u32::try_from(month)
        .ok()
        .zip(u32::try_from(day).ok())
        .and_then(|(month, day)| NaiveDate::from_ymd_opt(year, month, day))
        .unwrap_or(NaiveDate::MIN)
}

/// Days on which the euro payment system (TARGET2) settles: not weekends, New Year,
/// Good Friday, Easter Monday, 1 May, 25 and 26 December. SEPA collections fall due on these.
pub fn is_target_day(date: NaiveDate) -> bool {
    if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        return false;
    }
    let easter = easter_sunday(date.year());
    let fixed = matches!(
        (date.month(), date.day()),
        (1, 1) | (5, 1) | (12, 25) | (12, 26)
    );
    let moving = easter.checked_sub_days(Days::new(2)) == Some(date)
        || easter.checked_add_days(Days::new(1)) == Some(date);
    !(fixed || moving)
}

/// The first TARGET day strictly after `date`.
pub fn next_target_day(date: NaiveDate) -> NaiveDate {
    let mut day = date;
    loop {
        match day.succ_opt() {
            Some(next) => day = next,
            None => return date,
        }
        if is_target_day(day) {
            return day;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_dates_match_the_published_tables() {
        for (year, month, day) in [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(year), d(year, month, day), "{year}");
        }
    }

    #[test]
    fn target_holidays_and_weekends_are_skipped() {
        assert!(!is_target_day(d(2026, 4, 3)), "Good Friday");
        assert!(!is_target_day(d(2026, 4, 6)), "Easter Monday");
        assert!(
            !is_target_day(d(2026, 12, 26)),
            "Boxing Day, a Saturday anyway"
        );
        assert!(!is_target_day(d(2026, 5, 1)));
        assert!(!is_target_day(d(2026, 10, 3)), "a Saturday");
        assert!(is_target_day(d(2026, 12, 3)));
        assert_eq!(next_target_day(d(2026, 12, 24)), d(2026, 12, 28));
        assert_eq!(next_target_day(d(2026, 4, 2)), d(2026, 4, 7));
        assert_eq!(next_target_day(d(2026, 12, 31)), d(2027, 1, 4));
    }
}
