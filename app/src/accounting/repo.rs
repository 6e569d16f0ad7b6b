//! SQL of the accounting area: a period's bookings in two statements, the revenue figures
//! in six, whatever the number of invoices.

use super::model::*;
use crate::domain::datev::{debtor_account, Booking, Chart};
use crate::domain::invoice_math::{round_cents, TaxNote, VatCode};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{PgConnection, Row};

/// What the bookings of a period are made of.
pub struct PeriodBookings {
    pub bookings: Vec<Booking>,
    pub invoices: i64,
    pub credit_notes: i64,
    pub payments: i64,
    pub revenue_gross: Decimal,
}

/// Issued invoices and credit notes of the period, one booking per document and VAT group
/// (gross on the debtor against the group's revenue account; credit notes on the credit
/// side), then every payment: its allocations against the debtor with the invoice number,
/// and what it left over as the customer's credit.
pub async fn bookings(
    conn: &mut PgConnection,
    tenant_id: uuid::Uuid,
    from: NaiveDate,
    to: NaiveDate,
    chart: Chart,
) -> sqlx::Result<PeriodBookings> {
    let groups = sqlx::query(
        "select i.id, i.kind, i.number, i.issue_date, i.customer_number, i.buyer_name, i.buyer_vat_id,
                l.vat_code, l.vat_rate, min(l.tax_note) as tax_note, sum(l.net_amount) as basis
         from invoices i join invoice_lines l on l.invoice_id = i.id
         where i.tenant_id = $1 and i.status = 'issued' and i.issue_date between $2 and $3
         group by i.id, l.vat_code, l.vat_rate
         order by i.issue_date, i.number, l.vat_code, l.vat_rate desc",
    )
    .bind(tenant_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = PeriodBookings {
        bookings: Vec::with_capacity(groups.len()),
        invoices: 0,
        credit_notes: 0,
        payments: 0,
        revenue_gross: Decimal::ZERO,
    };
    let mut last_document = None;
    for row in groups {
        let id: uuid::Uuid = row.try_get("id")?;
        let credit = row.try_get::<String, _>("kind")? == "credit_note";
        if last_document != Some(id) {
            last_document = Some(id);
            if credit {
                out.credit_notes += 1;
            } else {
                out.invoices += 1;
            }
        }
        let code = VatCode::parse(row.try_get("vat_code")?).unwrap_or(VatCode::Standard);
        let rate: Decimal = row.try_get("vat_rate")?;
        let note = row
            .try_get::<Option<String>, _>("tax_note")?
            .as_deref()
            .and_then(TaxNote::parse);
        let basis: Decimal = row.try_get("basis")?;
        // the group's tax rounded once, as on the invoice (EN 16931)
        let gross = basis + round_cents(basis * rate / Decimal::ONE_HUNDRED);
        if gross.is_zero() {
            continue;
        }
        out.revenue_gross += if credit { -gross } else { gross };
        let customer_number: String = row.try_get("customer_number")?;
        let number: String = row.try_get("number")?;
        let buyer: String = row.try_get("buyer_name")?;
        out.bookings.push(Booking {
            amount: gross.abs(),
            // a negative group (discounts only) turns the side around
            debit: (gross > Decimal::ZERO) != credit,
            account: debtor_account(&customer_number),
            contra: chart.revenue_account(code, rate, note),
            date: row.try_get("issue_date")?,
            text: format!("{buyer} {number}"),
            document: number,
            eu_vat_id: (code == VatCode::ReverseCharge)
                .then(|| row.try_get::<Option<String>, _>("buyer_vat_id"))
                .transpose()?
                .flatten(),
        });
    }
    let payments = sqlx::query(
        "select p.id, p.received_on, a.amount, i.number, c.number as customer_number,
                coalesce(nullif(p.payer_name, ''), c.display_name) as payer
         from payments p
         join customers c on c.id = p.customer_id
         left join lateral (
             select a.amount, a.invoice_id from payment_allocations a where a.payment_id = p.id
             union all
             select p.amount - coalesce((select sum(x.amount) from payment_allocations x where x.payment_id = p.id), 0), null
         ) a on true
         left join invoices i on i.id = a.invoice_id
         where p.tenant_id = $1 and p.received_on between $2 and $3 and p.status = 'allocated'
           and a.amount <> 0
         order by p.received_on, p.id, i.number nulls last",
    )
    .bind(tenant_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let mut last_payment = None;
    for row in payments {
        let id: uuid::Uuid = row.try_get("id")?;
        if last_payment != Some(id) {
            last_payment = Some(id);
            out.payments += 1;
        }
        let amount: Decimal = row.try_get("amount")?;
        let number: Option<String> = row.try_get("number")?;
        let payer: String = row.try_get("payer")?;
        out.bookings.push(Booking {
            amount: amount.abs(),
            // money in: bank debit; a returned direct debit goes out again
            debit: amount > Decimal::ZERO,
            account: chart.bank_account(),
            contra: debtor_account(&row.try_get::<String, _>("customer_number")?),
            date: row.try_get("received_on")?,
            text: match &number {
                Some(number) => format!("Zahlung {payer} {number}"),
                None => format!("Guthaben {payer}"),
            },
            document: number.unwrap_or_default(),
            eu_vat_id: None,
        });
    }
    Ok(out)
}

/// The monthly revenue of a contract on day `$day`: the price valid then × quantity, less
/// the discount, per month of its fee unit.
const MONTHLY_FEE: &str = "(coalesce((select p.fee from contract_prices p
        where p.contract_id = c.id and p.valid_from <= $day order by p.valid_from desc limit 1), c.fee)
    * c.quantity * (1 - c.discount_percent / 100)
    / case c.fee_unit when 'month' then 1 when 'quarter' then 3 when 'year' then 12 else 24 end)";

fn monthly_fee(day: &str) -> String {
    MONTHLY_FEE.replace("$day", day)
}

/// MRR and number of the contracts running on `day`.
async fn mrr_on(
    conn: &mut PgConnection,
    tenant_id: uuid::Uuid,
    day: NaiveDate,
) -> sqlx::Result<(Decimal, i64)> {
    let (mrr, count): (Option<Decimal>, i64) = sqlx::query_as(&format!(
        "select sum({}), count(*) from contracts c
         where c.tenant_id = $1 and c.start_date <= $2 and (c.end_date is null or c.end_date >= $2)",
        monthly_fee("$2")
    ))
    .bind(tenant_id)
    .bind(day)
    .fetch_one(conn)
    .await?;
    Ok((round_cents(mrr.unwrap_or_default()), count))
}

const TOP: i64 = 10;

/// The `TOP` rows (id, label, net) of a share query over ($1 tenant, $2 since, $3 limit).
async fn top_shares(
    conn: &mut PgConnection,
    sql: &str,
    tenant_id: uuid::Uuid,
    since: NaiveDate,
) -> sqlx::Result<Vec<RevenueShare>> {
    sqlx::query(sql)
        .bind(tenant_id)
        .bind(since)
        .bind(TOP)
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|row| {
            Ok(RevenueShare {
                id: row.try_get("id")?,
                label: row.try_get("label")?,
                net: row.try_get("net")?,
            })
        })
        .collect()
}

pub async fn revenue_stats(
    conn: &mut PgConnection,
    tenant_id: uuid::Uuid,
    today: NaiveDate,
) -> sqlx::Result<RevenueStats> {
    use chrono::{Datelike, Months};
    let this_month = today.with_day(1).unwrap_or(today);
    let first_month = this_month
        .checked_sub_months(Months::new(11))
        .unwrap_or(this_month);
    let (mrr, active_contracts) = mrr_on(conn, tenant_id, today).await?;
    let year_ago = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    let (mrr_year_ago, _) = mrr_on(conn, tenant_id, year_ago).await?;

    let invoiced: Vec<(NaiveDate, Decimal, Decimal)> = sqlx::query_as(
        "select date_trunc('month', issue_date)::date,
                coalesce(sum(net_total) filter (where kind = 'invoice'), 0),
                coalesce(sum(net_total) filter (where kind = 'credit_note'), 0)
         from invoices where tenant_id = $1 and status = 'issued' and issue_date >= $2
         group by 1",
    )
    .bind(tenant_id)
    .bind(first_month)
    .fetch_all(&mut *conn)
    .await?;
    let months = (0..12u32)
        .filter_map(|k| first_month.checked_add_months(Months::new(k)))
        .map(|month| {
            let found = invoiced.iter().find(|(m, _, _)| *m == month);
            MonthRevenue {
                month,
                invoiced: found.map_or(Decimal::ZERO, |f| f.1),
                credited: found.map_or(Decimal::ZERO, |f| f.2),
            }
        })
        .collect();

    let by_customer = top_shares(
        conn,
        "select i.customer_id as id, min(c.number || ' · ' || c.display_name) as label,
                sum(case when i.kind = 'credit_note' then -i.net_total else i.net_total end) as net
         from invoices i join customers c on c.id = i.customer_id
         where i.tenant_id = $1 and i.status = 'issued' and i.issue_date >= $2
         group by i.customer_id order by net desc limit $3",
        tenant_id,
        first_month,
    )
    .await?;
    let by_product = top_shares(
        conn,
        "select p.id, coalesce(min(p.name), '') as label,
                sum(case when i.kind = 'credit_note' then -l.net_amount else l.net_amount end) as net
         from invoices i join invoice_lines l on l.invoice_id = i.id
         left join contracts k on k.id = l.contract_id
         left join products p on p.id = k.product_id
         where i.tenant_id = $1 and i.status = 'issued' and i.issue_date >= $2
         group by p.id order by net desc limit $3",
        tenant_id,
        first_month,
    )
    .await?;

    let churn = sqlx::query_as::<_, (NaiveDate, i64, Decimal)>(&format!(
        "select date_trunc('month', c.end_date)::date, count(*), coalesce(sum({}), 0)
         from contracts c
         where c.tenant_id = $1 and c.end_date >= $2 and c.end_date < $3 and c.cancelled_at is not null
         group by 1 order by 1",
        monthly_fee("c.end_date")
    ))
    .bind(tenant_id)
    .bind(first_month)
    .bind(this_month.checked_add_months(Months::new(1)).unwrap_or(today))
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(month, contracts, mrr)| MonthChurn {
        month,
        contracts,
        mrr: round_cents(mrr),
    })
    .collect();

    // the next period of a contract billed quarterly or longer, once its minimum term is over
    let renewals = sqlx::query(&format!(
        "select c.id, c.number, cu.display_name as customer, c.description, r.renews_on,
                (r.renews_on - 1 - case c.notice_unit when 'days' then make_interval(days => c.notice_amount)
                                                       when 'weeks' then make_interval(weeks => c.notice_amount)
                                                       else make_interval(months => c.notice_amount) end)::date as notice_by,
                {} as mrr
         from contracts c
         join customers cu on cu.id = c.customer_id
         cross join lateral (select (c.billed_until + 1) as renews_on) r
         where c.tenant_id = $1 and c.end_date is null and c.billed_until is not null
           and c.billing_interval in ('quarterly', 'half_yearly', 'yearly', 'biennial')
           and r.renews_on between $2 and $2 + 90
           and (c.start_date + make_interval(months => c.minimum_term_months))::date <= r.renews_on
         order by r.renews_on, c.number limit 50",
        monthly_fee("$2")
    ))
    .bind(tenant_id)
    .bind(today)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| {
        Ok(Renewal {
            contract_id: row.try_get("id")?,
            number: row.try_get("number")?,
            customer: row.try_get("customer")?,
            description: row.try_get("description")?,
            renews_on: row.try_get("renews_on")?,
            notice_by: row.try_get("notice_by")?,
            mrr: round_cents(row.try_get("mrr")?),
        })
    })
    .collect::<sqlx::Result<_>>()?;

    Ok(RevenueStats {
        today,
        mrr,
        arr: mrr * Decimal::from(12),
        active_contracts,
        mrr_year_ago,
        months,
        by_customer,
        by_product,
        churn,
        renewals,
    })
}
