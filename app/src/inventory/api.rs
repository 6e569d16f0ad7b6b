use super::model::*;
use crate::error::AppError;
use crate::ui::paging::{Page, PageRequest};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::repo,
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond, Actor},
    crate::domain::domain_name::certificate_name,
    crate::domain::{DomainName, ParseError, Permission},
    crate::error::FieldErrors,
    crate::i18n::{Key, Lang},
    chrono::NaiveDate,
    sqlx::PgConnection,
    std::net::IpAddr,
};

/// Collects the problems of one form, each at its field, and trims what it checks.
#[cfg(feature = "ssr")]
struct Check {
    errors: FieldErrors,
    lang: Lang,
}

#[cfg(feature = "ssr")]
impl Check {
    fn new(lang: Lang) -> Self {
        Check {
            errors: FieldErrors::default(),
            lang,
        }
    }

    fn add(&mut self, field: &str, key: Key) {
        self.errors.add(field, key.text(self.lang));
    }

    fn required<T>(&mut self, field: &str, value: Option<T>) {
        if value.is_none() {
            self.add(field, Key::ErrRequired);
        }
    }

    fn text(&mut self, field: &str, value: &str, max_chars: usize) -> String {
        let value = value.trim();
        if value.chars().count() > max_chars {
            self.add(field, Key::ErrTooLong);
        }
        value.to_owned()
    }

    fn domain(&mut self, field: &str, value: &str) -> Option<DomainName> {
        DomainName::parse(value)
            .map_err(|error| self.add(field, domain_error(error)))
            .ok()
    }

    /// A name given or not: the ASCII form, as DNS stores host names.
    fn optional_host(&mut self, field: &str, value: &str) -> String {
        if value.trim().is_empty() {
            return String::new();
        }
        self.domain(field, value)
            .map(|name| name.ascii().to_owned())
            .unwrap_or_default()
    }

    fn in_order(&mut self, field: &str, start: Option<NaiveDate>, end: Option<NaiveDate>) {
        if start.zip(end).is_some_and(|(start, end)| end < start) {
            self.add(field, Key::InvErrExpiryOrder);
        }
    }

    fn range(&mut self, field: &str, value: Option<i32>, max: i32) {
        if value.is_some_and(|v| !(1..=max).contains(&v)) {
            let message = Key::InvErrRange.fill(self.lang, &[("max", &max.to_string())]);
            self.errors.add(field, message);
        }
    }

    /// The checked value, or every problem found. `value` is None only after an error.
    fn finish<T>(self, value: Option<T>) -> Result<T, AppError> {
        self.errors.into_result()?;
        value.ok_or(AppError::Internal)
    }
}

#[cfg(feature = "ssr")]
fn domain_error(error: ParseError) -> Key {
    match error {
        ParseError::Empty => Key::ErrRequired,
        ParseError::Length => Key::InvErrDomainLength,
        _ => Key::InvErrDomainName,
    }
}

#[cfg(feature = "ssr")]
pub fn validate_domain(
    input: &DomainInput,
    lang: Lang,
) -> Result<(DomainName, DomainInput), AppError> {
    let mut check = Check::new(lang);
    check.required("customer_id", input.customer_id);
    let name = check.domain("name", &input.name);
    check.in_order("expires_on", input.registered_on, input.expires_on);
    let clean = DomainInput {
        name: name
            .as_ref()
            .map(|n| n.unicode().to_owned())
            .unwrap_or_default(),
        registrar: check.text("registrar", &input.registrar, 200),
        owner_handle: check.text("owner_handle", &input.owner_handle, 100),
        admin_handle: check.text("admin_handle", &input.admin_handle, 100),
        tech_handle: check.text("tech_handle", &input.tech_handle, 100),
        zone_handle: check.text("zone_handle", &input.zone_handle, 100),
        notes: check.text("notes", &input.notes, 20_000),
        ..input.clone()
    };
    let name = check.finish(name)?;
    Ok((name, clean))
}

#[cfg(feature = "ssr")]
pub fn validate_server(input: &ServerInput, lang: Lang) -> Result<ServerInput, AppError> {
    let mut check = Check::new(lang);
    let hostname = check.domain("hostname", &input.hostname);
    let mut addresses: Vec<String> = Vec::new();
    for text in input
        .ip_addresses
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
    {
        match text.parse::<IpAddr>() {
            Ok(ip) if !addresses.contains(&ip.to_string()) => addresses.push(ip.to_string()),
            Ok(_) => {}
            Err(_) => {
                let message = Key::InvErrIpAddress.fill(lang, &[("address", text)]);
                check.errors.add("ip_addresses", message);
            }
        }
    }
    check.range("cpu_cores", input.cpu_cores, 1024);
    check.range("memory_gb", input.memory_gb, 65_536);
    check.range("storage_gb", input.storage_gb, 10_000_000);
    let clean = ServerInput {
        ip_addresses: addresses,
        location: check.text("location", &input.location, 200),
        operating_system: check.text("operating_system", &input.operating_system, 200),
        notes: check.text("notes", &input.notes, 20_000),
        ..input.clone()
    };
    let hostname = check.finish(hostname)?;
    Ok(ServerInput {
        hostname: hostname.ascii().to_owned(),
        ..clean
    })
}

/// The certificate with Unicode names, and its ASCII common name.
#[cfg(feature = "ssr")]
pub fn validate_certificate(
    input: &CertificateInput,
    lang: Lang,
) -> Result<(String, CertificateInput), AppError> {
    let mut check = Check::new(lang);
    check.required("customer_id", input.customer_id);
    let name = certificate_name(&input.common_name)
        .map_err(|error| check.add("common_name", domain_error(error)))
        .ok();
    let mut alt_names: Vec<String> = Vec::new();
    for text in input
        .alt_names
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
    {
        match certificate_name(text) {
            Ok((unicode, _)) if !alt_names.contains(&unicode) => alt_names.push(unicode),
            Ok(_) => {}
            Err(error) => check.add("alt_names", domain_error(error)),
        }
    }
    if alt_names.len() > 100 {
        check.add("alt_names", Key::ErrTooLong);
    }
    check.required("expires_on", input.expires_on);
    check.in_order("expires_on", input.valid_from, input.expires_on);
    let clean = CertificateInput {
        alt_names,
        issuer: check.text("issuer", &input.issuer, 200),
        notes: check.text("notes", &input.notes, 20_000),
        ..input.clone()
    };
    let (unicode, ascii) = check.finish(name)?;
    Ok((
        ascii,
        CertificateInput {
            common_name: unicode,
            ..clean
        },
    ))
}

#[cfg(feature = "ssr")]
pub fn validate_zone(
    input: &DnsZoneInput,
    lang: Lang,
) -> Result<(DomainName, DnsZoneInput), AppError> {
    let mut check = Check::new(lang);
    check.required("customer_id", input.customer_id);
    let name = check.domain("name", &input.name);
    let clean = DnsZoneInput {
        name: name
            .as_ref()
            .map(|n| n.unicode().to_owned())
            .unwrap_or_default(),
        primary_ns: check.optional_host("primary_ns", &input.primary_ns),
        notes: check.text("notes", &input.notes, 20_000),
        ..input.clone()
    };
    let name = check.finish(name)?;
    Ok((name, clean))
}

/// What a record links to; each must be in the tenant and fit the customer.
#[cfg(feature = "ssr")]
#[derive(Default)]
struct Links {
    customer: Option<Uuid>,
    contract: Option<Uuid>,
    domain: Option<Uuid>,
    server: Option<Uuid>,
    /// The server being saved: its contracts must stay with its customer.
    saved_server: Option<Uuid>,
}

#[cfg(feature = "ssr")]
async fn check_links(conn: &mut PgConnection, actor: &Actor, links: Links) -> Result<(), AppError> {
    let (customer, contract, domain, server, server_contracts): (bool, bool, bool, bool, bool) =
        sqlx::query_as(
            "select $2::uuid is null or exists (select 1 from customers where id = $2 and tenant_id = $1),
                    $3::uuid is null or exists (select 1 from contracts where id = $3 and tenant_id = $1 and customer_id = $2),
                    $4::uuid is null or exists (select 1 from domains where id = $4 and tenant_id = $1 and customer_id = $2),
                    $5::uuid is null or exists (select 1 from servers where id = $5 and tenant_id = $1
                                                and (customer_id is null or customer_id = $2)),
                    $6::uuid is null or $2::uuid is null or not exists (
                        select 1 from contract_servers cs join contracts k on k.id = cs.contract_id
                        where cs.server_id = $6 and k.customer_id <> $2)",
        )
        .bind(actor.tenant_id)
        .bind(links.customer)
        .bind(links.contract)
        .bind(links.domain)
        .bind(links.server)
        .bind(links.saved_server)
        .fetch_one(conn)
        .await?;
    let mut check = Check::new(actor.lang);
    if !customer {
        check.add("customer_id", Key::InvErrUnknownCustomer);
    } else {
        for (ok, field, key) in [
            (contract, "contract_id", Key::InvErrContractOtherCustomer),
            (domain, "domain_id", Key::InvErrDomainOtherCustomer),
            (server, "server_id", Key::InvErrServerOtherCustomer),
            (server_contracts, "customer_id", Key::InvErrServerContracts),
        ] {
            if !ok {
                check.add(field, key);
            }
        }
    }
    check.finish(Some(()))
}

/// A name taken in the tenant is the user's mistake, not a server error.
#[cfg(feature = "ssr")]
fn on_constraint(error: sqlx::Error, lang: Lang) -> AppError {
    let field = match &error {
        sqlx::Error::Database(db) => match db.constraint() {
            Some("domains_tenant_id_ascii_name_key" | "dns_zones_tenant_id_ascii_name_key") => {
                Some("name")
            }
            Some("servers_tenant_id_hostname_key") => Some("hostname"),
            _ => None,
        },
        _ => None,
    };
    match field {
        Some(field) => AppError::field(field, Key::InvErrDuplicate.text(lang)),
        None => error.into(),
    }
}

/// `<entity>.created` or `<entity>.changed` with the data before and after.
#[cfg(feature = "ssr")]
async fn audit<T: serde::Serialize>(
    conn: &mut PgConnection,
    actor: &Actor,
    entity: &str,
    id: Uuid,
    before: Option<T>,
    after: &T,
) -> Result<(), AppError> {
    let action = match before {
        Some(_) => format!("{entity}.changed"),
        None => format!("{entity}.created"),
    };
    let json = |value: &T| serde_json::to_value(value).unwrap_or_default();
    let event =
        Event::by(actor, &action, entity, id).change(before.as_ref().map(json), Some(json(after)));
    Ok(record(conn, event).await?)
}

/// Validates and saves a domain, new (`id` None) or changed, with its audit entry. Shared
/// with the REST API; the caller owns the transaction.
#[cfg(feature = "ssr")]
pub async fn save_domain(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Option<Uuid>,
    input: &DomainInput,
) -> Result<Uuid, AppError> {
    let before = match id {
        Some(id) => Some(
            repo::load_domain(conn, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)?
                .data,
        ),
        None => None,
    };
    let (name, clean) = validate_domain(input, actor.lang)?;
    let links = Links {
        customer: clean.customer_id,
        contract: clean.contract_id,
        ..Links::default()
    };
    check_links(conn, actor, links).await?;
    let id = id.unwrap_or_else(Uuid::new_v4);
    repo::save_domain(conn, actor.tenant_id, id, &name, &clean)
        .await
        .map_err(|e| on_constraint(e, actor.lang))?;
    audit(conn, actor, "domain", id, before, &clean).await?;
    Ok(id)
}

/// As `save_domain`, for servers.
#[cfg(feature = "ssr")]
pub async fn save_server(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Option<Uuid>,
    input: &ServerInput,
) -> Result<Uuid, AppError> {
    let before = match id {
        Some(id) => Some(
            repo::load_server(conn, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)?
                .data,
        ),
        None => None,
    };
    let clean = validate_server(input, actor.lang)?;
    let links = Links {
        customer: clean.customer_id,
        saved_server: id,
        ..Links::default()
    };
    check_links(conn, actor, links).await?;
    let id = id.unwrap_or_else(Uuid::new_v4);
    repo::save_server(conn, actor.tenant_id, id, &clean)
        .await
        .map_err(|e| on_constraint(e, actor.lang))?;
    audit(conn, actor, "server", id, before, &clean).await?;
    Ok(id)
}

/// As `save_domain`, for certificates.
#[cfg(feature = "ssr")]
pub async fn save_certificate(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Option<Uuid>,
    input: &CertificateInput,
) -> Result<Uuid, AppError> {
    let before = match id {
        Some(id) => Some(
            repo::load_certificate(conn, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)?
                .data,
        ),
        None => None,
    };
    let (ascii_name, clean) = validate_certificate(input, actor.lang)?;
    let links = Links {
        customer: clean.customer_id,
        contract: clean.contract_id,
        domain: clean.domain_id,
        server: clean.server_id,
        saved_server: None,
    };
    check_links(conn, actor, links).await?;
    let id = id.unwrap_or_else(Uuid::new_v4);
    repo::save_certificate(conn, actor.tenant_id, id, &ascii_name, &clean).await?;
    audit(conn, actor, "certificate", id, before, &clean).await?;
    Ok(id)
}

/// As `save_domain`, for DNS zones.
#[cfg(feature = "ssr")]
pub async fn save_zone(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Option<Uuid>,
    input: &DnsZoneInput,
) -> Result<Uuid, AppError> {
    let before = match id {
        Some(id) => Some(
            repo::load_zone(conn, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)?
                .data,
        ),
        None => None,
    };
    let (name, clean) = validate_zone(input, actor.lang)?;
    let links = Links {
        customer: clean.customer_id,
        contract: clean.contract_id,
        domain: clean.domain_id,
        ..Links::default()
    };
    check_links(conn, actor, links).await?;
    let id = id.unwrap_or_else(Uuid::new_v4);
    repo::save_zone(conn, actor.tenant_id, id, &name, &clean)
        .await
        .map_err(|e| on_constraint(e, actor.lang))?;
    audit(conn, actor, "dns_zone", id, before, &clean).await?;
    Ok(id)
}

#[server(prefix = "/sf", endpoint = "inventory/domains/list", input = Json, output = Json)]
pub async fn list_domains(
    filter: InventoryFilter,
    page: PageRequest,
) -> Result<Page<DomainRow>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            let today = repo::today(&mut conn, actor.tenant_id).await?;
            Ok(repo::list_domains(&mut conn, actor.tenant_id, &filter, &page, today).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "inventory/domains/load", input = Json, output = Json)]
pub async fn load_domain(id: Uuid) -> Result<Domain, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            repo::load_domain(&mut conn, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "inventory/domains/create", input = Json, output = Json)]
pub async fn create_domain(input: DomainInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageInventory)?;
            let mut tx = pool()?.begin().await?;
            let id = save_domain(&mut tx, &actor, None, &input).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "inventory/domains/update", input = Json, output = Json)]
pub async fn update_domain(id: Uuid, input: DomainInput) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageInventory)?;
            let mut tx = pool()?.begin().await?;
            save_domain(&mut tx, &actor, Some(id), &input).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "inventory/servers/list", input = Json, output = Json)]
pub async fn list_servers(
    filter: InventoryFilter,
    page: PageRequest,
) -> Result<Page<ServerRow>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            let today = repo::today(&mut conn, actor.tenant_id).await?;
            Ok(repo::list_servers(&mut conn, actor.tenant_id, &filter, &page, today).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "inventory/servers/load", input = Json, output = Json)]
pub async fn load_server(id: Uuid) -> Result<Server, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            repo::load_server(&mut conn, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "inventory/servers/create", input = Json, output = Json)]
pub async fn create_server(input: ServerInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageInventory)?;
            let mut tx = pool()?.begin().await?;
            let id = save_server(&mut tx, &actor, None, &input).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "inventory/servers/update", input = Json, output = Json)]
pub async fn update_server(id: Uuid, input: ServerInput) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageInventory)?;
            let mut tx = pool()?.begin().await?;
            save_server(&mut tx, &actor, Some(id), &input).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Links (or, with `linked` false, unlinks) a server and a contract it delivers. A
/// customer's server serves only that customer's contracts.
#[server(prefix = "/sf", endpoint = "inventory/servers/link", input = Json, output = Json)]
pub async fn link_server_to_contract(
    server_id: Uuid,
    contract_id: Uuid,
    linked: bool,
) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageInventory)?;
            let mut tx = pool()?.begin().await?;
            let (server_owner, contract_owner) =
                repo::server_and_contract_owners(&mut tx, actor.tenant_id, server_id, contract_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
            if linked {
                let mut check = Check::new(actor.lang);
                match contract_owner {
                    None => check.add("contract_id", Key::ErrNotFound),
                    Some(owner) if server_owner.is_some_and(|s| s != owner) => {
                        check.add("contract_id", Key::InvErrContractOtherCustomer)
                    }
                    Some(_) => {}
                }
                check.finish(Some(()))?;
            }
            if repo::set_server_contract(&mut tx, actor.tenant_id, server_id, contract_id, linked)
                .await?
            {
                let action = if linked {
                    "server.contract_linked"
                } else {
                    "server.contract_unlinked"
                };
                let change = serde_json::json!({ "contract_id": contract_id });
                record(
                    &mut tx,
                    Event::by(&actor, action, "server", server_id).change(None, Some(change)),
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "inventory/certificates/list", input = Json, output = Json)]
pub async fn list_certificates(
    filter: InventoryFilter,
    page: PageRequest,
) -> Result<Page<CertificateRow>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            let today = repo::today(&mut conn, actor.tenant_id).await?;
            Ok(repo::list_certificates(&mut conn, actor.tenant_id, &filter, &page, today).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "inventory/certificates/load", input = Json, output = Json)]
pub async fn load_certificate(id: Uuid) -> Result<Certificate, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            repo::load_certificate(&mut conn, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "inventory/certificates/create", input = Json, output = Json)]
pub async fn create_certificate(input: CertificateInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageInventory)?;
            let mut tx = pool()?.begin().await?;
            let id = save_certificate(&mut tx, &actor, None, &input).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "inventory/certificates/update", input = Json, output = Json)]
pub async fn update_certificate(id: Uuid, input: CertificateInput) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageInventory)?;
            let mut tx = pool()?.begin().await?;
            save_certificate(&mut tx, &actor, Some(id), &input).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "inventory/zones/list", input = Json, output = Json)]
pub async fn list_zones(
    filter: InventoryFilter,
    page: PageRequest,
) -> Result<Page<DnsZoneRow>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            let today = repo::today(&mut conn, actor.tenant_id).await?;
            Ok(repo::list_zones(&mut conn, actor.tenant_id, &filter, &page, today).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "inventory/zones/load", input = Json, output = Json)]
pub async fn load_zone(id: Uuid) -> Result<DnsZone, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            repo::load_zone(&mut conn, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "inventory/zones/create", input = Json, output = Json)]
pub async fn create_zone(input: DnsZoneInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageInventory)?;
            let mut tx = pool()?.begin().await?;
            let id = save_zone(&mut tx, &actor, None, &input).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "inventory/zones/update", input = Json, output = Json)]
pub async fn update_zone(id: Uuid, input: DnsZoneInput) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageInventory)?;
            let mut tx = pool()?.begin().await?;
            save_zone(&mut tx, &actor, Some(id), &input).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// What expires within `days` (at most a year) or expired in the last 30 days.
#[server(prefix = "/sf", endpoint = "inventory/expiring", input = Json, output = Json)]
pub async fn list_expiring(days: i32, page: PageRequest) -> Result<Page<ExpiringItem>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            let today = repo::today(&mut conn, actor.tenant_id).await?;
            let days = days.clamp(0, 366);
            Ok(repo::expiring(&mut conn, actor.tenant_id, today, days, &page).await?)
        }
        .await,
    )
}

/// The inventory section of a customer file.
#[server(prefix = "/sf", endpoint = "inventory/customer", input = Json, output = Json)]
pub async fn load_customer_inventory(customer_id: Uuid) -> Result<CustomerInventory, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            let today = repo::today(&mut conn, actor.tenant_id).await?;
            Ok(repo::for_customer(&mut conn, actor.tenant_id, customer_id, today).await?)
        }
        .await,
    )
}

/// The domains and servers a contract delivers, for the contract page.
#[server(prefix = "/sf", endpoint = "inventory/contract", input = Json, output = Json)]
pub async fn load_contract_inventory(contract_id: Uuid) -> Result<ContractInventory, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            let today = repo::today(&mut conn, actor.tenant_id).await?;
            Ok(repo::for_contract(&mut conn, actor.tenant_id, contract_id, today).await?)
        }
        .await,
    )
}

/// What the forms' pickers offer for a customer (or, without one, for an agency server).
#[server(prefix = "/sf", endpoint = "inventory/links", input = Json, output = Json)]
pub async fn load_customer_links(customer_id: Option<Uuid>) -> Result<CustomerLinks, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInventory)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::customer_links(&mut conn, actor.tenant_id, customer_id).await?)
        }
        .await,
    )
}
