use super::model::TenantSettings;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
#[cfg(feature = "ssr")]
use {
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond},
    crate::domain::{Bic, CreditorId, Iban, ParseError, Permission, VatId},
    crate::error::FieldErrors,
    crate::i18n::{Key, Lang},
};

#[cfg(feature = "ssr")]
const SELECT: &str = "select legal_name, street, postal_code, city, country, coalesce(vat_id, '') as vat_id,
        coalesce(tax_number, '') as tax_number, coalesce(iban, '') as iban, coalesce(bic, '') as bic,
        coalesce(creditor_id, '') as creditor_id, contact_name, phone, email, time_zone, currency, brand_primary, brand_accent,
        coalesce(logo_data_url, '') as logo_data_url
 from tenants where id = $1";

#[server(prefix = "/sf", endpoint = "tenant/settings", output = Json)]
pub async fn load_tenant_settings() -> Result<TenantSettings, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageTenantSettings)?;
            let mut conn = pool()?.acquire().await?;
            Ok(sqlx::query_as::<_, TenantSettings>(SELECT)
                .bind(actor.tenant_id)
                .fetch_one(&mut *conn)
                .await?)
        }
        .await,
    )
}

/// Checks every field and returns the normalised settings, or all problems at once.
#[cfg(feature = "ssr")]
pub fn validate(input: &TenantSettings, lang: Lang) -> Result<TenantSettings, AppError> {
    let mut errors = FieldErrors::default();
    let mut out = input.clone();
    let mut optional =
        |field: &str, value: &str, parse: &dyn Fn(&str) -> Result<String, ParseError>| -> String {
            if value.trim().is_empty() {
                return String::new();
            }
            parse(value).unwrap_or_else(|e| {
                errors.add(field, e.key().text(lang));
                value.to_owned()
            })
        };
    out.vat_id = optional("vat_id", &input.vat_id, &|v| {
        VatId::parse(v).map(|x| x.as_str().to_owned())
    });
    out.iban = optional("iban", &input.iban, &|v| {
        Iban::parse(v).map(|x| x.as_str().to_owned())
    });
    out.bic = optional("bic", &input.bic, &|v| {
        Bic::parse(v).map(|x| x.as_str().to_owned())
    });
    out.creditor_id = optional("creditor_id", &input.creditor_id, &|v| {
        CreditorId::parse(v).map(|x| x.as_str().to_owned())
    });
    out.contact_name = input.contact_name.trim().to_owned();
    out.phone = input.phone.trim().to_owned();
    out.email = input.email.trim().to_owned();
    if !out.email.is_empty() && !crate::domain::is_plausible_email(&out.email) {
        errors.add("email", Key::ErrEmail.text(lang));
    }
    if out.contact_name.chars().count() > 120 {
        errors.add("contact_name", Key::ErrTooLong.text(lang));
    }
    if out.phone.chars().count() > 40 {
        errors.add("phone", Key::ErrTooLong.text(lang));
    }
    out.legal_name = input.legal_name.trim().to_owned();
    if out.legal_name.is_empty() {
        errors.add("legal_name", Key::ErrRequired.text(lang));
    }
    out.country = input.country.trim().to_ascii_uppercase();
    if out.country.len() != 2 || !out.country.chars().all(|c| c.is_ascii_uppercase()) {
        errors.add("country", Key::ErrCountryCode.text(lang));
    }
    out.currency = input.currency.trim().to_ascii_uppercase();
    if out.currency.len() != 3 || !out.currency.chars().all(|c| c.is_ascii_uppercase()) {
        errors.add("currency", Key::ErrCurrency.text(lang));
    }
    if input.time_zone.parse::<chrono_tz::Tz>().is_err() {
        errors.add("time_zone", Key::ErrTimeZone.text(lang));
    }
    for (field, colour) in [
        ("brand_primary", &mut out.brand_primary),
        ("brand_accent", &mut out.brand_accent),
    ] {
        *colour = colour.trim().to_ascii_lowercase();
        let ok = colour.len() == 7
            && colour.starts_with('#')
            && colour[1..].chars().all(|c| c.is_ascii_hexdigit());
        if !ok {
            errors.add(field, Key::ErrColour.text(lang));
        }
    }
    let logo = input.logo_data_url.trim();
    let image = [
        "data:image/png;base64,",
        "data:image/jpeg;base64,",
        "data:image/svg+xml;base64,",
        "data:image/webp;base64,",
    ];
    if !logo.is_empty() && (!image.iter().any(|p| logo.starts_with(p)) || logo.len() > 300_000) {
        errors.add("logo_data_url", Key::ErrLogo.text(lang));
    }
    errors.into_result()?;
    Ok(out)
}

#[server(prefix = "/sf", endpoint = "tenant/update", input = Json, output = Json)]
pub async fn update_tenant_settings(settings: TenantSettings) -> Result<(), AppError> {
    respond(async {
        let actor = authorize(Permission::ManageTenantSettings)?;
        let clean = validate(&settings, actor.lang)?;
        let mut tx = pool()?.begin().await?;
        let before = sqlx::query_as::<_, TenantSettings>(&format!("{SELECT} for update"))
            .bind(actor.tenant_id)
            .fetch_one(&mut *tx)
            .await?;
        let none_if_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        sqlx::query(
            "update tenants set legal_name = $2, street = $3, postal_code = $4, city = $5, country = $6,
                    vat_id = $7, tax_number = $8, iban = $9, bic = $10, creditor_id = $11, time_zone = $12,
                    currency = $13, brand_primary = $14, brand_accent = $15, logo_data_url = $16,
                    contact_name = $17, phone = $18, email = $19, updated_at = now()
             where id = $1",
        )
        .bind(actor.tenant_id)
        .bind(&clean.legal_name)
        .bind(clean.street.trim())
        .bind(clean.postal_code.trim())
        .bind(clean.city.trim())
        .bind(&clean.country)
        .bind(none_if_empty(&clean.vat_id))
        .bind(none_if_empty(clean.tax_number.trim()))
        .bind(none_if_empty(&clean.iban))
        .bind(none_if_empty(&clean.bic))
        .bind(none_if_empty(&clean.creditor_id))
        .bind(&clean.time_zone)
        .bind(&clean.currency)
        .bind(&clean.brand_primary)
        .bind(&clean.brand_accent)
        .bind(none_if_empty(clean.logo_data_url.trim()))
        .bind(&clean.contact_name)
        .bind(&clean.phone)
        .bind(&clean.email)
        .execute(&mut *tx)
        .await?;
        // the logo is large and its content adds nothing to the trail: record whether it changed
        let summary = |s: &TenantSettings| {
            let mut value = serde_json::to_value(s).unwrap_or_default();
            value["logo_data_url"] = serde_json::json!(if s.logo_data_url.is_empty() { "" } else { "(image)" });
            value
        };
        record(&mut tx, Event::by(&actor, "tenant.settings_changed", "tenant", actor.tenant_id)
            .change(Some(summary(&before)), Some(summary(&clean)))).await?;
        tx.commit().await?;
        Ok(())
    }.await)
}
