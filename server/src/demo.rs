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
    customers(&mut tx, tenant_id).await?;
    tx.commit().await?;
    Ok(Some(DemoData {
        password,
        logins,
        admin_totp_secret: data_encoding::BASE32_NOPAD.encode(&secret),
    }))
}

/// A few customers of the kinds an agency has: a shop, a practice, an association, a
/// customer abroad with reverse charge, and a private person.
async fn customers(conn: &mut sqlx::PgConnection, tenant_id: Uuid) -> anyhow::Result<()> {
    use app::customers::{ContactInput, ContactRole, CreateOutcome, CustomerInput, CustomerKind};
    use app::domain::tax::TaxTreatment;
    let actor = app::auth::context::Actor::system(tenant_id, "kontor demo");
    let company = |name: &str, street: &str, postal: &str, city: &str, email: &str| CustomerInput {
        kind: CustomerKind::Company,
        company_name: name.to_owned(),
        billing_street: street.to_owned(),
        billing_postal_code: postal.to_owned(),
        billing_city: city.to_owned(),
        email: email.to_owned(),
        ..CustomerInput::default()
    };
    let mut shop = company(
        "Bäckerei Schmidt GmbH",
        "Marktplatz 3",
        "04109",
        "Leipzig",
        "info@baeckerei-schmidt.de",
    );
    shop.tags = vec!["Webshop".to_owned(), "Hosting".to_owned()];
    shop.vat_id = "DE811569869".to_owned();
    let mut practice = company(
        "Zahnarztpraxis Dr. Weber",
        "Lindenallee 12",
        "50668",
        "Köln",
        "praxis@dr-weber-koeln.de",
    );
    practice.tags = vec!["Hosting".to_owned()];
    practice.payment_terms_days = 30;
    let mut club = company(
        "Sportverein Blau-Weiß Hamm e.V.",
        "Am Sportplatz 1",
        "59063",
        "Hamm",
        "vorstand@bw-hamm.de",
    );
    club.tags = vec!["Verein".to_owned()];
    let mut vienna = company(
        "Alpenblick Hotels GmbH",
        "Kärntner Straße 21",
        "1010",
        "Wien",
        "office@alpenblick-hotels.at",
    );
    vienna.billing_country = "AT".to_owned();
    vienna.vat_id = "ATU13585627".to_owned();
    vienna.tax_treatment = TaxTreatment::EuReverseCharge;
    vienna.language = app::i18n::Lang::En;
    let person = CustomerInput {
        kind: CustomerKind::Person,
        first_name: "Jonas".to_owned(),
        last_name: "Becker".to_owned(),
        billing_street: "Gartenweg 7".to_owned(),
        billing_postal_code: "80331".to_owned(),
        billing_city: "München".to_owned(),
        email: "jonas.becker@web.de".to_owned(),
        ..CustomerInput::default()
    };
    let contacts = [
        (
            "Petra",
            "Schmidt",
            ContactRole::Management,
            "petra@baeckerei-schmidt.de",
        ),
        (
            "Stefan",
            "Weber",
            ContactRole::Management,
            "s.weber@dr-weber-koeln.de",
        ),
        ("Lena", "Koch", ContactRole::Technical, "it@bw-hamm.de"),
        (
            "Maria",
            "Huber",
            ContactRole::Billing,
            "accounting@alpenblick-hotels.at",
        ),
    ];
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    for (index, input) in [shop, practice, club, vienna, person].iter().enumerate() {
        let created = app::customers::api::create(conn, &actor, input, true, year)
            .await
            .map_err(|e| anyhow::anyhow!("demo customer: {e:?}"))?;
        let (CreateOutcome::Created { id, .. }, Some((first, last, role, email))) =
            (created, contacts.get(index))
        else {
            continue;
        };
        let contact = ContactInput {
            first_name: (*first).to_owned(),
            last_name: (*last).to_owned(),
            role: *role,
            email: (*email).to_owned(),
            is_primary: true,
            ..ContactInput::default()
        };
        app::customers::api::add(conn, &actor, id, &contact)
            .await
            .map_err(|e| anyhow::anyhow!("demo contact: {e:?}"))?;
    }
    Ok(())
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
