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
    crate::domain::format::{parse_date, parse_decimal},
    crate::domain::periods::{self, PriceChange},
    crate::domain::Permission,
    crate::error::FieldErrors,
    crate::i18n::Key,
    chrono::Datelike,
};

#[cfg(feature = "ssr")]
async fn snapshot(
    conn: &mut sqlx::PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<serde_json::Value, AppError> {
    let stored = repo::load_for_change(conn, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(serde_json::to_value(stored.input).unwrap_or_default())
}

/// Parses the input and checks that customer and product are this tenant's.
#[cfg(feature = "ssr")]
async fn validate(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    input: &ContractInput,
) -> Result<ValidContract, AppError> {
    let contract = input.parse(actor.lang).map_err(AppError::Validation)?;
    let (customer_ok, product_ok) = repo::references_exist(
        conn,
        actor.tenant_id,
        contract.customer_id,
        contract.product_id,
    )
    .await?;
    let mut errors = FieldErrors::default();
    if !customer_ok {
        errors.add("customer_id", Key::ErrUnknownCustomer.text(actor.lang));
    }
    if !product_ok {
        errors.add("product_id", Key::ErrUnknownProduct.text(actor.lang));
    }
    errors.into_result()?;
    Ok(contract)
}

/// Creates a contract with the next contract number; shared with the REST API.
#[cfg(feature = "ssr")]
pub async fn create(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    input: &ContractInput,
) -> Result<(Uuid, String), AppError> {
    let contract = validate(conn, actor, input).await?;
    let (today, _) = repo::tenant_today(conn, actor.tenant_id).await?;
    let number = crate::customers::repo::next_number(
        conn,
        actor.tenant_id,
        "contract",
        repo::DEFAULT_CONTRACT_PATTERN,
        today.year(),
    )
    .await?;
    let id = repo::insert(conn, actor.tenant_id, &number, &contract).await?;
    let after = snapshot(conn, actor.tenant_id, id).await?;
    record(
        conn,
        Event::by(actor, "contract.created", "contract", id).change(None, Some(after)),
    )
    .await?;
    Ok((id, number))
}

/// Changes a contract. Once a period is billed, what was billed stays as it was: start,
/// fee, unit, interval, mode, quantity and discount are fixed (prices change from a date;
/// contracts end by cancellation), and the customer stays the same.
#[cfg(feature = "ssr")]
pub async fn update(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    id: Uuid,
    input: &ContractInput,
) -> Result<(), AppError> {
    let stored = repo::load_for_change(conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let contract = validate(conn, actor, input).await?;
    let mut errors = FieldErrors::default();
    if contract.customer_id != stored.customer_id {
        errors.add("customer_id", Key::ErrCustomerFixed.text(actor.lang));
    }
    if stored.billed_until.is_some() {
        let (old, new) = (&stored.terms, &contract.terms);
        for (field, changed) in [
            ("start_date", old.start != new.start),
            ("fee", old.fee != new.fee),
            ("fee_unit", old.fee_unit != new.fee_unit),
            ("billing_interval", old.interval != new.interval),
            ("billing_mode", old.mode != new.mode),
            ("quantity", old.quantity != new.quantity),
            (
                "discount_percent",
                old.discount_percent != new.discount_percent,
            ),
        ] {
            if changed {
                errors.add(field, Key::ErrAlreadyBilled.text(actor.lang));
            }
        }
        if stored
            .billed_until
            .is_some_and(|billed| new.end.is_some_and(|end| end < billed))
            && old.end != new.end
        {
            errors.add("end_date", Key::ErrEndUseCancel.text(actor.lang));
        }
    }
    if stored.setup_fee_billed
        && contract.setup_fee.normalize()
            != parse_decimal(&stored.input.setup_fee)
                .unwrap_or_default()
                .normalize()
    {
        errors.add("setup_fee", Key::ErrAlreadyBilled.text(actor.lang));
    }
    errors.into_result()?;
    let before = serde_json::to_value(&stored.input).unwrap_or_default();
    repo::update(conn, actor.tenant_id, id, &contract).await?;
    let after = snapshot(conn, actor.tenant_id, id).await?;
    record(
        conn,
        Event::by(actor, "contract.changed", "contract", id).change(Some(before), Some(after)),
    )
    .await?;
    Ok(())
}

/// A new fee from a date on; periods billed before stay as billed. Shared with the REST API.
#[cfg(feature = "ssr")]
pub async fn change_price(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    id: Uuid,
    input: &PriceChangeInput,
) -> Result<(), AppError> {
    let lang = actor.lang;
    let stored = repo::load_for_change(conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let valid_from = parse_date(&input.valid_from);
    match valid_from {
        None => errors.add("valid_from", Key::ErrDate.text(lang)),
        Some(day) if day < stored.terms.start => {
            errors.add("valid_from", Key::ErrBeforeStart.text(lang))
        }
        Some(day) if stored.billed_until.is_some_and(|billed| day <= billed) => errors.add(
            "valid_from",
            Key::ErrPriceInBilledPeriod.fill(
                lang,
                &[(
                    "date",
                    &crate::domain::format::date(stored.billed_until.unwrap_or(day), lang),
                )],
            ),
        ),
        Some(_) => {}
    }
    let fee = parse_decimal(&input.fee).filter(|fee| !fee.is_sign_negative());
    if fee.is_none() {
        errors.add("fee", Key::ErrNumber.text(lang));
    }
    errors.into_result()?;
    let (Some(valid_from), Some(fee)) = (valid_from, fee) else {
        return Err(AppError::Internal);
    };
    let change = PriceChange { valid_from, fee };
    repo::set_price(conn, id, &change).await?;
    record(
        conn,
        Event::by(actor, "contract.price_changed", "contract", id).change(
            None,
            Some(serde_json::to_value(&change).unwrap_or_default()),
        ),
    )
    .await?;
    Ok(())
}

/// Cancels a contract: the end is the earliest possible end after minimum term and notice
/// period, or a later wished end; an earlier end only by agreement (`early`), in which case
/// already billed days after it are credited. Shared with the REST API.
#[cfg(feature = "ssr")]
pub async fn cancel(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    id: Uuid,
    input: &CancelInput,
) -> Result<CancelOutcome, AppError> {
    let lang = actor.lang;
    let stored = repo::load_for_change(conn, actor.tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if stored.cancelled {
        return Err(AppError::Conflict(
            Key::ErrAlreadyCancelled.text(lang).to_owned(),
        ));
    }
    let (today, _) = repo::tenant_today(conn, actor.tenant_id).await?;
    let mut errors = FieldErrors::default();
    let notice_given_on = if input.notice_given_on.trim().is_empty() {
        Some(today)
    } else {
        let day = parse_date(&input.notice_given_on);
        if day.is_none() {
            errors.add("notice_given_on", Key::ErrDate.text(lang));
        }
        day
    };
    let wished_end = if input.end_date.trim().is_empty() {
        None
    } else {
        let day = parse_date(&input.end_date);
        if day.is_none() {
            errors.add("end_date", Key::ErrDate.text(lang));
        }
        day
    };
    errors.into_result()?;
    let notice_given_on = notice_given_on.unwrap_or(today);
    let earliest = periods::earliest_end(
        &stored.terms,
        stored.minimum_term_months,
        stored.notice.clone(),
        notice_given_on,
    );
    let end_date = wished_end.unwrap_or(earliest);
    if end_date < earliest && !input.early {
        return Err(AppError::field(
            "end_date",
            Key::ErrBeforeEarliestEnd.fill(
                lang,
                &[("date", &crate::domain::format::date(earliest, lang))],
            ),
        ));
    }
    // a day before the start would mean the contract never ran
    if end_date < stored.terms.start {
        return Err(AppError::field(
            "end_date",
            Key::ErrEndBeforeStart.text(lang),
        ));
    }
    let credit = stored
        .billed_until
        .and_then(|billed| periods::credit_for_early_end(&stored.terms, billed, end_date));
    repo::cancel(conn, id, notice_given_on, end_date, input.reason.trim()).await?;
    let outcome = CancelOutcome {
        end_date,
        earliest_end: earliest,
        credit,
    };
    record(
        conn,
        Event::by(actor, "contract.cancelled", "contract", id).change(
            None,
            Some(serde_json::to_value(&outcome).unwrap_or_default()),
        ),
    )
    .await?;
    Ok(outcome)
}

#[server(prefix = "/sf", endpoint = "contracts/list", input = Json, output = Json)]
pub async fn list_contracts(
    filter: ContractFilter,
    page: PageRequest,
) -> Result<Page<ContractRow>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewContracts)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::list(&mut conn, actor.tenant_id, &filter, &page).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "contracts/load", input = Json, output = Json)]
pub async fn load_contract(id: Uuid) -> Result<ContractFile, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewContracts)?;
            let mut conn = pool()?.acquire().await?;
            repo::load_file(&mut conn, actor.tenant_id, id, None)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "contracts/create", input = Json, output = Json)]
pub async fn create_contract(input: ContractInput) -> Result<(Uuid, String), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageContracts)?;
            let mut tx = pool()?.begin().await?;
            let created = create(&mut tx, &actor, &input).await?;
            tx.commit().await?;
            Ok(created)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "contracts/update", input = Json, output = Json)]
pub async fn update_contract(id: Uuid, input: ContractInput) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageContracts)?;
            let mut tx = pool()?.begin().await?;
            update(&mut tx, &actor, id, &input).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "contracts/change_price", input = Json, output = Json)]
pub async fn change_contract_price(id: Uuid, input: PriceChangeInput) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageContracts)?;
            let mut tx = pool()?.begin().await?;
            change_price(&mut tx, &actor, id, &input).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "contracts/cancel", input = Json, output = Json)]
pub async fn cancel_contract(id: Uuid, input: CancelInput) -> Result<CancelOutcome, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageContracts)?;
            let mut tx = pool()?.begin().await?;
            let outcome = cancel(&mut tx, &actor, id, &input).await?;
            tx.commit().await?;
            Ok(outcome)
        }
        .await,
    )
}
