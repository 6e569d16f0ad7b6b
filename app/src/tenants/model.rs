use serde::{Deserialize, Serialize};

/// The settings form, as entered (strings), and as loaded.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TenantSettings {
    pub legal_name: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub vat_id: String,
    pub tax_number: String,
    pub iban: String,
    pub bic: String,
    pub creditor_id: String,
    pub time_zone: String,
    pub currency: String,
    pub brand_primary: String,
    pub brand_accent: String,
    pub logo_data_url: String,
}
