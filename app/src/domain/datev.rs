//! The DATEV booking batch ("EXTF Buchungsstapel", header version 700, format category 21,
//! format version 13) a tax advisor imports: a header line, the 125 column headings, one
//! line per booking; `;`-separated, text in quotes, decimal comma, Windows-1252, CRLF.
//!
//! Accounts follow the standard charts SKR03 and SKR04 with four-digit G/L accounts:
//! revenue goes to DATEV's automatic accounts (DATEV derives the VAT, so no tax key is
//! sent), each customer is a debtor account 10000 – 69999 derived from its customer
//! number, and payments are booked from the bank account against the debtor. Invoice and
//! payment carry the invoice number in "Belegfeld 1", which DATEV's open-item list matches.

use super::invoice_math::{TaxNote, VatCode};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Chart {
    /// Standardkontenrahmen 03 (process structure).
    #[default]
    Skr03,
    /// Standardkontenrahmen 04 (balance-sheet structure).
    Skr04,
}

impl Chart {
    pub fn as_str(self) -> &'static str {
        match self {
            Chart::Skr03 => "skr03",
            Chart::Skr04 => "skr04",
        }
    }

    pub fn parse(text: &str) -> Option<Chart> {
        [Chart::Skr03, Chart::Skr04]
            .into_iter()
            .find(|c| c.as_str() == text)
    }

    /// The header's chart field.
    fn code(self) -> &'static str {
        match self {
            Chart::Skr03 => "03",
            Chart::Skr04 => "04",
        }
    }

    pub fn bank_account(self) -> u32 {
        match self {
            Chart::Skr03 => 1200,
            Chart::Skr04 => 1800,
        }
    }

    /// The revenue account of a VAT group.
    pub fn revenue_account(self, code: VatCode, rate: Decimal, note: Option<TaxNote>) -> u32 {
        let (skr03, skr04) = match (code, note) {
            (VatCode::Standard, _) if rate == Decimal::from(7) => (8300, 4300),
            (VatCode::Standard, _) => (8400, 4400),
            (VatCode::ZeroRated, _) => (8200, 4200),
            (VatCode::Exempt, Some(TaxNote::SmallBusiness)) => (8195, 4185),
            (VatCode::Exempt, _) => (8100, 4100),
            (VatCode::ReverseCharge, _) => (8336, 4336),
            (VatCode::OutsideScope, _) => (8338, 4338),
        };
        match self {
            Chart::Skr03 => skr03,
            Chart::Skr04 => skr04,
        }
    }
}

/// The customer's debtor account: 10000 plus the digits of the customer number (K-00042 →
/// 10042), kept within 10000 – 69999.
pub fn debtor_account(customer_number: &str) -> u32 {
    let digits: String = customer_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let tail = digits
        .get(digits.len().saturating_sub(5)..)
        .unwrap_or_default();
    10_000 + tail.parse::<u32>().unwrap_or(0) % 60_000
}

/// The first day of the fiscal year `date` falls in.
pub fn fiscal_year_start(date: NaiveDate, first_month: u32) -> NaiveDate {
    let year = if date.month() >= first_month {
        date.year()
    } else {
        date.year() - 1
    };
    NaiveDate::from_ymd_opt(year, first_month.clamp(1, 12), 1).unwrap_or(date)
}

/// One booking line: `amount` (positive) is booked on `account` on the debit side
/// (`debit`) or credit side, against `contra`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booking {
    pub amount: Decimal,
    pub debit: bool,
    pub account: u32,
    pub contra: u32,
    pub date: NaiveDate,
    /// Belegfeld 1: the invoice number.
    pub document: String,
    pub text: String,
    /// The buyer's VAT id for EU reverse-charge revenue (field "EU-Land u. UStID").
    pub eu_vat_id: Option<String>,
}

/// What the header names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    pub consultant: u32,
    pub client: u32,
    pub fiscal_year_start: NaiveDate,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub label: String,
    pub created: NaiveDateTime,
    pub chart: Chart,
    pub currency: String,
}

/// Column headings of format version 13, and whether a column holds text (quoted).
const COLUMNS: [(&str, bool); 125] = [
    ("Umsatz (ohne Soll/Haben-Kz)", false),
    ("Soll/Haben-Kennzeichen", true),
    ("WKZ Umsatz", true),
    ("Kurs", false),
    ("Basis-Umsatz", false),
    ("WKZ Basis-Umsatz", true),
    ("Konto", false),
    ("Gegenkonto (ohne BU-Schlüssel)", false),
    ("BU-Schlüssel", true),
    ("Belegdatum", false),
    ("Belegfeld 1", true),
    ("Belegfeld 2", true),
    ("Skonto", false),
    ("Buchungstext", true),
    ("Postensperre", false),
    ("Diverse Adressnummer", true),
    ("Geschäftspartnerbank", false),
    ("Sachverhalt", false),
    ("Zinssperre", false),
    ("Beleglink", true),
    ("Beleginfo - Art 1", true),
    ("Beleginfo - Inhalt 1", true),
    ("Beleginfo - Art 2", true),
    ("Beleginfo - Inhalt 2", true),
    ("Beleginfo - Art 3", true),
    ("Beleginfo - Inhalt 3", true),
    ("Beleginfo - Art 4", true),
    ("Beleginfo - Inhalt 4", true),
    ("Beleginfo - Art 5", true),
    ("Beleginfo - Inhalt 5", true),
    ("Beleginfo - Art 6", true),
    ("Beleginfo - Inhalt 6", true),
    ("Beleginfo - Art 7", true),
    ("Beleginfo - Inhalt 7", true),
    ("Beleginfo - Art 8", true),
    ("Beleginfo - Inhalt 8", true),
    ("KOST1 - Kostenstelle", true),
    ("KOST2 - Kostenstelle", true),
    ("Kost-Menge", false),
    ("EU-Land u. UStID (Bestimmung)", true),
    ("EU-Steuersatz (Bestimmung)", false),
    ("Abw. Versteuerungsart", true),
    ("Sachverhalt L+L", false),
    ("Funktionsergänzung L+L", false),
    ("BU 49 Hauptfunktionstyp", false),
    ("BU 49 Hauptfunktionsnummer", false),
    ("BU 49 Funktionsergänzung", false),
    ("Zusatzinformation - Art 1", true),
    ("Zusatzinformation- Inhalt 1", true),
    ("Zusatzinformation - Art 2", true),
    ("Zusatzinformation- Inhalt 2", true),
    ("Zusatzinformation - Art 3", true),
    ("Zusatzinformation- Inhalt 3", true),
    ("Zusatzinformation - Art 4", true),
    ("Zusatzinformation- Inhalt 4", true),
    ("Zusatzinformation - Art 5", true),
    ("Zusatzinformation- Inhalt 5", true),
    ("Zusatzinformation - Art 6", true),
    ("Zusatzinformation- Inhalt 6", true),
    ("Zusatzinformation - Art 7", true),
    ("Zusatzinformation- Inhalt 7", true),
    ("Zusatzinformation - Art 8", true),
    ("Zusatzinformation- Inhalt 8", true),
    ("Zusatzinformation - Art 9", true),
    ("Zusatzinformation- Inhalt 9", true),
    ("Zusatzinformation - Art 10", true),
    ("Zusatzinformation- Inhalt 10", true),
    ("Zusatzinformation - Art 11", true),
    ("Zusatzinformation- Inhalt 11", true),
    ("Zusatzinformation - Art 12", true),
    ("Zusatzinformation- Inhalt 12", true),
    ("Zusatzinformation - Art 13", true),
    ("Zusatzinformation- Inhalt 13", true),
    ("Zusatzinformation - Art 14", true),
    ("Zusatzinformation- Inhalt 14", true),
    ("Zusatzinformation - Art 15", true),
    ("Zusatzinformation- Inhalt 15", true),
    ("Zusatzinformation - Art 16", true),
    ("Zusatzinformation- Inhalt 16", true),
    ("Zusatzinformation - Art 17", true),
    ("Zusatzinformation- Inhalt 17", true),
    ("Zusatzinformation - Art 18", true),
    ("Zusatzinformation- Inhalt 18", true),
    ("Zusatzinformation - Art 19", true),
    ("Zusatzinformation- Inhalt 19", true),
    ("Zusatzinformation - Art 20", true),
    ("Zusatzinformation- Inhalt 20", true),
    ("Stück", false),
    ("Gewicht", false),
    ("Zahlweise", false),
    ("Forderungsart", true),
    ("Veranlagungsjahr", false),
    ("Zugeordnete Fälligkeit", false),
    ("Skontotyp", false),
    ("Auftragsnummer", true),
    ("Buchungstyp", true),
    ("USt-Schlüssel (Anzahlungen)", false),
    ("EU-Land (Anzahlungen)", true),
    ("Sachverhalt L+L (Anzahlungen)", false),
    ("EU-Steuersatz (Anzahlungen)", false),
    ("Erlöskonto (Anzahlungen)", false),
    ("Herkunft-Kz", true),
    ("Buchungs GUID", true),
    ("KOST-Datum", false),
    ("SEPA-Mandatsreferenz", true),
    ("Skontosperre", false),
    ("Gesellschaftername", true),
    ("Beteiligtennummer", false),
    ("Identifikationsnummer", true),
    ("Zeichnernummer", true),
    ("Postensperre bis", false),
    ("Bezeichnung SoBil-Sachverhalt", true),
    ("Kennzeichen SoBil-Buchung", false),
    ("Festschreibung", false),
    ("Leistungsdatum", false),
    ("Datum Zuord. Steuerperiode", false),
    ("Fälligkeit", false),
    ("Generalumkehr (GU)", true),
    ("Steuersatz", false),
    ("Land", true),
    ("Abrechnungsreferenz", true),
    ("BVV-Position", false),
    ("EU-Land u. UStID (Ursprung)", true),
    ("EU-Steuersatz (Ursprung)", false),
    ("Abw. Skontokonto", false),
];

/// Positions (0-based) of the columns we fill.
const AMOUNT: usize = 0;
const SIDE: usize = 1;
const CURRENCY: usize = 2;
const ACCOUNT: usize = 6;
const CONTRA: usize = 7;
const DATE: usize = 9;
const DOCUMENT: usize = 10;
const TEXT: usize = 13;
const EU_VAT_ID: usize = 39;
const LOCKED: usize = 113;

/// Text as a quoted field: quotes doubled, line breaks and tabs gone, at most `max` chars.
fn quoted(text: &str, max: usize) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect();
    format!("\"{}\"", clean.replace('"', "\"\""))
}

/// Belegfeld 1 allows letters, digits and `$ % - /` only, at most 36.
fn document_field(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "$%-/_".contains(*c))
        .take(36)
        .collect();
    format!("\"{clean}\"")
}

/// An amount as DATEV reads it: no sign, decimal comma, two decimals.
fn amount(value: Decimal) -> String {
    format!("{:.2}", value.abs()).replace('.', ",")
}

fn header(batch: &Batch) -> String {
    let day = |d: NaiveDate| d.format("%Y%m%d").to_string();
    let fields: [String; 31] = [
        "\"EXTF\"".into(),
        "700".into(),
        "21".into(),
        "\"Buchungsstapel\"".into(),
        "13".into(),
        batch.created.format("%Y%m%d%H%M%S%3f").to_string(),
        String::new(),
        "\"RE\"".into(),
        "\"Kontor\"".into(),
        "\"\"".into(),
        batch.consultant.to_string(),
        batch.client.to_string(),
        day(batch.fiscal_year_start),
        "4".into(),
        day(batch.from),
        day(batch.to),
        quoted(&batch.label, 30),
        "\"\"".into(),
        "1".into(),
        "0".into(),
        "0".into(),
        quoted(&batch.currency, 3),
        String::new(),
        "\"\"".into(),
        String::new(),
        String::new(),
        format!("\"{}\"", batch.chart.code()),
        String::new(),
        String::new(),
        "\"\"".into(),
        "\"\"".into(),
    ];
    fields.join(";")
}

fn row(booking: &Booking, currency: &str) -> String {
    let mut fields: Vec<String> = COLUMNS
        .iter()
        .map(|(_, text)| if *text { "\"\"".into() } else { String::new() })
        .collect();
    let mut set = |index: usize, value: String| {
        if let Some(field) = fields.get_mut(index) {
            *field = value;
        }
    };
    set(AMOUNT, amount(booking.amount));
    set(SIDE, if booking.debit { "\"S\"" } else { "\"H\"" }.into());
    set(CURRENCY, quoted(currency, 3));
    set(ACCOUNT, booking.account.to_string());
    set(CONTRA, booking.contra.to_string());
    set(DATE, booking.date.format("%d%m").to_string());
    set(DOCUMENT, document_field(&booking.document));
    set(TEXT, quoted(&booking.text, 60));
    if let Some(vat_id) = &booking.eu_vat_id {
        set(EU_VAT_ID, quoted(vat_id, 15));
    }
    set(LOCKED, "0".into());
    fields.join(";")
}

/// The whole file, encoded for DATEV.
pub fn render(batch: &Batch, bookings: &[Booking]) -> Vec<u8> {
    let mut lines = Vec::with_capacity(bookings.len() + 2);
    lines.push(header(batch));
    lines.push(
        COLUMNS
            .iter()
            .map(|(heading, _)| *heading)
            .collect::<Vec<_>>()
            .join(";"),
    );
    lines.extend(bookings.iter().map(|b| row(b, &batch.currency)));
    let mut text = lines.join("\r\n");
    text.push_str("\r\n");
    windows_1252(&text)
}

/// Windows-1252 bytes; characters it lacks become `?`.
pub fn windows_1252(text: &str) -> Vec<u8> {
    // the 0x80 – 0x9F block, where Windows-1252 differs from Latin-1
    const HIGH: [(char, u8); 27] = [
        ('€', 0x80),
        ('‚', 0x82),
        ('ƒ', 0x83),
        ('„', 0x84),
        ('…', 0x85),
        ('†', 0x86),
        ('‡', 0x87),
        ('ˆ', 0x88),
        ('‰', 0x89),
        ('Š', 0x8A),
        ('‹', 0x8B),
        ('Œ', 0x8C),
        ('Ž', 0x8E),
        ('‘', 0x91),
        ('’', 0x92),
        ('“', 0x93),
        ('”', 0x94),
        ('•', 0x95),
        ('–', 0x96),
        ('—', 0x97),
        ('˜', 0x98),
        ('™', 0x99),
        ('š', 0x9A),
        ('›', 0x9B),
        ('œ', 0x9C),
        ('ž', 0x9E),
        ('Ÿ', 0x9F),
    ];
    text.chars()
        .map(|c| match u32::from(c) {
            code @ (0..=0x7F | 0xA0..=0xFF) => u8::try_from(code).unwrap_or(b'?'),
            _ => HIGH
                .iter()
                .find(|(high, _)| *high == c)
                .map_or(b'?', |(_, byte)| *byte),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn batch() -> Batch {
        Batch {
            consultant: 29098,
            client: 55003,
            fiscal_year_start: d("2026-01-01"),
            from: d("2026-11-01"),
            to: d("2026-11-30"),
            label: "Rechnungsausgang 11/2026".into(),
            created: d("2026-12-01").and_hms_milli_opt(14, 4, 40, 439).unwrap(),
            chart: Chart::Skr03,
            currency: "EUR".into(),
        }
    }

    #[test]
    fn header_headings_and_a_booking_as_datev_reads_them() {
        let booking = Booking {
            amount: "1190.00".parse().unwrap(),
            debit: true,
            account: debtor_account("K-00042"),
            contra: Chart::Skr03.revenue_account(VatCode::Standard, Decimal::from(19), None),
            date: d("2026-11-03"),
            document: "RE-2026-00001".into(),
            text: "Müller \"Café\"; Köln".into(),
            eu_vat_id: None,
        };
        let bytes = render(&batch(), &[booking]);
        let text: String = bytes.iter().map(|b| char::from(*b)).collect();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines.len(), 4, "header, headings, one booking, final CRLF");
        assert_eq!(
            lines[0],
            "\"EXTF\";700;21;\"Buchungsstapel\";13;20261201140440439;;\"RE\";\"Kontor\";\"\";29098;55003;20260101;4;20261101;20261130;\"Rechnungsausgang 11/2026\";\"\";1;0;0;\"EUR\";;\"\";;;\"03\";;;\"\";\"\""
        );
        assert_eq!(lines[0].split(';').count(), 31);
        assert_eq!(lines[1].split(';').count(), 125);
        let fields: Vec<&str> = lines[2].split(';').collect();
        assert_eq!(fields.len(), 125 + 1, "the text's own ; is inside quotes");
        assert!(lines[2].starts_with(
            "1190,00;\"S\";\"EUR\";;;\"\";10042;8400;\"\";0311;\"RE-2026-00001\";\"\";;\"M\u{fc}ller \"\"Caf\u{e9}\"\"; K\u{f6}ln\";"
        ));
        // Windows-1252, not UTF-8: ü is one byte
        assert!(bytes.contains(&0xFC));
    }

    #[test]
    fn accounts_of_both_charts() {
        let rate = |r: u32| Decimal::from(r);
        assert_eq!(
            Chart::Skr03.revenue_account(VatCode::Standard, rate(7), None),
            8300
        );
        assert_eq!(
            Chart::Skr04.revenue_account(VatCode::Standard, rate(19), None),
            4400
        );
        assert_eq!(
            Chart::Skr03.revenue_account(
                VatCode::ReverseCharge,
                rate(0),
                Some(TaxNote::ReverseCharge)
            ),
            8336
        );
        assert_eq!(
            Chart::Skr04.revenue_account(VatCode::Exempt, rate(0), Some(TaxNote::SmallBusiness)),
            4185
        );
        assert_eq!(debtor_account("K-00007"), 10007);
        assert_eq!(debtor_account("ohne Ziffern"), 10000);
        assert_eq!(debtor_account("K-65001"), 15001);
    }

    #[test]
    fn fiscal_years_that_start_in_another_month() {
        assert_eq!(fiscal_year_start(d("2026-03-15"), 7), d("2025-07-01"));
        assert_eq!(fiscal_year_start(d("2026-07-01"), 7), d("2026-07-01"));
        assert_eq!(fiscal_year_start(d("2026-03-15"), 1), d("2026-01-01"));
    }

    #[test]
    fn windows_1252_of_euro_dashes_and_the_rest() {
        assert_eq!(
            windows_1252("€ – ä ✓"),
            vec![0x80, b' ', 0x96, b' ', 0xE4, b' ', b'?']
        );
    }
}
