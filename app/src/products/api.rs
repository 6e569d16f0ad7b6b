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
    crate::domain::Permission,
    crate::i18n::Key,
};

/// Creates (`id` None) or changes a product; shared with the REST API. Returns its id.
#[cfg(feature = "ssr")]
pub async fn save(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    id: Option<Uuid>,
    input: &ProductInput,
) -> Result<Uuid, AppError> {
    let product = input.parse(actor.lang).map_err(AppError::Validation)?;
    if repo::sku_taken(conn, actor.tenant_id, &product.input.sku, id).await? {
        return Err(AppError::field("sku", Key::ErrSkuTaken.text(actor.lang)));
    }
    let before = match id {
        Some(id) => Some(
            repo::load(conn, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)?
                .data,
        ),
        None => None,
    };
    let product_id = id.unwrap_or_else(Uuid::new_v4);
    if !repo::save(conn, actor.tenant_id, product_id, &product, id.is_none()).await? {
        return Err(AppError::NotFound);
    }
    let action = if id.is_some() {
        "product.changed"
    } else {
        "product.created"
    };
    record(
        conn,
        Event::by(actor, action, "product", product_id).change(
            before.map(|b| serde_json::to_value(b).unwrap_or_default()),
            Some(serde_json::to_value(&product.input).unwrap_or_default()),
        ),
    )
    .await?;
    Ok(product_id)
}

#[server(prefix = "/sf", endpoint = "products/list", input = Json, output = Json)]
pub async fn list_products(
    include_inactive: bool,
    page: PageRequest,
) -> Result<Page<ProductRow>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewProducts)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::list(&mut conn, actor.tenant_id, include_inactive, &page).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "products/load", input = Json, output = Json)]
pub async fn load_product(id: Uuid) -> Result<ProductFile, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewProducts)?;
            let mut conn = pool()?.acquire().await?;
            repo::load(&mut conn, actor.tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "products/save", input = Json, output = Json)]
pub async fn save_product(id: Option<Uuid>, input: ProductInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProducts)?;
            let mut tx = pool()?.begin().await?;
            let id = save(&mut tx, &actor, id, &input).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "products/tld_prices", input = Json, output = Json)]
pub async fn list_tld_prices() -> Result<Vec<TldPrice>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewProducts)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::tld_prices(&mut conn, actor.tenant_id).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "products/save_tld_price", input = Json, output = Json)]
pub async fn save_tld_price(price: TldPrice) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProducts)?;
            let (tld, amounts) = price.parse(actor.lang).map_err(AppError::Validation)?;
            let mut tx = pool()?.begin().await?;
            repo::save_tld_price(&mut tx, actor.tenant_id, &tld, &amounts).await?;
            record(
                &mut tx,
                Event::by(&actor, "tld_price.saved", "tld_price", &tld)
                    .change(None, Some(serde_json::to_value(&price).unwrap_or_default())),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}
