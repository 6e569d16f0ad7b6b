//! The vault's SQL. Every query names the tenant; secrets go in and out only sealed.

use super::crypto::Sealed;
use super::model::*;
use crate::ui::paging::{Page, PageRequest};
use sqlx::PgConnection;
use uuid::Uuid;

const SELECT: &str =
    "select r.id, r.customer_id, c.number || ' · ' || c.display_name as customer_label,
        s.hostname as server_label, d.name as domain_label,
        r.kind, r.label, r.host, r.port, r.username, r.url, r.notes, r.server_id, r.domain_id
    from credentials r
    join customers c on c.id = r.customer_id
    left join servers s on s.id = r.server_id
    left join domains d on d.id = r.domain_id";

/// One page of a customer's, server's or domain's credentials, by label.
pub async fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    owner: CredentialOwner,
    page: &PageRequest,
) -> sqlx::Result<Page<Credential>> {
    let (column, id) = match owner {
        CredentialOwner::Customer(id) => ("customer_id", id),
        CredentialOwner::Server(id) => ("server_id", id),
        CredentialOwner::Domain(id) => ("domain_id", id),
    };
    let total: i64 = sqlx::query_scalar(&format!(
        "select count(*) from credentials where tenant_id = $1 and {column} = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let items = sqlx::query_as(&format!(
        "{SELECT} where r.tenant_id = $1 and r.{column} = $2
         order by lower(r.label), r.id limit $3 offset $4"
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(conn)
    .await?;
    Ok(Page::new(items, total, page))
}

pub async fn load(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Credential>> {
    sqlx::query_as(&format!("{SELECT} where r.id = $1 and r.tenant_id = $2"))
        .bind(id)
        .bind(tenant_id)
        .fetch_optional(conn)
        .await
}

/// All of a customer's credentials for the password list, by label.
pub async fn of_customer(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> sqlx::Result<Vec<Credential>> {
    sqlx::query_as(&format!(
        "{SELECT} where r.tenant_id = $1 and r.customer_id = $2 order by lower(r.label), r.id"
    ))
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_all(conn)
    .await
}

/// The sealed secrets of the tenant's credentials among `ids`.
pub async fn sealed(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, Sealed)>> {
    let rows: Vec<(Uuid, Vec<u8>, Vec<u8>)> = sqlx::query_as(
        "select id, nonce, ciphertext from credentials where tenant_id = $1 and id = any($2)",
    )
    .bind(tenant_id)
    .bind(ids)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, nonce, ciphertext)| (id, Sealed { nonce, ciphertext }))
        .collect())
}

/// The customer's label (`K-00001 · Name`), if the customer is the tenant's.
pub async fn customer_label(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "select number || ' · ' || display_name from customers where id = $1 and tenant_id = $2",
    )
    .bind(customer_id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await
}

/// The customer's servers and domains, for the form's pickers.
pub async fn links(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> sqlx::Result<CredentialLinks> {
    let servers = sqlx::query_as(
        "select id, hostname as label from servers
         where tenant_id = $1 and customer_id = $2 order by hostname limit 500",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    let domains = sqlx::query_as(
        "select id, name as label from domains
         where tenant_id = $1 and customer_id = $2 order by ascii_name limit 500",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_all(conn)
    .await?;
    Ok(CredentialLinks { servers, domains })
}

/// Whether the server and the domain (each if given) are the customer's.
pub async fn links_fit(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
    server_id: Option<Uuid>,
    domain_id: Option<Uuid>,
) -> sqlx::Result<(bool, bool)> {
    sqlx::query_as(
        "select $3::uuid is null or exists (select 1 from servers where id = $3 and tenant_id = $1 and customer_id = $2),
                $4::uuid is null or exists (select 1 from domains where id = $4 and tenant_id = $1 and customer_id = $2)",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .bind(server_id)
    .bind(domain_id)
    .fetch_one(conn)
    .await
}

/// A secret may be written only under the vault's current key: a server still running
/// with the key from before a rotation must not add secrets nobody can decrypt.
const KEY_IS_CURRENT: &str = "not exists (select 1 from vault_keys where key_id <> $15)";

/// Adds a credential; false when `key_id` is no longer the vault's key.
pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
    id: Uuid,
    input: &CredentialInput,
    sealed: &Sealed,
    key_id: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(&format!(
        "insert into credentials (id, tenant_id, customer_id, kind, label, host, port, username, url, notes,
                                  server_id, domain_id, nonce, ciphertext, key_id)
         select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15 where {KEY_IS_CURRENT}"
    ))
    .bind(id)
    .bind(tenant_id)
    .bind(customer_id)
    .bind(input.kind.as_str())
    .bind(&input.label)
    .bind(&input.host)
    .bind(input.port)
    .bind(&input.username)
    .bind(&input.url)
    .bind(&input.notes)
    .bind(input.server_id)
    .bind(input.domain_id)
    .bind(&sealed.nonce)
    .bind(&sealed.ciphertext)
    .bind(key_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Changes the fields, and the secret when a new one is given (sealed with `key_id`);
/// false when the credential is not the tenant's or `key_id` no longer the vault's key.
pub async fn update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    input: &CredentialInput,
    secret: Option<(&Sealed, &str)>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update credentials set kind = $3, label = $4, host = $5, port = $6, username = $7, url = $8,
                notes = $9, server_id = $10, domain_id = $11,
                nonce = coalesce($12, nonce), ciphertext = coalesce($13, ciphertext),
                key_id = coalesce($14, key_id), updated_at = now()
         where id = $1 and tenant_id = $2
           and ($14::text is null or not exists (select 1 from vault_keys where key_id <> $14))",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(input.kind.as_str())
    .bind(&input.label)
    .bind(&input.host)
    .bind(input.port)
    .bind(&input.username)
    .bind(&input.url)
    .bind(&input.notes)
    .bind(input.server_id)
    .bind(input.domain_id)
    .bind(secret.map(|(s, _)| &s.nonce))
    .bind(secret.map(|(s, _)| &s.ciphertext))
    .bind(secret.map(|(_, key_id)| key_id))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete(conn: &mut PgConnection, tenant_id: Uuid, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query("delete from credentials where id = $1 and tenant_id = $2")
        .bind(id)
        .bind(tenant_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Now in the tenant's time zone, as the password list prints it.
pub async fn tenant_now(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<String> {
    sqlx::query_scalar(
        "select to_char(now() at time zone time_zone, 'YYYY-MM-DD HH24:MI') from tenants where id = $1",
    )
    .bind(tenant_id)
    .fetch_one(conn)
    .await
}
