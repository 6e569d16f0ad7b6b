//! Reading the CSV files people export from spreadsheets, registrars and monitoring tools.
//! The encoding is detected (UTF-8 with or without BOM, UTF-16 with BOM, otherwise
//! Windows-1252, which German Excel writes), so is the delimiter (`;` `,` tab `|`). Quoted
//! cells may hold delimiters, doubled quotes and line breaks. Anything that is not text
//! (binary, random bytes) is refused as a whole instead of yielding garbage rows.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    Utf8,
    Utf16,
    Windows1252,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf16 => "UTF-16",
            TextEncoding::Windows1252 => "Windows-1252",
        }
    }
}

/// Why a file could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CsvError {
    Empty,
    TooLarge {
        limit_bytes: usize,
    },
    /// Control characters or NUL bytes: a binary file, not a table.
    NotText,
    /// A quote opened on this line is never closed.
    UnclosedQuote {
        line: usize,
    },
    /// Required columns the header lacks (their canonical names).
    MissingColumns(Vec<String>),
}

impl CsvError {
    /// The problem as a sentence for the person who uploaded the file.
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::Key;
        match self {
            CsvError::Empty => Key::CsvErrEmpty.text(lang).to_owned(),
            CsvError::NotText => Key::CsvErrNotText.text(lang).to_owned(),
            CsvError::TooLarge { limit_bytes } => Key::CsvErrTooLarge.fill(
                lang,
                &[("megabytes", &(limit_bytes / (1024 * 1024)).to_string())],
            ),
            CsvError::UnclosedQuote { line } => {
                Key::CsvErrUnclosedQuote.fill(lang, &[("line", &line.to_string())])
            }
            CsvError::MissingColumns(columns) => {
                Key::CsvErrMissingColumns.fill(lang, &[("columns", &columns.join(", "))])
            }
        }
    }
}

/// One record of the file with the line it starts on (1-based, header included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvRow {
    pub line: usize,
    pub cells: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvTable {
    pub encoding: TextEncoding,
    pub delimiter: char,
    pub header: Vec<String>,
    pub rows: Vec<CsvRow>,
}

const DELIMITERS: [char; 4] = [';', ',', '\t', '|'];

/// Decodes and splits a file into its header and rows; empty lines are skipped.
pub fn read(bytes: &[u8], limit_bytes: usize) -> Result<CsvTable, CsvError> {
    if bytes.len() > limit_bytes {
        return Err(CsvError::TooLarge { limit_bytes });
    }
    let (text, encoding) = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(CsvError::Empty);
    }
    let delimiter = detect_delimiter(&text);
    let mut records = split(&text, delimiter)?.into_iter();
    let header = records.next().map(|row| row.cells).ok_or(CsvError::Empty)?;
    Ok(CsvTable {
        encoding,
        delimiter,
        header,
        rows: records.collect(),
    })
}

/// The text of a file and the encoding it was written in.
pub fn decode(bytes: &[u8]) -> Result<(String, TextEncoding), CsvError> {
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        (utf8(rest)?, TextEncoding::Utf8)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        (utf16(rest, u16::from_le_bytes)?, TextEncoding::Utf16)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        (utf16(rest, u16::from_be_bytes)?, TextEncoding::Utf16)
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        (text.to_owned(), TextEncoding::Utf8)
    } else {
        (
            bytes.iter().copied().map(windows_1252).collect(),
            TextEncoding::Windows1252,
        )
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(CsvError::NotText);
    }
    Ok((text, encoding))
}

fn utf8(bytes: &[u8]) -> Result<String, CsvError> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| CsvError::NotText)
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, CsvError> {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| CsvError::NotText)
}

/// Windows-1252: Latin-1 except for the printable characters it puts at 0x80–0x9F.
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// The candidate that occurs most often outside quotes in the first line.
fn detect_delimiter(text: &str) -> char {
    let first_line = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for c in first_line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(i) = DELIMITERS.iter().position(|d| *d == c) {
                counts[i] += 1;
            }
        }
    }
    // ties go to the earlier candidate: `;` first, as German spreadsheets write it
    let best =
        (0..DELIMITERS.len()).fold(0, |best, i| if counts[i] > counts[best] { i } else { best });
    DELIMITERS[best]
}

/// RFC 4180 records; cells are trimmed, records without any content are dropped.
fn split(text: &str, delimiter: char) -> Result<Vec<CsvRow>, CsvError> {
    let mut rows = Vec::new();
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut line = 1;
    let mut record_line = 1;
    let mut quoted = false;
    let mut quote_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    cell.push('\n');
                }
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.trim().is_empty() => {
                cell.clear();
                quoted = true;
                quote_line = line;
            }
            '\r' => {}
            '\n' => {
                cells.push(std::mem::take(&mut cell));
                push_record(&mut rows, record_line, std::mem::take(&mut cells));
                line += 1;
                record_line = line;
            }
            c if c == delimiter => cells.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    if quoted {
        return Err(CsvError::UnclosedQuote { line: quote_line });
    }
    cells.push(cell);
    push_record(&mut rows, record_line, cells);
    Ok(rows)
}

fn push_record(rows: &mut Vec<CsvRow>, line: usize, cells: Vec<String>) {
    let cells: Vec<String> = cells.into_iter().map(|c| c.trim().to_owned()).collect();
    if cells.iter().any(|c| !c.is_empty()) {
        rows.push(CsvRow { line, cells });
    }
}

/// A header cell reduced to what people vary least: lower-case letters and digits.
pub fn header_key(cell: &str) -> String {
    cell.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where each wanted column sits in a header; a column is found by any of its names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns(Vec<Option<usize>>);

impl Columns {
    /// `wanted`: per column its canonical name first, then aliases; `required` by canonical name.
    pub fn find(
        header: &[String],
        wanted: &[&[&str]],
        required: &[&str],
    ) -> Result<Columns, CsvError> {
        let keys: Vec<String> = header.iter().map(|h| header_key(h)).collect();
        let positions: Vec<Option<usize>> = wanted
            .iter()
            .map(|names| {
                names
                    .iter()
                    .find_map(|name| keys.iter().position(|key| *key == header_key(name)))
            })
            .collect();
        let missing: Vec<String> = wanted
            .iter()
            .zip(&positions)
            .filter(|(names, position)| position.is_none() && required.contains(&names[0]))
            .map(|(names, _)| names[0].to_owned())
            .collect();
        if missing.is_empty() {
            Ok(Columns(positions))
        } else {
            Err(CsvError::MissingColumns(missing))
        }
    }

    /// The cell of wanted column `index` in a row; empty when absent.
    pub fn cell<'a>(&self, row: &'a CsvRow, index: usize) -> &'a str {
        self.0
            .get(index)
            .copied()
            .flatten()
            .and_then(|position| row.cells.get(position))
            .map_or("", String::as_str)
    }

    pub fn has(&self, index: usize) -> bool {
        self.0.get(index).copied().flatten().is_some()
    }
}

/// Whether a spreadsheet would run this cell as a formula (CSV injection): it starts with
/// `=`, `@`, or with `+`/`-` followed by more than a plain number or phone number.
pub fn looks_like_formula(cell: &str) -> bool {
    let cell = cell.trim_start_matches([' ']);
    let mut chars = cell.chars();
    match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !chars.all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | ' ' | '/')),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: usize = 1 << 20;

    fn cells(table: &CsvTable) -> Vec<Vec<&str>> {
        table
            .rows
            .iter()
            .map(|row| row.cells.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn german_excel_export_in_windows_1252_with_semicolons() {
        let bytes = b"Domain;Ablaufdatum;Preis\r\nm\xfcller.de;31.12.2027;12,50 \x80\r\n";
        let table = read(bytes, LIMIT).unwrap();
        assert_eq!(table.encoding, TextEncoding::Windows1252);
        assert_eq!(table.delimiter, ';');
        assert_eq!(table.header, ["Domain", "Ablaufdatum", "Preis"]);
        assert_eq!(cells(&table), [["müller.de", "31.12.2027", "12,50 €"]]);
        assert_eq!(table.rows[0].line, 2);
    }

    #[test]
    fn utf8_with_bom_and_commas_and_quotes() {
        let text = "\u{feff}domain,note\n\"a.de\",\"says \"\"hi\"\", twice\"\n\n\"b.de\",\"two\nlines\"\nc.de,\n";
        let table = read(text.as_bytes(), LIMIT).unwrap();
        assert_eq!(table.encoding, TextEncoding::Utf8);
        assert_eq!(table.delimiter, ',');
        assert_eq!(table.header, ["domain", "note"]);
        assert_eq!(
            cells(&table),
            [
                vec!["a.de", "says \"hi\", twice"],
                vec!["b.de", "two\nlines"],
                vec!["c.de", ""]
            ]
        );
        // line numbers count the blank line and the line break inside the quoted cell
        let lines: Vec<usize> = table.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4, 6]);
    }

    #[test]
    fn utf16_with_bom_and_tabs() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "name\tqty\nstraße.de\t3\n".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let table = read(&bytes, LIMIT).unwrap();
        assert_eq!(table.encoding, TextEncoding::Utf16);
        assert_eq!(table.delimiter, '\t');
        assert_eq!(cells(&table), [["straße.de", "3"]]);
    }

    #[test]
    fn garbage_empty_oversized_and_unclosed_files_are_refused() {
        let garbage: Vec<u8> = (0..4096u32)
            .map(|i| u8::try_from((i * 7919) % 251).unwrap())
            .collect();
        assert_eq!(read(&garbage, LIMIT), Err(CsvError::NotText));
        assert_eq!(read(b"\n \r\n", LIMIT), Err(CsvError::Empty));
        assert_eq!(
            read(b"a;b\n1;2\n", 4),
            Err(CsvError::TooLarge { limit_bytes: 4 })
        );
        assert_eq!(
            read(b"a;b\n1;\"2\n3;4\n", LIMIT),
            Err(CsvError::UnclosedQuote { line: 2 })
        );
    }

    #[test]
    fn columns_are_found_by_any_alias_and_missing_ones_named() {
        let header: Vec<String> = ["Domain Name", "Ablauf-Datum", "x"]
            .map(String::from)
            .to_vec();
        let wanted: &[&[&str]] = &[
            &["domain", "domain name"],
            &["expires_on", "ablaufdatum"],
            &["price"],
        ];
        let columns = Columns::find(&header, wanted, &["domain"]).unwrap();
        let row = CsvRow {
            line: 2,
            cells: vec!["a.de".into(), "1.1.2027".into()],
        };
        assert_eq!(columns.cell(&row, 0), "a.de");
        assert_eq!(columns.cell(&row, 1), "1.1.2027");
        assert_eq!(columns.cell(&row, 2), "");
        assert!(!columns.has(2));
        assert_eq!(
            Columns::find(&header, wanted, &["domain", "price"]),
            Err(CsvError::MissingColumns(vec!["price".into()]))
        );
    }

    #[test]
    fn formulas_are_recognised_but_numbers_and_phones_are_not() {
        for cell in [
            "=HYPERLINK(\"x\")",
            "@SUM(A1)",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "\t=1",
        ] {
            assert!(looks_like_formula(cell), "{cell}");
        }
        for cell in ["-12,50", "+49 30 1234567", "example.de", "", "12"] {
            assert!(!looks_like_formula(cell), "{cell}");
        }
    }
}
