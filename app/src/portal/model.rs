use crate::contracts::model::{ContractFile, ContractRow, ContractStatus};
use crate::domain::periods::{BillingInterval, BillingMode, Charge, FeeUnit, NoticeUnit};
use crate::domain::Role;
use crate::inventory::model::{DomainRow, DomainStatus};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The roles a portal user can have.
pub const CUSTOMER_ROLES: [Role; 3] = [
    Role::CustomerOwner,
    Role::CustomerBilling,
    Role::CustomerTechnical,
];

/// The next invoice over all of a customer's contracts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextInvoice {
    pub due_on: NaiveDate,
    /// Net: the sum of the charges due on `due_on`.
    pub amount: Decimal,
    pub currency: String,
}

/// The earliest due date among the charges and what is due that day, added up.
pub fn next_invoice<'a>(
    charges: impl IntoIterator<Item = &'a Charge>,
) -> Option<(NaiveDate, Decimal)> {
    let charges: Vec<&Charge> = charges.into_iter().collect();
    let due_on = charges.iter().map(|c| c.due_on).min()?;
    let amount = charges
        .iter()
        .filter(|c| c.due_on == due_on)
        .map(|c| c.amount)
        .sum();
    Some((due_on, amount))
}

/// The start page of the portal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub customer_name: String,
    pub active_contracts: i64,
    pub next_invoice: Option<NextInvoice>,
    /// Expiring within `EXPIRING_WITHIN_DAYS` (or expired lately), soonest first.
    pub expiring_domains: Vec<PortalDomainRow>,
}

/// A contract as its customer sees it in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalContractRow {
    pub id: Uuid,
    pub number: String,
    pub product_name: Option<String>,
    pub description: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    /// The fee valid today, per `fee_unit` and 1 quantity.
    pub fee: Decimal,
    pub fee_unit: FeeUnit,
    pub quantity: Decimal,
    pub billing_interval: BillingInterval,
    pub billing_mode: BillingMode,
    pub billed_until: Option<NaiveDate>,
    pub status: ContractStatus,
    /// The end agreed by a cancellation.
    pub cancelled_to: Option<NaiveDate>,
    pub currency: String,
    pub next_charge: Option<Charge>,
}

impl From<ContractRow> for PortalContractRow {
    fn from(c: ContractRow) -> Self {
        PortalContractRow {
            id: c.id,
            number: c.number,
            product_name: c.product_name,
            description: c.description,
            start_date: c.start_date,
            end_date: c.end_date,
            fee: c.fee,
            fee_unit: c.fee_unit,
            quantity: c.quantity,
            billing_interval: c.billing_interval,
            billing_mode: c.billing_mode,
            billed_until: c.billed_until,
            status: c.status,
            cancelled_to: c.end_date.filter(|_| c.cancelled),
            currency: c.currency,
            next_charge: c.next_charge,
        }
    }
}

/// One contract as its customer sees it: terms, the next invoices, the cancellation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalContractFile {
    pub id: Uuid,
    pub number: String,
    pub product_name: Option<String>,
    pub description: String,
    pub status: ContractStatus,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub minimum_term_months: i32,
    pub notice_amount: i32,
    pub notice_unit: NoticeUnit,
    /// The fee valid today, per `fee_unit` and 1 quantity.
    pub fee: Decimal,
    pub fee_unit: FeeUnit,
    pub quantity: Decimal,
    pub billing_interval: BillingInterval,
    pub billing_mode: BillingMode,
    pub billed_until: Option<NaiveDate>,
    pub currency: String,
    pub upcoming: Vec<Charge>,
    /// The day notice was given and the end it leads to.
    pub cancellation: Option<(NaiveDate, NaiveDate)>,
    /// The earliest end if notice were given today (when not cancelled).
    pub earliest_end_today: Option<NaiveDate>,
    /// The domains this contract covers.
    pub domains: Vec<String>,
}

impl From<ContractFile> for PortalContractFile {
    fn from(file: ContractFile) -> Self {
        use crate::domain::format::{parse_date, parse_decimal};
        let d = &file.data;
        let start_fee = parse_decimal(&d.fee).unwrap_or_default();
        let fee = file
            .price_changes
            .iter()
            .filter(|change| change.valid_from <= file.today)
            .max_by_key(|change| change.valid_from)
            .map_or(start_fee, |change| change.fee);
        PortalContractFile {
            id: file.id,
            number: file.number.clone(),
            product_name: file.product_name.clone(),
            description: d.description.clone(),
            status: file.status,
            start_date: parse_date(&d.start_date),
            end_date: parse_date(&d.end_date),
            minimum_term_months: d.minimum_term_months,
            notice_amount: d.notice_amount,
            notice_unit: d.notice_unit,
            fee,
            fee_unit: d.fee_unit,
            quantity: parse_decimal(&d.quantity).unwrap_or(Decimal::ONE),
            billing_interval: d.billing_interval,
            billing_mode: d.billing_mode,
            billed_until: file.billed_until,
            currency: file.currency.clone(),
            upcoming: file.upcoming.clone(),
            cancellation: file
                .cancellation
                .as_ref()
                .map(|c| (c.notice_given_on, c.end_date)),
            earliest_end_today: file.earliest_end_today,
            domains: file
                .assets
                .iter()
                .filter(|a| a.kind == "domain")
                .map(|a| a.name.clone())
                .collect(),
        }
    }
}

/// A domain as its customer sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalDomainRow {
    pub id: Uuid,
    /// Unicode form.
    pub name: String,
    /// Punycode form.
    pub ascii_name: String,
    pub status: DomainStatus,
    pub auto_renew: bool,
    pub expires_on: Option<NaiveDate>,
    /// Counted by the server from the tenant's today; negative once expired.
    pub days_left: Option<i32>,
}

impl From<DomainRow> for PortalDomainRow {
    fn from(d: DomainRow) -> Self {
        PortalDomainRow {
            id: d.id,
            name: d.name,
            ascii_name: d.ascii_name,
            status: d.status,
            auto_renew: d.auto_renew,
            expires_on: d.expires_on,
            days_left: d.days_left,
        }
    }
}

/// A portal user of a customer, as the customer file lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CustomerUserRow {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    /// The first customer role of the membership.
    pub role: String,
    pub active: bool,
    /// Invited, password not yet set.
    pub invited: bool,
    pub totp_enabled: bool,
    /// `YYYY-MM-DD HH:MM` in the tenant's time zone.
    pub last_seen: Option<String>,
}

impl CustomerUserRow {
    pub fn role(&self) -> Option<Role> {
        Role::parse(&self.role)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerUserInput {
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::periods::Period;

    fn charge(due: (i32, u32, u32), amount: i64) -> Charge {
        let day = NaiveDate::from_ymd_opt(due.0, due.1, due.2).unwrap();
        Charge {
            period: Period { from: day, to: day },
            amount: Decimal::from(amount),
            prorated: false,
            due_on: day,
        }
    }

    #[test]
    fn the_next_invoice_adds_up_what_is_due_first() {
        let charges = [
            charge((2026, 4, 1), 57),
            charge((2026, 3, 1), 10),
            charge((2026, 3, 1), 5),
        ];
        assert_eq!(
            next_invoice(&charges),
            Some((
                NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                Decimal::from(15)
            ))
        );
        assert_eq!(next_invoice(&[]), None);
    }
}

/// The customer's money matters in the portal: balance, open invoices, mandate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalBilling {
    pub currency: String,
    pub open_total: rust_decimal::Decimal,
    pub overdue_total: rust_decimal::Decimal,
    pub credit: rust_decimal::Decimal,
    pub open_items: Vec<crate::payments::model::OpenItem>,
    pub mandate: Option<PortalMandate>,
}

/// The active mandate as the customer sees it (the account masked).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalMandate {
    pub reference: String,
    pub scheme: String,
    pub account: String,
    pub signed_on: chrono::NaiveDate,
}
