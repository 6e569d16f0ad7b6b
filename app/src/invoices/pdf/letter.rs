//! Business letters on the invoice's paper (letterhead, address window, information block,
//! footer with page numbers): a title, text, a table of items and totals. Dunning letters
//! are written with it.

use super::*;

/// A column of the letter's table: its title, width in points, and right alignment for
/// figures. The last column ends at the right margin.
pub struct LetterColumn {
    pub title: String,
    pub width: f32,
    pub right: bool,
}

/// What a letter says, in the order it says it.
pub struct Letter {
    pub lang: Lang,
    pub recipient: Vec<String>,
    pub facts: Vec<(String, String)>,
    pub title: String,
    pub before: Vec<String>,
    pub columns: Vec<LetterColumn>,
    pub rows: Vec<Vec<String>>,
    /// Label and amount; the last one is the bold total.
    pub totals: Vec<(String, String)>,
    pub after: Vec<String>,
}

fn letter_table(columns: &[LetterColumn]) -> Table {
    let gap = 6.0;
    let mut left = LEFT;
    let count = columns.len();
    let columns = columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let right = if index + 1 == count {
                RIGHT
            } else {
                left + column.width
            };
            let placed = Column {
                title: column.title.clone(),
                left,
                right,
                align: if column.right {
                    Align::Right
                } else {
                    Align::Left
                },
            };
            left = right + gap;
            placed
        })
        .collect();
    Table { columns }
}

fn rows<'a>(pages: &mut Pages<'a>, table: &'a Table, rows: &[Vec<String>]) {
    pages.table_header(table);
    pages.table = Some(table);
    for row in rows {
        pages.reserve(BODY_TEXT.line_height() + 6.0);
        pages.y += BODY_TEXT.line_height() + 3.0;
        for (column, text) in table.columns.iter().zip(row) {
            let (x, align) = column.anchor();
            pages.text_at(x, pages.y, BODY_TEXT, align, text);
        }
        pages.y += 3.0;
        pages.rule(LEFT, RIGHT, pages.y, 0.3, HAIRLINE);
    }
    pages.table = None;
}

/// Renders a letter as PDF/A-3b.
pub fn render_letter(
    letter: &Letter,
    seller: &Seller,
    created: DateTime<Utc>,
) -> Result<Vec<u8>, PdfError> {
    let lang = letter.lang;
    let logo = seller.logo_data_url.as_deref().and_then(decode_logo);
    let brand = Colour::parse(&seller.brand_primary);
    let running_head = format!("{} · {}", seller.legal_name, letter.title);
    let mut pages = Pages::new(Measure::get()?, running_head, brand);
    letterhead(&mut pages, seller, logo.as_ref());
    address_window(&mut pages, &letter.recipient, seller);
    facts_block(&mut pages, &letter.facts);
    pages.y = 290.0;
    pages.text_at(LEFT, pages.y, TITLE, Align::Left, &letter.title);
    pages.y += 8.0;
    for paragraph in &letter.before {
        pages.y += 6.0;
        pages.paragraph(paragraph, BODY_TEXT);
    }
    pages.y += 6.0;
    let table = letter_table(&letter.columns);
    rows(&mut pages, &table, &letter.rows);
    if let Some(((total_label, total), others)) = letter.totals.split_last() {
        total_rows(&mut pages, others, (total_label.as_str(), total.as_str()));
    }
    for paragraph in &letter.after {
        pages.y += 4.0;
        pages.paragraph(paragraph, BODY_TEXT);
    }
    footers(&mut pages, seller, lang);
    draw(&pages.pages, &letter.title, lang, logo, None, created)
}
