use crate::domain::format::parse_decimal;
use crate::domain::periods::{BillingInterval, FeeUnit};
use crate::domain::tax::VatCategory;
use crate::error::FieldErrors;
use crate::i18n::{Key, Lang};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    Hosting,
    Domain,
    Server,
    Certificate,
    Email,
    #[default]
    Service,
    Other,
}

impl ProductKind {
    pub const ALL: [ProductKind; 7] = [
        ProductKind::Hosting,
        ProductKind::Domain,
        ProductKind::Server,
        ProductKind::Certificate,
        ProductKind::Email,
        ProductKind::Service,
        ProductKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProductKind::Hosting => "hosting",
            ProductKind::Domain => "domain",
            ProductKind::Server => "server",
            ProductKind::Certificate => "certificate",
            ProductKind::Email => "email",
            ProductKind::Service => "service",
            ProductKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<ProductKind> {
        ProductKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn key(self) -> Key {
        match self {
            ProductKind::Hosting => Key::ProductHosting,
            ProductKind::Domain => Key::ProductDomain,
            ProductKind::Server => Key::ProductServer,
            ProductKind::Certificate => Key::ProductCertificate,
            ProductKind::Email => Key::ProductEmail,
            ProductKind::Service => Key::ProductService,
            ProductKind::Other => Key::ProductOther,
        }
    }
}

/// From `min_quantity` on, every unit costs `unit_price`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriceTierInput {
    pub min_quantity: String,
    pub unit_price: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductInput {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub kind: ProductKind,
    pub unit: String,
    pub cost_price: String,
    pub sale_price: String,
    pub setup_fee: String,
    pub vat_category: VatCategory,
    pub fee_unit: FeeUnit,
    pub billing_interval: BillingInterval,
    pub active: bool,
    pub tiers: Vec<PriceTierInput>,
}

impl Default for ProductInput {
    fn default() -> Self {
        ProductInput {
            sku: String::new(),
            name: String::new(),
            description: String::new(),
            kind: ProductKind::Service,
            unit: "Stück".to_owned(),
            cost_price: "0".to_owned(),
            sale_price: String::new(),
            setup_fee: "0".to_owned(),
            vat_category: VatCategory::Standard,
            fee_unit: FeeUnit::Month,
            billing_interval: BillingInterval::Monthly,
            active: true,
            tiers: Vec::new(),
        }
    }
}

/// A checked product: amounts parsed, tiers ascending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidProduct {
    pub input: ProductInput,
    pub cost_price: Decimal,
    pub sale_price: Decimal,
    pub setup_fee: Decimal,
    pub tiers: Vec<(Decimal, Decimal)>,
}

fn money_field(errors: &mut FieldErrors, lang: Lang, field: &str, text: &str) -> Decimal {
    match parse_decimal(text) {
        _ if text.trim().is_empty() => {
            errors.add(field, Key::ErrRequired.text(lang));
            Decimal::ZERO
        }
        Some(value) if value.is_sign_negative() && !value.is_zero() => {
            errors.add(field, Key::ErrNegative.text(lang));
            Decimal::ZERO
        }
        Some(value) if value > Decimal::from(10_000_000) => {
            errors.add(field, Key::ErrTooLarge.text(lang));
            Decimal::ZERO
        }
        Some(value) if value.normalize().scale() > 4 => {
            errors.add(field, Key::ErrDecimals.fill(lang, &[("places", "4")]));
            Decimal::ZERO
        }
        Some(value) => value.normalize(),
        None => {
            errors.add(field, Key::ErrNumber.text(lang));
            Decimal::ZERO
        }
    }
}

impl ProductInput {
    pub fn parse(&self, lang: Lang) -> Result<ValidProduct, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut input = self.clone();
        input.sku = self.sku.trim().to_owned();
        input.name = self.name.trim().to_owned();
        input.unit = self.unit.trim().to_owned();
        if input.sku.is_empty() {
            errors.add("sku", Key::ErrRequired.text(lang));
        } else if input.sku.chars().count() > 40 {
            errors.add("sku", Key::ErrTooLong.text(lang));
        }
        if input.name.is_empty() {
            errors.add("name", Key::ErrRequired.text(lang));
        } else if input.name.chars().count() > 200 {
            errors.add("name", Key::ErrTooLong.text(lang));
        }
        if input.unit.is_empty() {
            errors.add("unit", Key::ErrRequired.text(lang));
        }
        let cost_price = money_field(&mut errors, lang, "cost_price", &self.cost_price);
        let sale_price = money_field(&mut errors, lang, "sale_price", &self.sale_price);
        let setup_fee = money_field(&mut errors, lang, "setup_fee", &self.setup_fee);
        let mut tiers: Vec<(Decimal, Decimal)> = Vec::new();
        for tier in self
            .tiers
            .iter()
            .filter(|t| !(t.min_quantity.trim().is_empty() && t.unit_price.trim().is_empty()))
        {
            let quantity = parse_decimal(&tier.min_quantity).filter(|q| *q > Decimal::ZERO);
            let price = parse_decimal(&tier.unit_price).filter(|p| !p.is_sign_negative());
            match (quantity, price) {
                (Some(quantity), Some(price)) => {
                    tiers.push((quantity.normalize(), price.normalize()))
                }
                _ => errors.add("tiers", Key::ErrTiers.text(lang)),
            }
        }
        tiers.sort();
        if tiers.windows(2).any(|pair| pair[0].0 == pair[1].0) {
            errors.add("tiers", Key::ErrTiers.text(lang));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidProduct {
            input,
            cost_price,
            sale_price,
            setup_fee,
            tiers,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductRow {
    pub id: Uuid,
    pub sku: String,
    pub name: String,
    pub kind: ProductKind,
    pub unit: String,
    pub cost_price: Decimal,
    pub sale_price: Decimal,
    pub fee_unit: FeeUnit,
    pub billing_interval: BillingInterval,
    pub vat_category: VatCategory,
    pub active: bool,
    pub tier_count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductFile {
    pub id: Uuid,
    pub data: ProductInput,
    pub contract_count: i64,
}

/// Registration, renewal and transfer prices of one top-level domain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TldPrice {
    /// ASCII, without the leading dot: `de`, `co.uk`
    pub tld: String,
    pub registration_cost: String,
    pub registration_price: String,
    pub renewal_cost: String,
    pub renewal_price: String,
    pub transfer_cost: String,
    pub transfer_price: String,
}

impl TldPrice {
    pub const AMOUNT_FIELDS: [&'static str; 6] = [
        "registration_cost",
        "registration_price",
        "renewal_cost",
        "renewal_price",
        "transfer_cost",
        "transfer_price",
    ];

    pub fn amounts(&self) -> [&str; 6] {
        [
            &self.registration_cost,
            &self.registration_price,
            &self.renewal_cost,
            &self.renewal_price,
            &self.transfer_cost,
            &self.transfer_price,
        ]
    }

    /// The TLD normalised (lower case, no dot) and the six amounts, or the field errors.
    pub fn parse(&self, lang: Lang) -> Result<(String, [Decimal; 6]), FieldErrors> {
        let mut errors = FieldErrors::default();
        let tld = self.tld.trim().trim_start_matches('.').to_lowercase();
        let valid_label = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        if tld.is_empty() {
            errors.add("tld", Key::ErrRequired.text(lang));
        } else if !tld.split('.').all(valid_label) {
            errors.add("tld", Key::ErrTld.text(lang));
        }
        let mut amounts = [Decimal::ZERO; 6];
        for ((field, text), slot) in Self::AMOUNT_FIELDS
            .into_iter()
            .zip(self.amounts())
            .zip(amounts.iter_mut())
        {
            *slot = if text.trim().is_empty() {
                Decimal::ZERO
            } else {
                money_field(&mut errors, lang, field, text)
            };
        }
        if errors.is_empty() {
            Ok((tld, amounts))
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_are_sorted_and_checked() {
        let product = ProductInput {
            sku: "MAIL-1".into(),
            name: "Postfach".into(),
            sale_price: "2,50".into(),
            tiers: vec![
                PriceTierInput {
                    min_quantity: "50".into(),
                    unit_price: "1,50".into(),
                },
                PriceTierInput {
                    min_quantity: "10".into(),
                    unit_price: "2,00".into(),
                },
                PriceTierInput::default(),
            ],
            ..ProductInput::default()
        };
        let valid = product.parse(Lang::De).unwrap();
        assert_eq!(valid.tiers[0].0, Decimal::from(10));
        let mut twice = product.clone();
        twice.tiers[1].min_quantity = "50".into();
        assert!(twice.parse(Lang::De).unwrap_err().get("tiers").is_some());
    }

    #[test]
    fn tld_prices_are_normalised_and_checked() {
        let price = TldPrice {
            tld: ".DE".into(),
            renewal_price: "12,90".into(),
            ..TldPrice::default()
        };
        let (tld, amounts) = price.parse(Lang::De).unwrap();
        assert_eq!((tld.as_str(), amounts[3]), ("de", Decimal::new(1290, 2)));
        let bad = TldPrice {
            tld: "d e".into(),
            renewal_price: "-1".into(),
            ..TldPrice::default()
        };
        let errors = bad.parse(Lang::En).unwrap_err();
        assert!(errors.get("tld").is_some() && errors.get("renewal_price").is_some());
    }
}
