//! The lines people type into an invoice or credit-note draft, checked before they are
//! stored: what each field must hold, and what the whole document must add up to.

use super::format::{parse_date, parse_decimal};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One line as typed (amounts in German or English notation, dates ISO or German).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TypedLine<'a> {
    pub description: &'a str,
    pub quantity: &'a str,
    pub unit_code: &'a str,
    pub unit_price: &'a str,
    pub period_start: &'a str,
    pub period_end: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedLine {
    pub description: String,
    pub quantity: Decimal,
    pub unit_code: String,
    pub unit_price: Decimal,
    pub period: Option<(NaiveDate, NaiveDate)>,
}

/// What is wrong with a field of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineProblem {
    DescriptionMissing,
    DescriptionTooLong,
    /// Not a number, more than four decimals, or too large.
    Quantity,
    QuantityZero,
    /// Not a number, negative (EN 16931 BR-27: discounts are negative quantities), more
    /// than four decimals, or too large.
    UnitPrice,
    /// Not a UN/ECE recommendation 20 code (1–3 capital letters or digits).
    UnitCode,
    Date,
    /// Only one end of the period given.
    PeriodIncomplete,
    PeriodOrder,
}

pub const MAX_DESCRIPTION: usize = 500;
/// numeric(18, 4) and numeric(14, 4) leave 14 and 10 integer digits.
const MAX_QUANTITY: Decimal = Decimal::from_parts(276_447_232, 23_283, 0, false, 0); // 10^14
const MAX_PRICE: Decimal = Decimal::from_parts(1_410_065_408, 2, 0, false, 0); // 10^10

/// Checks a line; the problems are named by field (`description`, `quantity`, …).
pub fn check_line(typed: &TypedLine) -> Result<CheckedLine, Vec<(&'static str, LineProblem)>> {
    let mut problems = Vec::new();
    let description = typed.description.trim();
    if description.is_empty() {
        problems.push(("description", LineProblem::DescriptionMissing));
    } else if description.chars().count() > MAX_DESCRIPTION {
        problems.push(("description", LineProblem::DescriptionTooLong));
    }
    let quantity = match parse_decimal(typed.quantity) {
        Some(q) if q.is_zero() => {
            problems.push(("quantity", LineProblem::QuantityZero));
            Decimal::ZERO
        }
        Some(q) if q.normalize().scale() <= 4 && q.abs() < MAX_QUANTITY => q,
        _ => {
            problems.push(("quantity", LineProblem::Quantity));
            Decimal::ZERO
        }
    };
    let unit_price = match parse_decimal(typed.unit_price) {
        Some(p) if !p.is_sign_negative() && p.normalize().scale() <= 4 && p < MAX_PRICE => p,
        _ => {
            problems.push(("unit_price", LineProblem::UnitPrice));
            Decimal::ZERO
        }
    };
    let unit_code = typed.unit_code.trim().to_ascii_uppercase();
    if !(1..=3).contains(&unit_code.len()) || !unit_code.chars().all(|c| c.is_ascii_alphanumeric())
    {
        problems.push(("unit_code", LineProblem::UnitCode));
    }
    let date = |text: &str, field: &'static str, problems: &mut Vec<_>| {
        if text.trim().is_empty() {
            return None;
        }
        let parsed = parse_date(text);
        if parsed.is_none() {
            problems.push((field, LineProblem::Date));
        }
        parsed
    };
    let start = date(typed.period_start, "period_start", &mut problems);
    let end = date(typed.period_end, "period_end", &mut problems);
    let period = match (
        start,
        end,
        typed.period_start.trim().is_empty(),
        typed.period_end.trim().is_empty(),
    ) {
        (Some(start), Some(end), _, _) if end < start => {
            problems.push(("period_end", LineProblem::PeriodOrder));
            None
        }
        (Some(start), Some(end), _, _) => Some((start, end)),
        (_, _, true, false) => {
            problems.push(("period_start", LineProblem::PeriodIncomplete));
            None
        }
        (_, _, false, true) => {
            problems.push(("period_end", LineProblem::PeriodIncomplete));
            None
        }
        _ => None,
    };
    if problems.is_empty() {
        Ok(CheckedLine {
            description: description.to_owned(),
            quantity,
            unit_code,
            unit_price,
            period,
        })
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn typed<'a>(quantity: &'a str, price: &'a str) -> TypedLine<'a> {
        TypedLine {
            description: "Beratung",
            quantity,
            unit_code: "hur",
            unit_price: price,
            ..TypedLine::default()
        }
    }

    #[test]
    fn german_amounts_and_a_discount_as_negative_quantity() {
        let line = check_line(&typed("1,5", "1.234,50")).unwrap();
        assert_eq!(
            (line.quantity, line.unit_price, line.unit_code.as_str()),
            (dec("1.5"), dec("1234.50"), "HUR")
        );
        assert_eq!(check_line(&typed("-1", "50")).unwrap().quantity, dec("-1"));
    }

    #[test]
    fn each_bad_field_is_named() {
        let problems = check_line(&TypedLine {
            description: " ",
            quantity: "0",
            unit_code: "Stück",
            unit_price: "-5",
            period_start: "2026-02-01",
            period_end: "31.01.2026",
        })
        .unwrap_err();
        assert_eq!(
            problems,
            vec![
                ("description", LineProblem::DescriptionMissing),
                ("quantity", LineProblem::QuantityZero),
                ("unit_price", LineProblem::UnitPrice),
                ("unit_code", LineProblem::UnitCode),
                ("period_end", LineProblem::PeriodOrder),
            ]
        );
        assert_eq!(
            check_line(&typed("1,23456", "zehn")).unwrap_err(),
            vec![
                ("quantity", LineProblem::Quantity),
                ("unit_price", LineProblem::UnitPrice)
            ]
        );
    }

    #[test]
    fn a_period_needs_both_ends() {
        let mut line = typed("1", "10");
        line.period_start = "01.03.2026";
        assert_eq!(
            check_line(&line).unwrap_err(),
            vec![("period_end", LineProblem::PeriodIncomplete)]
        );
        line.period_end = "2026-03-31";
        assert_eq!(
            check_line(&line).unwrap().period,
            Some((
                NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()
            ))
        );
    }
}
