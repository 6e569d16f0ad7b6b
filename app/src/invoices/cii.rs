//! The e-invoice XML: UN/CEFACT Cross Industry Invoice (CII D16B) after EN 16931, either as
//! the ZUGFeRD/Factur-X EN 16931 profile (embedded in the PDF) or as XRechnung 3.0 for
//! public-sector buyers (Leitweg-ID as buyer reference). The elements follow the schema's
//! order; every amount comes from the same totals the screen shows.

use super::model::{InvoiceDetail, InvoiceKind};
use super::repo::Seller;
use crate::domain::invoice_math::{TaxGroup, VatCode};
use crate::domain::sepa::masked_iban;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// Factur-X / ZUGFeRD, profile EN 16931 (COMFORT).
    Zugferd,
    /// XRechnung 3.0 (CII syntax).
    XRechnung,
}

impl Flavor {
    /// BT-24, the specification identifier.
    fn guideline(self) -> &'static str {
        match self {
            Flavor::Zugferd => "urn:cen.eu:en16931:2017",
            Flavor::XRechnung => {
                "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
            }
        }
    }

    pub fn format_name(self) -> &'static str {
        match self {
            Flavor::Zugferd => "zugferd",
            Flavor::XRechnung => "xrechnung",
        }
    }

    /// A buyer with a Leitweg-ID (public sector) gets XRechnung.
    pub fn for_invoice(invoice: &InvoiceDetail) -> Flavor {
        if invoice.buyer_leitweg_id.is_some() {
            Flavor::XRechnung
        } else {
            Flavor::Zugferd
        }
    }
}

/// What an issued document lacks to become a valid e-invoice; the issue step refuses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Missing {
    SellerAddress,
    SellerTaxId,
    SellerIban,
    SellerCreditorId,
    SellerContact,
    BuyerAddress,
    BuyerVatId,
    BuyerEmail,
}

/// Checks the parties before anything is numbered.
pub fn check(invoice: &InvoiceDetail, seller: &Seller) -> Vec<Missing> {
    let flavor = Flavor::for_invoice(invoice);
    let codes: Vec<VatCode> = invoice.lines.iter().map(|l| l.tax.code).collect();
    let mut missing = Vec::new();
    if seller.street.trim().is_empty()
        || seller.postal_code.trim().is_empty()
        || seller.city.trim().is_empty()
    {
        missing.push(Missing::SellerAddress);
    }
    let has_vat_id = seller.vat_id.as_deref().is_some_and(|v| !v.is_empty());
    let has_tax_number = seller.tax_number.as_deref().is_some_and(|v| !v.is_empty());
    let needs_vat_id = codes.contains(&VatCode::ReverseCharge);
    if !has_vat_id && (needs_vat_id || !has_tax_number) {
        missing.push(Missing::SellerTaxId);
    }
    match &invoice.direct_debit {
        Some(terms) if terms.creditor_id.trim().is_empty() => {
            missing.push(Missing::SellerCreditorId)
        }
        Some(_) => {}
        None if seller.iban.as_deref().is_none_or(str::is_empty) => {
            missing.push(Missing::SellerIban)
        }
        None => {}
    }
    if flavor == Flavor::XRechnung
        && (seller.phone.trim().is_empty() || seller.email.trim().is_empty())
    {
        missing.push(Missing::SellerContact);
    }
    if invoice.buyer_postal_code.trim().is_empty() || invoice.buyer_city.trim().is_empty() {
        missing.push(Missing::BuyerAddress);
    }
    if needs_vat_id && invoice.buyer_vat_id.as_deref().is_none_or(str::is_empty) {
        missing.push(Missing::BuyerVatId);
    }
    if flavor == Flavor::XRechnung && invoice.buyer_email.trim().is_empty() {
        missing.push(Missing::BuyerEmail);
    }
    missing
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

fn amount(value: Decimal) -> String {
    format!("{:.2}", value.round_dp(2))
}

/// Up to 4 decimals, no trailing zeros beyond the cents (prices and quantities).
fn quantity(value: Decimal) -> String {
    let rounded = value.round_dp(4).normalize();
    if rounded.scale() < 2 {
        format!("{rounded:.2}")
    } else {
        rounded.to_string()
    }
}

fn date(day: NaiveDate) -> String {
    format!(
        "<udt:DateTimeString format=\"102\">{}</udt:DateTimeString>",
        day.format("%Y%m%d")
    )
}

fn rate(value: Decimal) -> String {
    quantity(value)
}

/// The XML of an issued invoice or credit note.
pub fn render(invoice: &InvoiceDetail, seller: &Seller, flavor: Flavor) -> String {
    let s = &invoice.summary;
    let german = invoice.language != "en";
    let outside_scope = invoice
        .lines
        .iter()
        .any(|l| l.tax.code == VatCode::OutsideScope);
    let mut x = String::with_capacity(4096 + invoice.lines.len() * 900);
    x.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
<rsm:ExchangedDocumentContext>
<ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</ram:ID></ram:BusinessProcessSpecifiedDocumentContextParameter>
"#);
    let _ = writeln!(
        x,
        "<ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>{}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>\n</rsm:ExchangedDocumentContext>",
        flavor.guideline()
    );
    x.push_str("<rsm:ExchangedDocument>\n");
    let _ = writeln!(
        x,
        "<ram:ID>{}</ram:ID>\n<ram:TypeCode>{}</ram:TypeCode>",
        esc(s.number.as_deref().unwrap_or_default()),
        s.kind.type_code()
    );
    if let Some(issued) = s.issue_date {
        let _ = writeln!(x, "<ram:IssueDateTime>{}</ram:IssueDateTime>", date(issued));
    }
    for note in &invoice.tax_notes {
        let _ = writeln!(
            x,
            "<ram:IncludedNote><ram:Content>{}</ram:Content><ram:SubjectCode>TXD</ram:SubjectCode></ram:IncludedNote>",
            esc(note.text(german))
        );
    }
    if !invoice.note.trim().is_empty() {
        let _ = writeln!(
            x,
            "<ram:IncludedNote><ram:Content>{}</ram:Content></ram:IncludedNote>",
            esc(invoice.note.trim())
        );
    }
    x.push_str("</rsm:ExchangedDocument>\n<rsm:SupplyChainTradeTransaction>\n");
    for line in &invoice.lines {
        let _ = writeln!(
            x,
            "<ram:IncludedSupplyChainTradeLineItem>\n<ram:AssociatedDocumentLineDocument><ram:LineID>{}</ram:LineID></ram:AssociatedDocumentLineDocument>",
            line.position
        );
        let _ = writeln!(
            x,
            "<ram:SpecifiedTradeProduct><ram:Name>{}</ram:Name></ram:SpecifiedTradeProduct>",
            esc(&line.description)
        );
        let _ = writeln!(
            x,
            "<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>{}</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>",
            quantity(line.unit_price)
        );
        let _ = writeln!(
            x,
            "<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode=\"{}\">{}</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>",
            esc(&line.unit_code),
            quantity(line.quantity)
        );
        x.push_str("<ram:SpecifiedLineTradeSettlement>\n");
        let _ = writeln!(
            x,
            "<ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>{}</ram:CategoryCode>{}</ram:ApplicableTradeTax>",
            line.tax.code.code(),
            line_rate(line.tax.code, line.tax.rate)
        );
        if let (Some(from), Some(to)) = (line.period_start, line.period_end) {
            let _ = writeln!(
                x,
                "<ram:BillingSpecifiedPeriod><ram:StartDateTime>{}</ram:StartDateTime><ram:EndDateTime>{}</ram:EndDateTime></ram:BillingSpecifiedPeriod>",
                date(from),
                date(to)
            );
        }
        let _ = writeln!(
            x,
            "<ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>{}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>\n</ram:SpecifiedLineTradeSettlement>\n</ram:IncludedSupplyChainTradeLineItem>",
            amount(line.net_amount)
        );
    }
    x.push_str("<ram:ApplicableHeaderTradeAgreement>\n");
    let buyer_reference = invoice
        .buyer_leitweg_id
        .clone()
        .unwrap_or_else(|| s.customer_number.clone());
    let _ = writeln!(
        x,
        "<ram:BuyerReference>{}</ram:BuyerReference>",
        esc(&buyer_reference)
    );
    // seller
    x.push_str("<ram:SellerTradeParty>\n");
    if outside_scope {
        // BR-CO-26: without the VAT id the seller needs another identifier
        let id = seller
            .tax_number
            .as_deref()
            .filter(|t| !t.is_empty())
            .unwrap_or(&seller.legal_name);
        let _ = writeln!(x, "<ram:ID>{}</ram:ID>", esc(id));
    }
    let _ = writeln!(x, "<ram:Name>{}</ram:Name>", esc(&seller.legal_name));
    if !seller.phone.trim().is_empty() || !seller.email.trim().is_empty() {
        x.push_str("<ram:DefinedTradeContact>");
        let contact = if seller.contact_name.trim().is_empty() {
            &seller.legal_name
        } else {
            &seller.contact_name
        };
        let _ = write!(x, "<ram:PersonName>{}</ram:PersonName>", esc(contact));
        if !seller.phone.trim().is_empty() {
            let _ = write!(
                x,
                "<ram:TelephoneUniversalCommunication><ram:CompleteNumber>{}</ram:CompleteNumber></ram:TelephoneUniversalCommunication>",
                esc(seller.phone.trim())
            );
        }
        if !seller.email.trim().is_empty() {
            let _ = write!(
                x,
                "<ram:EmailURIUniversalCommunication><ram:URIID>{}</ram:URIID></ram:EmailURIUniversalCommunication>",
                esc(seller.email.trim())
            );
        }
        x.push_str("</ram:DefinedTradeContact>\n");
    }
    address(
        &mut x,
        &seller.postal_code,
        &seller.street,
        &seller.city,
        &seller.country,
    );
    if !seller.email.trim().is_empty() {
        let _ = writeln!(
            x,
            "<ram:URIUniversalCommunication><ram:URIID schemeID=\"EM\">{}</ram:URIID></ram:URIUniversalCommunication>",
            esc(seller.email.trim())
        );
    }
    if let Some(tax_number) = seller.tax_number.as_deref().filter(|t| !t.is_empty()) {
        let _ = writeln!(
            x,
            "<ram:SpecifiedTaxRegistration><ram:ID schemeID=\"FC\">{}</ram:ID></ram:SpecifiedTaxRegistration>",
            esc(tax_number)
        );
    }
    // BR-O-2: a document outside the scope of VAT names no VAT identifiers
    if let Some(vat_id) = seller
        .vat_id
        .as_deref()
        .filter(|v| !v.is_empty() && !outside_scope)
    {
        let _ = writeln!(
            x,
            "<ram:SpecifiedTaxRegistration><ram:ID schemeID=\"VA\">{}</ram:ID></ram:SpecifiedTaxRegistration>",
            esc(vat_id)
        );
    }
    x.push_str("</ram:SellerTradeParty>\n<ram:BuyerTradeParty>\n");
    let _ = writeln!(
        x,
        "<ram:ID>{}</ram:ID>\n<ram:Name>{}</ram:Name>",
        esc(&s.customer_number),
        esc(&s.buyer_name)
    );
    address(
        &mut x,
        &invoice.buyer_postal_code,
        &invoice.buyer_street,
        &invoice.buyer_city,
        &invoice.buyer_country,
    );
    if !invoice.buyer_email.trim().is_empty() {
        let _ = writeln!(
            x,
            "<ram:URIUniversalCommunication><ram:URIID schemeID=\"EM\">{}</ram:URIID></ram:URIUniversalCommunication>",
            esc(invoice.buyer_email.trim())
        );
    }
    if let Some(vat_id) = invoice
        .buyer_vat_id
        .as_deref()
        .filter(|v| !v.is_empty() && !outside_scope)
    {
        let _ = writeln!(
            x,
            "<ram:SpecifiedTaxRegistration><ram:ID schemeID=\"VA\">{}</ram:ID></ram:SpecifiedTaxRegistration>",
            esc(vat_id)
        );
    }
    x.push_str("</ram:BuyerTradeParty>\n</ram:ApplicableHeaderTradeAgreement>\n");
    x.push_str("<ram:ApplicableHeaderTradeDelivery/>\n<ram:ApplicableHeaderTradeSettlement>\n");
    let direct_debit = invoice.direct_debit.as_ref();
    if let Some(terms) = direct_debit {
        let _ = writeln!(
            x,
            "<ram:CreditorReferenceID>{}</ram:CreditorReferenceID>",
            esc(&terms.creditor_id)
        );
    }
    if let Some(number) = &s.number {
        let _ = writeln!(
            x,
            "<ram:PaymentReference>{}</ram:PaymentReference>",
            esc(number)
        );
    }
    let _ = writeln!(
        x,
        "<ram:InvoiceCurrencyCode>{}</ram:InvoiceCurrencyCode>",
        esc(&s.currency)
    );
    if let Some(terms) = direct_debit {
        let _ = writeln!(
            x,
            "<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>59</ram:TypeCode><ram:PayerPartyDebtorFinancialAccount><ram:IBANID>{}</ram:IBANID></ram:PayerPartyDebtorFinancialAccount></ram:SpecifiedTradeSettlementPaymentMeans>",
            esc(&terms.debtor_iban)
        );
    } else if let Some(iban) = seller.iban.as_deref().filter(|i| !i.is_empty()) {
        let _ = write!(
            x,
            "<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>58</ram:TypeCode><ram:PayeePartyCreditorFinancialAccount><ram:IBANID>{}</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>",
            esc(iban)
        );
        if let Some(bic) = seller.bic.as_deref().filter(|b| !b.is_empty()) {
            let _ = write!(
                x,
                "<ram:PayeeSpecifiedCreditorFinancialInstitution><ram:BICID>{}</ram:BICID></ram:PayeeSpecifiedCreditorFinancialInstitution>",
                esc(bic)
            );
        }
        x.push_str("</ram:SpecifiedTradeSettlementPaymentMeans>\n");
    }
    for group in &invoice.totals.groups {
        tax_group(&mut x, group, german);
    }
    if let (Some(from), Some(to)) = (s.period_start, s.period_end) {
        let _ = writeln!(
            x,
            "<ram:BillingSpecifiedPeriod><ram:StartDateTime>{}</ram:StartDateTime><ram:EndDateTime>{}</ram:EndDateTime></ram:BillingSpecifiedPeriod>",
            date(from),
            date(to)
        );
    }
    if let Some(due) = s.due_date {
        let terms = match (s.kind, german, direct_debit) {
            (InvoiceKind::CreditNote, true, _) => "Der Betrag wird Ihnen erstattet.".to_owned(),
            (InvoiceKind::CreditNote, false, _) => {
                "The amount will be refunded to you.".to_owned()
            }
            (InvoiceKind::Invoice, true, Some(terms)) => format!(
                "Der Betrag wird am {} per SEPA-Lastschrift von Ihrem Konto {} eingezogen (Mandatsreferenz {}, Gläubiger-ID {}).",
                due.format("%d.%m.%Y"),
                masked_iban(&terms.debtor_iban),
                terms.mandate_reference,
                terms.creditor_id
            ),
            (InvoiceKind::Invoice, false, Some(terms)) => format!(
                "The amount will be collected by SEPA direct debit from your account {} on {} (mandate reference {}, creditor id {}).",
                masked_iban(&terms.debtor_iban),
                due.format("%Y-%m-%d"),
                terms.mandate_reference,
                terms.creditor_id
            ),
            (InvoiceKind::Invoice, true, None) => {
                format!("Zahlbar ohne Abzug bis {}.", due.format("%d.%m.%Y"))
            }
            (InvoiceKind::Invoice, false, None) => {
                format!("Payable without deduction by {}.", due.format("%Y-%m-%d"))
            }
        };
        let mandate = direct_debit
            .map(|t| {
                format!(
                    "<ram:DirectDebitMandateID>{}</ram:DirectDebitMandateID>",
                    esc(&t.mandate_reference)
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            x,
            "<ram:SpecifiedTradePaymentTerms><ram:Description>{}</ram:Description><ram:DueDateDateTime>{}</ram:DueDateDateTime>{mandate}</ram:SpecifiedTradePaymentTerms>",
            esc(&terms),
            date(due)
        );
    }
    let t = &invoice.totals;
    let _ = writeln!(
        x,
        "<ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:LineTotalAmount>{net}</ram:LineTotalAmount><ram:TaxBasisTotalAmount>{net}</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID=\"{cur}\">{tax}</ram:TaxTotalAmount><ram:GrandTotalAmount>{gross}</ram:GrandTotalAmount><ram:DuePayableAmount>{gross}</ram:DuePayableAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>",
        net = amount(t.net),
        cur = esc(&s.currency),
        tax = amount(t.tax),
        gross = amount(t.gross)
    );
    if let Some((_, number, issued)) = &invoice.corrects {
        let _ = write!(
            x,
            "<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>{}</ram:IssuerAssignedID>",
            esc(number)
        );
        if let Some(issued) = issued {
            let _ = write!(
                x,
                "<ram:FormattedIssueDateTime><qdt:DateTimeString format=\"102\">{}</qdt:DateTimeString></ram:FormattedIssueDateTime>",
                issued.format("%Y%m%d")
            );
        }
        x.push_str("</ram:InvoiceReferencedDocument>\n");
    }
    x.push_str("</ram:ApplicableHeaderTradeSettlement>\n</rsm:SupplyChainTradeTransaction>\n</rsm:CrossIndustryInvoice>\n");
    x
}

/// BT-152: the rate is given for every category but "not subject to VAT" (BR-O-5 forbids it).
fn line_rate(code: VatCode, value: Decimal) -> String {
    if code == VatCode::OutsideScope {
        String::new()
    } else {
        format!(
            "<ram:RateApplicablePercent>{}</ram:RateApplicablePercent>",
            rate(value)
        )
    }
}

fn address(x: &mut String, postal_code: &str, street: &str, city: &str, country: &str) {
    x.push_str("<ram:PostalTradeAddress>");
    if !postal_code.trim().is_empty() {
        let _ = write!(
            x,
            "<ram:PostcodeCode>{}</ram:PostcodeCode>",
            esc(postal_code.trim())
        );
    }
    if !street.trim().is_empty() {
        let _ = write!(x, "<ram:LineOne>{}</ram:LineOne>", esc(street.trim()));
    }
    if !city.trim().is_empty() {
        let _ = write!(x, "<ram:CityName>{}</ram:CityName>", esc(city.trim()));
    }
    let _ = writeln!(
        x,
        "<ram:CountryID>{}</ram:CountryID></ram:PostalTradeAddress>",
        esc(country)
    );
}

fn tax_group(x: &mut String, group: &TaxGroup, german: bool) {
    let _ = write!(
        x,
        "<ram:ApplicableTradeTax><ram:CalculatedAmount>{}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>",
        amount(group.amount)
    );
    if let Some(note) = group.tax.note {
        let _ = write!(
            x,
            "<ram:ExemptionReason>{}</ram:ExemptionReason>",
            esc(note.text(german))
        );
    }
    let _ = writeln!(
        x,
        "<ram:BasisAmount>{}</ram:BasisAmount><ram:CategoryCode>{}</ram:CategoryCode>{}</ram:ApplicableTradeTax>",
        amount(group.basis),
        group.tax.code.code(),
        line_rate(group.tax.code, group.tax.rate)
    );
}
