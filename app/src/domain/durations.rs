//! Durations as people type them into a timesheet, and how booked time is rounded.
//!
//! A bare number means hours (`2`, `1,5`, `1.5`); `1:30` is hours and minutes; units
//! name the rest (`90m`, `90 min`, `2h`, `1h 30m`, `1 Std. 30`). Decimal hours round to the
//! nearest minute. Nothing negative and nothing over a day (24 h) is a duration.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The longest duration one entry may have.
const MAX_MINUTES: u32 = 24 * 60;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Token {
    /// A plain number, possibly with a fraction.
    Number(Decimal),
    /// `H:MM`, already in minutes.
    Clock(Decimal),
    Hours,
    Minutes,
}

fn unit(word: &str) -> Option<Token> {
    match word.to_lowercase().as_str() {
        "h" | "hr" | "hrs" | "hour" | "hours" | "std" | "stunde" | "stunden" => Some(Token::Hours),
        "m" | "min" | "mins" | "minute" | "minutes" | "minuten" => Some(Token::Minutes),
        _ => None,
    }
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_digit())
}

/// `12`, `1,5`, `1.5`, `,5` or `1:30`.
fn number(text: &str) -> Option<Token> {
    if let Some((hours, minutes)) = text.split_once(':') {
        if !all_digits(hours) || !all_digits(minutes) || minutes.len() != 2 {
            return None;
        }
        let minutes = Decimal::from_str(minutes).ok()?;
        if minutes >= Decimal::from(60) {
            return None;
        }
        let hours = Decimal::from_str(hours).ok()?;
        return Some(Token::Clock(
            hours.checked_mul(Decimal::from(60))?.checked_add(minutes)?,
        ));
    }
    let value = match text.split_once([',', '.']) {
        None if all_digits(text) => Decimal::from_str(text),
        Some((int, frac)) if (int.is_empty() || all_digits(int)) && all_digits(frac) => {
            Decimal::from_str(&format!("0{int}.{frac}"))
        }
        _ => return None,
    };
    value.ok().map(Token::Number)
}

fn tokens(text: &str) -> Option<Vec<Token>> {
    let is_numeric = |c: char| c.is_ascii_digit() || matches!(c, ',' | '.' | ':');
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while let Some(first) = rest.chars().next() {
        if is_numeric(first) {
            let end = rest.find(|c: char| !is_numeric(c)).unwrap_or(rest.len());
            let (word, after) = rest.split_at(end);
            out.push(number(word)?);
            rest = after;
        } else if first.is_alphabetic() {
            let end = rest
                .find(|c: char| !c.is_alphabetic())
                .unwrap_or(rest.len());
            let (word, after) = rest.split_at(end);
            out.push(unit(word)?);
            // the dot of an abbreviation (`Std.`, `Min.`), unless a fraction follows
            rest = match after.strip_prefix('.') {
                Some(tail) if !tail.starts_with(|c: char| c.is_ascii_digit()) => tail,
                _ => after,
            };
        } else {
            return None;
        }
        rest = rest.trim_start();
    }
    Some(out)
}

fn whole(value: Decimal) -> bool {
    value.fract().is_zero()
}

/// Minutes from a duration as typed: `1,5`, `1.5`, `1:30`, `90m`, `90 min`, `2h`, `1h 30m`,
/// `1 h 30`, `2` (hours). `None` for anything else, negative or longer than 24 hours.
pub fn parse_duration(text: &str) -> Option<u32> {
    let sixty = Decimal::from(60);
    let minutes = match tokens(text)?.as_slice() {
        [Token::Number(hours)] | [Token::Number(hours), Token::Hours] => {
            hours.checked_mul(sixty)?
        }
        [Token::Clock(minutes)] | [Token::Clock(minutes), Token::Hours] => *minutes,
        [Token::Number(minutes), Token::Minutes] if whole(*minutes) => *minutes,
        [Token::Number(hours), Token::Hours, Token::Number(minutes)]
        | [Token::Number(hours), Token::Hours, Token::Number(minutes), Token::Minutes]
            if whole(*hours) && whole(*minutes) && *minutes < sixty =>
        {
            hours.checked_mul(sixty)?.checked_add(*minutes)?
        }
        _ => return None,
    };
    minutes
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_u32()
        .filter(|minutes| *minutes <= MAX_MINUTES)
}

/// Minutes as hours to the hundredth: 90 → 1.50.
pub fn hours_decimal(minutes: i64) -> Decimal {
    (Decimal::from(minutes) / Decimal::from(60))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Minutes as German decimal hours: `1,50`, `-0,25`. No thousands separator, so the text
/// also serves CSV exports.
pub fn format_hours(minutes: i64) -> String {
    format!("{:.2}", hours_decimal(minutes)).replace('.', ",")
}

/// Which way booked time moves to the next step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    Up,
    Down,
    /// Halves round up.
    Nearest,
}

impl RoundingMode {
    pub const ALL: [RoundingMode; 3] =
        [RoundingMode::Up, RoundingMode::Down, RoundingMode::Nearest];

    pub fn as_str(self) -> &'static str {
        match self {
            RoundingMode::Up => "up",
            RoundingMode::Down => "down",
            RoundingMode::Nearest => "nearest",
        }
    }

    pub fn parse(text: &str) -> Option<RoundingMode> {
        RoundingMode::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

/// Rounds booked minutes to a multiple of a step (15 → quarter hours).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rounding {
    pub step_minutes: u32,
    pub mode: RoundingMode,
}

impl Default for Rounding {
    /// Whole minutes: no rounding.
    fn default() -> Self {
        Rounding {
            step_minutes: 1,
            mode: RoundingMode::Up,
        }
    }
}

impl Rounding {
    /// The rounded minutes; a step of 0 or 1 leaves them as they are.
    pub fn apply(self, minutes: u32) -> u32 {
        let step = self.step_minutes;
        if step <= 1 {
            return minutes;
        }
        let rest = minutes % step;
        if rest == 0 {
            return minutes;
        }
        let down = minutes - rest;
        // past u32::MAX the multiple below is the nearest one that exists
        let up = down.checked_add(step).unwrap_or(down);
        match self.mode {
            RoundingMode::Down => down,
            RoundingMode::Up => up,
            RoundingMode::Nearest if rest >= step - rest => up,
            RoundingMode::Nearest => down,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn typed_durations() {
        for (text, expected) in [
            ("2", Some(120)),
            ("1,5", Some(90)),
            ("1.5", Some(90)),
            (",5", Some(30)),
            ("0,25", Some(15)),
            (" 1,75 ", Some(105)),
            ("1:30", Some(90)),
            ("0:45", Some(45)),
            ("24:00", Some(1440)),
            ("1:30 h", Some(90)),
            ("90m", Some(90)),
            ("90 min", Some(90)),
            ("90 Min.", Some(90)),
            ("45 Minuten", Some(45)),
            ("2h", Some(120)),
            ("2 Std.", Some(120)),
            ("1,5h", Some(90)),
            ("1.5 hours", Some(90)),
            ("1h 30m", Some(90)),
            ("1h30m", Some(90)),
            ("1h30", Some(90)),
            ("1 h 30", Some(90)),
            ("1 Std. 30 Min.", Some(90)),
            ("0", Some(0)),
            ("0m", Some(0)),
            ("1440m", Some(1440)),
            ("24", Some(1440)),
            // decimal hours to the nearest minute: 0.6, 0.498 and 0.5 minutes
            ("0,01", Some(1)),
            ("0,0083", Some(0)),
            ("0,125", Some(8)),
            ("", None),
            ("   ", None),
            ("-1", None),
            ("-0:30", None),
            ("+1", None),
            ("abc", None),
            ("1 Tag", None),
            ("24,01", None),
            ("25", None),
            ("1441m", None),
            ("24:01", None),
            ("1:5", None),
            ("1:60", None),
            (":30", None),
            ("1:30:00", None),
            ("1,", None),
            ("1.000,5", None),
            ("1,5 m", None),
            ("1,5h 30m", None),
            ("1h 60m", None),
            ("1h 30h", None),
            ("30m 1h", None),
            ("1 2", None),
            ("h", None),
            ("99999999999999999999999999999999", None),
        ] {
            assert_eq!(parse_duration(text), expected, "{text:?}");
        }
    }

    #[test]
    fn hours_as_decimals_and_text() {
        for (minutes, decimal, text) in [
            (90, "1.5", "1,50"),
            (15, "0.25", "0,25"),
            (720, "12", "12,00"),
            (0, "0", "0,00"),
            (1, "0.02", "0,02"),
            (20, "0.33", "0,33"),
            (40, "0.67", "0,67"),
            (-15, "-0.25", "-0,25"),
            (-90, "-1.5", "-1,50"),
            (60_000, "1000", "1000,00"),
        ] {
            assert_eq!(
                hours_decimal(minutes),
                Decimal::from_str(decimal).unwrap(),
                "{minutes}"
            );
            assert_eq!(format_hours(minutes), text, "{minutes}");
        }
    }

    #[test]
    fn rounding_steps() {
        use RoundingMode::{Down, Nearest, Up};
        for (step, mode, minutes, expected) in [
            (0, Up, 7, 7),
            (1, Nearest, 7, 7),
            (15, Up, 0, 0),
            (15, Up, 1, 15),
            (15, Up, 15, 15),
            (15, Up, 16, 30),
            (15, Down, 14, 0),
            (15, Down, 29, 15),
            (15, Nearest, 7, 0),
            (15, Nearest, 8, 15),
            (10, Nearest, 5, 10),
            (10, Nearest, 4, 0),
            (6, Nearest, 3, 6),
            (30, Nearest, 44, 30),
            (30, Nearest, 45, 60),
            (7, Up, u32::MAX, u32::MAX - 3),
        ] {
            let rounding = Rounding {
                step_minutes: step,
                mode,
            };
            assert_eq!(
                rounding.apply(minutes),
                expected,
                "{step} {mode:?} {minutes}"
            );
        }
        assert_eq!(Rounding::default().apply(61), 61);
    }

    #[test]
    fn mode_names() {
        for mode in RoundingMode::ALL {
            assert_eq!(RoundingMode::parse(mode.as_str()), Some(mode));
            let json = serde_json::to_string(&mode).unwrap();
            assert_eq!(json, format!("\"{}\"", mode.as_str()));
        }
        assert_eq!(RoundingMode::parse("Up"), None);
    }

    fn any_mode() -> impl Strategy<Value = RoundingMode> {
        prop::sample::select(RoundingMode::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn rounded_minutes_are_the_nearest_steps(
            step in 2u32..120,
            mode in any_mode(),
            minutes in 0u32..100_000,
        ) {
            let rounded = Rounding { step_minutes: step, mode }.apply(minutes);
            prop_assert_eq!(rounded % step, 0);
            prop_assert!(rounded.abs_diff(minutes) < step);
            match mode {
                RoundingMode::Up => prop_assert!(rounded >= minutes),
                RoundingMode::Down => prop_assert!(rounded <= minutes),
                RoundingMode::Nearest => prop_assert!(2 * rounded.abs_diff(minutes) <= step),
            }
            prop_assert_eq!(Rounding { step_minutes: step, mode }.apply(rounded), rounded);
        }

        #[test]
        fn clock_and_minute_texts_read_back(minutes in 0u32..=1440) {
            let clock = format!("{}:{:02}", minutes / 60, minutes % 60);
            prop_assert_eq!(parse_duration(&clock), Some(minutes));
            prop_assert_eq!(parse_duration(&format!("{minutes}m")), Some(minutes));
            prop_assert_eq!(parse_duration(&format!("{} h {}", minutes / 60, minutes % 60)), Some(minutes));
            let hours = format_hours(i64::from(minutes));
            let read = parse_duration(&hours).unwrap();
            // two decimals of an hour are 36 seconds: within a minute
            prop_assert!(read.abs_diff(minutes) <= 1);
        }
    }
}
