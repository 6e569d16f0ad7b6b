//! What a billing run charges one customer on a day, as a pure function of the customer's
//! contracts and usage (the shell loads them, writes the result, and never computes money):
//! - a setup fee once, on the first run on or after the contract start;
//! - every recurring period due by the run date and not billed yet, priced by the fee valid
//!   on its first day, a partial period prorated (the period engine);
//! - a credit for days already billed after an earlier end;
//! - metered usage of months that are over, in arrears: the included quantity is free, the
//!   rest priced by graduated tiers, one line per tier;
//! - VAT per line from the customer's tax treatment and the contract's VAT category.
//!
//! All lines of one customer form one invoice; the invoice period (BG-14) spans its lines.

use super::invoice_math::{line_net, line_tax, LineTax};
use super::periods::{
    credit_for_early_end, next_charge, priced_on, Charge, Period, PriceChange, Terms,
};
use super::tax::{TaxTreatment, VatCategory};
use super::usage_pricing::{overage, UsagePrice};
use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A contract as the billing run sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillableContract {
    pub id: Uuid,
    pub terms: Terms,
    pub price_changes: Vec<PriceChange>,
    pub billed_until: Option<NaiveDate>,
    pub setup_fee: Decimal,
    pub setup_fee_billed: bool,
    pub vat_category: VatCategory,
    /// Usage not billed yet, per metric and month, with the product's price for the metric.
    pub usage: Vec<UnbilledUsage>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnbilledUsage {
    pub record_id: Uuid,
    pub metric: String,
    /// First day of the month.
    pub month: NaiveDate,
    pub quantity: Decimal,
    pub unit: String,
    pub price: UsagePrice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Setup,
    Recurring,
    Credit,
    Usage,
    Manual,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Setup => "setup",
            LineKind::Recurring => "recurring",
            LineKind::Credit => "credit",
            LineKind::Usage => "usage",
            LineKind::Manual => "manual",
        }
    }

    pub fn parse(text: &str) -> Option<LineKind> {
        [
            LineKind::Setup,
            LineKind::Recurring,
            LineKind::Credit,
            LineKind::Usage,
            LineKind::Manual,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// One line the run puts on the customer's invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BilledLine {
    pub contract_id: Uuid,
    pub kind: LineKind,
    /// The days the line covers (BT-134/135); the setup fee covers its first day.
    pub period: Period,
    pub prorated: bool,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub net: Decimal,
    pub tax: LineTax,
    /// Usage lines: the metric, its unit, the tier's counted range and the record billed.
    pub usage: Option<UsageDetail>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageDetail {
    pub record_id: Uuid,
    pub metric: String,
    pub unit: String,
    /// The tier's first unit of the month's total; `None` for a fully included quantity.
    pub tier_from: Option<Decimal>,
}

/// The UN/ECE recommendation 20 code of a usage unit as people write it.
pub fn unit_code(unit: &str) -> &'static str {
    match unit.trim().to_lowercase().as_str() {
        "gb" | "gigabyte" => "E34",
        "mb" | "megabyte" => "4L",
        "tb" | "terabyte" => "E35",
        "h" | "std" | "stunde" | "stunden" | "hour" | "hours" => "HUR",
        "monat" | "monate" | "month" | "months" => "MON",
        _ => "C62",
    }
}

/// How far a contract is billed after the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractAdvance {
    pub contract_id: Uuid,
    pub billed_until: Option<NaiveDate>,
    pub setup_fee_billed: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerBill {
    pub lines: Vec<BilledLine>,
    /// Only contracts whose state changes.
    pub advances: Vec<ContractAdvance>,
    /// Usage records the lines bill (a record with no overage is billed at zero lines).
    pub usage_billed: Vec<Uuid>,
}

impl CustomerBill {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.advances.is_empty() && self.usage_billed.is_empty()
    }

    /// BG-14: from the first line's first day to the last line's last day.
    pub fn period(&self) -> Option<Period> {
        let from = self.lines.iter().map(|l| l.period.from).min()?;
        let to = self.lines.iter().map(|l| l.period.to).max()?;
        Some(Period { from, to })
    }
}

/// Everything due for one customer on `run_date`, contracts in the given order, each
/// contract's lines as setup, credit, periods, usage.
pub fn bill_customer(
    treatment: TaxTreatment,
    contracts: &[BillableContract],
    run_date: NaiveDate,
) -> CustomerBill {
    let mut bill = CustomerBill::default();
    for contract in contracts {
        let tax = line_tax(treatment, contract.vat_category);
        let line = |kind, charge: &Charge| BilledLine {
            contract_id: contract.id,
            kind,
            period: charge.period.clone(),
            prorated: charge.prorated,
            quantity: Decimal::ONE,
            unit_price: charge.amount,
            net: charge.amount,
            tax,
            usage: None,
        };
        let mut setup_fee_billed = contract.setup_fee_billed;
        if !setup_fee_billed && contract.terms.start <= run_date {
            setup_fee_billed = true;
            if !contract.setup_fee.is_zero() {
                let day = Period {
                    from: contract.terms.start,
                    to: contract.terms.start,
                };
                bill.lines.push(BilledLine {
                    contract_id: contract.id,
                    kind: LineKind::Setup,
                    period: day,
                    prorated: false,
                    quantity: Decimal::ONE,
                    unit_price: contract.setup_fee,
                    net: line_net(Decimal::ONE, contract.setup_fee),
                    tax,
                    usage: None,
                });
            }
        }
        let mut billed_until = contract.billed_until;
        if let (Some(billed), Some(end)) = (billed_until, contract.terms.end) {
            if billed > end {
                // priced like the charges it takes back: by the fee of the first credited day
                let first_credited = end.succ_opt().unwrap_or(end);
                let priced = priced_on(&contract.terms, &contract.price_changes, first_credited);
                if let Some(credit) = credit_for_early_end(&priced, billed, end) {
                    bill.lines.push(line(LineKind::Credit, &credit));
                }
                billed_until = Some(end);
            }
        }
        // each period is priced by the fee valid on its first day
        while let Some(unpriced) = next_charge(&contract.terms, billed_until) {
            let priced = priced_on(
                &contract.terms,
                &contract.price_changes,
                unpriced.period.from,
            );
            let Some(charge) = next_charge(&priced, billed_until) else {
                break;
            };
            if charge.due_on > run_date {
                break;
            }
            billed_until = Some(charge.period.to);
            bill.lines.push(line(LineKind::Recurring, &charge));
        }
        for usage in &contract.usage {
            let month_over = usage
                .month
                .checked_add_months(Months::new(1))
                .is_some_and(|next| next <= run_date);
            if !month_over {
                continue;
            }
            let month = Period {
                from: usage.month,
                to: usage
                    .month
                    .checked_add_months(Months::new(1))
                    .and_then(|next| next.pred_opt())
                    .unwrap_or(usage.month),
            };
            let charge = overage(&usage.price, usage.quantity);
            if charge.lines.is_empty() {
                // all of it included: a line at zero shows the customer what was counted
                bill.lines.push(BilledLine {
                    contract_id: contract.id,
                    kind: LineKind::Usage,
                    period: month.clone(),
                    prorated: false,
                    quantity: usage.quantity,
                    unit_price: Decimal::ZERO,
                    net: Decimal::ZERO,
                    tax,
                    usage: Some(UsageDetail {
                        record_id: usage.record_id,
                        metric: usage.metric.clone(),
                        unit: usage.unit.clone(),
                        tier_from: None,
                    }),
                });
            }
            for tier in charge.lines {
                bill.lines.push(BilledLine {
                    contract_id: contract.id,
                    kind: LineKind::Usage,
                    period: month.clone(),
                    prorated: false,
                    quantity: tier.quantity,
                    unit_price: tier.unit_price,
                    net: tier.amount,
                    tax,
                    usage: Some(UsageDetail {
                        record_id: usage.record_id,
                        metric: usage.metric.clone(),
                        unit: usage.unit.clone(),
                        tier_from: Some(tier.from),
                    }),
                });
            }
            bill.usage_billed.push(usage.record_id);
        }
        if billed_until != contract.billed_until || setup_fee_billed != contract.setup_fee_billed {
            bill.advances.push(ContractAdvance {
                contract_id: contract.id,
                billed_until,
                setup_fee_billed,
            });
        }
    }
    bill
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invoice_math::VatCode;
    use crate::domain::periods::{BillingInterval, BillingMode, FeeUnit};
    use crate::domain::usage_pricing::UsageTier;
    use std::str::FromStr;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::from_str(text).unwrap()
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn monthly(start: &str, fee: &str) -> BillableContract {
        BillableContract {
            id: Uuid::from_u128(1),
            terms: Terms {
                start: d(start),
                end: None,
                fee: dec(fee),
                fee_unit: FeeUnit::Month,
                quantity: Decimal::ONE,
                discount_percent: Decimal::ZERO,
                interval: BillingInterval::Monthly,
                mode: BillingMode::InAdvance,
            },
            price_changes: Vec::new(),
            billed_until: None,
            setup_fee: Decimal::ZERO,
            setup_fee_billed: false,
            vat_category: VatCategory::Standard,
            usage: Vec::new(),
        }
    }

    fn summary(bill: &CustomerBill) -> Vec<(LineKind, NaiveDate, NaiveDate, Decimal)> {
        bill.lines
            .iter()
            .map(|l| (l.kind, l.period.from, l.period.to, l.net))
            .collect()
    }

    #[test]
    fn first_run_bills_setup_and_every_due_period_once() {
        let mut contract = monthly("2026-10-15", "10.00");
        contract.setup_fee = dec("49.00");
        let bill = bill_customer(TaxTreatment::Domestic, &[contract.clone()], d("2026-12-01"));
        assert_eq!(
            summary(&bill),
            vec![
                (
                    LineKind::Setup,
                    d("2026-10-15"),
                    d("2026-10-15"),
                    dec("49.00")
                ),
                (
                    LineKind::Recurring,
                    d("2026-10-15"),
                    d("2026-11-14"),
                    dec("10.00")
                ),
                (
                    LineKind::Recurring,
                    d("2026-11-15"),
                    d("2026-12-14"),
                    dec("10.00")
                ),
            ]
        );
        assert_eq!(
            bill.advances,
            vec![ContractAdvance {
                contract_id: contract.id,
                billed_until: Some(d("2026-12-14")),
                setup_fee_billed: true
            }]
        );
        // the same run again, after the advance, bills nothing
        contract.billed_until = Some(d("2026-12-14"));
        contract.setup_fee_billed = true;
        assert!(bill_customer(TaxTreatment::Domestic, &[contract], d("2026-12-01")).is_empty());
    }

    #[test]
    fn a_contract_not_started_yet_bills_nothing_not_even_its_setup_fee() {
        let mut contract = monthly("2027-01-01", "10.00");
        contract.setup_fee = dec("49.00");
        assert!(bill_customer(TaxTreatment::Domestic, &[contract], d("2026-12-01")).is_empty());
    }

    #[test]
    fn each_period_is_priced_by_the_fee_valid_on_its_first_day() {
        let mut contract = monthly("2026-10-01", "10.00");
        contract.price_changes = vec![PriceChange {
            valid_from: d("2026-11-01"),
            fee: dec("12.00"),
        }];
        let bill = bill_customer(TaxTreatment::Domestic, &[contract], d("2026-11-01"));
        let nets: Vec<Decimal> = bill.lines.iter().map(|l| l.net).collect();
        assert_eq!(nets, vec![dec("10.00"), dec("12.00")]);
    }

    #[test]
    fn an_earlier_end_credits_the_days_billed_after_it_and_ends_billing() {
        let mut contract = monthly("2026-01-01", "31.00");
        contract.setup_fee_billed = true;
        contract.billed_until = Some(d("2026-12-31"));
        contract.terms.end = Some(d("2026-12-15"));
        let bill = bill_customer(TaxTreatment::Domestic, &[contract], d("2026-12-20"));
        assert_eq!(
            summary(&bill),
            vec![(
                LineKind::Credit,
                d("2026-12-16"),
                d("2026-12-31"),
                dec("-16.00")
            )]
        );
        assert_eq!(bill.advances[0].billed_until, Some(d("2026-12-15")));
    }

    #[test]
    fn a_last_partial_period_is_prorated() {
        let mut contract = monthly("2026-11-01", "30.00");
        contract.setup_fee_billed = true;
        contract.billed_until = Some(d("2026-11-30"));
        contract.terms.end = Some(d("2026-12-10"));
        let bill = bill_customer(TaxTreatment::Domestic, &[contract], d("2026-12-01"));
        assert_eq!(
            summary(&bill),
            vec![(
                LineKind::Recurring,
                d("2026-12-01"),
                d("2026-12-10"),
                dec("9.68")
            )]
        );
        assert!(bill.lines[0].prorated);
    }

    #[test]
    fn usage_of_finished_months_is_billed_in_tiers_and_the_running_month_waits() {
        let mut contract = monthly("2026-01-01", "5.00");
        contract.setup_fee_billed = true;
        contract.billed_until = Some(d("2026-12-31"));
        let price = UsagePrice {
            included: dec("100"),
            tiers: vec![
                UsageTier {
                    from: dec("0"),
                    unit_price: dec("0.10"),
                },
                UsageTier {
                    from: dec("200"),
                    unit_price: dec("0.05"),
                },
            ],
        };
        let usage = |id: u128, month: &str, quantity: &str| UnbilledUsage {
            record_id: Uuid::from_u128(id),
            metric: "traffic_gb".into(),
            month: d(month),
            quantity: dec(quantity),
            unit: "GB".into(),
            price: price.clone(),
        };
        let mut included = usage(9, "2026-10-01", "80");
        included.metric = "mailboxes".into();
        contract.usage = vec![
            included,
            usage(7, "2026-11-01", "250"),
            usage(8, "2026-12-01", "900"),
        ];
        let bill = bill_customer(TaxTreatment::Domestic, &[contract], d("2026-12-01"));
        assert_eq!(
            summary(&bill),
            vec![
                (LineKind::Usage, d("2026-10-01"), d("2026-10-31"), dec("0")),
                (
                    LineKind::Usage,
                    d("2026-11-01"),
                    d("2026-11-30"),
                    dec("10.00")
                ),
                (
                    LineKind::Usage,
                    d("2026-11-01"),
                    d("2026-11-30"),
                    dec("2.50")
                ),
            ]
        );
        assert_eq!(bill.lines[0].quantity, dec("80"));
        assert_eq!(
            bill.usage_billed,
            vec![Uuid::from_u128(9), Uuid::from_u128(7)]
        );
        assert!(bill.advances.is_empty());
    }

    #[test]
    fn usage_units_map_to_recommendation_20_codes() {
        assert_eq!(unit_code("GB"), "E34");
        assert_eq!(unit_code(" Std "), "HUR");
        assert_eq!(unit_code("Postfächer"), "C62");
    }

    #[test]
    fn the_customers_treatment_sets_every_lines_tax() {
        let mut contract = monthly("2026-12-01", "10.00");
        contract.vat_category = VatCategory::Reduced;
        let domestic = bill_customer(TaxTreatment::Domestic, &[contract.clone()], d("2026-12-01"));
        assert_eq!(
            (domestic.lines[0].tax.code, domestic.lines[0].tax.rate),
            (VatCode::Standard, dec("7"))
        );
        let reverse = bill_customer(TaxTreatment::EuReverseCharge, &[contract], d("2026-12-01"));
        assert_eq!(reverse.lines[0].tax.code, VatCode::ReverseCharge);
    }
}
