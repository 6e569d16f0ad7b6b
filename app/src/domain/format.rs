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

pub fn date(value: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::De => value.format("%d.%m.%Y").to_string(),
        Lang::En => {
            let month = usize::try_from(value.month0())
                .ok()
                .and_then(|m| MONTHS_EN.get(m))
                .copied()
                .unwrap_or("");
            format!("{} {} {}", value.day(), month, value.year())
        }
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
}
