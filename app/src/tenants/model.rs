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
    /// The person an e-invoice names as the seller's contact, with phone and e-mail
    /// (optional on the wire: older clients of the form leave them out).
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    pub time_zone: String,
    pub currency: String,
    pub brand_primary: String,
    pub brand_accent: String,
    pub logo_data_url: String,
}
