use super::model::{AuditEntry, AuditFilter, ChainStatus};
use crate::auth::context::Actor;
use crate::ui::paging::{Page, PageRequest};
use serde_json::Value;
use sqlx::PgConnection;
use std::net::IpAddr;
use uuid::Uuid;

/// One event to append to a tenant's chain.
pub struct Event<'a> {
    pub tenant_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub actor_label: &'a str,
    pub ip: Option<IpAddr>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl<'a> Event<'a> {
    /// An event done by `actor` in its tenant.
    pub fn by(
        actor: &'a Actor,
        action: &'a str,
        entity_type: &'a str,
        entity_id: impl ToString,
    ) -> Self {
        Event {
            tenant_id: actor.tenant_id,
            actor_id: actor.user_id,
            actor_label: &actor.label,
            ip: actor.ip,
            action,
            entity_type,
            entity_id: Some(entity_id.to_string()),
            before: None,
            after: None,
        }
    }

    pub fn change(mut self, before: Option<Value>, after: Option<Value>) -> Self {
        self.before = before;
        self.after = after;
        self
    }
}

pub async fn record(conn: &mut PgConnection, event: Event<'_>) -> sqlx::Result<()> {
    sqlx::query("select audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(event.tenant_id)
        .bind(event.actor_id)
        .bind(event.actor_label)
        .bind(event.action)
        .bind(event.entity_type)
        .bind(event.entity_id)
        .bind(event.before)
        .bind(event.after)
        .bind(event.ip.map(sqlx::types::ipnetwork::IpNetwork::from))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    time_zone: &str,
    filter: &AuditFilter,
    page: &PageRequest,
) -> sqlx::Result<Page<AuditEntry>> {
    let rows = sqlx::query_as::<
        _,
        (
            i64,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            i64,
        ),
    >(
        "select seq, to_char(at at time zone $2, 'YYYY-MM-DD HH24:MI:SS'), actor_label, action,
                entity_type, entity_id, before::text, after::text, host(ip), count(*) over ()
         from audit_log
         where tenant_id = $1
           and ($3 = '' or action ilike '%' || $3 || '%')
           and ($4 = '' or actor_label ilike '%' || $4 || '%')
           and ($5::date is null or at >= ($5::date::timestamp at time zone $2))
           and ($6::date is null or at < (($6::date + 1)::timestamp at time zone $2))
         order by seq desc
         limit $7 offset $8",
    )
    .bind(tenant_id)
    .bind(time_zone)
    .bind(filter.action.trim())
    .bind(filter.actor.trim())
    .bind(filter.from)
    .bind(filter.to)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(conn)
    .await?;
    let total = rows.first().map(|r| r.9).unwrap_or(0);
    let items = rows
        .into_iter()
        .map(
            |(seq, at, actor, action, entity_type, entity_id, before, after, ip, _)| AuditEntry {
                seq,
                at,
                actor,
                action,
                entity_type,
                entity_id,
                before,
                after,
                ip,
            },
        )
        .collect();
    Ok(Page::new(items, total, page))
}

pub async fn verify(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<ChainStatus> {
    let (entries, broken_at) = sqlx::query_as::<_, (i64, Option<i64>)>(
        "select (select count(*) from audit_log where tenant_id = $1), audit_verify($1)",
    )
    .bind(tenant_id)
    .fetch_one(conn)
    .await?;
    Ok(ChainStatus { entries, broken_at })
}
