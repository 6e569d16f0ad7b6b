//! iCalendar (RFC 5545) feeds: whole-day events such as milestones and absences.
//! Text is escaped (backslash, semicolon, comma, line breaks), lines are folded at 75
//! octets without splitting a character, and every line ends in CRLF.

use chrono::{DateTime, NaiveDate, Utc};

/// A whole-day event from `first` to `last` (both included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayEvent {
    /// Stable across fetches, so calendars update the event instead of adding it again.
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// A link back into Kontor.
    pub url: Option<String>,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded: continuation lines start with a space.
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn day(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

/// The calendar named `name` with its events, stamped `now`.
pub fn calendar(name: &str, events: &[DayEvent], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Kontor//Kontor//DE",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        push_line(&mut out, line);
    }
    push_line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    for event in events {
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:{}", escape(&event.uid)));
        push_line(&mut out, &format!("DTSTAMP:{stamp}"));
        push_line(
            &mut out,
            &format!("DTSTART;VALUE=DATE:{}", day(event.first)),
        );
        // the end of a whole-day event is the day after (exclusive)
        let end = event.last.succ_opt().unwrap_or(event.last);
        push_line(&mut out, &format!("DTEND;VALUE=DATE:{}", day(end)));
        push_line(&mut out, &format!("SUMMARY:{}", escape(&event.summary)));
        if !event.description.is_empty() {
            push_line(
                &mut out,
                &format!("DESCRIPTION:{}", escape(&event.description)),
            );
        }
        if let Some(url) = &event.url {
            push_line(&mut out, &format!("URL:{url}"));
        }
        push_line(&mut out, "TRANSP:TRANSPARENT");
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_feed_with_escaped_folded_whole_day_events() {
        let event = DayEvent {
            uid: "milestone-1@kontor".to_owned(),
            summary: "P-0001 Relaunch; Design, Abnahme".to_owned(),
            description: "Zeile 1\nZeile 2 \\ Ende".to_owned(),
            first: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            last: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            url: Some("https://kontor.example/projects/1".to_owned()),
        };
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap();
        let text = calendar("Kontor – Meilensteine", &[event], now);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.contains("SUMMARY:P-0001 Relaunch\\; Design\\, Abnahme\r\n"));
        assert!(text.contains("DESCRIPTION:Zeile 1\\nZeile 2 \\\\ Ende\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\n"));
        assert!(text.contains("DTSTAMP:20261203T100000Z\r\n"));
        assert!(text.split("\r\n").all(|line| line.len() <= 75));
    }

    #[test]
    fn long_lines_fold_between_characters() {
        let event = DayEvent {
            uid: "u".to_owned(),
            summary: "Ü".repeat(60),
            description: String::new(),
            first: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            last: NaiveDate::from_ymd_opt(2026, 1, 3).unwrap(),
            url: None,
        };
        let text = calendar(
            "x",
            &[event],
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        );
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{}\r\n", "Ü".repeat(60))));
        assert!(text.split("\r\n").all(|line| line.len() <= 75));
        assert!(text.contains("DTEND;VALUE=DATE:20260104"));
    }
}
