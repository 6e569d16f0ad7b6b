use super::model::*;
use crate::error::AppError;
use crate::ui::paging::{Page, PageRequest};
use leptos::prelude::*;
use leptos::server_fn::codec::{Json, MultipartData, MultipartFormData};
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::import::{import, ImportOptions},
    super::repo,
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, authorize_portal, pool, respond, Actor},
    crate::domain::Permission,
    crate::i18n::Key,
};

/// Imports a usage CSV; shared with the REST API. File-level problems (not text, missing
/// columns, no rows) are field errors on `field`; row problems are in the report.
#[cfg(feature = "ssr")]
pub async fn import_csv(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    bytes: &[u8],
    field: &str,
    dry_run: bool,
    file_name: Option<String>,
) -> Result<ImportReport, AppError> {
    let lang = actor.lang;
    let csv = read_usage_csv(bytes, super::MAX_IMPORT_BYTES)
        .map_err(|error| AppError::field(field, error.message(lang)))?;
    if csv.rows.is_empty() {
        return Err(AppError::field(field, Key::UsageErrNoRows.text(lang)));
    }
    let options = ImportOptions {
        source: Source::Csv,
        dry_run,
        file_name,
        csv: Some((
            csv.encoding.label().to_owned(),
            match csv.delimiter {
                '\t' => "Tab".to_owned(),
                other => other.to_string(),
            },
        )),
    };
    import(conn, actor, csv.rows, &options).await
}

/// Replaces a product's usage prices; shared with the REST API.
#[cfg(feature = "ssr")]
pub async fn save_prices(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    product_id: Uuid,
    prices: &[UsagePriceInput],
) -> Result<(), AppError> {
    let valid = parse_usage_prices(prices, actor.lang).map_err(AppError::Validation)?;
    let before = repo::prices(conn, actor.tenant_id, product_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !repo::save_prices(conn, actor.tenant_id, product_id, &valid).await? {
        return Err(AppError::NotFound);
    }
    let inputs = |prices: &[ValidUsagePrice]| -> Vec<UsagePriceInput> {
        prices.iter().map(UsagePriceInput::from).collect()
    };
    record(
        conn,
        Event::by(actor, "product.usage_prices_changed", "product", product_id).change(
            Some(serde_json::to_value(inputs(&before)).unwrap_or_default()),
            Some(serde_json::to_value(inputs(&valid)).unwrap_or_default()),
        ),
    )
    .await?;
    Ok(())
}

/// Checks and (unless `dry_run` is ticked) imports an uploaded usage CSV. Nothing is
/// stored when any row is rejected; the report lists every bad row.
#[server(prefix = "/sf", endpoint = "usage/import", input = MultipartFormData, output = Json)]
pub async fn import_usage_file(data: MultipartData) -> Result<ImportReport, AppError> {
    respond(
        async {
            // the permission is checked before the body is read
            let actor = authorize(Permission::ImportUsage)?;
            let upload =
                crate::ui::upload::read_upload(data, "file", super::MAX_IMPORT_BYTES, actor.lang)
                    .await?;
            let mut tx = pool()?.begin().await?;
            let report = import_csv(
                &mut tx,
                &actor,
                &upload.bytes,
                "file",
                upload.flag("dry_run"),
                Some(upload.file_name.clone()),
            )
            .await?;
            tx.commit().await?;
            Ok(report)
        }
        .await,
    )
}

/// Records one quantity typed in on the usage page; its problems come back as field errors.
#[server(prefix = "/sf", endpoint = "usage/record", input = Json, output = Json)]
pub async fn record_usage(input: UsageInput) -> Result<ImportReport, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ImportUsage)?;
            let options = ImportOptions {
                source: Source::Ui,
                dry_run: false,
                file_name: None,
                csv: None,
            };
            let mut tx = pool()?.begin().await?;
            let report = import(&mut tx, &actor, vec![input], &options).await?;
            if let Some(row) = report.rows.iter().find(|r| !r.problems.is_empty()) {
                let mut errors = crate::error::FieldErrors::default();
                for problem in &row.problems {
                    errors.add(&problem.field, problem.message.clone());
                }
                return Err(AppError::Validation(errors));
            }
            tx.commit().await?;
            Ok(report)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "usage/list", input = Json, output = Json)]
pub async fn list_usage(
    filter: UsageFilter,
    page: PageRequest,
) -> Result<Page<UsageRow>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewContracts)?;
            let periods = filter.periods(actor.lang).map_err(AppError::Validation)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::list(&mut conn, actor.tenant_id, &filter, periods, &page).await?)
        }
        .await,
    )
}

/// A contract's usage over the last months, for staff.
#[server(prefix = "/sf", endpoint = "usage/chart", input = Json, output = Json)]
pub async fn contract_usage_chart(contract_id: Uuid) -> Result<UsageChartData, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewContracts)?;
            let mut conn = pool()?.acquire().await?;
            repo::chart(&mut conn, actor.tenant_id, contract_id, None)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// The usage of one of the portal user's own contracts; another customer's is not found.
#[server(prefix = "/sf", endpoint = "portal/usage_chart", input = Json, output = Json)]
pub async fn portal_usage_chart(contract_id: Uuid) -> Result<UsageChartData, AppError> {
    respond(
        async {
            let (actor, customer_id) = authorize_portal()?;
            let mut conn = pool()?.acquire().await?;
            repo::chart(&mut conn, actor.tenant_id, contract_id, Some(customer_id))
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "usage/prices", input = Json, output = Json)]
pub async fn load_usage_prices(product_id: Uuid) -> Result<Vec<UsagePriceInput>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewProducts)?;
            let mut conn = pool()?.acquire().await?;
            let prices = repo::prices(&mut conn, actor.tenant_id, product_id)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(prices.iter().map(UsagePriceInput::from).collect())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "usage/save_prices", input = Json, output = Json)]
pub async fn save_usage_prices(
    product_id: Uuid,
    prices: Vec<UsagePriceInput>,
) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProducts)?;
            let mut tx = pool()?.begin().await?;
            save_prices(&mut tx, &actor, product_id, &prices).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}
