use super::model::*;
use super::{RECENTLY_EXPIRED_DAYS, REMINDER_DAYS};
use crate::customers::repo::{search_patterns, COUNT_LIMIT};
use crate::domain::permissions::allows;
use crate::domain::{DomainName, Permission, Role};
use crate::i18n::{Key, Lang};
use crate::ui::paging::{Page, PageRequest};
use chrono::NaiveDate;
use sqlx::postgres::PgRow;
use sqlx::types::ipnetwork::IpNetwork;
use sqlx::PgConnection;
use std::net::IpAddr;
use uuid::Uuid;

const CUSTOMER_LABEL: &str = "c.number || ' · ' || c.display_name";
const CONTRACT_LABEL: &str = "k.number || ' · ' || k.description";
/// A server's addresses as text without `/32` (`inet::text` would add it).
const IP_ADDRESSES: &str =
    "array(select host(a) from unnest(s.ip_addresses) with ordinality u(a, n) order by n)";

/// Everything that expires, with its tenant; deleted domains no longer matter.
const EXPIRING: &str = "(
    select 'domain' as kind, id, tenant_id, name, ascii_name, customer_id, expires_on, auto_renew
    from domains where status <> 'deleted' and expires_on is not null
    union all
    select 'certificate', id, tenant_id, common_name, ascii_name, customer_id, expires_on, auto_renew
    from certificates
    union all
    select 'zone', id, tenant_id, name, ascii_name, customer_id, expires_on, false
    from dns_zones where expires_on is not null
) e join customers c on c.id = e.customer_id";

/// The tenant's today: days left are counted in its time zone.
pub async fn today(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<NaiveDate> {
    sqlx::query_scalar("select (now() at time zone time_zone)::date from tenants where id = $1")
        .bind(tenant_id)
        .fetch_one(conn)
        .await
}

/// A list query naming only the filters in use, so PostgreSQL plans each shape for what it
/// is (as the customer list does). Values are bound as text and cast in SQL: `$1` is the
/// tenant, `$2` today, `?` in a condition the value added with it.
struct ListQuery {
    alias: &'static str,
    conditions: String,
    params: Vec<String>,
}

impl ListQuery {
    fn new(alias: &'static str, tenant_id: Uuid, today: NaiveDate) -> Self {
        ListQuery {
            alias,
            conditions: format!("{alias}.tenant_id = $1::uuid"),
            params: vec![tenant_id.to_string(), today.to_string()],
        }
    }

    fn and(&mut self, condition: &str, value: impl ToString) {
        self.params.push(value.to_string());
        let param = format!("${}", self.params.len());
        self.conditions.push_str(" and ");
        self.conditions.push_str(&condition.replace('?', &param));
    }

    /// The customer filter and the search words, which every list has.
    fn common(&mut self, filter: &InventoryFilter, search_text: &str, page: &PageRequest) {
        if let Some(customer) = filter.customer_id {
            self.and(&format!("{}.customer_id = ?::uuid", self.alias), customer);
        }
        for pattern in search_patterns(&page.search) {
            self.and(&format!("{search_text} like ?"), pattern);
        }
    }

    fn contract_and_expiry(&mut self, filter: &InventoryFilter) {
        if let Some(contract) = filter.contract_id {
            self.and(&format!("{}.contract_id = ?::uuid", self.alias), contract);
        }
        if let Some(days) = filter.expiring_within_days {
            // beyond ten years the date arithmetic could leave PostgreSQL's range
            self.and(
                &format!("{}.expires_on <= $2::date + ?::integer", self.alias),
                days.clamp(0, 3660),
            );
        }
    }

    /// Two statements: the page, and a count that stops at COUNT_LIMIT.
    async fn page<R>(
        &self,
        conn: &mut PgConnection,
        select: &str,
        from: &str,
        order: &str,
        page: &PageRequest,
    ) -> sqlx::Result<Page<R>>
    where
        R: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        let direction = if page.descending { "desc" } else { "asc" };
        let sql = format!(
            "select {select} from {from} where {}
             order by {order} {direction}, {}.id {direction} limit {} offset {}",
            self.conditions,
            self.alias,
            page.limit(),
            page.offset()
        );
        let mut query = sqlx::query_as::<_, R>(&sql);
        for param in &self.params {
            query = query.bind(param);
        }
        let items = query.fetch_all(&mut *conn).await?;
        let count_sql = format!(
            "select count(*) from (select 1 from {from} where {} limit {}) counted",
            self.conditions,
            COUNT_LIMIT + 1
        );
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for param in &self.params {
            count = count.bind(param);
        }
        let total = count.fetch_one(conn).await?;
        let mut result = Page::new(items, total.min(COUNT_LIMIT), page);
        result.total_capped = total > COUNT_LIMIT;
        Ok(result)
    }
}

pub async fn list_domains(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    filter: &InventoryFilter,
    page: &PageRequest,
    today: NaiveDate,
) -> sqlx::Result<Page<DomainRow>> {
    let mut query = ListQuery::new("d", tenant_id, today);
    query.common(filter, "lower(d.name || ' ' || d.ascii_name)", page);
    query.contract_and_expiry(filter);
    if let Some(status) = filter.status {
        query.and("d.status = ?", status.as_str());
    }
    let order = match page.sort.as_str() {
        "expiry" => "d.expires_on",
        "customer" => "lower(c.display_name)",
        "status" => "d.status",
        _ => "d.ascii_name",
    };
    query
        .page(
            conn,
            "d.id, d.name, d.ascii_name, d.customer_id, c.display_name as customer, d.registrar,
             d.status, d.auto_renew, d.expires_on, d.expires_on - $2::date as days_left",
            "domains d join customers c on c.id = d.customer_id",
            order,
            page,
        )
        .await
}

pub async fn list_servers(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    filter: &InventoryFilter,
    page: &PageRequest,
    today: NaiveDate,
) -> sqlx::Result<Page<ServerRow>> {
    let mut query = ListQuery::new("s", tenant_id, today);
    query.common(
        filter,
        &format!(
            "lower(s.hostname || ' ' || s.location || ' ' || s.operating_system || ' '
                   || array_to_string({IP_ADDRESSES}, ' '))"
        ),
        page,
    );
    if let Some(contract) = filter.contract_id {
        query.and(
            "exists (select 1 from contract_servers cs where cs.server_id = s.id and cs.contract_id = ?::uuid)",
            contract,
        );
    }
    let order = match page.sort.as_str() {
        "customer" => "lower(c.display_name)",
        "type" => "s.server_type",
        "location" => "lower(s.location)",
        _ => "s.hostname",
    };
    query
        .page(
            conn,
            &format!(
                "s.id, s.hostname, {IP_ADDRESSES} as ip_addresses, s.server_type, s.location,
                 s.customer_id, c.display_name as customer,
                 coalesce(s.decommissioned_on <= $2::date, false) as decommissioned"
            ),
            "servers s left join customers c on c.id = s.customer_id",
            order,
            page,
        )
        .await
}

pub async fn list_certificates(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    filter: &InventoryFilter,
    page: &PageRequest,
    today: NaiveDate,
) -> sqlx::Result<Page<CertificateRow>> {
    let mut query = ListQuery::new("x", tenant_id, today);
    query.common(
        filter,
        "lower(x.common_name || ' ' || x.ascii_name || ' ' || x.issuer || ' ' || array_to_string(x.alt_names, ' '))",
        page,
    );
    query.contract_and_expiry(filter);
    let order = match page.sort.as_str() {
        "expiry" => "x.expires_on",
        "customer" => "lower(c.display_name)",
        "issuer" => "lower(x.issuer)",
        _ => "x.ascii_name",
    };
    query
        .page(
            conn,
            "x.id, x.common_name, x.ascii_name, x.customer_id, c.display_name as customer, x.issuer,
             x.auto_renew, x.expires_on, x.expires_on - $2::date as days_left",
            "certificates x join customers c on c.id = x.customer_id",
            order,
            page,
        )
        .await
}

pub async fn list_zones(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    filter: &InventoryFilter,
    page: &PageRequest,
    today: NaiveDate,
) -> sqlx::Result<Page<DnsZoneRow>> {
    let mut query = ListQuery::new("z", tenant_id, today);
    query.common(filter, "lower(z.name || ' ' || z.ascii_name)", page);
    query.contract_and_expiry(filter);
    let order = match page.sort.as_str() {
        "expiry" => "z.expires_on",
        "customer" => "lower(c.display_name)",
        _ => "z.ascii_name",
    };
    query
        .page(
            conn,
            "z.id, z.name, z.ascii_name, z.customer_id, c.display_name as customer, z.primary_ns,
             z.expires_on, z.expires_on - $2::date as days_left",
            "dns_zones z join customers c on c.id = z.customer_id",
            order,
            page,
        )
        .await
}

/// Domains, certificates and zones expiring within `days` or expired lately, soonest first.
pub async fn expiring(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    today: NaiveDate,
    days: i32,
    page: &PageRequest,
) -> sqlx::Result<Page<ExpiringItem>> {
    let mut query = ListQuery::new("e", tenant_id, today);
    query.and(
        &format!(
            "e.expires_on between $2::date - {RECENTLY_EXPIRED_DAYS} and $2::date + ?::integer"
        ),
        days,
    );
    query
        .page(
            conn,
            "e.kind, e.id, e.name, e.ascii_name, e.customer_id, c.display_name as customer,
             e.expires_on, e.expires_on - $2::date as days_left, e.auto_renew",
            EXPIRING,
            "e.expires_on",
            page,
        )
        .await
}

/// The first page of each kind for the customer file.
pub async fn for_customer(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
    today: NaiveDate,
) -> sqlx::Result<CustomerInventory> {
    let filter = InventoryFilter {
        customer_id: Some(customer_id),
        ..InventoryFilter::default()
    };
    let page = PageRequest {
        per_page: 20,
        ..PageRequest::default()
    };
    Ok(CustomerInventory {
        domains: list_domains(conn, tenant_id, &filter, &page, today).await?,
        servers: list_servers(conn, tenant_id, &filter, &page, today).await?,
        certificates: list_certificates(conn, tenant_id, &filter, &page, today).await?,
        zones: list_zones(conn, tenant_id, &filter, &page, today).await?,
    })
}

/// The domains and servers a contract delivers.
pub async fn for_contract(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    contract_id: Uuid,
    today: NaiveDate,
) -> sqlx::Result<ContractInventory> {
    let filter = InventoryFilter {
        contract_id: Some(contract_id),
        ..InventoryFilter::default()
    };
    let page = PageRequest {
        per_page: crate::ui::paging::MAX_PER_PAGE,
        ..PageRequest::default()
    };
    Ok(ContractInventory {
        domains: list_domains(conn, tenant_id, &filter, &page, today)
            .await?
            .items,
        servers: list_servers(conn, tenant_id, &filter, &page, today)
            .await?
            .items,
    })
}

/// The contracts, domains and servers a form may link for a customer. Without a customer
/// (the agency's own server) every contract of the tenant may be linked.
pub async fn customer_links(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Option<Uuid>,
) -> sqlx::Result<CustomerLinks> {
    let rows: Vec<(String, Uuid, String)> = sqlx::query_as(
        "(select 'contract', k.id, k.number || ' · ' || c.display_name || ' · ' || k.description
          from contracts k join customers c on c.id = k.customer_id
          where k.tenant_id = $1 and ($2::uuid is null or k.customer_id = $2)
          order by k.number desc limit 500)
         union all
         (select 'domain', id, name from domains
          where tenant_id = $1 and customer_id = $2 and status <> 'deleted' order by ascii_name limit 500)
         union all
         (select 'server', id, hostname from servers
          where tenant_id = $1 and (customer_id is null or customer_id = $2) order by hostname limit 500)",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_all(conn)
    .await?;
    let mut links = CustomerLinks::default();
    for (kind, id, label) in rows {
        let list = match kind.as_str() {
            "contract" => &mut links.contracts,
            "domain" => &mut links.domains,
            _ => &mut links.servers,
        };
        list.push(LinkOption { id, label });
    }
    Ok(links)
}

pub async fn load_domain(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Domain>> {
    sqlx::query_as(&format!(
        "select d.id, d.ascii_name, d.tld, {CUSTOMER_LABEL} as customer_label, {CONTRACT_LABEL} as contract_label,
                d.customer_id, d.contract_id, d.name, d.registrar, d.owner_handle, d.admin_handle, d.tech_handle,
                d.zone_handle, d.registered_on, d.expires_on, d.auto_renew, d.status, d.notes
         from domains d
         join customers c on c.id = d.customer_id
         left join contracts k on k.id = d.contract_id
         where d.id = $1 and d.tenant_id = $2"
    ))
    .bind(id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await
}

pub async fn load_server(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Server>> {
    let server: Option<Server> = sqlx::query_as(&format!(
        "select s.id, {CUSTOMER_LABEL} as customer_label, s.customer_id, s.hostname,
                {IP_ADDRESSES} as ip_addresses, s.server_type, s.location, s.operating_system,
                s.cpu_cores, s.memory_gb, s.storage_gb, s.decommissioned_on, s.notes
         from servers s left join customers c on c.id = s.customer_id
         where s.id = $1 and s.tenant_id = $2"
    ))
    .bind(id)
    .bind(tenant_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(mut server) = server else {
        return Ok(None);
    };
    server.contracts = sqlx::query_as(
        "select k.id, k.number || ' · ' || c.display_name || ' · ' || k.description as label
         from contract_servers cs
         join contracts k on k.id = cs.contract_id
         join customers c on c.id = k.customer_id
         where cs.server_id = $1 order by k.number",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(Some(server))
}

pub async fn load_certificate(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Certificate>> {
    sqlx::query_as(&format!(
        "select x.id, x.ascii_name, {CUSTOMER_LABEL} as customer_label, {CONTRACT_LABEL} as contract_label,
                d.name as domain_label, s.hostname as server_label,
                x.customer_id, x.contract_id, x.domain_id, x.server_id, x.common_name, x.alt_names, x.issuer,
                x.valid_from, x.expires_on, x.auto_renew, x.notes
         from certificates x
         join customers c on c.id = x.customer_id
         left join contracts k on k.id = x.contract_id
         left join domains d on d.id = x.domain_id
         left join servers s on s.id = x.server_id
         where x.id = $1 and x.tenant_id = $2"
    ))
    .bind(id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await
}

pub async fn load_zone(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<DnsZone>> {
    sqlx::query_as(&format!(
        "select z.id, z.ascii_name, {CUSTOMER_LABEL} as customer_label, {CONTRACT_LABEL} as contract_label,
                d.name as domain_label, z.customer_id, z.contract_id, z.domain_id, z.name, z.primary_ns,
                z.expires_on, z.notes
         from dns_zones z
         join customers c on c.id = z.customer_id
         left join contracts k on k.id = z.contract_id
         left join domains d on d.id = z.domain_id
         where z.id = $1 and z.tenant_id = $2"
    ))
    .bind(id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await
}

/// One statement for "new" and "changed": an id of another tenant changes nothing.
fn upsert(table: &str, columns: &str) -> String {
    let names: Vec<&str> = columns.split(',').map(str::trim).collect();
    let values: Vec<String> = (3..names.len() + 3).map(|n| format!("${n}")).collect();
    let excluded: Vec<String> = names.iter().map(|n| format!("excluded.{n}")).collect();
    format!(
        "insert into {table} (id, tenant_id, {columns}) values ($1, $2, {})
         on conflict (id) do update set ({columns}, updated_at) = ({}, now())
         where {table}.tenant_id = excluded.tenant_id",
        values.join(", "),
        excluded.join(", ")
    )
}

/// Saves a validated domain under `id`, new or existing.
pub async fn save_domain(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    name: &DomainName,
    d: &DomainInput,
) -> sqlx::Result<()> {
    sqlx::query(&upsert(
        "domains",
        "customer_id, contract_id, name, ascii_name, tld, registrar, owner_handle, admin_handle,
         tech_handle, zone_handle, registered_on, expires_on, auto_renew, status, notes",
    ))
    .bind(id)
    .bind(tenant_id)
    .bind(d.customer_id)
    .bind(d.contract_id)
    .bind(name.unicode())
    .bind(name.ascii())
    .bind(name.tld())
    .bind(&d.registrar)
    .bind(&d.owner_handle)
    .bind(&d.admin_handle)
    .bind(&d.tech_handle)
    .bind(&d.zone_handle)
    .bind(d.registered_on)
    .bind(d.expires_on)
    .bind(d.auto_renew)
    .bind(d.status.as_str())
    .bind(&d.notes)
    .execute(conn)
    .await
    .map(drop)
}

/// Saves a validated server; its hostname is already the ASCII form.
pub async fn save_server(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    s: &ServerInput,
) -> sqlx::Result<()> {
    let addresses: Vec<IpNetwork> = s
        .ip_addresses
        .iter()
        .filter_map(|a| a.parse::<IpAddr>().ok())
        .map(IpNetwork::from)
        .collect();
    sqlx::query(&upsert(
        "servers",
        "customer_id, hostname, ip_addresses, server_type, location, operating_system, cpu_cores,
         memory_gb, storage_gb, decommissioned_on, notes",
    ))
    .bind(id)
    .bind(tenant_id)
    .bind(s.customer_id)
    .bind(&s.hostname)
    .bind(addresses)
    .bind(s.server_type.as_str())
    .bind(&s.location)
    .bind(&s.operating_system)
    .bind(s.cpu_cores)
    .bind(s.memory_gb)
    .bind(s.storage_gb)
    .bind(s.decommissioned_on)
    .bind(&s.notes)
    .execute(conn)
    .await
    .map(drop)
}

pub async fn save_certificate(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    ascii_name: &str,
    x: &CertificateInput,
) -> sqlx::Result<()> {
    sqlx::query(&upsert(
        "certificates",
        "customer_id, contract_id, domain_id, server_id, common_name, ascii_name, alt_names, issuer,
         valid_from, expires_on, auto_renew, notes",
    ))
    .bind(id)
    .bind(tenant_id)
    .bind(x.customer_id)
    .bind(x.contract_id)
    .bind(x.domain_id)
    .bind(x.server_id)
    .bind(&x.common_name)
    .bind(ascii_name)
    .bind(&x.alt_names)
    .bind(&x.issuer)
    .bind(x.valid_from)
    .bind(x.expires_on)
    .bind(x.auto_renew)
    .bind(&x.notes)
    .execute(conn)
    .await
    .map(drop)
}

pub async fn save_zone(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    name: &DomainName,
    z: &DnsZoneInput,
) -> sqlx::Result<()> {
    sqlx::query(&upsert(
        "dns_zones",
        "customer_id, contract_id, domain_id, name, ascii_name, primary_ns, expires_on, notes",
    ))
    .bind(id)
    .bind(tenant_id)
    .bind(z.customer_id)
    .bind(z.contract_id)
    .bind(z.domain_id)
    .bind(name.unicode())
    .bind(name.ascii())
    .bind(&z.primary_ns)
    .bind(z.expires_on)
    .bind(&z.notes)
    .execute(conn)
    .await
    .map(drop)
}

/// The customers owning a server and a contract of the tenant: None when the server is not
/// the tenant's, `(server's, None)` when the contract is not.
pub async fn server_and_contract_owners(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    server_id: Uuid,
    contract_id: Uuid,
) -> sqlx::Result<Option<(Option<Uuid>, Option<Uuid>)>> {
    sqlx::query_as(
        "select s.customer_id, k.customer_id from servers s
         left join contracts k on k.id = $2 and k.tenant_id = s.tenant_id
         where s.id = $1 and s.tenant_id = $3",
    )
    .bind(server_id)
    .bind(contract_id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await
}

/// Links or unlinks a server of the tenant and a contract; false when nothing changed.
pub async fn set_server_contract(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    server_id: Uuid,
    contract_id: Uuid,
    linked: bool,
) -> sqlx::Result<bool> {
    let sql = if linked {
        "insert into contract_servers (contract_id, server_id)
         select $2, s.id from servers s where s.id = $1 and s.tenant_id = $3
         on conflict do nothing"
    } else {
        "delete from contract_servers cs using servers s
         where cs.server_id = $1 and cs.contract_id = $2 and s.id = cs.server_id and s.tenant_id = $3"
    };
    let done = sqlx::query(sql)
        .bind(server_id)
        .bind(contract_id)
        .bind(tenant_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Notifies every active staff member who sees customers of what expires within the
/// reminder days, once per threshold reached (the smallest one, so a late first run sends
/// one notification, not three). Set-based over all tenants; returns how many were new.
pub async fn remind_expiries(conn: &mut PgConnection) -> sqlx::Result<u64> {
    let roles: Vec<&str> = Role::STAFF_ROLES
        .into_iter()
        .filter(|role| allows(&[*role], Permission::ViewInventory))
        .map(Role::as_str)
        .collect();
    let kinds: Vec<&str> = ExpiryKind::ALL.iter().map(|k| k.as_str()).collect();
    let paths: Vec<&str> = ExpiryKind::ALL.iter().map(|k| k.path()).collect();
    let mut added = 0;
    for (lang, date_format) in [(Lang::De, "DD.MM.YYYY"), (Lang::En, "FMDD Mon YYYY")] {
        let titles: Vec<&str> = ExpiryKind::ALL
            .iter()
            .map(|kind| match kind {
                ExpiryKind::Domain => Key::ReminderDomain,
                ExpiryKind::Certificate => Key::ReminderCertificate,
                ExpiryKind::Zone => Key::ReminderZone,
            })
            .map(|key| key.text(lang))
            .collect();
        let done = sqlx::query(&format!(
            "with due as (
                 select e.kind, e.id, e.tenant_id, e.name, e.expires_on, c.display_name as customer,
                        array_position($3::text[], e.kind) as k,
                        (select min(t) from unnest($1::int[]) t where t >= e.expires_on - today.day) as threshold
                 from {EXPIRING}
                 join (select id, (now() at time zone time_zone)::date as day from tenants) today
                   on today.id = e.tenant_id
                 where e.expires_on between today.day and today.day + (select max(t) from unnest($1::int[]) t)
             )
             insert into notifications (id, tenant_id, user_id, kind, title, body, link, dedupe_key)
             select gen_random_uuid(), due.tenant_id, m.user_id, 'expiry',
                    replace(replace(($4::text[])[due.k], '{{name}}', due.name), '{{date}}', to_char(due.expires_on, $6)),
                    due.customer, ($5::text[])[due.k] || '/' || due.id,
                    'expiry:' || due.kind || ':' || due.id || ':' || due.expires_on || ':' || due.threshold
             from due
             join memberships m on m.tenant_id = due.tenant_id and m.active and m.roles && $2::text[]
             join users u on u.id = m.user_id and u.active and u.language = $7
             on conflict (user_id, dedupe_key) do nothing"
        ))
        .bind(REMINDER_DAYS.as_slice())
        .bind(&roles)
        .bind(&kinds)
        .bind(&titles)
        .bind(&paths)
        .bind(date_format)
        .bind(lang.code())
        .execute(&mut *conn)
        .await?;
        added += done.rows_affected();
    }
    Ok(added)
}
