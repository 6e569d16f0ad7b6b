//! `kontor demo`: a demo tenant with one user per role. Idempotent: a second run changes
//! nothing and prints nothing secret.

use anyhow::Context;
use app::auth::secrets::hash_password;
use sqlx::PgPool;
use uuid::Uuid;

pub const DEMO_SLUG: &str = "demo";

pub struct DemoLogin {
    pub email: String,
    pub role: &'static str,
}

pub struct DemoData {
    pub password: String,
    pub logins: Vec<DemoLogin>,
    /// Base32 TOTP secret of the demo admin, for the authenticator app.
    pub admin_totp_secret: String,
}

const USERS: &[(&str, &str, &str)] = &[
    ("admin", "Anna Admin", "admin"),
    ("buchhaltung", "Bernd Buchhaltung", "accountant"),
    ("projekt", "Petra Projekt", "project_manager"),
    ("team", "Tim Team", "staff"),
    ("support", "Sina Support", "support"),
    ("kunde", "Karl Kunde", "customer_owner"),
];

/// Creates the demo tenant unless it exists; `None` when it was already there.
pub async fn load(pool: &PgPool, password: Option<String>) -> anyhow::Result<Option<DemoData>> {
    let mut tx = pool.begin().await?;
    sqlx::query("select pg_advisory_xact_lock(7263001)")
        .execute(&mut *tx)
        .await?;
    let exists: bool = sqlx::query_scalar("select exists (select 1 from tenants where slug = $1)")
        .bind(DEMO_SLUG)
        .fetch_one(&mut *tx)
        .await?;
    if exists {
        return Ok(None);
    }
    let tenant_id = Uuid::new_v4();
    sqlx::query(
        "insert into tenants (id, slug, legal_name, street, postal_code, city, vat_id, tax_number, iban, bic, creditor_id)
         values ($1, $2, 'Muster Agentur GmbH', 'Musterstraße 1', '10115', 'Berlin', 'DE136695976', '30/123/45678',
                 'DE89370400440532013000', 'COBADEFFXXX', 'DE98ZZZ09999999999')",
    )
    .bind(tenant_id)
    .bind(DEMO_SLUG)
    .execute(&mut *tx)
    .await?;
    let password = password.unwrap_or_else(|| app::auth::secrets::random_token()[..16].to_owned());
    let hash = hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let secret = app::auth::totp::new_secret();
    let mut logins = Vec::new();
    for (local, name, role) in USERS {
        let email = format!("{local}@demo.kontor.test");
        let user_id = Uuid::new_v4();
        let kind = if *role == "customer_owner" {
            "customer"
        } else {
            "staff"
        };
        let totp = (*role == "admin").then_some(secret.clone());
        sqlx::query(
            "insert into users (id, email, display_name, kind, password_hash, totp_secret, totp_enabled_at)
             values ($1, $2, $3, $4::user_kind, $5, $6, case when $6::bytea is null then null else now() end)",
        )
        .bind(user_id)
        .bind(&email)
        .bind(name)
        .bind(kind)
        .bind(&hash)
        .bind(totp)
        .execute(&mut *tx)
        .await
        .with_context(|| format!("creating {email}"))?;
        sqlx::query(
            "insert into memberships (tenant_id, user_id, roles) values ($1, $2, array[$3])",
        )
        .bind(tenant_id)
        .bind(user_id)
        .bind(role)
        .execute(&mut *tx)
        .await?;
        logins.push(DemoLogin { email, role });
    }
    app::audit::repo::record(
        &mut tx,
        app::audit::repo::Event {
            tenant_id,
            actor_id: None,
            actor_label: "kontor demo",
            ip: None,
            action: "tenant.created",
            entity_type: "tenant",
            entity_id: Some(tenant_id.to_string()),
            before: None,
            after: Some(serde_json::json!({ "slug": DEMO_SLUG, "users": logins.len() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(DemoData {
        password,
        logins,
        admin_totp_secret: data_encoding::BASE32_NOPAD.encode(&secret),
    }))
}

pub fn print(data: &DemoData) {
    println!("Demo tenant \"{DEMO_SLUG}\" created. Logins (shown once):");
    for login in &data.logins {
        println!(
            "  {:<34} {:<16} password: {}",
            login.email, login.role, data.password
        );
    }
    println!("The admin logs in with a TOTP code. Add this key to an authenticator app:");
    println!("  {}", data.admin_totp_secret);
    println!(
        "  {}",
        app::auth::totp::otpauth_uri(&data.admin_totp_secret, "Kontor", "admin@demo.kontor.test")
    );
}
