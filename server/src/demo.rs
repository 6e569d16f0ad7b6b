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
        "insert into tenants (id, slug, legal_name, street, postal_code, city, vat_id, tax_number, iban, bic, creditor_id,
                              contact_name, phone, email)
         values ($1, $2, 'Muster Agentur GmbH', 'Musterstraße 1', '10115', 'Berlin', 'DE136695976', '30/123/45678',
                 'DE89370400440532013000', 'COBADEFFXXX', 'DE98ZZZ09999999999',
                 'Anna Buchhaltung', '+49 30 1234567', 'rechnung@muster-agentur.test')",
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
    let customer_ids = customers(&mut tx, tenant_id).await?;
    // Karl Kunde is the bakery's portal user
    sqlx::query(
        "update memberships set customer_id = $2
         where tenant_id = $1 and user_id = (select id from users where email = 'kunde@demo.kontor.test')",
    )
    .bind(tenant_id)
    .bind(customer_ids.first())
    .execute(&mut *tx)
    .await?;
    catalog_and_contracts(&mut tx, tenant_id, &customer_ids).await?;
    direct_debit(&mut tx, tenant_id, &customer_ids).await?;
    projects(&mut tx, tenant_id, &customer_ids).await?;
    quotes(&mut tx, tenant_id, &customer_ids).await?;
    tx.commit().await?;
    Ok(Some(DemoData {
        password,
        logins,
        admin_totp_secret: data_encoding::BASE32_NOPAD.encode(&secret),
    }))
}

/// Three projects that show what the project pages do: a fixed-price relaunch with
/// milestones (one accepted, one waiting for the customer), a retainer, and a
/// time-and-material job running over its budget; time of the last weeks, assignments
/// of the coming ones.
async fn projects(
    conn: &mut sqlx::PgConnection,
    tenant_id: Uuid,
    customer_ids: &[Uuid],
) -> anyhow::Result<()> {
    let person = |local: &str| format!("{local}@demo.kontor.test");
    let manager: Uuid = sqlx::query_scalar("select id from users where email = $1")
        .bind(person("projekt"))
        .fetch_one(&mut *conn)
        .await?;
    let team: Uuid = sqlx::query_scalar("select id from users where email = $1")
        .bind(person("team"))
        .fetch_one(&mut *conn)
        .await?;
    let customer = |i: usize| customer_ids.get(i).copied().unwrap_or_default();
    let ids: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
    sqlx::query(
        "insert into projects (id, tenant_id, customer_id, number, name, description, billing_mode, manager_id, starts_on,
                               ends_on, budget_hours, budget_amount, hourly_rate, retainer_hours, retainer_fee)
         select * from unnest($1::uuid[], array[$2, $2, $2]::uuid[], $3::uuid[], array['P-0001', 'P-0002', 'P-0003'],
                     array['Relaunch Website', 'SEO-Betreuung', 'Intranet-Erweiterung'],
                     array['Neue Website mit Online-Bestellung', 'Monatliche Betreuung mit 10 Stunden', 'Urlaubsplaner im Intranet'],
                     array['fixed_price', 'retainer', 'time_and_material'], array[$4, $4, $4]::uuid[],
                     array[current_date - 42, current_date - 120, current_date - 21]::date[],
                     array[current_date + 60, null, current_date + 14]::date[],
                     array[120, 0, 40]::numeric[], array[12000, 0, 4400]::numeric[], array[null, 95, 110]::numeric[],
                     array[null, 10, null]::numeric[], array[null, 900, null]::numeric[])",
    )
    .bind(&ids)
    .bind(tenant_id)
    .bind(vec![customer(0), customer(1), customer(2)])
    .bind(manager)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "insert into number_ranges (tenant_id, kind, pattern, next_value) values ($1, 'project', 'P-{####}', 4)",
    )
    .bind(tenant_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "insert into work_packages (id, tenant_id, project_id, position, name, planned_hours, planned_amount, progress)
         select gen_random_uuid(), $1, $2, p, name, hours, hours * 100, progress
         from unnest(array[1, 2, 3], array['Konzept', 'Design', 'Umsetzung'], array[20, 40, 60]::numeric[],
                     array[100, 60, 10]::numeric[]) as w(p, name, hours, progress)",
    )
    .bind(tenant_id)
    .bind(ids[0])
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "insert into milestones (id, tenant_id, project_id, name, due_on, amount, status, reached_at, accepted_at)
         values (gen_random_uuid(), $1, $2, 'Konzept abgenommen', current_date - 21, 3000, 'accepted', now() - interval '22 days', now() - interval '21 days'),
                (gen_random_uuid(), $1, $2, 'Design freigegeben', current_date + 7, 4000, 'reached', now(), null),
                (gen_random_uuid(), $1, $2, 'Go-live', current_date + 45, 5000, 'open', null, null),
                (gen_random_uuid(), $1, $3, 'Urlaubsplaner live', current_date + 14, null, 'open', null, null)",
    )
    .bind(tenant_id)
    .bind(ids[0])
    .bind(ids[2])
    .execute(&mut *conn)
    .await?;
    // weekday time of the last four weeks: the relaunch by package, the retainer, the intranet
    sqlx::query(
        "insert into time_entries (id, tenant_id, user_id, project_id, work_package_id, work_date, minutes, note, billable,
                                   rate, cost_rate, source)
         select gen_random_uuid(), $1, case when d % 2 = 0 then $2 else $3 end, p.id,
                (select w.id from work_packages w where w.project_id = p.id order by w.position offset d % 3 limit 1),
                current_date - d, case p.number when 'P-0001' then 150 when 'P-0002' then 45 else 150 end,
                'Umsetzung', true, coalesce(p.hourly_rate, 100), 45, 'manual'
         from generate_series(1, 28) d, projects p
         where p.tenant_id = $1 and extract(isodow from current_date - d) < 6",
    )
    .bind(tenant_id)
    .bind(team)
    .bind(manager)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "insert into assignments (id, tenant_id, user_id, project_id, starts_on, ends_on, hours_per_week)
         values (gen_random_uuid(), $1, $2, $4, current_date, current_date + 41, 16),
                (gen_random_uuid(), $1, $2, $5, current_date, current_date + 13, 12),
                (gen_random_uuid(), $1, $3, $4, current_date, current_date + 55, 8)",
    )
    .bind(tenant_id)
    .bind(team)
    .bind(manager)
    .bind(ids[0])
    .bind(ids[2])
    .execute(&mut *conn)
    .await?;
    app::projects::repo::refresh_lights(conn, tenant_id, &ids).await?;
    Ok(())
}

/// Job roles with their rates; a quote with an optional item waiting for the bakery's
/// decision in the portal, and a draft for the next customer.
async fn quotes(
    conn: &mut sqlx::PgConnection,
    tenant_id: Uuid,
    customer_ids: &[Uuid],
) -> anyhow::Result<()> {
    use app::quotes::model::{QuoteInput, QuoteItemInput};
    sqlx::query(
        "insert into job_roles (id, tenant_id, name, hourly_rate)
         select gen_random_uuid(), $1, name, rate
         from unnest(array['Konzeption', 'Design', 'Entwicklung'], array[120, 110, 95]::numeric[]) as r(name, rate)",
    )
    .bind(tenant_id)
    .execute(&mut *conn)
    .await?;
    // by rate: Konzeption, Design, Entwicklung
    let roles: Vec<Uuid> = sqlx::query_scalar(
        "select id from job_roles where tenant_id = $1 order by hourly_rate desc",
    )
    .bind(tenant_id)
    .fetch_all(&mut *conn)
    .await?;
    let manager: Uuid =
        sqlx::query_scalar("select id from users where email = 'projekt@demo.kontor.test'")
            .fetch_one(&mut *conn)
            .await?;
    let hours = |title: &str, role: usize, quantity: &str, optional: bool| QuoteItemInput {
        title: title.to_owned(),
        job_role_id: roles.get(role).copied(),
        quantity: quantity.to_owned(),
        unit_price: ["120", "110", "95"][role].to_owned(),
        optional,
        ..QuoteItemInput::default()
    };
    let actor = app::auth::context::Actor::system(tenant_id, "Demo");
    let shop = QuoteInput {
        customer_id: customer_ids.first().copied(),
        title: "Online-Shop für Torten".to_owned(),
        manager_id: Some(manager),
        intro: "Vielen Dank für Ihre Anfrage. Gern bieten wir Ihnen an:".to_owned(),
        items: vec![
            hours("Konzept und Sortimentsstruktur", 0, "8", false),
            hours("Gestaltung der Shopseiten", 1, "16", false),
            hours("Umsetzung und Zahlungsanbindung", 2, "32", false),
            QuoteItemInput {
                kind: app::domain::quote::ItemKind::Fixed,
                title: "Shop-Lizenz (1 Jahr)".to_owned(),
                quantity: "1".to_owned(),
                unit_price: "299".to_owned(),
                ..QuoteItemInput::default()
            },
            hours("Schulung Ihres Teams", 2, "4", true),
        ],
        ..QuoteInput::default()
    };
    let (sent, _) = app::quotes::api::create(conn, &actor, &shop).await?;
    app::quotes::api::send(conn, &actor, sent, false).await?;
    let newsletter = QuoteInput {
        customer_id: customer_ids.get(1).copied(),
        title: "Newsletter-Vorlagen".to_owned(),
        billing: app::projects::model::ProjectBilling::TimeAndMaterial,
        manager_id: Some(manager),
        items: vec![hours("Vorlagen gestalten", 1, "6", false)],
        ..QuoteInput::default()
    };
    app::quotes::api::create(conn, &actor, &newsletter).await?;
    Ok(())
}

/// The dental practice pays by SEPA direct debit.
async fn direct_debit(
    conn: &mut sqlx::PgConnection,
    tenant_id: Uuid,
    customers: &[Uuid],
) -> anyhow::Result<()> {
    let Some(practice) = customers.get(1) else {
        return Ok(());
    };
    let actor = app::auth::context::Actor::system(tenant_id, "kontor demo");
    let mandate = app::sepa::model::MandateInput {
        signed_on: "2025-01-15".to_owned(),
        scheme: "CORE".to_owned(),
        account_holder: "Zahnarztpraxis Dr. Weber".to_owned(),
        iban: "DE02 5001 0517 0137 0750 30".to_owned(),
        ..app::sepa::model::MandateInput::default()
    };
    app::sepa::api::create(conn, &actor, *practice, &mandate)
        .await
        .map_err(|e| anyhow::anyhow!("demo mandate: {e:?}"))?;
    Ok(())
}

/// A few customers of the kinds an agency has: a shop, a practice, an association, a
/// customer abroad with reverse charge, and a private person.
async fn customers(conn: &mut sqlx::PgConnection, tenant_id: Uuid) -> anyhow::Result<Vec<Uuid>> {
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
    let mut ids = Vec::new();
    for (index, input) in [shop, practice, club, vienna, person].iter().enumerate() {
        let created = app::customers::api::create(conn, &actor, input, true, year)
            .await
            .map_err(|e| anyhow::anyhow!("demo customer: {e:?}"))?;
        if let CreateOutcome::Created { id, .. } = created {
            ids.push(id);
        }
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
    Ok(ids)
}

/// The catalog, TLD prices and, per customer, the contracts, domains, servers and
/// certificates an agency keeps: some started years ago, one cancelled, one starting soon,
/// a domain and a certificate expiring within the month.
async fn catalog_and_contracts(
    conn: &mut sqlx::PgConnection,
    tenant_id: Uuid,
    customers: &[Uuid],
) -> anyhow::Result<()> {
    use app::contracts::{CancelInput, ContractInput};
    use app::domain::periods::{BillingInterval, FeeUnit, NoticeUnit};
    use app::inventory::{CertificateInput, DomainInput, ServerInput, ServerType};
    use app::products::{PriceTierInput, ProductInput, ProductKind};
    let actor = app::auth::context::Actor::system(tenant_id, "kontor demo");
    let failed = |what: &'static str| move |e| anyhow::anyhow!("demo {what}: {e:?}");
    let (today, _) = app::contracts::repo::tenant_today(conn, tenant_id).await?;
    let day = |days: i64| today + chrono::Duration::days(days);
    let product = |sku: &str,
                   name: &str,
                   kind: ProductKind,
                   cost: &str,
                   sale: &str,
                   unit: FeeUnit,
                   interval: BillingInterval| ProductInput {
        sku: sku.to_owned(),
        name: name.to_owned(),
        kind,
        cost_price: cost.to_owned(),
        sale_price: sale.to_owned(),
        fee_unit: unit,
        billing_interval: interval,
        ..ProductInput::default()
    };
    let mut mailboxes = product(
        "MAIL-10",
        "Postfach 10 GB",
        ProductKind::Email,
        "0.80",
        "2.50",
        FeeUnit::Month,
        BillingInterval::Monthly,
    );
    mailboxes.tiers = vec![
        PriceTierInput {
            min_quantity: "10".to_owned(),
            unit_price: "2.00".to_owned(),
        },
        PriceTierInput {
            min_quantity: "50".to_owned(),
            unit_price: "1.50".to_owned(),
        },
    ];
    let mut server = product(
        "SRV-M",
        "Managed Server M",
        ProductKind::Server,
        "45.00",
        "89.00",
        FeeUnit::Month,
        BillingInterval::Monthly,
    );
    server.setup_fee = "149.00".to_owned();
    let catalog = [
        product(
            "DOM-STD",
            "Domain-Server Standard inkl. Domain",
            ProductKind::Hosting,
            "4.00",
            "19.00",
            FeeUnit::Month,
            BillingInterval::Quarterly,
        ),
        server,
        product(
            "SPAM",
            "Spamfilter",
            ProductKind::Email,
            "5.00",
            "20.00",
            FeeUnit::Quarter,
            BillingInterval::Yearly,
        ),
        product(
            "SSL-DV",
            "SSL-Zertifikat DV",
            ProductKind::Certificate,
            "9.00",
            "49.00",
            FeeUnit::Year,
            BillingInterval::Yearly,
        ),
        mailboxes,
        product(
            "SUP-H",
            "Supportstunde",
            ProductKind::Service,
            "0",
            "95.00",
            FeeUnit::Month,
            BillingInterval::Monthly,
        ),
        // what registrar reconciliation turns unbilled domains into
        product(
            "DOMAIN",
            "Domain (Registrierung und Verlängerung)",
            ProductKind::Domain,
            "0",
            "0",
            FeeUnit::Year,
            BillingInterval::Yearly,
        ),
    ];
    let mut product_ids = Vec::new();
    for input in &catalog {
        product_ids.push(
            app::products::api::save(conn, &actor, None, input)
                .await
                .map_err(failed("product"))?,
        );
    }
    for (tld, [rc, rp, nc, np, tc, tp]) in [
        ("de", ["3.00", "9.90", "3.00", "9.90", "0", "0"]),
        ("com", ["9.50", "16.90", "9.50", "16.90", "9.50", "16.90"]),
        ("at", ["11.00", "24.00", "11.00", "24.00", "0", "0"]),
        ("eu", ["4.50", "12.90", "4.50", "12.90", "0", "0"]),
        (
            "shop",
            ["22.00", "39.00", "28.00", "49.00", "28.00", "49.00"],
        ),
    ] {
        let price = app::products::TldPrice {
            tld: tld.to_owned(),
            registration_cost: rc.to_owned(),
            registration_price: rp.to_owned(),
            renewal_cost: nc.to_owned(),
            renewal_price: np.to_owned(),
            transfer_cost: tc.to_owned(),
            transfer_price: tp.to_owned(),
        };
        let (tld, amounts) = price
            .parse(app::i18n::Lang::En)
            .map_err(|e| anyhow::anyhow!("demo TLD price: {e:?}"))?;
        app::products::repo::save_tld_price(conn, tenant_id, &tld, &amounts).await?;
    }
    let [shop, practice, club, vienna, person] = customers else {
        return Ok(());
    };
    let contract = |customer: Uuid,
                    product: usize,
                    description: &str,
                    start: chrono::NaiveDate,
                    fee: &str,
                    unit: FeeUnit,
                    interval: BillingInterval| ContractInput {
        customer_id: Some(customer),
        product_id: product_ids.get(product).copied(),
        description: description.to_owned(),
        start_date: start.to_string(),
        fee: fee.to_owned(),
        fee_unit: unit,
        billing_interval: interval,
        minimum_term_months: 12,
        notice_amount: 3,
        notice_unit: NoticeUnit::Months,
        ..ContractInput::default()
    };
    let mut shop_server = contract(
        *shop,
        1,
        "Managed Server M für den Webshop",
        day(-700),
        "89.00",
        FeeUnit::Month,
        BillingInterval::Monthly,
    );
    shop_server.setup_fee = "149.00".to_owned();
    let mut mail = contract(
        *practice,
        4,
        "Postfächer Praxis",
        day(-400),
        "2.00",
        FeeUnit::Month,
        BillingInterval::Monthly,
    );
    mail.quantity = "12".to_owned();
    let contracts = [
        contract(
            *shop,
            0,
            "Domain-Server Standard, inkl. Domain baeckerei-schmidt.de",
            day(-1000),
            "19.00",
            FeeUnit::Month,
            BillingInterval::Quarterly,
        ),
        shop_server,
        contract(
            *shop,
            2,
            "Spamfilter auf dem Hauptserver",
            day(-1000),
            "20.00",
            FeeUnit::Quarter,
            BillingInterval::Yearly,
        ),
        contract(
            *practice,
            0,
            "Domain-Server Standard, inkl. Domain dr-weber-koeln.de",
            day(-500),
            "19.00",
            FeeUnit::Month,
            BillingInterval::Quarterly,
        ),
        mail,
        contract(
            *club,
            0,
            "Vereinswebsite inkl. Domain bw-hamm.de",
            day(-300),
            "9.50",
            FeeUnit::Month,
            BillingInterval::Yearly,
        ),
        contract(
            *vienna,
            0,
            "Hosting alpenblick-hotels.at",
            day(14),
            "29.00",
            FeeUnit::Month,
            BillingInterval::HalfYearly,
        ),
        contract(
            *person,
            3,
            "SSL-Zertifikat jonas-becker.de",
            day(-200),
            "49.00",
            FeeUnit::Year,
            BillingInterval::Yearly,
        ),
    ];
    let mut contract_ids = Vec::new();
    for input in &contracts {
        let (id, _) = app::contracts::api::create(conn, &actor, input)
            .await
            .map_err(failed("contract"))?;
        contract_ids.push(id);
        // what earlier billing runs would have left behind: everything due by today billed
        let terms = input
            .parse(app::i18n::Lang::De)
            .map_err(|e| anyhow::anyhow!("demo contract terms: {e:?}"))?
            .terms;
        let billed_until = app::domain::periods::due_charges(&terms, None, today)
            .last()
            .map(|charge| charge.period.to);
        sqlx::query(
            "update contracts set billed_until = $2, setup_fee_billed = $2 is not null where id = $1",
        )
        .bind(id)
        .bind(billed_until)
        .execute(&mut *conn)
        .await?;
    }
    if let Some(club_contract) = contract_ids.get(5) {
        let notice = CancelInput {
            reason: "Verein wechselt zu einem Baukasten".to_owned(),
            ..CancelInput::default()
        };
        app::contracts::api::cancel(conn, &actor, *club_contract, &notice)
            .await
            .map_err(failed("cancellation"))?;
    }
    let domain = |customer: Uuid, contract: Option<Uuid>, name: &str, expires: i64| DomainInput {
        customer_id: Some(customer),
        contract_id: contract,
        name: name.to_owned(),
        registrar: "InterNetX".to_owned(),
        owner_handle: "DENIC-1000-OWNER".to_owned(),
        registered_on: Some(day(expires - 365 * 3)),
        expires_on: Some(day(expires)),
        ..DomainInput::default()
    };
    let domains = [
        domain(
            *shop,
            contract_ids.first().copied(),
            "baeckerei-schmidt.de",
            120,
        ),
        domain(*shop, None, "bäckerei-schmidt.de", 21),
        domain(
            *practice,
            contract_ids.get(3).copied(),
            "dr-weber-koeln.de",
            200,
        ),
        domain(*club, contract_ids.get(5).copied(), "bw-hamm.de", 45),
        domain(
            *vienna,
            contract_ids.get(6).copied(),
            "alpenblick-hotels.at",
            300,
        ),
    ];
    let mut domain_ids = Vec::new();
    for input in &domains {
        domain_ids.push(
            app::inventory::api::save_domain(conn, &actor, None, input)
                .await
                .map_err(failed("domain"))?,
        );
    }
    let server = ServerInput {
        customer_id: Some(*shop),
        hostname: "shop01.kontor-hosting.de".to_owned(),
        ip_addresses: vec!["203.0.113.10".to_owned(), "2001:db8::10".to_owned()],
        server_type: ServerType::Managed,
        location: "Frankfurt, RZ 2".to_owned(),
        operating_system: "Debian 12".to_owned(),
        cpu_cores: Some(4),
        memory_gb: Some(16),
        storage_gb: Some(240),
        ..ServerInput::default()
    };
    let server_id = app::inventory::api::save_server(conn, &actor, None, &server)
        .await
        .map_err(failed("server"))?;
    if let Some(contract) = contract_ids.get(1) {
        app::inventory::repo::set_server_contract(conn, tenant_id, server_id, *contract, true)
            .await?;
    }
    let own = ServerInput {
        customer_id: None,
        hostname: "web01.kontor-hosting.de".to_owned(),
        ip_addresses: vec!["203.0.113.2".to_owned()],
        server_type: ServerType::Dedicated,
        location: "Frankfurt, RZ 1".to_owned(),
        operating_system: "Debian 12".to_owned(),
        cpu_cores: Some(16),
        memory_gb: Some(128),
        storage_gb: Some(2000),
        ..ServerInput::default()
    };
    app::inventory::api::save_server(conn, &actor, None, &own)
        .await
        .map_err(failed("server"))?;
    let certificate = CertificateInput {
        customer_id: Some(*shop),
        domain_id: domain_ids.first().copied(),
        server_id: Some(server_id),
        common_name: "www.baeckerei-schmidt.de".to_owned(),
        alt_names: vec!["baeckerei-schmidt.de".to_owned()],
        issuer: "Let's Encrypt R11".to_owned(),
        valid_from: Some(day(-80)),
        expires_on: Some(day(10)),
        auto_renew: true,
        ..CertificateInput::default()
    };
    app::inventory::api::save_certificate(conn, &actor, None, &certificate)
        .await
        .map_err(failed("certificate"))?;
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

/// The demo's vault entry: the SSH login of the bakery's shop server, with a random
/// password. Needs the opened vault key, so `kontor serve` and `kontor demo` call it after
/// `load`; it adds nothing when the demo tenant already holds credentials.
pub async fn credentials(pool: &PgPool, key: &app::vault::crypto::VaultKey) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    let server: Option<(Uuid, Uuid, Uuid)> = sqlx::query_as(
        "select t.id, s.customer_id, s.id from tenants t
         join servers s on s.tenant_id = t.id and s.hostname = 'shop01.kontor-hosting.de'
         where t.slug = $1 and s.customer_id is not null
           and not exists (select 1 from credentials r where r.tenant_id = t.id)",
    )
    .bind(DEMO_SLUG)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((tenant_id, customer_id, server_id)) = server else {
        return Ok(());
    };
    let actor = app::auth::context::Actor::system(tenant_id, "kontor demo");
    let input = app::vault::CredentialInput {
        kind: app::vault::CredentialKind::Ssh,
        label: "SSH Shop-Server".to_owned(),
        host: "shop01.kontor-hosting.de".to_owned(),
        port: Some(22),
        username: "deploy".to_owned(),
        server_id: Some(server_id),
        notes: "Zugang für Deployments des Webshops.".to_owned(),
        ..app::vault::CredentialInput::default()
    };
    let secret =
        app::vault::crypto::Secret::new(app::auth::secrets::random_token()[..20].to_owned());
    app::vault::api::create(&mut tx, &actor, key, customer_id, &input, Some(secret))
        .await
        .map_err(|e| anyhow::anyhow!("demo credential: {e:?}"))?;
    tx.commit().await?;
    Ok(())
}
