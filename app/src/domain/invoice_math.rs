//! Invoice arithmetic after EN 16931, the same for the screen, the PDF and the XML:
//! - a line's net amount is quantity × unit price, rounded to the cent (halves away from zero);
//! - lines are grouped by VAT category code and rate; each group's tax is its net sum × rate,
//!   rounded once (never a sum of rounded line taxes);
//! - the invoice total is the sum of the line nets plus the sum of the group taxes.
//!
//! Which category and rate a line gets follows from the customer's tax treatment and the
//! line's VAT category; every category without German VAT carries the legal note the
//! invoice must show (§14a UStG for reverse charge, §19 UStG for small businesses, …).

use super::tax::{TaxTreatment, VatCategory};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// The EN 16931 VAT category code (UNTDID 5305) of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum VatCode {
    /// Standard or reduced rate (S).
    Standard,
    /// Zero rated (Z).
    ZeroRated,
    /// Exempt from tax (E): §4 UStG, and small businesses under §19 UStG.
    Exempt,
    /// Reverse charge (AE): the EU business customer owes the VAT.
    ReverseCharge,
    /// Not subject to German VAT (O): services to customers outside the EU.
    OutsideScope,
}

impl VatCode {
    pub fn code(self) -> &'static str {
        match self {
            VatCode::Standard => "S",
            VatCode::ZeroRated => "Z",
            VatCode::Exempt => "E",
            VatCode::ReverseCharge => "AE",
            VatCode::OutsideScope => "O",
        }
    }

    pub fn parse(code: &str) -> Option<VatCode> {
        [
            VatCode::Standard,
            VatCode::ZeroRated,
            VatCode::Exempt,
            VatCode::ReverseCharge,
            VatCode::OutsideScope,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }
}

/// Why a line carries no German VAT: the note printed on the invoice and sent as BT-120.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaxNote {
    ReverseCharge,
    SmallBusiness,
    ExemptSupply,
    OutsideScope,
}

impl TaxNote {
    pub fn as_str(self) -> &'static str {
        match self {
            TaxNote::ReverseCharge => "reverse_charge",
            TaxNote::SmallBusiness => "small_business",
            TaxNote::ExemptSupply => "exempt_supply",
            TaxNote::OutsideScope => "outside_scope",
        }
    }

    pub fn parse(text: &str) -> Option<TaxNote> {
        [
            TaxNote::ReverseCharge,
            TaxNote::SmallBusiness,
            TaxNote::ExemptSupply,
            TaxNote::OutsideScope,
        ]
        .into_iter()
        .find(|n| n.as_str() == text)
    }

    /// The wording the law asks for; German is the legally binding one on a German invoice.
    pub fn text(self, german: bool) -> &'static str {
        match (self, german) {
            (TaxNote::ReverseCharge, true) => {
                "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge, § 13b UStG)"
            }
            (TaxNote::ReverseCharge, false) => {
                "Reverse charge: VAT is owed by the recipient (Art. 196 VAT Directive)"
            }
            (TaxNote::SmallBusiness, true) => {
                "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet (Kleinunternehmerregelung)."
            }
            (TaxNote::SmallBusiness, false) => {
                "No VAT is charged under the small business rule (§ 19 UStG)."
            }
            (TaxNote::ExemptSupply, true) => "Steuerfreie Leistung nach § 4 UStG",
            (TaxNote::ExemptSupply, false) => "VAT-exempt supply (§ 4 UStG)",
            (TaxNote::OutsideScope, true) => {
                "Nicht im Inland steuerbare Leistung (Leistungsort im Drittland, § 3a Abs. 2 UStG)"
            }
            (TaxNote::OutsideScope, false) => {
                "Not subject to German VAT (place of supply outside the EU, § 3a (2) UStG)"
            }
        }
    }
}

/// The VAT a line is charged with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LineTax {
    pub code: VatCode,
    /// Percent, e.g. 19.
    pub rate: Decimal,
    pub note: Option<TaxNote>,
}

/// The VAT of a line of `category` for a customer taxed by `treatment`.
pub fn line_tax(treatment: TaxTreatment, category: VatCategory) -> LineTax {
    let untaxed = |code, note| LineTax {
        code,
        rate: Decimal::ZERO,
        note: Some(note),
    };
    match (treatment, category) {
        (TaxTreatment::SmallBusiness, _) => untaxed(VatCode::Exempt, TaxNote::SmallBusiness),
        (TaxTreatment::EuReverseCharge, _) => {
            untaxed(VatCode::ReverseCharge, TaxNote::ReverseCharge)
        }
        (TaxTreatment::ThirdCountry, _) => untaxed(VatCode::OutsideScope, TaxNote::OutsideScope),
        (TaxTreatment::Domestic, VatCategory::Exempt) => {
            untaxed(VatCode::Exempt, TaxNote::ExemptSupply)
        }
        (TaxTreatment::Domestic, VatCategory::Zero) => LineTax {
            code: VatCode::ZeroRated,
            rate: Decimal::ZERO,
            note: None,
        },
        (TaxTreatment::Domestic, category) => LineTax {
            code: VatCode::Standard,
            rate: Decimal::from(category.rate_percent()),
            note: None,
        },
    }
}

/// The category a stored line was charged under, for editing it again: where the buyer's
/// treatment decided the tax (reverse charge, export, §19) the standard category is shown.
pub fn category_of(tax: &LineTax) -> VatCategory {
    match (tax.code, tax.note) {
        (VatCode::Standard, _)
            if tax.rate == Decimal::from(VatCategory::Reduced.rate_percent()) =>
        {
            VatCategory::Reduced
        }
        (VatCode::ZeroRated, _) => VatCategory::Zero,
        (VatCode::Exempt, Some(TaxNote::ExemptSupply)) => VatCategory::Exempt,
        _ => VatCategory::Standard,
    }
}

/// To the cent, halves away from zero (commercial rounding).
pub fn round_cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A line's net amount (BT-131).
pub fn line_net(quantity: Decimal, unit_price: Decimal) -> Decimal {
    round_cents(quantity * unit_price)
}

/// One group of the VAT breakdown (BG-23).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxGroup {
    pub tax: LineTax,
    /// BT-116: sum of the group's line nets.
    pub basis: Decimal,
    /// BT-117: basis × rate, rounded once.
    pub amount: Decimal,
}

/// The document totals (BG-22).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// BT-106 = BT-109: sum of line nets (no document-level allowances or charges).
    pub net: Decimal,
    /// BT-110.
    pub tax: Decimal,
    /// BT-112 = BT-115 (nothing prepaid on the document itself).
    pub gross: Decimal,
    /// Ordered by category code, then rate descending.
    pub groups: Vec<TaxGroup>,
}

/// Totals of lines given as (net amount, tax).
pub fn totals<'a>(lines: impl IntoIterator<Item = (Decimal, &'a LineTax)>) -> Totals {
    let mut groups: Vec<TaxGroup> = Vec::new();
    for (net, tax) in lines {
        match groups
            .iter_mut()
            .find(|g| g.tax.code == tax.code && g.tax.rate == tax.rate)
        {
            Some(group) => group.basis += net,
            None => groups.push(TaxGroup {
                tax: *tax,
                basis: net,
                amount: Decimal::ZERO,
            }),
        }
    }
    for group in &mut groups {
        group.amount = round_cents(group.basis * group.tax.rate / Decimal::ONE_HUNDRED);
    }
    groups.sort_by(|a, b| {
        a.tax
            .code
            .cmp(&b.tax.code)
            .then(b.tax.rate.cmp(&a.tax.rate))
    });
    let net = groups.iter().map(|g| g.basis).sum::<Decimal>();
    let tax = groups.iter().map(|g| g.amount).sum::<Decimal>();
    Totals {
        net,
        tax,
        gross: net + tax,
        groups,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn standard(rate: u32) -> LineTax {
        LineTax {
            code: VatCode::Standard,
            rate: Decimal::from(rate),
            note: None,
        }
    }

    #[test]
    fn a_stored_line_is_edited_under_its_category_again() {
        for category in VatCategory::ALL {
            assert_eq!(
                category_of(&line_tax(TaxTreatment::Domestic, category)),
                category
            );
        }
        assert_eq!(
            category_of(&line_tax(
                TaxTreatment::EuReverseCharge,
                VatCategory::Reduced
            )),
            VatCategory::Standard
        );
    }

    #[test]
    fn treatment_and_category_pick_code_rate_and_note() {
        let cases = [
            (
                TaxTreatment::Domestic,
                VatCategory::Standard,
                "S",
                dec("19"),
                None,
            ),
            (
                TaxTreatment::Domestic,
                VatCategory::Reduced,
                "S",
                dec("7"),
                None,
            ),
            (
                TaxTreatment::Domestic,
                VatCategory::Zero,
                "Z",
                dec("0"),
                None,
            ),
            (
                TaxTreatment::Domestic,
                VatCategory::Exempt,
                "E",
                dec("0"),
                Some(TaxNote::ExemptSupply),
            ),
            (
                TaxTreatment::EuReverseCharge,
                VatCategory::Standard,
                "AE",
                dec("0"),
                Some(TaxNote::ReverseCharge),
            ),
            (
                TaxTreatment::EuReverseCharge,
                VatCategory::Reduced,
                "AE",
                dec("0"),
                Some(TaxNote::ReverseCharge),
            ),
            (
                TaxTreatment::ThirdCountry,
                VatCategory::Standard,
                "O",
                dec("0"),
                Some(TaxNote::OutsideScope),
            ),
            (
                TaxTreatment::SmallBusiness,
                VatCategory::Standard,
                "E",
                dec("0"),
                Some(TaxNote::SmallBusiness),
            ),
        ];
        for (treatment, category, code, rate, note) in cases {
            let tax = line_tax(treatment, category);
            assert_eq!(
                (tax.code.code(), tax.rate, tax.note),
                (code, rate, note),
                "{treatment:?} {category:?}"
            );
        }
    }

    #[test]
    fn line_nets_round_half_away_from_zero() {
        assert_eq!(line_net(dec("3"), dec("0.335")), dec("1.01"));
        assert_eq!(line_net(dec("1"), dec("0.125")), dec("0.13"));
        assert_eq!(line_net(dec("-1"), dec("0.125")), dec("-0.13"));
        assert_eq!(line_net(dec("2.5"), dec("19.99")), dec("49.98"));
    }

    #[test]
    fn tax_is_rounded_per_group_not_per_line() {
        // 13 lines of 0.05 at 19 %: each line's tax would round to 0.01 (0.13 in all), the
        // group's 0.1235 rounds to 0.12
        let s19 = standard(19);
        let lines: Vec<(Decimal, &LineTax)> = (0..13).map(|_| (dec("0.05"), &s19)).collect();
        let t = totals(lines);
        assert_eq!(t.net, dec("0.65"));
        assert_eq!(t.tax, dec("0.12"));
        assert_eq!(t.gross, dec("0.77"));
    }

    #[test]
    fn mixed_rates_make_one_group_each_in_a_fixed_order() {
        let s19 = standard(19);
        let s7 = standard(7);
        let rc = line_tax(TaxTreatment::EuReverseCharge, VatCategory::Standard);
        let t = totals([
            (dec("100.00"), &s7),
            (dec("59.90"), &s19),
            (dec("40.10"), &s19),
            (dec("10.00"), &rc),
        ]);
        let groups: Vec<(&str, Decimal, Decimal, Decimal)> = t
            .groups
            .iter()
            .map(|g| (g.tax.code.code(), g.tax.rate, g.basis, g.amount))
            .collect();
        assert_eq!(
            groups,
            vec![
                ("S", dec("19"), dec("100.00"), dec("19.00")),
                ("S", dec("7"), dec("100.00"), dec("7.00")),
                ("AE", dec("0"), dec("10.00"), dec("0")),
            ]
        );
        assert_eq!(
            (t.net, t.tax, t.gross),
            (dec("210.00"), dec("26.00"), dec("236.00"))
        );
    }

    #[test]
    fn an_empty_document_totals_zero() {
        assert_eq!(totals([]), Totals::default());
    }

    proptest! {
        /// The identities a validator checks (BR-CO-10, -13, -14, -15) hold for any lines.
        #[test]
        fn totals_are_consistent(lines in proptest::collection::vec((0i64..10_000_00, 0usize..3), 0..40)) {
            let taxes = [standard(19), standard(7), line_tax(TaxTreatment::Domestic, VatCategory::Exempt)];
            let lines: Vec<(Decimal, &LineTax)> =
                lines.iter().map(|(cents, k)| (Decimal::new(*cents, 2), &taxes[*k])).collect();
            let t = totals(lines.clone());
            prop_assert_eq!(t.net, lines.iter().map(|(n, _)| *n).sum::<Decimal>());
            prop_assert_eq!(t.tax, t.groups.iter().map(|g| g.amount).sum::<Decimal>());
            prop_assert_eq!(t.gross, t.net + t.tax);
            for g in &t.groups {
                prop_assert_eq!(g.amount, round_cents(g.basis * g.tax.rate / Decimal::ONE_HUNDRED));
            }
        }
    }
}
