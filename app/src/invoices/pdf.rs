//! The invoice as a PDF: A4 laid out after DIN 5008 (address window, information block,
//! footer with the seller's legal data), in the tenant's colour and logo, German or English.
//! Every amount comes from the same totals the screen and the XML show.
//!
//! The file is PDF/A-3b, written by krilla (fonts embedded as subsets, colour with an sRGB
//! output intent). A ZUGFeRD invoice carries its XML as the associated file `factur-x.xml`
//! and the Factur-X XMP entries (profile EN 16931), which krilla cannot write itself: they
//! are spliced into its metadata packet afterwards (`with_factur_x_xmp`).
//!
//! Layout and drawing are separate: `layout` places text and rules on pages (so the page
//! count is known for "page 1 of 2"), `draw` hands them to krilla.

use super::model::{vat_label, InvoiceDetail, InvoiceKind};
use super::repo::Seller;
use crate::domain::bank::group_iban;
use crate::domain::format;
use crate::domain::sepa::masked_iban;
use crate::i18n::{Key, Lang};
use chrono::{DateTime, Datelike, Timelike, Utc};
use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point, Size};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use rust_decimal::Decimal;
use skrifa::instance::{LocationRef, Size as FontSize};
use skrifa::{FontRef, MetadataProvider};
use std::sync::OnceLock;

static REGULAR_TTF: &[u8] = include_bytes!("../../fonts/Lato-Regular.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../fonts/Lato-Bold.ttf");

/// The name Factur-X prescribes for the embedded XML.
mod letter;
pub use letter::{render_letter, Letter, LetterColumn};

pub const FACTUR_X_FILE: &str = "factur-x.xml";
const FACTUR_X_NS: &str = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#";

// A4 in points; margins after DIN 5008 (25 mm left, 20 mm right).
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 70.87;
const RIGHT: f32 = PAGE_W - 56.69;
const FOOTER_TOP: f32 = PAGE_H - 70.0;
/// Where the flowing content of a page must end (above the page number and footer).
const CONTENT_BOTTOM: f32 = FOOTER_TOP - 24.0;

const BODY: f32 = 9.0;
const SMALL: f32 = 7.5;
const LEADING: f32 = 1.35;

#[derive(Debug, thiserror::Error)]
#[error("invoice PDF: {0}")]
pub struct PdfError(String);

#[derive(Clone, Copy, Debug, PartialEq)]
struct Colour(u8, u8, u8);

const TEXT: Colour = Colour(0x1a, 0x1a, 0x1a);
/// Secondary text; 7.5:1 against white.
const MUTED: Colour = Colour(0x4a, 0x4a, 0x4a);
const HAIRLINE: Colour = Colour(0xb0, 0xb0, 0xb0);

impl Colour {
    /// `#rrggbb` as stored for the tenant; anything else falls back to dark blue.
    fn parse(hex: &str) -> Colour {
        let channel = |at: usize| {
            hex.get(at..at + 2)
                .and_then(|digits| u8::from_str_radix(digits, 16).ok())
        };
        match (
            hex.starts_with('#') && hex.len() == 7,
            channel(1),
            channel(3),
            channel(5),
        ) {
            (true, Some(r), Some(g), Some(b)) => Colour(r, g, b),
            _ => Colour(0x1d, 0x4e, 0x89),
        }
    }

    fn paint(self) -> rgb::Color {
        rgb::Color::new(self.0, self.1, self.2)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Weight {
    Regular,
    Bold,
}

/// Size, weight and colour of a run of text.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Style {
    size: f32,
    weight: Weight,
    colour: Colour,
}

impl Style {
    const fn regular(size: f32, colour: Colour) -> Style {
        Style {
            size,
            weight: Weight::Regular,
            colour,
        }
    }

    const fn bold(size: f32, colour: Colour) -> Style {
        Style {
            size,
            weight: Weight::Bold,
            colour,
        }
    }

    fn line_height(self) -> f32 {
        self.size * LEADING
    }
}

const BODY_TEXT: Style = Style::regular(BODY, TEXT);
const BODY_MUTED: Style = Style::regular(BODY, MUTED);
const SMALL_MUTED: Style = Style::regular(SMALL, MUTED);
const FINE_PRINT: Style = Style::regular(6.5, MUTED);
const ADDRESS: Style = Style::regular(10.0, TEXT);
const TITLE: Style = Style::bold(15.0, TEXT);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

/// One thing placed on a page.
#[derive(Clone, Debug, PartialEq)]
enum Mark {
    /// `y` is the baseline; `x` the left edge.
    Text {
        x: f32,
        y: f32,
        style: Style,
        text: String,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
        colour: Colour,
    },
    Logo {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
}

/// Text widths from the fonts' own advance tables, for right alignment and line breaks.
struct Measure {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

impl Measure {
    fn get() -> Result<&'static Measure, PdfError> {
        static MEASURE: OnceLock<Option<Measure>> = OnceLock::new();
        MEASURE
            .get_or_init(|| {
                Some(Measure {
                    regular: FontRef::new(REGULAR_TTF).ok()?,
                    bold: FontRef::new(BOLD_TTF).ok()?,
                })
            })
            .as_ref()
            .ok_or_else(|| PdfError("the bundled font cannot be read".into()))
    }

    fn width(&self, text: &str, style: Style) -> f32 {
        let font = match style.weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(FontSize::new(style.size), LocationRef::default());
        text.chars()
            .filter_map(|c| charmap.map(c))
            .filter_map(|glyph| metrics.advance_width(glyph))
            .sum()
    }

    /// Greedy word wrap into lines no wider than `width`; a word longer than a line stands alone.
    fn wrap(&self, text: &str, style: Style, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if !line.is_empty() && self.width(&candidate, style) > width {
                    lines.push(std::mem::replace(&mut line, word.to_owned()));
                } else {
                    line = candidate;
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// Places marks page by page; a new page repeats the table header when a table is open.
struct Pages<'a> {
    measure: &'a Measure,
    pages: Vec<Vec<Mark>>,
    /// The baseline of the last line placed in the flowing content.
    y: f32,
    /// Drawn at the top of every continuation page.
    running_head: String,
    table: Option<&'a Table>,
    brand: Colour,
}

impl<'a> Pages<'a> {
    fn new(measure: &'a Measure, running_head: String, brand: Colour) -> Pages<'a> {
        Pages {
            measure,
            pages: vec![Vec::new()],
            y: 0.0,
            running_head,
            table: None,
            brand,
        }
    }

    fn current(&mut self) -> &mut Vec<Mark> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn text_at(&mut self, x: f32, y: f32, style: Style, align: Align, text: &str) {
        let x = match align {
            Align::Left => x,
            Align::Right => x - self.measure.width(text, style),
        };
        self.current().push(Mark::Text {
            x,
            y,
            style,
            text: text.to_owned(),
        });
    }

    fn rule(&mut self, x1: f32, x2: f32, y: f32, width: f32, colour: Colour) {
        self.current().push(Mark::Rule {
            x1,
            x2,
            y,
            width,
            colour,
        });
    }

    /// Makes room for `height` points, starting a new page when they do not fit.
    fn reserve(&mut self, height: f32) {
        if self.y + height <= CONTENT_BOTTOM {
            return;
        }
        self.pages.push(Vec::new());
        self.y = 60.0;
        let head = self.running_head.clone();
        self.text_at(LEFT, self.y, SMALL_MUTED, Align::Left, &head);
        self.y += 24.0;
        if let Some(table) = self.table {
            self.table_header(table);
        }
    }

    /// Running text over the full width.
    fn paragraph(&mut self, text: &str, style: Style) {
        for line in self.measure.wrap(text, style, RIGHT - LEFT) {
            self.reserve(style.line_height());
            self.y += style.line_height();
            self.text_at(LEFT, self.y, style, Align::Left, &line);
        }
    }

    fn table_header(&mut self, table: &Table) {
        let style = Style::bold(BODY, self.brand);
        self.y += style.line_height();
        for column in &table.columns {
            let (x, align) = column.anchor();
            self.text_at(x, self.y, style, align, &column.title);
        }
        self.y += 5.0;
        self.rule(LEFT, RIGHT, self.y, 0.8, self.brand);
        self.y += 2.0;
    }
}

struct Column {
    title: String,
    left: f32,
    right: f32,
    align: Align,
}

impl Column {
    fn anchor(&self) -> (f32, Align) {
        match self.align {
            Align::Left => (self.left, Align::Left),
            Align::Right => (self.right, Align::Right),
        }
    }
}

struct Table {
    columns: Vec<Column>,
}

/// The line table: position, description (wrapped, with the period below),
/// quantity and unit, unit price, VAT, amount.
fn line_table(lang: Lang) -> Table {
    let column = |key: Key, left: f32, right: f32, align: Align| Column {
        title: key.text(lang).to_owned(),
        left,
        right,
        align,
    };
    Table {
        columns: vec![
            column(Key::InvoicePos, LEFT, LEFT + 22.0, Align::Left),
            column(
                Key::InvoiceDescription,
                LEFT + 26.0,
                LEFT + 236.0,
                Align::Left,
            ),
            column(
                Key::InvoiceQuantity,
                LEFT + 240.0,
                LEFT + 300.0,
                Align::Right,
            ),
            column(
                Key::InvoiceUnitPrice,
                LEFT + 304.0,
                LEFT + 366.0,
                Align::Right,
            ),
            column(Key::InvoiceVat, LEFT + 370.0, LEFT + 406.0, Align::Right),
            column(Key::InvoicePdfAmount, LEFT + 410.0, RIGHT, Align::Right),
        ],
    }
}

/// A PDF for an issued invoice or credit note. `factur_x` is the ZUGFeRD XML to embed;
/// `created` is the moment of issue (document and file dates).
pub fn render(
    invoice: &InvoiceDetail,
    seller: &Seller,
    factur_x: Option<&[u8]>,
    created: DateTime<Utc>,
) -> Result<Vec<u8>, PdfError> {
    let lang = Lang::parse(&invoice.language).unwrap_or_default();
    let logo = seller.logo_data_url.as_deref().and_then(decode_logo);
    let pages = layout(invoice, seller, lang, logo.as_ref())?;
    let title = document_title(invoice, lang);
    let pdf = draw(&pages, &title, lang, logo, factur_x, created)?;
    match factur_x {
        Some(_) => with_factur_x_xmp(&pdf)
            .ok_or_else(|| PdfError("the XMP packet could not be extended".into())),
        None => Ok(pdf),
    }
}

fn document_title(invoice: &InvoiceDetail, lang: Lang) -> String {
    let kind = match invoice.summary.kind {
        InvoiceKind::Invoice => Key::InvoiceInvoice,
        InvoiceKind::CreditNote => Key::InvoiceCreditNote,
    };
    match &invoice.summary.number {
        Some(number) => format!("{} {number}", kind.text(lang)),
        None => kind.text(lang).to_owned(),
    }
}

fn layout(
    invoice: &InvoiceDetail,
    seller: &Seller,
    lang: Lang,
    logo: Option<&Image>,
) -> Result<Vec<Vec<Mark>>, PdfError> {
    let brand = Colour::parse(&seller.brand_primary);
    let title = document_title(invoice, lang);
    let running_head = format!("{} · {title}", seller.legal_name);
    let mut pages = Pages::new(Measure::get()?, running_head, brand);
    letterhead(&mut pages, seller, logo);
    address_window(&mut pages, &invoice_recipient(invoice, seller), seller);
    facts_block(&mut pages, &invoice_facts(invoice, lang));
    opening(&mut pages, invoice, &title, lang);
    let table = line_table(lang);
    line_rows(&mut pages, invoice, &table, lang);
    totals_block(&mut pages, invoice, lang);
    for note in &invoice.tax_notes {
        pages.paragraph(note.text(lang == Lang::De), BODY_TEXT);
        pages.y += 4.0;
    }
    pages.paragraph(&payment_text(invoice, seller, lang), BODY_TEXT);
    if !invoice.note.trim().is_empty() {
        pages.y += 4.0;
        pages.paragraph(&invoice.note, BODY_TEXT);
    }
    footers(&mut pages, seller, lang);
    Ok(pages.pages)
}

/// The logo, or the seller's name in the brand colour, top right.
fn letterhead(pages: &mut Pages, seller: &Seller, logo: Option<&Image>) {
    match logo.and_then(|image| logo_box(image.size())) {
        Some((width, height)) => pages.current().push(Mark::Logo {
            x: RIGHT - width,
            y: 40.0,
            width,
            height,
        }),
        None => {
            let style = Style::bold(16.0, pages.brand);
            pages.text_at(RIGHT, 62.0, style, Align::Right, &seller.legal_name);
        }
    }
}

/// The buyer's address lines as the window shows them (the country only when foreign).
fn invoice_recipient(invoice: &InvoiceDetail, seller: &Seller) -> Vec<String> {
    let mut address = vec![
        invoice.summary.buyer_name.clone(),
        invoice.buyer_street.clone(),
        format!("{} {}", invoice.buyer_postal_code, invoice.buyer_city),
    ];
    if invoice.buyer_country != seller.country {
        address.push(invoice.buyer_country.clone());
    }
    address
}

/// DIN 5008 form B: the return address line and the recipient, 45 mm from the top, 85 mm wide.
fn address_window(pages: &mut Pages, recipient: &[String], seller: &Seller) {
    let width = 240.0;
    let sender = format!(
        "{} · {} · {} {}",
        seller.legal_name, seller.street, seller.postal_code, seller.city
    );
    let sender = pages.measure.wrap(&sender, FINE_PRINT, width);
    if let Some(first) = sender.first() {
        pages.text_at(LEFT, 138.0, FINE_PRINT, Align::Left, first);
    }
    pages.rule(LEFT, LEFT + width, 141.5, 0.3, HAIRLINE);
    let mut y = 156.0;
    for line in recipient.iter().filter(|line| !line.trim().is_empty()) {
        for part in pages.measure.wrap(line, ADDRESS, width) {
            pages.text_at(LEFT, y, ADDRESS, Align::Left, &part);
            y += 13.0;
        }
    }
}

/// Number, dates, customer number, period, due date and the buyer's ids.
fn invoice_facts(invoice: &InvoiceDetail, lang: Lang) -> Vec<(String, String)> {
    let s = &invoice.summary;
    let date = |day: chrono::NaiveDate| format::date(day, lang);
    let mut facts: Vec<(String, String)> = Vec::new();
    let fact = |key: Key, value: String| (key.text(lang).to_owned(), value);
    if let Some(number) = &s.number {
        facts.push(fact(Key::InvoicePdfNumber, number.clone()));
    }
    if let Some(day) = s.issue_date {
        facts.push(fact(Key::InvoiceIssueDate, date(day)));
    }
    facts.push(fact(Key::InvoiceCustomerNumber, s.customer_number.clone()));
    if let (Some(from), Some(to)) = (s.period_start, s.period_end) {
        let period = format!("{} – {}", date(from), date(to));
        facts.push(fact(Key::InvoicePeriod, period));
    }
    if let (Some(day), InvoiceKind::Invoice) = (s.due_date, s.kind) {
        facts.push(fact(Key::InvoiceDueDate, date(day)));
    }
    if let Some(vat_id) = &invoice.buyer_vat_id {
        facts.push(fact(Key::InvoicePdfBuyerVatId, vat_id.clone()));
    }
    if let Some(leitweg) = &invoice.buyer_leitweg_id {
        facts.push(("Leitweg-ID".to_owned(), leitweg.clone()));
    }
    facts
}

/// Labelled facts right of the address window.
fn facts_block(pages: &mut Pages, facts: &[(String, String)]) {
    let mut y = 150.0;
    for (label, value) in facts {
        pages.text_at(LEFT + 262.0, y, BODY_MUTED, Align::Left, label);
        pages.text_at(RIGHT, y, BODY_TEXT, Align::Right, value);
        y += BODY * 1.6;
    }
}

/// The title, the corrected invoice of a credit note and the opening sentence.
fn opening(pages: &mut Pages, invoice: &InvoiceDetail, title: &str, lang: Lang) {
    pages.y = 290.0;
    pages.text_at(LEFT, pages.y, TITLE, Align::Left, title);
    pages.y += 8.0;
    if let Some((_, number, day)) = &invoice.corrects {
        let day = day.map(|day| format::date(day, lang)).unwrap_or_default();
        let text = Key::InvoicePdfCorrects.fill(lang, &[("number", number), ("date", &day)]);
        pages.paragraph(&text, BODY_TEXT);
    }
    let opening = match invoice.summary.kind {
        InvoiceKind::Invoice => Key::InvoicePdfOpening,
        InvoiceKind::CreditNote => Key::InvoicePdfCreditOpening,
    };
    pages.y += 6.0;
    pages.paragraph(opening.text(lang), BODY_TEXT);
    pages.y += 6.0;
}

fn line_rows<'a>(pages: &mut Pages<'a>, invoice: &InvoiceDetail, table: &'a Table, lang: Lang) {
    let money = |amount: Decimal| format::money(amount, &invoice.summary.currency, lang);
    pages.table_header(table);
    pages.table = Some(table);
    let description_column = &table.columns[1];
    let description_left = description_column.left;
    let description_width = description_column.right - description_left;
    for line in &invoice.lines {
        let mut description = pages
            .measure
            .wrap(&line.description, BODY_TEXT, description_width);
        // The description names the contract already; the period goes below it.
        let period = line
            .period_start
            .zip(line.period_end)
            .map(|(from, to)| format!("{} – {}", format::date(from, lang), format::date(to, lang)));
        let extra_lines = u16::try_from(description.len() - 1).unwrap_or(0);
        let height = BODY_TEXT.line_height() * (1.0 + f32::from(extra_lines))
            + period.as_ref().map_or(0.0, |_| SMALL_MUTED.line_height())
            + 6.0;
        pages.reserve(height);
        pages.y += BODY_TEXT.line_height() + 3.0;
        let quantity = line.quantity.normalize();
        let quantity = format::number(quantity, quantity.scale(), lang);
        let quantity = match unit_label(&line.unit_code, lang) {
            "" => quantity,
            unit => format!("{quantity} {unit}"),
        };
        let cells = [
            line.position.to_string(),
            description.remove(0),
            quantity,
            money(line.unit_price),
            vat_label(line.tax.code, line.tax.rate, lang),
            money(line.net_amount),
        ];
        for (column, text) in table.columns.iter().zip(cells.iter()) {
            let (x, align) = column.anchor();
            pages.text_at(x, pages.y, BODY_TEXT, align, text);
        }
        for text in description {
            pages.y += BODY_TEXT.line_height();
            pages.text_at(description_left, pages.y, BODY_TEXT, Align::Left, &text);
        }
        if let Some(period) = period {
            pages.y += SMALL_MUTED.line_height();
            pages.text_at(description_left, pages.y, SMALL_MUTED, Align::Left, &period);
        }
        pages.y += 3.0;
        pages.rule(LEFT, RIGHT, pages.y, 0.3, HAIRLINE);
    }
    pages.table = None;
}

/// Net total, VAT per rate and the gross total, right-aligned under the amounts.
fn totals_block(pages: &mut Pages, invoice: &InvoiceDetail, lang: Lang) {
    let money = |amount: Decimal| format::money(amount, &invoice.summary.currency, lang);
    let totals = &invoice.totals;
    let mut rows = vec![(
        Key::InvoiceNetTotal.text(lang).to_owned(),
        money(totals.net),
    )];
    for group in &totals.groups {
        let vat = vat_label(group.tax.code, group.tax.rate, lang);
        let label = Key::InvoiceVatOn.fill(lang, &[("vat", &vat), ("basis", &money(group.basis))]);
        rows.push((label, money(group.amount)));
    }
    let gross = money(totals.gross);
    total_rows(pages, &rows, (Key::InvoiceGrossTotal.text(lang), &gross));
}

/// Labelled amounts right-aligned under the table, a rule, and the bold total.
fn total_rows(pages: &mut Pages, rows: &[(String, String)], (label, amount): (&str, &str)) {
    let row_count = u16::try_from(rows.len()).unwrap_or(u16::MAX);
    pages.reserve(f32::from(row_count) * 14.0 + 40.0);
    pages.y += 6.0;
    for (label, amount) in rows {
        pages.y += 14.0;
        pages.text_at(RIGHT - 110.0, pages.y, BODY_TEXT, Align::Right, label);
        pages.text_at(RIGHT, pages.y, BODY_TEXT, Align::Right, amount);
    }
    pages.y += 6.0;
    pages.rule(LEFT + 240.0, RIGHT, pages.y, 0.8, TEXT);
    pages.y += 17.0;
    let total = Style::bold(10.5, TEXT);
    pages.text_at(RIGHT - 110.0, pages.y, total, Align::Right, label);
    pages.text_at(RIGHT, pages.y, total, Align::Right, amount);
    pages.y += 18.0;
}

/// Page numbers and the seller's footer on every page, now that the count is known.
fn footers(pages: &mut Pages, seller: &Seller, lang: Lang) {
    let footer = footer_columns(seller, lang);
    let count = pages.pages.len();
    let column_width = (RIGHT - LEFT) / 4.0;
    let brand = pages.brand;
    let mut footer_pages = Pages::new(pages.measure, String::new(), brand);
    footer_pages.pages.clear();
    for index in 0..count {
        footer_pages.pages.push(Vec::new());
        let page_text = Key::InvoicePdfPage.fill(
            lang,
            &[
                ("page", &(index + 1).to_string()),
                ("pages", &count.to_string()),
            ],
        );
        footer_pages.text_at(
            RIGHT,
            FOOTER_TOP - 10.0,
            SMALL_MUTED,
            Align::Right,
            &page_text,
        );
        footer_pages.rule(LEFT, RIGHT, FOOTER_TOP, 0.5, brand);
        let mut x = LEFT;
        for lines in &footer {
            let mut y = FOOTER_TOP + 11.0;
            for line in lines {
                footer_pages.text_at(x, y, FINE_PRINT, Align::Left, line);
                y += 8.5;
            }
            x += column_width;
        }
    }
    for (page, marks) in pages.pages.iter_mut().zip(footer_pages.pages) {
        page.extend(marks);
    }
}

/// How much to pay by when and where, or what happens to a credit.
fn payment_text(invoice: &InvoiceDetail, seller: &Seller, lang: Lang) -> String {
    let s = &invoice.summary;
    let amount = format::money(s.gross_total, &s.currency, lang);
    match s.kind {
        InvoiceKind::CreditNote => Key::InvoicePdfCreditRefund.fill(lang, &[("amount", &amount)]),
        InvoiceKind::Invoice => {
            let due = s.due_date.or(s.issue_date).map(|d| format::date(d, lang));
            if let Some(terms) = &invoice.direct_debit {
                return Key::InvoicePdfDirectDebit.fill(
                    lang,
                    &[
                        ("amount", &amount),
                        ("date", &due.unwrap_or_default()),
                        ("account", &masked_iban(&terms.debtor_iban)),
                        ("mandate", &terms.mandate_reference),
                        ("creditor_id", &terms.creditor_id),
                    ],
                );
            }
            let account = match (&seller.iban, &seller.bic) {
                (Some(iban), Some(bic)) if !bic.is_empty() => {
                    format!("IBAN {} (BIC {bic})", group_iban(iban))
                }
                (Some(iban), _) => format!("IBAN {}", group_iban(iban)),
                (None, _) => String::new(),
            };
            Key::InvoicePdfPayment.fill(
                lang,
                &[
                    ("amount", &amount),
                    ("date", &due.unwrap_or_default()),
                    ("account", &account),
                    ("number", s.number.as_deref().unwrap_or_default()),
                ],
            )
        }
    }
}

/// The seller's address, contact, bank and tax identifiers (§14 UStG) in four columns.
fn footer_columns(seller: &Seller, lang: Lang) -> [Vec<String>; 4] {
    let present = |lines: Vec<String>| -> Vec<String> {
        lines
            .into_iter()
            .filter(|line| !line.trim().is_empty())
            .collect()
    };
    let mut tax = Vec::new();
    if let Some(vat_id) = seller.vat_id.as_deref().filter(|v| !v.is_empty()) {
        tax.push(format!("{} {vat_id}", Key::InvoiceBuyerVatId.text(lang)));
    }
    if let Some(number) = seller.tax_number.as_deref().filter(|v| !v.is_empty()) {
        tax.push(format!("{} {number}", Key::InvoicePdfTaxNumber.text(lang)));
    }
    [
        present(vec![
            seller.legal_name.clone(),
            seller.street.clone(),
            format!("{} {}", seller.postal_code, seller.city),
        ]),
        present(vec![
            seller.contact_name.clone(),
            seller.phone.clone(),
            seller.email.clone(),
        ]),
        present(vec![
            Key::InvoicePdfBank.text(lang).to_owned(),
            seller.iban.as_deref().map(group_iban).unwrap_or_default(),
            seller
                .bic
                .as_deref()
                .map(|bic| format!("BIC {bic}"))
                .unwrap_or_default(),
        ]),
        tax,
    ]
}

/// The unit after a quantity; pieces need none.
fn unit_label(code: &str, lang: Lang) -> &'static str {
    match (code, lang) {
        ("E34", _) => "GB",
        ("4L", _) => "MB",
        ("E35", _) => "TB",
        ("HUR", Lang::De) => "Std.",
        ("HUR", Lang::En) => "h",
        ("MON", Lang::De) => "Mon.",
        ("MON", Lang::En) => "mo.",
        ("DAY", Lang::De) => "Tg.",
        ("DAY", Lang::En) => "d",
        _ => "",
    }
}

/// PNG, JPEG or WebP logos from the tenant settings; SVG logos fall back to the name.
fn decode_logo(data_url: &str) -> Option<Image> {
    let (header, payload) = data_url.split_once(";base64,")?;
    let bytes = data_encoding::BASE64.decode(payload.as_bytes()).ok()?;
    match header {
        "data:image/png" => Image::from_png(bytes.into(), true).ok(),
        "data:image/jpeg" => Image::from_jpeg(bytes.into(), true).ok(),
        "data:image/webp" => Image::from_webp(bytes.into(), true).ok(),
        _ => None,
    }
}

/// The logo's size on the page: at most 170 × 56 pt, aspect ratio kept.
fn logo_box((width, height): (u32, u32)) -> Option<(f32, f32)> {
    let width = f32::from(u16::try_from(width).ok()?);
    let height = f32::from(u16::try_from(height).ok()?);
    if width <= 0.0 || height <= 0.0 {
        return None;
    }
    let scale = (170.0 / width).min(56.0 / height);
    Some((width * scale, height * scale))
}

fn fonts() -> Result<&'static (Font, Font), PdfError> {
    static FONTS: OnceLock<Option<(Font, Font)>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Some((
                Font::new(REGULAR_TTF.into(), 0)?,
                Font::new(BOLD_TTF.into(), 0)?,
            ))
        })
        .as_ref()
        .ok_or_else(|| PdfError("the bundled font cannot be read".into()))
}

fn pdf_date(at: DateTime<Utc>) -> krilla::metadata::DateTime {
    let two = |value: u32| u8::try_from(value).unwrap_or(0);
    krilla::metadata::DateTime::new(u16::try_from(at.year()).unwrap_or(2000))
        .month(two(at.month()))
        .day(two(at.day()))
        .hour(two(at.hour()))
        .minute(two(at.minute()))
        .second(two(at.second()))
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

fn draw(
    pages: &[Vec<Mark>],
    title: &str,
    lang: Lang,
    logo: Option<Image>,
    factur_x: Option<&[u8]>,
    created: DateTime<Utc>,
) -> Result<Vec<u8>, PdfError> {
    let (regular, bold) = fonts()?;
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A3_B)
        .finish()
        .map_err(|e| PdfError(format!("{e:?}")))?;
    let mut document = Document::new_with(SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    });
    let date = pdf_date(created);
    document.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .language(lang.code().to_owned())
            .creator("Kontor".to_owned())
            .creation_date(date),
    );
    let page_size =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| PdfError("page size".into()))?;
    for marks in pages {
        let mut page = document.start_page_with(page_size.clone());
        let mut surface = page.surface();
        for mark in marks {
            match mark {
                Mark::Text { x, y, style, text } => {
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill {
                        paint: style.colour.paint().into(),
                        ..Fill::default()
                    }));
                    let font = match style.weight {
                        Weight::Regular => regular.clone(),
                        Weight::Bold => bold.clone(),
                    };
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        font,
                        style.size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Mark::Rule {
                    x1,
                    x2,
                    y,
                    width,
                    colour,
                } => {
                    let mut path = PathBuilder::new();
                    path.move_to(*x1, *y);
                    path.line_to(*x2, *y);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: colour.paint().into(),
                            width: *width,
                            opacity: NormalizedF32::ONE,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Mark::Logo {
                    x,
                    y,
                    width,
                    height,
                } => {
                    if let (Some(image), Some(size)) = (&logo, Size::from_wh(*width, *height)) {
                        surface.push_transform(&krilla::geom::Transform::from_translate(*x, *y));
                        surface.draw_image(image.clone(), size);
                        surface.pop();
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    if let Some(xml) = factur_x {
        document.embed_file(EmbeddedFile {
            path: FACTUR_X_FILE.to_owned(),
            mime_type: MimeType::new("text/xml"),
            description: Some("Factur-X/ZUGFeRD invoice (EN 16931)".to_owned()),
            association_kind: AssociationKind::Alternative,
            data: xml.to_vec().into(),
            modification_date: Some(date),
            compress: None,
            location: None,
        });
    }
    document.finish().map_err(|e| PdfError(format!("{e:?}")))
}

/// The PDF/A extension schema that declares the Factur-X XMP properties.
fn factur_x_schema() -> String {
    let properties = [
        ("DocumentFileName", "The name of the embedded XML document"),
        (
            "DocumentType",
            "The type of the hybrid document in capital letters, e.g. INVOICE",
        ),
        (
            "Version",
            "The version of the standard applying to the embedded XML document",
        ),
        (
            "ConformanceLevel",
            "The conformance level of the embedded XML document",
        ),
    ];
    let mut schema = format!(
        "<rdf:li rdf:parseType=\"Resource\"><pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>\
         <pdfaSchema:namespaceURI>{FACTUR_X_NS}</pdfaSchema:namespaceURI><pdfaSchema:prefix>fx</pdfaSchema:prefix>\
         <pdfaSchema:property><rdf:Seq>"
    );
    for (name, description) in properties {
        schema.push_str(&format!(
            "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>{name}</pdfaProperty:name>\
             <pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category>\
             <pdfaProperty:description>{description}</pdfaProperty:description></rdf:li>"
        ));
    }
    schema.push_str("</rdf:Seq></pdfaSchema:property></rdf:li>");
    schema
}

/// Adds the Factur-X properties and their extension schema to krilla's XMP packet. The
/// packet is an uncompressed stream near the end of the file, so the file stays one revision:
/// the packet and its `/Length` are replaced and every cross-reference offset behind them
/// moves by the number of bytes added.
fn with_factur_x_xmp(pdf: &[u8]) -> Option<Vec<u8>> {
    let find = |needle: &[u8], from: usize| {
        pdf.get(from..)?
            .windows(needle.len())
            .position(|window| window == needle)
            .map(|at| at + from)
    };
    let start = find(b"<?xpacket begin", 0)?;
    let end_marker = b"<?xpacket end=\"r\"?>";
    let end = find(end_marker, start)? + end_marker.len();
    let packet = std::str::from_utf8(&pdf[start..end]).ok()?;
    let at_schemas_end = packet.find("</rdf:Bag></pdfaExtension:schemas>")?;
    let at_rdf_end = packet.rfind("</rdf:RDF>")?;
    let description = format!(
        "<rdf:Description rdf:about=\"\" xmlns:fx=\"{FACTUR_X_NS}\"><fx:DocumentType>INVOICE</fx:DocumentType>\
         <fx:DocumentFileName>{FACTUR_X_FILE}</fx:DocumentFileName><fx:Version>1.0</fx:Version>\
         <fx:ConformanceLevel>EN 16931</fx:ConformanceLevel></rdf:Description>"
    );
    let new_packet = [
        &packet[..at_schemas_end],
        &factur_x_schema(),
        &packet[at_schemas_end..at_rdf_end],
        &description,
        &packet[at_rdf_end..],
    ]
    .concat();
    let length_key = b"/Length ";
    let length_at = pdf[..start]
        .windows(length_key.len())
        .rposition(|window| window == length_key)?
        + length_key.len();
    let length_end = length_at + pdf[length_at..].iter().position(|b| !b.is_ascii_digit())?;
    let xref = find(b"\nxref\n", end)? + 1;

    let mut out = Vec::with_capacity(pdf.len() + 2048);
    out.extend_from_slice(&pdf[..length_at]);
    out.extend_from_slice(new_packet.len().to_string().as_bytes());
    out.extend_from_slice(&pdf[length_end..start]);
    out.extend_from_slice(new_packet.as_bytes());
    let shift = out.len().checked_sub(end)?;
    out.extend_from_slice(&pdf[end..xref]);
    let tail = std::str::from_utf8(&pdf[xref..]).ok()?;
    let mut lines = tail.split_inclusive('\n');
    while let Some(line) = lines.next() {
        let content = line.trim_end();
        let ending = &line[content.len()..];
        match content.split(' ').collect::<Vec<_>>()[..] {
            [offset, generation, "n"] => {
                let offset: usize = offset.parse().ok()?;
                let moved = if offset > start {
                    offset + shift
                } else {
                    offset
                };
                out.extend_from_slice(format!("{moved:010} {generation} n{ending}").as_bytes());
            }
            ["startxref"] => {
                out.extend_from_slice(line.as_bytes());
                let old: usize = lines.next()?.trim().parse().ok()?;
                out.extend_from_slice(format!("{}\n", old + shift).as_bytes());
            }
            _ => out.extend_from_slice(line.as_bytes()),
        }
    }
    Some(out)
}

/// A realistic invoice of `lines` lines (19 % and 7 %, monthly periods) with a complete
/// seller: what the benchmark renders and the layout tests check.
pub fn specimen(lines: usize) -> (InvoiceDetail, Seller) {
    use super::model::{InvoiceLine, InvoiceStatus, InvoiceSummary};
    use crate::domain::billing::LineKind;
    use crate::domain::invoice_math::{LineTax, Totals, VatCode};
    let day = |month: u32, day: u32| chrono::NaiveDate::from_ymd_opt(2026, month, day);
    let lines: Vec<InvoiceLine> = (1..=lines)
        .map(|n| {
            let position = i32::try_from(n).unwrap_or(i32::MAX);
            let reduced = n % 5 == 0;
            let unit_price = Decimal::new(1990 + i64::from(position) * 105, 2);
            let quantity = Decimal::from(1 + position % 3);
            InvoiceLine {
                id: uuid::Uuid::nil(),
                position,
                kind: LineKind::Recurring,
                contract_id: None,
                contract_number: Some(format!("V-{n:05}")),
                period_start: day(12, 1),
                period_end: day(12, 31),
                description: if reduced {
                    format!("Managed Server Business mit 8 vCPU, 32 GB RAM, täglicher Sicherung und Monitoring (V-{n:05})")
                } else {
                    format!("Webhosting Business (V-{n:05})")
                },
                quantity,
                unit_code: "C62".to_owned(),
                unit_price,
                net_amount: crate::domain::invoice_math::line_net(quantity, unit_price),
                tax: LineTax {
                    code: VatCode::Standard,
                    rate: Decimal::from(if reduced { 7 } else { 19 }),
                    note: None,
                },
            }
        })
        .collect();
    let invoice = InvoiceDetail {
        summary: InvoiceSummary {
            id: uuid::Uuid::nil(),
            kind: InvoiceKind::Invoice,
            status: InvoiceStatus::Issued,
            number: Some("RE-2026-00042".to_owned()),
            customer_id: uuid::Uuid::nil(),
            customer_number: "K-01234".to_owned(),
            buyer_name: "Bäckerei Krume GmbH & Co. KG".to_owned(),
            issue_date: day(12, 1),
            due_date: day(12, 15),
            period_start: day(12, 1),
            period_end: day(12, 31),
            net_total: Decimal::ZERO,
            tax_total: Decimal::ZERO,
            gross_total: Decimal::ZERO,
            currency: "EUR".to_owned(),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
        },
        language: "de".to_owned(),
        tax_treatment: "domestic".to_owned(),
        buyer_street: "Marktplatz 5".to_owned(),
        buyer_postal_code: "04109".to_owned(),
        buyer_city: "Leipzig".to_owned(),
        buyer_country: "DE".to_owned(),
        buyer_vat_id: Some("DE123456788".to_owned()),
        buyer_leitweg_id: None,
        buyer_email: "buchhaltung@krume.example".to_owned(),
        note: String::new(),
        corrects: None,
        lines,
        totals: Totals::default(),
        tax_notes: Vec::new(),
        documents: Vec::new(),
        direct_debit: None,
        approval: Default::default(),
        creditable: None,
    }
    .with_totals();
    let mut invoice = invoice;
    invoice.summary.net_total = invoice.totals.net;
    invoice.summary.tax_total = invoice.totals.tax;
    invoice.summary.gross_total = invoice.totals.gross;
    let seller = Seller {
        legal_name: "Kontor Hosting GmbH".to_owned(),
        street: "Hafenstraße 1".to_owned(),
        postal_code: "20457".to_owned(),
        city: "Hamburg".to_owned(),
        country: "DE".to_owned(),
        vat_id: Some("DE123456789".to_owned()),
        tax_number: Some("22/815/08150".to_owned()),
        iban: Some("DE02120300000000202051".to_owned()),
        bic: Some("BYLADEM1001".to_owned()),
        creditor_id: Some("DE98ZZZ09999999999".to_owned()),
        contact_name: "Anna Buchhaltung".to_owned(),
        phone: "+49 40 123456".to_owned(),
        email: "rechnung@kontor.example".to_owned(),
        brand_primary: "#1d4e89".to_owned(),
        logo_data_url: None,
    };
    (invoice, seller)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_colours_parse_or_fall_back() {
        assert_eq!(Colour::parse("#ff8000"), Colour(255, 128, 0));
        assert_eq!(Colour::parse("red"), Colour(0x1d, 0x4e, 0x89));
    }

    #[test]
    fn long_descriptions_wrap_within_the_column() {
        let Ok(measure) = Measure::get() else {
            panic!("the bundled font must load");
        };
        let text = "Webhosting Business mit 50 GB Speicher, 20 Postfächern und täglicher Sicherung";
        let lines = measure.wrap(text, BODY_TEXT, 120.0);
        assert!(lines.len() > 1);
        assert!(lines
            .iter()
            .all(|line| measure.width(line, BODY_TEXT) <= 120.0));
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn twenty_five_lines_run_onto_a_second_page_with_footer_and_page_numbers() {
        let (invoice, seller) = specimen(25);
        let Ok(pages) = layout(&invoice, &seller, Lang::De, None) else {
            panic!("layout");
        };
        assert_eq!(pages.len(), 2);
        let texts = |page: &[Mark]| -> Vec<String> {
            page.iter()
                .filter_map(|mark| match mark {
                    Mark::Text { text, .. } => Some(text.clone()),
                    _ => None,
                })
                .collect()
        };
        let second = texts(&pages[1]);
        assert!(second.contains(&"Seite 2 von 2".to_owned()));
        assert!(
            second.contains(&"Beschreibung".to_owned()),
            "header repeated"
        );
        assert!(
            second.contains(&"DE02 1203 0000 0000 2020 51".to_owned()),
            "footer"
        );
        let on_page = |page: &[Mark]| {
            page.iter().all(|mark| match mark {
                Mark::Text { y, .. } => *y < PAGE_H - 20.0,
                _ => true,
            })
        };
        assert!(pages.iter().all(|page| on_page(page)));
    }

    #[test]
    fn a_factur_x_pdf_declares_its_xml_in_the_metadata() {
        let (invoice, seller) = specimen(3);
        let xml = b"<rsm:CrossIndustryInvoice/>";
        let Ok(pdf) = render(&invoice, &seller, Some(xml), DateTime::<Utc>::UNIX_EPOCH) else {
            panic!("render");
        };
        let find = |needle: &str| {
            pdf.windows(needle.len())
                .rposition(|w| w == needle.as_bytes())
        };
        assert!(find("<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>").is_some());
        assert!(find("<pdfaid:part>3</pdfaid:part>").is_some());
        // the cross-reference table still points at the catalog after the splice
        let catalog = find("/Type/Catalog").unwrap_or_default();
        let object_start = pdf[..catalog]
            .windows(4)
            .rposition(|w| w == b"obj\n" || w == b"obj<")
            .unwrap_or_default();
        let line_start = pdf[..object_start]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |at| at + 1);
        assert!(find(&format!("{line_start:010} 00000 n")).is_some());
    }

    #[test]
    fn ibans_are_grouped_in_fours() {
        assert_eq!(
            group_iban("DE89370400440532013000"),
            "DE89 3704 0044 0532 0130 00"
        );
    }
}
