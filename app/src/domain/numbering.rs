//! Document and customer numbers from a tenant's pattern, e.g. `K-{#####}` → `K-00042` or
//! `RE-{YYYY}-{#####}` → `RE-2026-00001`. The counter itself lives in the database (gapless,
//! taken in the same transaction); this module only turns a value into text.

use super::ParseError;

/// A checked number pattern: exactly one `{#…}` counter, optionally `{YYYY}` and `{YY}`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NumberPattern(String);

impl NumberPattern {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let pattern = input.trim();
        if pattern.is_empty() {
            return Err(ParseError::Empty);
        }
        let counters = pattern.matches("{#").count();
        let well_formed = counters == 1
            && pattern.split("{#").nth(1).is_some_and(|rest| {
                let hashes = rest.chars().take_while(|c| *c == '#').count();
                // at most ten digits wide
                hashes <= 9 && rest[hashes..].starts_with('}')
            });
        if !well_formed || pattern.len() > 40 || pattern.chars().any(char::is_control) {
            return Err(ParseError::Format);
        }
        Ok(NumberPattern(pattern.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number for counter `value` in `year`; the counter is zero-padded to the width
    /// of `{#…}` (one `#` plus the padding ones) and never cut.
    pub fn format(&self, value: u64, year: i32) -> String {
        let mut out = self
            .0
            .replace("{YYYY}", &format!("{year:04}"))
            .replace("{YY}", &format!("{:02}", year.rem_euclid(100)));
        if let Some(start) = out.find("{#") {
            let width = out[start + 1..].chars().take_while(|c| *c == '#').count();
            let end = start + 1 + width + 1;
            out.replace_range(start..end, &format!("{value:0width$}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_format_numbers() {
        for (pattern, value, year, expected) in [
            ("K-{#####}", 42, 2026, "K-00042"),
            ("RE-{YYYY}-{#####}", 1, 2026, "RE-2026-00001"),
            ("{YY}{####}", 7, 2009, "090007"),
            ("V{#}", 123456, 2026, "V123456"),
        ] {
            assert_eq!(
                NumberPattern::parse(pattern).map(|p| p.format(value, year)),
                Ok(expected.to_owned()),
                "{pattern}"
            );
        }
    }

    #[test]
    fn broken_patterns_are_refused() {
        for pattern in ["K-00001", "{#}{#}", "RE-{###", "", "{############}"] {
            assert!(NumberPattern::parse(pattern).is_err(), "{pattern}");
        }
    }
}
