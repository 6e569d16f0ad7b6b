use super::model::NewApiToken;
use crate::auth::secrets::{random_token, token_hash};
use sqlx::PgConnection;
use uuid::Uuid;

pub const TOKEN_PREFIX: &str = "kontor_";

/// Stores a new token and returns it in clear, once.
pub async fn create(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    name: &str,
    scopes: &[String],
    created_by: Option<Uuid>,
) -> sqlx::Result<NewApiToken> {
    let token = format!("{TOKEN_PREFIX}{}", random_token());
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into api_tokens (id, tenant_id, name, token_prefix, token_hash, scopes, created_by)
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(name.trim())
    .bind(&token[..TOKEN_PREFIX.len() + 6])
    .bind(token_hash(&token))
    .bind(scopes)
    .bind(created_by)
    .execute(conn)
    .await?;
    Ok(NewApiToken { id, token })
}

/// The token's tenant and scopes, if it exists and is not revoked.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TokenGrant {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_by: Option<Uuid>,
}

pub async fn find(conn: &mut PgConnection, token: &str) -> sqlx::Result<Option<TokenGrant>> {
    sqlx::query_as::<_, TokenGrant>(
        "with live as (
             select id, tenant_id, name, scopes, created_by from api_tokens
             where token_hash = $1 and revoked_at is null
         ), touched as (
             -- at most one write a minute per token: a write per call would cost a disk flush
             update api_tokens set last_used_at = now()
             where token_hash = $1 and revoked_at is null
               and (last_used_at is null or last_used_at < now() - interval '1 minute')
         )
         select * from live",
    )
    .bind(token_hash(token))
    .fetch_optional(conn)
    .await
}

/// Checks name and scopes; the messages name the field.
pub fn validate(
    name: &str,
    scopes: &[String],
    lang: crate::i18n::Lang,
) -> Result<(), crate::error::AppError> {
    use crate::i18n::Key;
    let mut errors = crate::error::FieldErrors::default();
    if name.trim().is_empty() || name.trim().chars().count() > 100 {
        errors.add("name", Key::ErrRequired.text(lang));
    }
    if scopes.is_empty() {
        errors.add("scopes", Key::ErrScopes.text(lang));
    }
    if let Some(unknown) = scopes
        .iter()
        .find(|s| crate::domain::permissions::scope_permission(s).is_none())
    {
        errors.add(
            "scopes",
            Key::ErrUnknownScope.fill(lang, &[("scope", unknown)]),
        );
    }
    errors.into_result()
}
