use super::model::*;
use crate::error::AppError;
use crate::ui::paging::{Page, PageRequest};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::crypto::{Secret, VaultKey},
    super::repo,
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond, Actor},
    crate::domain::Permission,
    crate::error::FieldErrors,
    crate::i18n::{Key, Lang},
    serde_json::json,
    sqlx::PgConnection,
};

/// Longest secret accepted: an SSH private key fits.
#[cfg(feature = "ssr")]
const MAX_SECRET_CHARS: usize = 16_384;

/// The vault key the server opened at start (see `server::vault`).
#[cfg(feature = "ssr")]
pub fn vault_key() -> Result<VaultKey, AppError> {
    use_context::<VaultKey>().ok_or_else(|| {
        tracing::error!("the vault key is not loaded; secrets can be neither stored nor revealed");
        AppError::Internal
    })
}

/// Checks and trims a credential's fields and its secret (`None`: keep the stored one,
/// which a new credential does not have). Secrets are taken as typed, spaces included.
#[cfg(feature = "ssr")]
pub fn validate(
    input: &CredentialInput,
    secret: Option<&Secret>,
    new: bool,
    lang: Lang,
) -> Result<CredentialInput, AppError> {
    let mut errors = FieldErrors::default();
    let mut text = |field: &str, value: &str, max_chars: usize, required: bool| {
        let value = value.trim();
        if required && value.is_empty() {
            errors.add(field, Key::ErrRequired.text(lang));
        } else if value.chars().count() > max_chars {
            errors.add(field, Key::ErrTooLong.text(lang));
        }
        value.to_owned()
    };
    let clean = CredentialInput {
        label: text("label", &input.label, 200, true),
        host: text("host", &input.host, 253, false),
        username: text("username", &input.username, 200, false),
        url: text("url", &input.url, 2000, false),
        notes: text("notes", &input.notes, 20_000, false),
        ..input.clone()
    };
    if clean.host.chars().any(char::is_whitespace) {
        errors.add("host", Key::VaultErrHost.text(lang));
    }
    if clean.port.is_some_and(|port| !(1..=65_535).contains(&port)) {
        errors.add("port", Key::VaultErrPort.text(lang));
    }
    if !clean.url.is_empty() && !looks_like_url(&clean.url) {
        errors.add("url", Key::VaultErrUrl.text(lang));
    }
    match secret.map(Secret::expose) {
        None if new => errors.add("secret", Key::ErrRequired.text(lang)),
        Some("") => errors.add("secret", Key::ErrRequired.text(lang)),
        Some(text) if text.chars().count() > MAX_SECRET_CHARS => {
            errors.add("secret", Key::ErrTooLong.text(lang))
        }
        _ => {}
    }
    errors.into_result()?;
    Ok(clean)
}

/// `scheme://rest` without spaces: web logins, but also `ftp://` or `ssh://`.
#[cfg(feature = "ssr")]
fn looks_like_url(text: &str) -> bool {
    match text.split_once("://") {
        Some((scheme, rest)) => {
            scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !rest.is_empty()
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// This server still holds the key from before a rotation.
#[cfg(feature = "ssr")]
fn key_rotated(lang: Lang) -> AppError {
    tracing::error!("the vault key was rotated while this server ran; restart it");
    AppError::Conflict(Key::VaultErrKeyRotated.text(lang).to_owned())
}

/// A server or domain of another customer (or tenant) is the user's mistake at its field.
#[cfg(feature = "ssr")]
async fn check_links(
    conn: &mut PgConnection,
    actor: &Actor,
    customer_id: Uuid,
    input: &CredentialInput,
) -> Result<(), AppError> {
    let (server, domain) = repo::links_fit(
        conn,
        actor.tenant_id,
        customer_id,
        input.server_id,
        input.domain_id,
    )
    .await?;
    let mut errors = FieldErrors::default();
    if !server {
        errors.add("server_id", Key::VaultErrServer.text(actor.lang));
    }
    if !domain {
        errors.add("domain_id", Key::VaultErrDomain.text(actor.lang));
    }
    errors.into_result()
}

/// The audit view of a credential: its fields, never its secret.
#[cfg(feature = "ssr")]
fn audited(input: &CredentialInput, customer_id: Uuid) -> serde_json::Value {
    let mut value = serde_json::to_value(input).unwrap_or_default();
    value["customer_id"] = json!(customer_id);
    value
}

/// Records a new credential of the tenant's customer with its secret encrypted under
/// `key`. Shared with the REST API; the caller owns the transaction.
#[cfg(feature = "ssr")]
pub async fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    key: &VaultKey,
    customer_id: Uuid,
    input: &CredentialInput,
    secret: Option<Secret>,
) -> Result<Uuid, AppError> {
    actor.require(Permission::ManageCredentials)?;
    repo::customer_label(conn, actor.tenant_id, customer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let clean = validate(input, secret.as_ref(), true, actor.lang)?;
    check_links(conn, actor, customer_id, &clean).await?;
    let secret = secret.ok_or(AppError::Internal)?;
    let id = Uuid::new_v4();
    let sealed = key.encrypt_secret(actor.tenant_id, id, &secret);
    if !repo::insert(
        conn,
        actor.tenant_id,
        customer_id,
        id,
        &clean,
        &sealed,
        key.id(),
    )
    .await?
    {
        return Err(key_rotated(actor.lang));
    }
    let event = Event::by(actor, "credential.created", "credential", id)
        .change(None, Some(audited(&clean, customer_id)));
    record(conn, event).await?;
    Ok(id)
}

/// Changes a credential's fields, and its secret when one is given (sealed again with a
/// fresh nonce). Shared with the REST API; the caller owns the transaction.
#[cfg(feature = "ssr")]
pub async fn update(
    conn: &mut PgConnection,
    actor: &Actor,
    key: &VaultKey,
    id: Uuid,
    input: &CredentialInput,
    secret: Option<Secret>,
) -> Result<(), AppError> {
    actor.require(Permission::ManageCredentials)?;
    let before = repo::load(conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let clean = validate(input, secret.as_ref(), false, actor.lang)?;
    check_links(conn, actor, before.customer_id, &clean).await?;
    let sealed = secret
        .as_ref()
        .map(|secret| key.encrypt_secret(actor.tenant_id, id, secret));
    let stored = sealed.as_ref().map(|sealed| (sealed, key.id()));
    // the row was loaded above in this transaction: only a stale key leaves it unchanged
    if !repo::update(conn, actor.tenant_id, id, &clean, stored).await? {
        return Err(key_rotated(actor.lang));
    }
    let mut after = audited(&clean, before.customer_id);
    after["secret_changed"] = json!(secret.is_some());
    let event = Event::by(actor, "credential.changed", "credential", id)
        .change(Some(audited(&before.data, before.customer_id)), Some(after));
    record(conn, event).await?;
    Ok(())
}

/// A credential's secret, with the audit entry (who, which credential) that every reveal
/// writes. The caller commits before the secret leaves the server.
#[cfg(feature = "ssr")]
pub async fn reveal(
    conn: &mut PgConnection,
    actor: &Actor,
    key: &VaultKey,
    id: Uuid,
) -> Result<RevealedSecret, AppError> {
    actor.require(Permission::RevealCredentials)?;
    let credential = repo::load(conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut secrets = open_all(conn, actor, key, &[id]).await?;
    let secret = secrets.pop().ok_or(AppError::NotFound)?;
    let event = Event::by(actor, "credential.revealed", "credential", id).change(
        None,
        Some(json!({ "label": credential.data.label, "customer_id": credential.customer_id })),
    );
    record(conn, event).await?;
    Ok(secret)
}

/// Decrypts the tenant's credentials among `ids`. A ciphertext that does not open (wrong
/// key, altered or moved row) is an error, never garbage.
#[cfg(feature = "ssr")]
async fn open_all(
    conn: &mut PgConnection,
    actor: &Actor,
    key: &VaultKey,
    ids: &[Uuid],
) -> Result<Vec<RevealedSecret>, AppError> {
    let sealed = repo::sealed(conn, actor.tenant_id, ids).await?;
    sealed
        .into_iter()
        .map(|(id, sealed)| {
            key.decrypt_secret(actor.tenant_id, id, &sealed)
                .map(|secret| RevealedSecret {
                    credential_id: id,
                    secret: secret.expose().to_owned(),
                })
                .map_err(|error| {
                    tracing::error!(credential_id = %id, %error, "vault secret does not decrypt");
                    AppError::Internal
                })
        })
        .collect()
}

/// The customer's password list: all secrets revealed in one audited action, one audit
/// entry naming every credential.
#[cfg(feature = "ssr")]
pub async fn reveal_list(
    conn: &mut PgConnection,
    actor: &Actor,
    key: &VaultKey,
    customer_id: Uuid,
) -> Result<PasswordList, AppError> {
    actor.require(Permission::RevealCredentials)?;
    let customer_label = repo::customer_label(conn, actor.tenant_id, customer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let credentials = repo::of_customer(conn, actor.tenant_id, customer_id).await?;
    let ids: Vec<Uuid> = credentials.iter().map(|c| c.id).collect();
    let mut secrets = open_all(conn, actor, key, &ids).await?;
    let entries = credentials
        .into_iter()
        .filter_map(|credential| {
            let at = secrets
                .iter()
                .position(|s| s.credential_id == credential.id)?;
            Some(PasswordEntry {
                credential,
                secret: secrets.swap_remove(at),
            })
        })
        .collect();
    let event = Event::by(actor, "credentials.revealed", "customer", customer_id).change(
        None,
        Some(json!({ "password_list": true, "credential_ids": ids })),
    );
    record(conn, event).await?;
    Ok(PasswordList {
        customer_label,
        revealed_at: repo::tenant_now(conn, actor.tenant_id).await?,
        entries,
    })
}

/// A page of a customer's, server's or domain's credentials, never with secrets.
#[server(prefix = "/sf", endpoint = "vault/list", input = Json, output = Json)]
pub async fn list_credentials(
    owner: CredentialOwner,
    page: PageRequest,
) -> Result<Page<Credential>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewCredentials)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::list(&mut conn, actor.tenant_id, owner, &page).await?)
        }
        .await,
    )
}

/// The customer's servers and domains a credential may be attached to.
#[server(prefix = "/sf", endpoint = "vault/links", input = Json, output = Json)]
pub async fn load_credential_links(customer_id: Uuid) -> Result<CredentialLinks, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewCredentials)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::links(&mut conn, actor.tenant_id, customer_id).await?)
        }
        .await,
    )
}

/// A new credential of the customer; `secret` is required.
#[server(prefix = "/sf", endpoint = "vault/create", input = Json, output = Json)]
pub async fn create_credential(
    customer_id: Uuid,
    input: CredentialInput,
    secret: String,
) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageCredentials)?;
            let key = vault_key()?;
            let mut tx = pool()?.begin().await?;
            let secret = Some(Secret::new(secret));
            let id = create(&mut tx, &actor, &key, customer_id, &input, secret).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// Changes a credential; `secret` None keeps the stored one.
#[server(prefix = "/sf", endpoint = "vault/update", input = Json, output = Json)]
pub async fn update_credential(
    id: Uuid,
    input: CredentialInput,
    secret: Option<String>,
) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageCredentials)?;
            let key = vault_key()?;
            let mut tx = pool()?.begin().await?;
            update(&mut tx, &actor, &key, id, &input, secret.map(Secret::new)).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "vault/delete", input = Json, output = Json)]
pub async fn delete_credential(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageCredentials)?;
            let mut tx = pool()?.begin().await?;
            let before = repo::load(&mut tx, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)?;
            repo::delete(&mut tx, actor.tenant_id, id).await?;
            let event = Event::by(&actor, "credential.deleted", "credential", id)
                .change(Some(audited(&before.data, before.customer_id)), None);
            record(&mut tx, event).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Shows one secret; audited.
#[server(prefix = "/sf", endpoint = "vault/reveal", input = Json, output = Json)]
pub async fn reveal_credential(id: Uuid) -> Result<RevealedSecret, AppError> {
    respond(
        async {
            let actor = authorize(Permission::RevealCredentials)?;
            let key = vault_key()?;
            let mut tx = pool()?.begin().await?;
            let secret = reveal(&mut tx, &actor, &key, id).await?;
            tx.commit().await?;
            Ok(secret)
        }
        .await,
    )
}

/// The customer's printable password list; one audit entry names every credential shown.
#[server(prefix = "/sf", endpoint = "vault/password-list", input = Json, output = Json)]
pub async fn reveal_password_list(customer_id: Uuid) -> Result<PasswordList, AppError> {
    respond(
        async {
            let actor = authorize(Permission::RevealCredentials)?;
            let key = vault_key()?;
            let mut tx = pool()?.begin().await?;
            let list = reveal_list(&mut tx, &actor, &key, customer_id).await?;
            tx.commit().await?;
            Ok(list)
        }
        .await,
    )
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn input(label: &str) -> CredentialInput {
        CredentialInput {
            label: label.to_owned(),
            ..CredentialInput::default()
        }
    }

    fn fields(result: Result<CredentialInput, AppError>) -> Vec<String> {
        match result {
            Err(AppError::Validation(errors)) => errors.0.into_iter().map(|e| e.field).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_new_credential_needs_a_label_and_a_secret() {
        assert_eq!(
            fields(validate(&input("  "), None, true, Lang::En)),
            ["label", "secret"]
        );
        let empty = Secret::new(String::new());
        assert_eq!(
            fields(validate(&input("FTP"), Some(&empty), false, Lang::En)),
            ["secret"]
        );
        assert!(validate(&input("FTP"), None, false, Lang::En).is_ok());
    }

    #[test]
    fn ports_hosts_and_urls_are_checked_and_trimmed() {
        let bad = CredentialInput {
            host: "ftp example.de".to_owned(),
            port: Some(70_000),
            url: "example.de/login".to_owned(),
            ..input("FTP")
        };
        let secret = Secret::new(" pass word ".to_owned());
        assert_eq!(
            fields(validate(&bad, Some(&secret), true, Lang::De)),
            ["host", "port", "url"]
        );
        let good = CredentialInput {
            host: " ftp.example.de ".to_owned(),
            port: Some(21),
            url: "https://example.de/wp-admin".to_owned(),
            ..input(" FTP ")
        };
        let clean = validate(&good, Some(&secret), true, Lang::De).map(|c| (c.label, c.host));
        assert_eq!(clean, Ok(("FTP".to_owned(), "ftp.example.de".to_owned())));
        assert!(looks_like_url("sftp://host:22"));
        assert!(!looks_like_url("://host"));
    }
}
