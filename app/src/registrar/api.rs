use super::model::*;
use crate::error::AppError;
use crate::ui::paging::{Page, PageRequest};
use leptos::prelude::*;
use leptos::server_fn::codec::{Json, MultipartData, MultipartFormData};
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::repo,
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond, Actor},
    crate::domain::csv,
    crate::domain::registrar_list::{self, RegistrarList},
    crate::domain::Permission,
    crate::error::FieldErrors,
    crate::i18n::Key,
    sqlx::PgPool,
};

/// A registrar list read and checked, ready to be reconciled.
#[cfg(feature = "ssr")]
pub struct PreparedList {
    pub list: RegistrarList,
    pub encoding: csv::TextEncoding,
    pub delimiter: char,
    pub sha256: String,
}

/// Reads an uploaded file. A file that cannot be read as a whole (not text, no domain
/// column, …) is refused with the reason at the field `file`; nothing is written.
#[cfg(feature = "ssr")]
pub fn prepare(bytes: &[u8], lang: crate::i18n::Lang) -> Result<PreparedList, AppError> {
    use sha2::Digest;
    let as_field_error = |error: csv::CsvError| AppError::field("file", error.message(lang));
    let table = csv::read(bytes, MAX_FILE_BYTES).map_err(as_field_error)?;
    let list = registrar_list::parse(&table).map_err(as_field_error)?;
    Ok(PreparedList {
        list,
        encoding: table.encoding,
        delimiter: table.delimiter,
        sha256: hex::encode(sha2::Sha256::digest(bytes)),
    })
}

/// Records a new import of `prepared` (status running) and returns its id.
#[cfg(feature = "ssr")]
pub async fn begin(
    pool: &PgPool,
    actor: &Actor,
    registrar: &str,
    file_name: &str,
    dry_run: bool,
    prepared: &PreparedList,
) -> Result<Uuid, AppError> {
    let registrar = registrar.trim();
    let mut errors = FieldErrors::default();
    if registrar.is_empty() {
        errors.add("registrar", Key::ErrRequired.text(actor.lang));
    } else if registrar.chars().count() > 100 {
        errors.add("registrar", Key::ErrTooLong.text(actor.lang));
    }
    errors.into_result()?;
    let mut conn = pool.acquire().await?;
    let (today, _) = crate::contracts::repo::tenant_today(&mut conn, actor.tenant_id).await?;
    let rows = prepared.list.entries.len() + prepared.list.rejected.len();
    let file_name: String = file_name.chars().take(200).collect();
    let delimiter = match prepared.delimiter {
        '\t' => "tab".to_owned(),
        other => other.to_string(),
    };
    Ok(repo::start(
        &mut conn,
        &repo::NewImport {
            tenant_id: actor.tenant_id,
            registrar,
            layout: prepared.list.layout.as_str(),
            file_name: &file_name,
            file_sha256: &prepared.sha256,
            encoding: prepared.encoding.label(),
            delimiter: &delimiter,
            dry_run,
            reconciled_on: today,
            rows_total: i32::try_from(rows).unwrap_or(i32::MAX),
            imported_by: actor.user_id,
        },
    )
    .await?)
}

/// Makes the report in one transaction; the progress is written beside it so the browser
/// can show it. A failure marks the import failed and leaves no half report behind.
#[cfg(feature = "ssr")]
pub async fn process(
    pool: &PgPool,
    actor: &Actor,
    import_id: Uuid,
    prepared: PreparedList,
) -> Result<(), AppError> {
    let outcome = reconcile(pool, actor, import_id, &prepared).await;
    if let Err(error) = &outcome {
        tracing::error!(%import_id, ?error, "registrar import failed");
        let mut conn = pool.acquire().await?;
        repo::fail(&mut conn, import_id, "failed").await?;
    }
    outcome
}

#[cfg(feature = "ssr")]
async fn reconcile(
    pool: &PgPool,
    actor: &Actor,
    import_id: Uuid,
    prepared: &PreparedList,
) -> Result<(), AppError> {
    let mut progress = pool.acquire().await?;
    let mut tx = pool.begin().await?;
    let summary = repo::load(&mut tx, actor.tenant_id, import_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !summary.dry_run {
        // one applied import per registrar at a time: a second waits and then finds nothing to change
        sqlx::query("select pg_advisory_xact_lock(hashtextextended($1 || lower($2), 0))")
            .bind(actor.tenant_id.to_string())
            .bind(&summary.registrar)
            .execute(&mut *tx)
            .await?;
    }
    let lines: Vec<repo::Line> = prepared
        .list
        .entries
        .iter()
        .map(repo::Line::Entry)
        .chain(prepared.list.rejected.iter().map(repo::Line::Rejected))
        .collect();
    let started = std::time::Instant::now();
    repo::create_stage(&mut tx).await?;
    let mut done = 0;
    for chunk in lines.chunks(repo::CHUNK_ROWS) {
        repo::stage_lines(&mut tx, chunk).await?;
        done += chunk.len();
        repo::set_progress(
            &mut progress,
            import_id,
            i32::try_from(done).unwrap_or(i32::MAX),
        )
        .await?;
    }
    let staged = started.elapsed();
    let (_, currency) = crate::contracts::repo::tenant_today(&mut tx, actor.tenant_id).await?;
    repo::reconcile(&mut tx, import_id, &summary.registrar, &currency).await?;
    let classified = started.elapsed();
    let rejected = prepared.list.rejected.len();
    let (updated, note) = if summary.dry_run {
        (0, "")
    } else if rejected > 0 {
        // a list with bad lines is reported, never half taken over
        (0, "rejected_rows")
    } else {
        (
            repo::apply(&mut tx, actor.tenant_id, import_id, &summary.registrar).await?,
            "",
        )
    };
    let applied = started.elapsed();
    repo::finish(&mut tx, import_id, updated, note).await?;
    // where the time of a big list goes, for the benchmark and slow imports
    tracing::info!(
        lines = lines.len(),
        staged_ms = staged.as_millis(),
        classified_ms = (classified - staged).as_millis(),
        applied_ms = (applied - classified).as_millis(),
        counted_ms = (started.elapsed() - applied).as_millis(),
        "registrar reconciliation phases"
    );
    let done = repo::load(&mut tx, actor.tenant_id, import_id)
        .await?
        .ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        Event::by(
            actor,
            "registrar_import.reconciled",
            "registrar_import",
            import_id,
        )
        .change(
            None,
            Some(serde_json::json!({
                "registrar": done.registrar,
                "file_name": done.file_name,
                "dry_run": done.dry_run,
                "rows": done.rows_total,
                "unbilled": done.unbilled,
                "orphaned": done.orphaned,
                "expiry_mismatch": done.expiry_mismatch,
                "price_drift": done.price_drift,
                "rejected": done.rejected,
                "updated_domains": done.updated_domains,
            })),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The lines of a report view, with the count the import keeps for it.
#[cfg(feature = "ssr")]
pub async fn report(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    id: Uuid,
    view: ReportView,
    page: &PageRequest,
) -> Result<Page<ReportRow>, AppError> {
    let summary = repo::load(conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let total = match view {
        ReportView::All => {
            summary.ok + summary.unbilled + summary.orphaned + summary.inactive + summary.rejected
        }
        ReportView::Outcome(Outcome::Ok) => summary.ok,
        ReportView::Outcome(Outcome::Unbilled) => summary.unbilled,
        ReportView::Outcome(Outcome::Orphaned) => summary.orphaned,
        ReportView::Outcome(Outcome::Inactive) => summary.inactive,
        ReportView::Outcome(Outcome::Rejected) => summary.rejected,
        ReportView::ExpiryMismatch => summary.expiry_mismatch,
        ReportView::PriceDrift => summary.price_drift,
    };
    Ok(repo::rows(conn, id, view, page, i64::from(total)).await?)
}

/// Turns unbilled lines into yearly domain contracts priced from the TLD list, linking
/// (or adding) the domain; shared with the REST API.
#[cfg(feature = "ssr")]
pub async fn create_contracts(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    input: &CreateContractsInput,
) -> Result<Vec<CreatedContract>, AppError> {
    use crate::contracts::model::ContractInput;
    use crate::domain::periods::{BillingInterval, BillingMode, FeeUnit, NoticeUnit};
    let lang = actor.lang;
    actor.require(Permission::ManageContracts)?;
    let summary = repo::load(conn, actor.tenant_id, input.import_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lines =
        repo::unbilled_lines(conn, actor.tenant_id, input.import_id, &input.positions).await?;
    if lines.is_empty() {
        return Err(AppError::field(
            "positions",
            Key::RegErrNothingSelected.text(lang),
        ));
    }
    let product_id = match input.product_id {
        Some(id) => Some(id),
        None => repo::default_domain_product(conn, actor.tenant_id).await?,
    };
    let mut errors = FieldErrors::default();
    if product_id.is_none() {
        errors.add("product_id", Key::RegErrNoDomainProduct.text(lang));
    }
    if input.customer_id.is_none() && lines.iter().any(|line| line.customer_id.is_none()) {
        errors.add("customer_id", Key::RegErrCustomerNeeded.text(lang));
    }
    let unpriced: Vec<&str> = lines
        .iter()
        .filter(|line| line.renewal_price.is_none())
        .map(|line| line.domain.as_str())
        .collect();
    if !unpriced.is_empty() {
        errors.add(
            "positions",
            Key::RegErrNoTldPrice.fill(lang, &[("domains", &unpriced.join(", "))]),
        );
    }
    errors.into_result()?;
    let (today, _) = crate::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    let mut created = Vec::with_capacity(lines.len());
    for line in &lines {
        let Some(customer_id) = line.customer_id.or(input.customer_id) else {
            continue;
        };
        let contract = ContractInput {
            customer_id: Some(customer_id),
            product_id,
            description: Key::RegContractDescription.fill(lang, &[("domain", &line.domain)]),
            start_date: today.to_string(),
            notice_amount: 1,
            notice_unit: NoticeUnit::Months,
            fee: line.renewal_price.unwrap_or_default().to_string(),
            fee_unit: FeeUnit::Year,
            billing_interval: BillingInterval::Yearly,
            billing_mode: BillingMode::InAdvance,
            ..ContractInput::default()
        };
        let (contract_id, number) = crate::contracts::api::create(conn, actor, &contract).await?;
        repo::attach_domain(
            conn,
            actor.tenant_id,
            line,
            customer_id,
            contract_id,
            &summary.registrar,
        )
        .await?;
        if !repo::mark_contract_created(
            conn,
            input.import_id,
            line.position,
            contract_id,
            customer_id,
        )
        .await?
        {
            return Err(AppError::Conflict(
                Key::RegErrAlreadyCreated.text(lang).to_owned(),
            ));
        }
        created.push(CreatedContract {
            position: line.position,
            domain: line.domain.clone(),
            contract_id,
            number,
        });
    }
    record(
        conn,
        Event::by(
            actor,
            "registrar_import.contracts_created",
            "registrar_import",
            input.import_id,
        )
        .change(
            None,
            Some(serde_json::json!({
                "contracts": created.iter().map(|c| &c.number).collect::<Vec<_>>(),
            })),
        ),
    )
    .await?;
    Ok(created)
}

/// Uploads a registrar list (form fields `file`, `registrar`, `dry_run`) and starts its
/// reconciliation in the background; the page follows it by id with a progress bar.
#[server(prefix = "/sf", endpoint = "registrar/imports/start", input = MultipartFormData, output = Json)]
pub async fn start_import(data: MultipartData) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ReconcileRegistrar)?;
            let upload =
                crate::ui::upload::read_upload(data, "file", MAX_FILE_BYTES, actor.lang).await?;
            let prepared = prepare(&upload.bytes, actor.lang)?;
            let pool = pool()?;
            let id = begin(
                &pool,
                &actor,
                upload.field("registrar").unwrap_or_default(),
                &upload.file_name,
                upload.flag("dry_run"),
                &prepared,
            )
            .await?;
            tokio::spawn(async move {
                // the outcome is recorded on the import itself
                let _ = process(&pool, &actor, id, prepared).await;
            });
            Ok(id)
        }
        .await,
    )
}

/// One import with its counts (polled by the progress bar).
#[server(prefix = "/sf", endpoint = "registrar/imports/load", input = Json, output = Json)]
pub async fn load_import(id: Uuid) -> Result<ImportSummary, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ReconcileRegistrar)?;
            let mut conn = pool()?.acquire().await?;
            repo::load(&mut conn, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "registrar/imports/list", input = Json, output = Json)]
pub async fn list_imports(page: PageRequest) -> Result<Page<ImportSummary>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ReconcileRegistrar)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::list(&mut conn, actor.tenant_id, &page).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "registrar/imports/report", input = Json, output = Json)]
pub async fn load_report(
    id: Uuid,
    view: ReportView,
    page: PageRequest,
) -> Result<Page<ReportRow>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ReconcileRegistrar)?;
            let mut conn = pool()?.acquire().await?;
            report(&mut conn, &actor, id, view, &page).await
        }
        .await,
    )
}

/// "Create contract" for one or many unbilled domains of a report.
#[server(prefix = "/sf", endpoint = "registrar/imports/create-contracts", input = Json, output = Json)]
pub async fn create_contracts_from_report(
    input: CreateContractsInput,
) -> Result<Vec<CreatedContract>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ReconcileRegistrar)?;
            let mut tx = pool()?.begin().await?;
            let created = create_contracts(&mut tx, &actor, &input).await?;
            tx.commit().await?;
            Ok(created)
        }
        .await,
    )
}

/// What the upload form offers: registrar names in use and the domain products.
#[server(prefix = "/sf", endpoint = "registrar/form", input = Json, output = Json)]
pub async fn import_form_data() -> Result<ImportChoices, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ReconcileRegistrar)?;
            let mut conn = pool()?.acquire().await?;
            let registrars = repo::known_registrars(&mut conn, actor.tenant_id).await?;
            let products = repo::domain_products(&mut conn, actor.tenant_id).await?;
            Ok(ImportChoices {
                registrars,
                products,
            })
        }
        .await,
    )
}
