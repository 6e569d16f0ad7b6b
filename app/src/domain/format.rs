//! How numbers, money and dates look to the user: German `1.234,56 €` and `31.12.2026`,
//! English `€1,234.56` and `31 Dec 2026`.

use crate::i18n::Lang;
use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

/// Groups the integer part in threes and uses the language's separators.
pub fn number(value: Decimal, decimals: u32, lang: Lang) -> String {
    let (group, point) = match lang {
        Lang::De => ('.', ','),
        Lang::En => (',', '.'),
    };
    let rounded = value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    let text = format!(
        "{:.*}",
        usize::try_from(decimals).unwrap_or(2),
        rounded.abs()
    );
    let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    if rounded.is_sign_negative() && !rounded.is_zero() {
        out.push('-');
    }
    let digits = int_part.len();
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (digits - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if !frac_part.is_empty() {
        out.push(point);
        out.push_str(frac_part);
    }
    out
}

/// A stored number put back into a form field: whole numbers without decimals, others
/// with all their places but at least two (`12`, `12,50`, `0,125`).
pub fn typed(value: Decimal, lang: Lang) -> String {
    let value = value.normalize();
    let places = if value.scale() > 0 {
        value.scale().max(2)
    } else {
        0
    };
    number(value, places, lang)
}

/// Reads an amount as people type it: `1.234,56` and `19,5` (German) or `1234.56`. A comma
/// makes dots thousands separators; without one a single dot is the decimal point.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let compact: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\'')
        .collect();
    let normalized = if compact.contains(',') {
        compact.replace('.', "").replace(',', ".")
    } else if compact.matches('.').count() > 1 {
        compact.replace('.', "")
    } else {
        compact
    };
    normalized.parse().ok()
}

/// Reads a date as `YYYY-MM-DD` (date inputs, API) or `DD.MM.YYYY` (German).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d.%m.%Y"))
        .ok()
}

fn currency_symbol(currency: &str) -> &str {
    match currency {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        "CHF" => "CHF",
        other => other,
    }
}

/// An amount with its currency, to the cent.
pub fn money(value: Decimal, currency: &str, lang: Lang) -> String {
    let amount = number(value, 2, lang);
    let symbol = currency_symbol(currency);
    match lang {
        Lang::De => format!("{amount}\u{a0}{symbol}"),
        Lang::En => match amount.strip_prefix('-') {
            Some(positive) => format!("-{symbol}{positive}"),
            None => format!("{symbol}{amount}"),
        },
    }
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn english_month(value: NaiveDate) -> &'static str {
    usize::try_from(value.month0())
        .ok()
        .and_then(|m| MONTHS_EN.get(m))
        .copied()
        .unwrap_or("")
}

pub fn date(value: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::De => value.format("%d.%m.%Y").to_string(),
        Lang::En => {
            format!("{} {} {}", value.day(), english_month(value), value.year())
        }
    }
}

/// A month as a chart axis shows it: `11/2026`, `Nov 2026`.
pub fn month(value: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::De => value.format("%m/%Y").to_string(),
        Lang::En => format!("{} {}", english_month(value), value.year()),
    }
}

/// A month on a narrow axis: `11/26`, `Nov 26`.
pub fn month_short(value: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::De => value.format("%m/%y").to_string(),
        Lang::En => format!("{} {}", english_month(value), value.format("%y")),
    }
}

/// An instant shown in the tenant's local time, already converted by the server.
pub fn date_time(value: chrono::NaiveDateTime, lang: Lang) -> String {
    format!("{} {}", date(value.date(), lang), value.format("%H:%M"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn money_in_both_languages() {
        for (value, de, en) in [
            ("1234.56", "1.234,56\u{a0}€", "€1,234.56"),
            ("0", "0,00\u{a0}€", "€0.00"),
            ("-57", "-57,00\u{a0}€", "-€57.00"),
            ("1234567.005", "1.234.567,01\u{a0}€", "€1,234,567.01"),
            ("999.994", "999,99\u{a0}€", "€999.99"),
            ("-0.001", "0,00\u{a0}€", "€0.00"),
        ] {
            assert_eq!(money(dec(value), "EUR", Lang::De), de);
            assert_eq!(money(dec(value), "EUR", Lang::En), en);
        }
    }

    #[test]
    fn numbers_and_dates() {
        assert_eq!(number(dec("1234.5"), 1, Lang::De), "1.234,5");
        assert_eq!(number(dec("123"), 0, Lang::En), "123");
        let d = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default();
        assert_eq!(date(d, Lang::De), "31.12.2026");
        assert_eq!(date(d, Lang::En), "31 Dec 2026");
    }

    #[test]
    fn typed_amounts_and_dates() {
        for (text, expected) in [
            ("19,00", "19.00"),
            ("1.234,56", "1234.56"),
            ("1234.56", "1234.56"),
            (" 57 ", "57"),
            ("1.000.000", "1000000"),
        ] {
            assert_eq!(parse_decimal(text), Some(dec(expected)), "{text}");
        }
        assert_eq!(parse_decimal("zwölf"), None);
        assert_eq!(parse_decimal(""), None);
        let day = NaiveDate::from_ymd_opt(2026, 12, 31);
        assert_eq!(parse_date("2026-12-31"), day);
        assert_eq!(parse_date("31.12.2026"), day);
        assert_eq!(parse_date("31.02.2026"), None);
    }
}
