//! Quote arithmetic: what an item costs, what a quote comes to with the optional items the
//! customer takes, and the plan an accepted quote hands its project. The same numbers show
//! in the editor as you type, on the PDF and in the project.

use super::invoice_math::{line_net, totals, LineTax, Totals};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How an item is priced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// Hours × the hourly rate (of a job role); becomes planned hours.
    #[default]
    Hours,
    /// Quantity × a price (licences, hardware, a flat fee); money without hours.
    Fixed,
}

impl ItemKind {
    pub const ALL: [ItemKind; 2] = [ItemKind::Hours, ItemKind::Fixed];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Hours => "hours",
            ItemKind::Fixed => "fixed",
        }
    }

    pub fn parse(text: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// An item as far as the arithmetic cares.
#[derive(Clone, Debug, PartialEq)]
pub struct Priced {
    pub kind: ItemKind,
    pub name: String,
    /// Hours, or pieces of a fixed item.
    pub quantity: Decimal,
    /// Rate per hour, or price per piece.
    pub unit_price: Decimal,
    pub optional: bool,
}

impl Priced {
    /// Net amount, to the cent.
    pub fn net(&self) -> Decimal {
        line_net(self.quantity, self.unit_price)
    }
}

/// Whether the item at `position` (1-based, as printed) is part of the order: every
/// binding item, and the optional ones in `taken`.
fn included(item: &Priced, position: usize, taken: &[i32]) -> bool {
    !item.optional
        || i32::try_from(position)
            .map(|position| taken.contains(&position))
            .unwrap_or(false)
}

fn included_items<'a>(
    items: &'a [Priced],
    taken: &'a [i32],
) -> impl Iterator<Item = &'a Priced> + 'a {
    items
        .iter()
        .enumerate()
        .filter(move |(index, item)| included(item, index + 1, taken))
        .map(|(_, item)| item)
}

/// What a quote comes to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteSums {
    /// Net, VAT and gross of the included items (EN 16931 rounding, as on an invoice).
    pub totals: Totals,
    /// Hours of the included items.
    pub hours: Decimal,
    /// Net of the optional items not (yet) taken, offered on top.
    pub optional_net: Decimal,
}

/// The sums of `items` with the optional ones at the positions in `taken`, every line
/// taxed with `tax` (the customer's treatment of standard-rated services).
pub fn sums(items: &[Priced], taken: &[i32], tax: LineTax) -> QuoteSums {
    let chosen: Vec<&Priced> = included_items(items, taken).collect();
    let hours = chosen
        .iter()
        .filter(|item| item.kind == ItemKind::Hours)
        .map(|item| item.quantity)
        .sum();
    let included_net: Decimal = chosen.iter().map(|item| item.net()).sum();
    let all_net: Decimal = items.iter().map(Priced::net).sum();
    QuoteSums {
        totals: totals(chosen.iter().map(|item| (item.net(), &tax))),
        hours,
        optional_net: all_net - included_net,
    }
}

/// A work package the project starts with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedPackage {
    pub name: String,
    pub hours: Decimal,
    pub amount: Decimal,
}

/// What an accepted quote plans for its project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub hours: Decimal,
    pub amount: Decimal,
    /// One per included item, in the quote's order.
    pub packages: Vec<PlannedPackage>,
    /// The project's own rate when every quoted hour has the same price, so time is
    /// billed as quoted; otherwise the people's and roles' rates apply.
    pub hourly_rate: Option<Decimal>,
}

/// The plan of `items` accepted with the optional ones in `taken`.
pub fn plan(items: &[Priced], taken: &[i32]) -> Plan {
    let packages: Vec<PlannedPackage> = included_items(items, taken)
        .map(|item| PlannedPackage {
            name: item.name.clone(),
            hours: match item.kind {
                ItemKind::Hours => item.quantity,
                ItemKind::Fixed => Decimal::ZERO,
            },
            amount: item.net(),
        })
        .collect();
    let mut rates = included_items(items, taken)
        .filter(|item| item.kind == ItemKind::Hours)
        .map(|item| item.unit_price);
    let first = rates.next();
    let hourly_rate = first.filter(|rate| rates.all(|other| other == *rate));
    Plan {
        hours: packages.iter().map(|p| p.hours).sum(),
        amount: packages.iter().map(|p| p.amount).sum(),
        packages,
        hourly_rate,
    }
}

/// Optional positions in `taken` that are not optional items of the quote.
pub fn unknown_options(items: &[Priced], taken: &[i32]) -> Vec<i32> {
    taken
        .iter()
        .copied()
        .filter(|position| {
            usize::try_from(*position)
                .ok()
                .and_then(|p| p.checked_sub(1))
                .and_then(|index| items.get(index))
                .is_none_or(|item| !item.optional)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invoice_math::{TaxNote, VatCode};
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn item(kind: ItemKind, name: &str, quantity: &str, price: &str, optional: bool) -> Priced {
        Priced {
            kind,
            name: name.to_owned(),
            quantity: dec(quantity),
            unit_price: dec(price),
            optional,
        }
    }

    fn standard() -> LineTax {
        LineTax {
            code: VatCode::Standard,
            rate: dec("19"),
            note: None,
        }
    }

    fn website() -> Vec<Priced> {
        vec![
            item(ItemKind::Hours, "Konzept", "12.5", "110", false),
            item(ItemKind::Hours, "Umsetzung", "40", "95", false),
            item(ItemKind::Fixed, "Theme-Lizenz", "1", "59.90", false),
            item(ItemKind::Hours, "Schulung", "4", "95", true),
        ]
    }

    #[test]
    fn binding_items_are_summed_and_taxed_once() {
        let sums = sums(&website(), &[], standard());
        // 1,375.00 + 3,800.00 + 59.90
        assert_eq!(sums.totals.net, dec("5234.90"));
        assert_eq!(sums.totals.tax, dec("994.63"));
        assert_eq!(sums.totals.gross, dec("6229.53"));
        assert_eq!(sums.hours, dec("52.5"));
        assert_eq!(sums.optional_net, dec("380.00"));
    }

    #[test]
    fn a_taken_option_joins_the_order() {
        let sums = sums(&website(), &[4], standard());
        assert_eq!(sums.totals.net, dec("5614.90"));
        assert_eq!(sums.hours, dec("56.5"));
        assert_eq!(sums.optional_net, Decimal::ZERO);
    }

    #[test]
    fn reverse_charge_quotes_carry_no_vat() {
        let tax = LineTax {
            code: VatCode::ReverseCharge,
            rate: Decimal::ZERO,
            note: Some(TaxNote::ReverseCharge),
        };
        let sums = sums(&website(), &[], tax);
        assert_eq!(sums.totals.tax, Decimal::ZERO);
        assert_eq!(sums.totals.gross, sums.totals.net);
    }

    #[test]
    fn the_plan_has_a_package_per_included_item() {
        let plan = plan(&website(), &[]);
        assert_eq!(plan.packages.len(), 3);
        assert_eq!(plan.packages[0].hours, dec("12.5"));
        assert_eq!(plan.packages[0].amount, dec("1375.00"));
        assert_eq!(plan.packages[2].hours, Decimal::ZERO);
        assert_eq!(plan.packages[2].amount, dec("59.90"));
        assert_eq!(plan.hours, dec("52.5"));
        assert_eq!(plan.amount, dec("5234.90"));
        // two different rates: the people's and roles' rates decide
        assert_eq!(plan.hourly_rate, None);
    }

    #[test]
    fn one_common_rate_becomes_the_projects_rate() {
        let items = vec![
            item(ItemKind::Hours, "Umsetzung", "40", "95", false),
            item(ItemKind::Fixed, "Lizenz", "1", "200", false),
            item(ItemKind::Hours, "Schulung", "4", "95", true),
            item(ItemKind::Hours, "Beratung", "2", "150", true),
        ];
        let with_training = plan(&items, &[3]);
        assert_eq!(with_training.hourly_rate, Some(dec("95")));
        assert_eq!(with_training.hours, dec("44"));
        assert_eq!(plan(&items, &[3, 4]).hourly_rate, None);
    }

    #[test]
    fn only_optional_positions_can_be_taken() {
        assert_eq!(unknown_options(&website(), &[4]), Vec::<i32>::new());
        assert_eq!(
            unknown_options(&website(), &[1, 4, 9, 0, -1]),
            vec![1, 9, 0, -1]
        );
    }
}
