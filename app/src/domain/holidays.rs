//! German statutory public holidays per federal state, for planning and capacity.
//!
//! Nine holidays hold nationwide; each state adds its own. Only holidays valid in the
//! whole state count: Fronleichnam in Catholic parts of Sachsen and Thüringen, Mariä
//! Himmelfahrt in Bavarian communities with a Catholic majority and the Augsburger
//! Friedensfest are left out, as are Sundays that are holidays by name only. Rule changes
//! since 2017 are dated (Reformationstag 2017 everywhere and in the north from 2018,
//! Frauentag, Weltkindertag, Berlin's one-off 8 May); earlier history (17 June before 1990,
//! Buß- und Bettag everywhere before 1995) is not modelled. Two holidays can share a day
//! (Christi Himmelfahrt on 1 May 2008): both are listed.

use super::calendar;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// A German federal state (Bundesland), named by its ISO 3166-2:DE code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum FederalState {
    Bw,
    By,
    Be,
    Bb,
    Hb,
    Hh,
    He,
    Mv,
    Ni,
    Nw,
    Rp,
    Sl,
    Sn,
    St,
    Sh,
    Th,
}

impl FederalState {
    pub const ALL: [FederalState; 16] = [
        FederalState::Bw,
        FederalState::By,
        FederalState::Be,
        FederalState::Bb,
        FederalState::Hb,
        FederalState::Hh,
        FederalState::He,
        FederalState::Mv,
        FederalState::Ni,
        FederalState::Nw,
        FederalState::Rp,
        FederalState::Sl,
        FederalState::Sn,
        FederalState::St,
        FederalState::Sh,
        FederalState::Th,
    ];

    /// The ISO 3166-2:DE code without the country: `BW`, `NW`.
    pub fn code(self) -> &'static str {
        match self {
            FederalState::Bw => "BW",
            FederalState::By => "BY",
            FederalState::Be => "BE",
            FederalState::Bb => "BB",
            FederalState::Hb => "HB",
            FederalState::Hh => "HH",
            FederalState::He => "HE",
            FederalState::Mv => "MV",
            FederalState::Ni => "NI",
            FederalState::Nw => "NW",
            FederalState::Rp => "RP",
            FederalState::Sl => "SL",
            FederalState::Sn => "SN",
            FederalState::St => "ST",
            FederalState::Sh => "SH",
            FederalState::Th => "TH",
        }
    }

    /// Reads a code in any case, with or without the country prefix: `nw`, `DE-NW`.
    pub fn parse(text: &str) -> Option<FederalState> {
        let text = text.trim();
        let code = match text.get(..3) {
            Some(prefix) if prefix.eq_ignore_ascii_case("DE-") => text.get(3..).unwrap_or(""),
            _ => text,
        };
        FederalState::ALL
            .into_iter()
            .find(|s| s.code().eq_ignore_ascii_case(code))
    }

    /// The German name: `Nordrhein-Westfalen`.
    pub fn name(self) -> &'static str {
        match self {
            FederalState::Bw => "Baden-Württemberg",
            FederalState::By => "Bayern",
            FederalState::Be => "Berlin",
            FederalState::Bb => "Brandenburg",
            FederalState::Hb => "Bremen",
            FederalState::Hh => "Hamburg",
            FederalState::He => "Hessen",
            FederalState::Mv => "Mecklenburg-Vorpommern",
            FederalState::Ni => "Niedersachsen",
            FederalState::Nw => "Nordrhein-Westfalen",
            FederalState::Rp => "Rheinland-Pfalz",
            FederalState::Sl => "Saarland",
            FederalState::Sn => "Sachsen",
            FederalState::St => "Sachsen-Anhalt",
            FederalState::Sh => "Schleswig-Holstein",
            FederalState::Th => "Thüringen",
        }
    }
}

/// Easter Sunday of the Gregorian calendar; `None` for years outside chrono's range.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    // March 22 is the earliest Easter, 31 December closes the year: both representable
    // means Easter is too
    NaiveDate::from_ymd_opt(year, 3, 22)?;
    NaiveDate::from_ymd_opt(year, 12, 31)?;
    Some(calendar::easter_sunday(year))
}

/// A public holiday with its German and English name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name_de: &'static str,
    pub name_en: &'static str,
}

/// Where a holiday falls: a fixed day, or days after Easter Sunday (negative: before).
#[derive(Clone, Copy)]
enum Rule {
    Fixed(u32, u32),
    Easter(i64),
    /// Buß- und Bettag: the last Wednesday before 23 November.
    RepentanceDay,
}

impl Rule {
    fn date(self, year: i32) -> Option<NaiveDate> {
        match self {
            Rule::Fixed(month, day) => NaiveDate::from_ymd_opt(year, month, day),
            Rule::Easter(offset) => {
                let easter = easter_sunday(year)?;
                let days = Days::new(offset.unsigned_abs());
                if offset < 0 {
                    easter.checked_sub_days(days)
                } else {
                    easter.checked_add_days(days)
                }
            }
            Rule::RepentanceDay => {
                let anchor = NaiveDate::from_ymd_opt(year, 11, 23)?;
                let back = match anchor.weekday() {
                    Weekday::Thu => 1,
                    Weekday::Fri => 2,
                    Weekday::Sat => 3,
                    Weekday::Sun => 4,
                    Weekday::Mon => 5,
                    Weekday::Tue => 6,
                    Weekday::Wed => 7,
                };
                anchor.checked_sub_days(Days::new(back))
            }
        }
    }
}

/// Which states keep a holiday in a given year.
#[derive(Clone, Copy)]
enum Scope {
    All,
    States(&'static [FederalState]),
    From(FederalState, i32),
    Only(FederalState, i32),
}

impl Scope {
    fn covers(self, state: FederalState, year: i32) -> bool {
        match self {
            Scope::All => true,
            Scope::States(states) => states.contains(&state),
            Scope::From(s, first) => s == state && year >= first,
            Scope::Only(s, only) => s == state && year == only,
        }
    }
}

struct Definition {
    rule: Rule,
    name_de: &'static str,
    name_en: &'static str,
    scopes: &'static [Scope],
}

use FederalState::{Bb, Be, Bw, By, Hb, He, Hh, Mv, Ni, Nw, Rp, Sh, Sl, Sn, St, Th};

const DEFINITIONS: [Definition; 20] = [
    Definition {
        rule: Rule::Fixed(1, 1),
        name_de: "Neujahr",
        name_en: "New Year's Day",
        scopes: &[Scope::All],
    },
    Definition {
        rule: Rule::Fixed(1, 6),
        name_de: "Heilige Drei Könige",
        name_en: "Epiphany",
        scopes: &[Scope::States(&[Bw, By, St])],
    },
    Definition {
        rule: Rule::Fixed(3, 8),
        name_de: "Internationaler Frauentag",
        name_en: "International Women's Day",
        scopes: &[Scope::From(Be, 2019), Scope::From(Mv, 2023)],
    },
    Definition {
        rule: Rule::Easter(-2),
        name_de: "Karfreitag",
        name_en: "Good Friday",
        scopes: &[Scope::All],
    },
    Definition {
        rule: Rule::Easter(0),
        name_de: "Ostersonntag",
        name_en: "Easter Sunday",
        scopes: &[Scope::States(&[Bb])],
    },
    Definition {
        rule: Rule::Easter(1),
        name_de: "Ostermontag",
        name_en: "Easter Monday",
        scopes: &[Scope::All],
    },
    Definition {
        rule: Rule::Fixed(5, 1),
        name_de: "Tag der Arbeit",
        name_en: "Labour Day",
        scopes: &[Scope::All],
    },
    Definition {
        // one-off holidays by Berlin law: 75th and 80th anniversary of the war's end
        rule: Rule::Fixed(5, 8),
        name_de: "Tag der Befreiung",
        name_en: "Liberation Day",
        scopes: &[Scope::Only(Be, 2020), Scope::Only(Be, 2025)],
    },
    Definition {
        rule: Rule::Easter(39),
        name_de: "Christi Himmelfahrt",
        name_en: "Ascension Day",
        scopes: &[Scope::All],
    },
    Definition {
        rule: Rule::Easter(49),
        name_de: "Pfingstsonntag",
        name_en: "Whit Sunday",
        scopes: &[Scope::States(&[Bb])],
    },
    Definition {
        rule: Rule::Easter(50),
        name_de: "Pfingstmontag",
        name_en: "Whit Monday",
        scopes: &[Scope::All],
    },
    Definition {
        rule: Rule::Easter(60),
        name_de: "Fronleichnam",
        name_en: "Corpus Christi",
        scopes: &[Scope::States(&[Bw, By, He, Nw, Rp, Sl])],
    },
    Definition {
        rule: Rule::Fixed(8, 15),
        name_de: "Mariä Himmelfahrt",
        name_en: "Assumption Day",
        scopes: &[Scope::States(&[Sl])],
    },
    Definition {
        rule: Rule::Fixed(9, 20),
        name_de: "Weltkindertag",
        name_en: "World Children's Day",
        scopes: &[Scope::From(Th, 2019)],
    },
    Definition {
        rule: Rule::Fixed(10, 3),
        name_de: "Tag der Deutschen Einheit",
        name_en: "German Unity Day",
        scopes: &[Scope::All],
    },
    Definition {
        rule: Rule::Fixed(10, 31),
        name_de: "Reformationstag",
        name_en: "Reformation Day",
        scopes: &[
            Scope::States(&[Bb, Mv, Sn, St, Th]),
            Scope::From(Hb, 2018),
            Scope::From(Hh, 2018),
            Scope::From(Ni, 2018),
            Scope::From(Sh, 2018),
            // 500 years of the Reformation: once in every state
            Scope::Only(Bw, 2017),
            Scope::Only(By, 2017),
            Scope::Only(Be, 2017),
            Scope::Only(Hb, 2017),
            Scope::Only(Hh, 2017),
            Scope::Only(He, 2017),
            Scope::Only(Ni, 2017),
            Scope::Only(Nw, 2017),
            Scope::Only(Rp, 2017),
            Scope::Only(Sl, 2017),
            Scope::Only(Sh, 2017),
        ],
    },
    Definition {
        rule: Rule::Fixed(11, 1),
        name_de: "Allerheiligen",
        name_en: "All Saints' Day",
        scopes: &[Scope::States(&[Bw, By, Nw, Rp, Sl])],
    },
    Definition {
        rule: Rule::RepentanceDay,
        name_de: "Buß- und Bettag",
        name_en: "Day of Repentance and Prayer",
        scopes: &[Scope::States(&[Sn])],
    },
    Definition {
        rule: Rule::Fixed(12, 25),
        name_de: "1. Weihnachtstag",
        name_en: "Christmas Day",
        scopes: &[Scope::All],
    },
    Definition {
        rule: Rule::Fixed(12, 26),
        name_de: "2. Weihnachtstag",
        name_en: "Boxing Day",
        scopes: &[Scope::All],
    },
];

/// The public holidays of a state in a year, by date.
pub fn holidays(year: i32, state: FederalState) -> Vec<Holiday> {
    let mut list: Vec<Holiday> = DEFINITIONS
        .iter()
        .filter(|def| def.scopes.iter().any(|scope| scope.covers(state, year)))
        .filter_map(|def| {
            def.rule.date(year).map(|date| Holiday {
                date,
                name_de: def.name_de,
                name_en: def.name_en,
            })
        })
        .collect();
    list.sort_by_key(|holiday| holiday.date);
    list
}

/// The holiday on `date` in the state, if there is one (the first when two share the day).
pub fn is_holiday(date: NaiveDate, state: FederalState) -> Option<Holiday> {
    holidays(date.year(), state)
        .into_iter()
        .find(|holiday| holiday.date == date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_sundays() {
        for (year, month, day) in [
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(year), Some(d(year, month, day)), "{year}");
        }
        assert_eq!(easter_sunday(i32::MAX), None);
    }

    #[test]
    fn state_codes_and_names() {
        for state in FederalState::ALL {
            assert_eq!(FederalState::parse(state.code()), Some(state));
            assert_eq!(
                FederalState::parse(&state.code().to_ascii_lowercase()),
                Some(state)
            );
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.code()));
        }
        for (text, expected) in [
            (" nw ", Some(FederalState::Nw)),
            ("De-By", Some(FederalState::By)),
            ("DE-", None),
            ("", None),
            ("XX", None),
            ("Bayern", None),
        ] {
            assert_eq!(FederalState::parse(text), expected, "{text:?}");
        }
        assert_eq!(FederalState::Bw.name(), "Baden-Württemberg");
        assert_eq!(FederalState::Nw.name(), "Nordrhein-Westfalen");
        assert_eq!(FederalState::Th.name(), "Thüringen");
    }

    #[test]
    fn counts_per_state_in_2026() {
        use FederalState as S;
        for (state, count) in [
            (S::Bw, 12),
            (S::By, 12),
            (S::Be, 10),
            (S::Bb, 12),
            (S::Hb, 10),
            (S::Hh, 10),
            (S::He, 10),
            (S::Mv, 11),
            (S::Ni, 10),
            (S::Nw, 11),
            (S::Rp, 11),
            (S::Sl, 12),
            (S::Sn, 11),
            (S::St, 11),
            (S::Sh, 10),
            (S::Th, 11),
        ] {
            assert_eq!(holidays(2026, state).len(), count, "{}", state.code());
        }
    }

    #[test]
    fn all_of_bavaria_2026_in_order() {
        let dates: Vec<(NaiveDate, &str)> = holidays(2026, FederalState::By)
            .into_iter()
            .map(|h| (h.date, h.name_de))
            .collect();
        assert_eq!(
            dates,
            vec![
                (d(2026, 1, 1), "Neujahr"),
                (d(2026, 1, 6), "Heilige Drei Könige"),
                (d(2026, 4, 3), "Karfreitag"),
                (d(2026, 4, 6), "Ostermontag"),
                (d(2026, 5, 1), "Tag der Arbeit"),
                (d(2026, 5, 14), "Christi Himmelfahrt"),
                (d(2026, 5, 25), "Pfingstmontag"),
                (d(2026, 6, 4), "Fronleichnam"),
                (d(2026, 10, 3), "Tag der Deutschen Einheit"),
                (d(2026, 11, 1), "Allerheiligen"),
                (d(2026, 12, 25), "1. Weihnachtstag"),
                (d(2026, 12, 26), "2. Weihnachtstag"),
            ]
        );
    }

    #[test]
    fn single_days() {
        use FederalState as S;
        for (date, state, expected) in [
            (d(2026, 11, 18), S::Sn, Some("Buß- und Bettag")),
            (d(2026, 11, 18), S::By, None),
            (d(2025, 11, 19), S::Sn, Some("Buß- und Bettag")),
            // 23 November itself a Wednesday: the week before
            (d(2022, 11, 16), S::Sn, Some("Buß- und Bettag")),
            (d(2026, 3, 8), S::Be, Some("Internationaler Frauentag")),
            (d(2018, 3, 8), S::Be, None),
            (d(2023, 3, 8), S::Mv, Some("Internationaler Frauentag")),
            (d(2022, 3, 8), S::Mv, None),
            (d(2026, 4, 5), S::Bb, Some("Ostersonntag")),
            (d(2026, 4, 5), S::Be, None),
            (d(2026, 5, 24), S::Bb, Some("Pfingstsonntag")),
            (d(2026, 8, 15), S::Sl, Some("Mariä Himmelfahrt")),
            (d(2026, 8, 15), S::By, None),
            (d(2026, 9, 20), S::Th, Some("Weltkindertag")),
            (d(2018, 9, 20), S::Th, None),
            (d(2026, 10, 31), S::Hh, Some("Reformationstag")),
            (d(2017, 10, 31), S::Ni, Some("Reformationstag")),
            (d(2016, 10, 31), S::Ni, None),
            (d(2026, 10, 31), S::Nw, None),
            (d(2025, 5, 8), S::Be, Some("Tag der Befreiung")),
            (d(2026, 5, 8), S::Be, None),
            (d(2026, 6, 4), S::Nw, Some("Fronleichnam")),
            (d(2026, 6, 4), S::Sn, None),
            (d(2026, 12, 24), S::By, None),
        ] {
            assert_eq!(
                is_holiday(date, state).map(|h| h.name_de),
                expected,
                "{date} {}",
                state.code()
            );
        }
    }

    #[test]
    fn reformation_day_2017_everywhere() {
        for state in FederalState::ALL {
            let holiday = is_holiday(d(2017, 10, 31), state);
            assert_eq!(holiday.map(|h| h.name_en), Some("Reformation Day"));
        }
    }

    #[test]
    fn shared_day_lists_both() {
        // Ascension fell on Labour Day in 2008
        let on_may_first = holidays(2008, FederalState::He)
            .into_iter()
            .filter(|h| h.date == d(2008, 5, 1))
            .count();
        assert_eq!(on_may_first, 2);
    }
}
