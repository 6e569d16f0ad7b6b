use super::model::*;
use crate::domain::periods::{BillingInterval, FeeUnit};
use crate::domain::tax::VatCategory;
use crate::ui::paging::{Page, PageRequest};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

/// Inserts or updates a product and replaces its tiers; false when not in this tenant.
pub async fn save(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    product: &ValidProduct,
    insert: bool,
) -> sqlx::Result<bool> {
    let p = &product.input;
    let sql = if insert {
        "insert into products (id, tenant_id, sku, name, description, kind, unit, cost_price, sale_price,
             setup_fee, vat_category, fee_unit, billing_interval, active)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    } else {
        "update products set (sku, name, description, kind, unit, cost_price, sale_price, setup_fee,
             vat_category, fee_unit, billing_interval, active, updated_at) =
             ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now())
         where id = $1 and tenant_id = $2"
    };
    let done = sqlx::query(sql)
        .bind(id)
        .bind(tenant_id)
        .bind(&p.sku)
        .bind(&p.name)
        .bind(p.description.trim())
        .bind(p.kind.as_str())
        .bind(&p.unit)
        .bind(product.cost_price)
        .bind(product.sale_price)
        .bind(product.setup_fee)
        .bind(p.vat_category.as_str())
        .bind(p.fee_unit.as_str())
        .bind(p.billing_interval.as_str())
        .bind(p.active)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    let (quantities, prices): (Vec<Decimal>, Vec<Decimal>) = product.tiers.iter().copied().unzip();
    sqlx::query(
        "with gone as (delete from product_price_tiers where product_id = $1)
         insert into product_price_tiers (product_id, min_quantity, unit_price)
         select $1, q, p from unnest($2::numeric[], $3::numeric[]) as t(q, p)",
    )
    .bind(id)
    .bind(&quantities)
    .bind(&prices)
    .execute(conn)
    .await?;
    Ok(true)
}

/// Whether the SKU is taken by another product of the tenant.
pub async fn sku_taken(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    sku: &str,
    except: Option<Uuid>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from products where tenant_id = $1 and lower(sku) = lower($2)
                        and ($3::uuid is null or id <> $3))",
    )
    .bind(tenant_id)
    .bind(sku)
    .bind(except)
    .fetch_one(conn)
    .await
}

type ProductRecord = (
    Uuid,
    String,
    String,
    String,
    String,
    String,
    Decimal,
    Decimal,
    Decimal,
    String,
    String,
    String,
    bool,
    Vec<Decimal>,
    Vec<Decimal>,
    i64,
);

pub async fn load(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<ProductFile>> {
    let record: Option<ProductRecord> = sqlx::query_as(
        "select p.id, p.sku, p.name, p.description, p.kind, p.unit, p.cost_price, p.sale_price, p.setup_fee,
                p.vat_category, p.fee_unit, p.billing_interval, p.active,
                coalesce((select array_agg(min_quantity order by min_quantity) from product_price_tiers where product_id = p.id), '{}'),
                coalesce((select array_agg(unit_price order by min_quantity) from product_price_tiers where product_id = p.id), '{}'),
                (select count(*) from contracts where product_id = p.id)
         from products p where p.id = $1 and p.tenant_id = $2",
    )
    .bind(id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await?;
    Ok(record.map(
        |(
            id,
            sku,
            name,
            description,
            kind,
            unit,
            cost,
            sale,
            setup,
            vat,
            fee_unit,
            interval,
            active,
            quantities,
            prices,
            contract_count,
        )| {
            ProductFile {
                id,
                contract_count,
                data: ProductInput {
                    sku,
                    name,
                    description,
                    kind: ProductKind::parse(&kind).unwrap_or_default(),
                    unit,
                    cost_price: cost.normalize().to_string(),
                    sale_price: sale.normalize().to_string(),
                    setup_fee: setup.normalize().to_string(),
                    vat_category: VatCategory::parse(&vat).unwrap_or_default(),
                    fee_unit: FeeUnit::parse(&fee_unit).unwrap_or(FeeUnit::Month),
                    billing_interval: BillingInterval::parse(&interval)
                        .unwrap_or(BillingInterval::Monthly),
                    active,
                    tiers: quantities
                        .into_iter()
                        .zip(prices)
                        .map(|(q, p)| PriceTierInput {
                            min_quantity: q.normalize().to_string(),
                            unit_price: p.normalize().to_string(),
                        })
                        .collect(),
                },
            }
        },
    ))
}

type ListRecord = (
    Uuid,
    String,
    String,
    String,
    String,
    Decimal,
    Decimal,
    String,
    String,
    String,
    bool,
    i64,
);

/// Products are few (hundreds): one page query and one count.
pub async fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    include_inactive: bool,
    page: &PageRequest,
) -> sqlx::Result<Page<ProductRow>> {
    let order = match page.sort.as_str() {
        "sku" => "lower(p.sku)",
        "price" => "p.sale_price",
        "kind" => "p.kind",
        _ => "lower(p.name)",
    };
    let direction = if page.descending { "desc" } else { "asc" };
    let search = format!(
        "%{}%",
        page.search
            .trim()
            .to_lowercase()
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let conditions =
        "p.tenant_id = $1 and ($2 or p.active) and (lower(p.name) like $3 or lower(p.sku) like $3)";
    let rows: Vec<ListRecord> = sqlx::query_as(&format!(
        "select p.id, p.sku, p.name, p.kind, p.unit, p.cost_price, p.sale_price, p.fee_unit,
                p.billing_interval, p.vat_category, p.active,
                (select count(*) from product_price_tiers where product_id = p.id)
         from products p where {conditions}
         order by {order} {direction}, p.id limit {} offset {}",
        page.limit(),
        page.offset()
    ))
    .bind(tenant_id)
    .bind(include_inactive)
    .bind(&search)
    .fetch_all(&mut *conn)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!(
        "select count(*) from products p where {conditions}"
    ))
    .bind(tenant_id)
    .bind(include_inactive)
    .bind(&search)
    .fetch_one(conn)
    .await?;
    Ok(Page::new(
        rows.into_iter()
            .map(
                |(
                    id,
                    sku,
                    name,
                    kind,
                    unit,
                    cost_price,
                    sale_price,
                    fee_unit,
                    interval,
                    vat,
                    active,
                    tier_count,
                )| {
                    ProductRow {
                        id,
                        sku,
                        name,
                        kind: ProductKind::parse(&kind).unwrap_or_default(),
                        unit,
                        cost_price,
                        sale_price,
                        fee_unit: FeeUnit::parse(&fee_unit).unwrap_or(FeeUnit::Month),
                        billing_interval: BillingInterval::parse(&interval)
                            .unwrap_or(BillingInterval::Monthly),
                        vat_category: VatCategory::parse(&vat).unwrap_or_default(),
                        active,
                        tier_count,
                    }
                },
            )
            .collect(),
        total,
        page,
    ))
}

pub async fn tld_prices(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<Vec<TldPrice>> {
    let rows: Vec<(String, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal)> = sqlx::query_as(
        "select tld, registration_cost, registration_price, renewal_cost, renewal_price, transfer_cost, transfer_price
         from tld_prices where tenant_id = $1 order by tld",
    )
    .bind(tenant_id)
    .fetch_all(conn)
    .await?;
    let text = |value: Decimal| format!("{value:.2}");
    Ok(rows
        .into_iter()
        .map(|(tld, rc, rp, nc, np, tc, tp)| TldPrice {
            tld,
            registration_cost: text(rc),
            registration_price: text(rp),
            renewal_cost: text(nc),
            renewal_price: text(np),
            transfer_cost: text(tc),
            transfer_price: text(tp),
        })
        .collect())
}

pub async fn save_tld_price(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    tld: &str,
    amounts: &[Decimal; 6],
) -> sqlx::Result<()> {
    let [rc, rp, nc, np, tc, tp] = *amounts;
    sqlx::query(
        "insert into tld_prices (tenant_id, tld, registration_cost, registration_price, renewal_cost,
             renewal_price, transfer_cost, transfer_price)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (tenant_id, tld) do update set registration_cost = excluded.registration_cost,
             registration_price = excluded.registration_price, renewal_cost = excluded.renewal_cost,
             renewal_price = excluded.renewal_price, transfer_cost = excluded.transfer_cost,
             transfer_price = excluded.transfer_price, updated_at = now()",
    )
    .bind(tenant_id)
    .bind(tld)
    .bind(rc)
    .bind(rp)
    .bind(nc)
    .bind(np)
    .bind(tc)
    .bind(tp)
    .execute(conn)
    .await?;
    Ok(())
}
