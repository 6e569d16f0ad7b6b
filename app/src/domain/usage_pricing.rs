//! What metered usage costs: a product includes a quantity per month, and the units above
//! it are priced by graduated tiers. A tier starts at a quantity of the month's *total*
//! usage (`from`) and prices every unit up to the next tier's start; units up to the
//! included quantity (and any below the first tier) are free. Each tier yields one line
//! whose net amount is rounded to the cent (EN 16931: line net amounts to 2 places,
//! commercial rounding), and the charge is the sum of those rounded lines.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// From `from` units of the month's total on, one unit costs `unit_price` (net).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageTier {
    pub from: Decimal,
    pub unit_price: Decimal,
}

/// How one metric of a product is charged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsagePrice {
    pub included: Decimal,
    /// Ascending by `from`, no two with the same start (the product form checks it).
    pub tiers: Vec<UsageTier>,
}

/// The units charged at one tier's price.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverageLine {
    /// The first and (for all but the last tier) the end of the counted range of the total.
    pub from: Decimal,
    pub to: Option<Decimal>,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    /// `quantity × unit_price`, rounded to the cent.
    pub amount: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverageCharge {
    /// Units not charged: the included ones and any below the first tier.
    pub free_quantity: Decimal,
    /// One line per tier that charges at least one unit, lowest tier first.
    pub lines: Vec<OverageLine>,
    /// The sum of the rounded line amounts.
    pub total: Decimal,
}

/// A net line amount to the cent, halves away from zero.
pub fn round_line_amount(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The overage charge for a month's total `quantity` (negative counts as zero).
pub fn overage(price: &UsagePrice, quantity: Decimal) -> OverageCharge {
    let quantity = quantity.max(Decimal::ZERO);
    let mut tiers = price.tiers.clone();
    tiers.sort_by_key(|tier| tier.from);
    let mut lines = Vec::new();
    for (i, tier) in tiers.iter().enumerate() {
        let end = tiers.get(i + 1).map(|next| next.from);
        // the tier counts the part of [from, end) that lies above the included quantity
        let start = tier.from.max(price.included);
        let stop = end.map_or(quantity, |end| end.min(quantity));
        if stop <= start {
            continue;
        }
        let counted = stop - start;
        lines.push(OverageLine {
            from: start,
            to: end,
            quantity: counted,
            unit_price: tier.unit_price,
            amount: round_line_amount(counted * tier.unit_price),
        });
    }
    let charged: Decimal = lines.iter().map(|line| line.quantity).sum();
    OverageCharge {
        free_quantity: quantity - charged,
        total: lines.iter().map(|line| line.amount).sum(),
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn price(included: &str, tiers: &[(&str, &str)]) -> UsagePrice {
        UsagePrice {
            included: d(included),
            tiers: tiers
                .iter()
                .map(|(from, unit_price)| UsageTier {
                    from: d(from),
                    unit_price: d(unit_price),
                })
                .collect(),
        }
    }

    #[test]
    fn table() {
        // (included, tiers, quantity, total, line quantities)
        let cases: &[(&str, &[(&str, &str)], &str, &str, &[&str])] = &[
            // nothing above the included quantity
            ("100", &[("0", "0.10")], "80", "0", &[]),
            ("100", &[("0", "0.10")], "100", "0", &[]),
            // one tier from 0: only the units above the included ones
            ("100", &[("0", "0.10")], "150", "5.00", &["50"]),
            // graduated: 100..1000 at 0.10, above 1000 at 0.05
            (
                "100",
                &[("0", "0.10"), ("1000", "0.05")],
                "1500",
                "115.00",
                &["900", "500"],
            ),
            // included quantity reaching into the second tier
            (
                "1200",
                &[("0", "0.10"), ("1000", "0.05")],
                "1500",
                "15.00",
                &["300"],
            ),
            // units below the first tier are free too
            ("0", &[("10", "2.50")], "12", "5.00", &["2"]),
            // a free middle tier still shows its units
            (
                "0",
                &[("0", "1"), ("5", "0"), ("10", "1")],
                "12",
                "7",
                &["5", "5", "2"],
            ),
            // line amounts are rounded half away from zero to the cent, each line on its own
            (
                "0",
                &[("0", "0.0125"), ("1", "0.0125")],
                "2",
                "0.02",
                &["1", "1"],
            ),
            ("0", &[("0", "0.333")], "3", "1.00", &["3"]),
            ("0", &[("0", "0.005")], "1", "0.01", &["1"]),
            // fractional usage (GB)
            ("10", &[("0", "0.19")], "12.5", "0.48", &["2.5"]),
            // no tiers: usage is recorded but costs nothing
            ("0", &[], "99", "0", &[]),
            // tiers given out of order are sorted
            (
                "0",
                &[("100", "1"), ("0", "2")],
                "150",
                "250",
                &["100", "50"],
            ),
        ];
        for (included, tiers, quantity, total, quantities) in cases {
            let charge = overage(&price(included, tiers), d(quantity));
            assert_eq!(
                charge.total,
                d(total),
                "{included} {tiers:?} {quantity}: {charge:?}"
            );
            let got: Vec<Decimal> = charge.lines.iter().map(|l| l.quantity).collect();
            let want: Vec<Decimal> = quantities.iter().map(|q| d(q)).collect();
            assert_eq!(got, want, "{included} {tiers:?} {quantity}");
        }
    }

    #[test]
    fn lines_name_their_range() {
        let charge = overage(&price("100", &[("0", "0.10"), ("1000", "0.05")]), d("1500"));
        assert_eq!(
            charge.lines[0],
            OverageLine {
                from: d("100"),
                to: Some(d("1000")),
                quantity: d("900"),
                unit_price: d("0.10"),
                amount: d("90.00"),
            }
        );
        assert_eq!(charge.lines[1].to, None);
        assert_eq!(charge.free_quantity, d("100"));
    }

    #[test]
    fn negative_quantity_costs_nothing() {
        let charge = overage(&price("0", &[("0", "1")]), d("-5"));
        assert_eq!((charge.total, charge.lines.len()), (Decimal::ZERO, 0));
    }

    fn cents() -> impl Strategy<Value = Decimal> {
        (0i64..100_000).prop_map(|n| Decimal::new(n, 4))
    }

    fn quantity() -> impl Strategy<Value = Decimal> {
        (0i64..50_000_000).prop_map(|n| Decimal::new(n, 3))
    }

    fn any_price() -> impl Strategy<Value = UsagePrice> {
        (
            quantity(),
            proptest::collection::btree_map(0i64..40_000_000, cents(), 0..5),
        )
            .prop_map(|(included, tiers)| UsagePrice {
                included,
                tiers: tiers
                    .into_iter()
                    .map(|(from, unit_price)| UsageTier {
                        from: Decimal::new(from, 3),
                        unit_price,
                    })
                    .collect(),
            })
    }

    proptest! {
        #[test]
        fn every_unit_is_free_or_charged_once(price in any_price(), q in quantity()) {
            let charge = overage(&price, q);
            let charged: Decimal = charge.lines.iter().map(|l| l.quantity).sum();
            prop_assert_eq!(charged + charge.free_quantity, q);
            prop_assert!(charge.free_quantity >= q.min(price.included));
            prop_assert_eq!(charge.total, charge.lines.iter().map(|l| l.amount).sum::<Decimal>());
            for line in &charge.lines {
                prop_assert!(line.quantity > Decimal::ZERO);
                prop_assert!(line.from >= price.included);
                prop_assert_eq!(line.amount, round_line_amount(line.quantity * line.unit_price));
                prop_assert!(line.amount.scale() <= 2);
            }
        }

        #[test]
        fn more_usage_never_costs_less(price in any_price(), a in quantity(), b in quantity()) {
            let (low, high) = (a.min(b), a.max(b));
            prop_assert!(overage(&price, low).total <= overage(&price, high).total);
        }

        #[test]
        fn within_the_included_quantity_nothing_is_charged(price in any_price(), q in quantity()) {
            let q = q.min(price.included);
            prop_assert_eq!(overage(&price, q).total, Decimal::ZERO);
        }

        #[test]
        fn one_tier_from_zero_is_excess_times_price(included in quantity(), unit_price in cents(), q in quantity()) {
            let price = UsagePrice { included, tiers: vec![UsageTier { from: Decimal::ZERO, unit_price }] };
            let excess = (q - included).max(Decimal::ZERO);
            prop_assert_eq!(overage(&price, q).total, round_line_amount(excess * unit_price));
        }
    }
}
