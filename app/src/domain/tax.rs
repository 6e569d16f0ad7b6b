//! How a customer is taxed. Billing (later) picks VAT rates and legal notes from this; here
//! are the rules for what combination of treatment, VAT id and country makes sense.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxTreatment {
    /// German VAT on every line.
    #[default]
    Domestic,
    /// B2B customer in another EU member state: the customer owes the VAT (§13b UStG).
    EuReverseCharge,
    /// Outside the EU: no German VAT (export of services).
    ThirdCountry,
    /// The tenant is a small business (§19 UStG) towards this customer: no VAT shown.
    SmallBusiness,
}

impl TaxTreatment {
    pub const ALL: [TaxTreatment; 4] = [
        TaxTreatment::Domestic,
        TaxTreatment::EuReverseCharge,
        TaxTreatment::ThirdCountry,
        TaxTreatment::SmallBusiness,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaxTreatment::Domestic => "domestic",
            TaxTreatment::EuReverseCharge => "eu_reverse_charge",
            TaxTreatment::ThirdCountry => "third_country",
            TaxTreatment::SmallBusiness => "small_business",
        }
    }

    pub fn parse(text: &str) -> Option<TaxTreatment> {
        TaxTreatment::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// The VAT category of a product or contract line; the customer's treatment decides later
/// whether the rate applies (reverse charge, export and §19 lines carry no German VAT).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VatCategory {
    /// 19 %
    #[default]
    Standard,
    /// 7 %
    Reduced,
    /// 0 %
    Zero,
    /// Tax-exempt supply (§4 UStG)
    Exempt,
}

impl VatCategory {
    pub const ALL: [VatCategory; 4] = [
        VatCategory::Standard,
        VatCategory::Reduced,
        VatCategory::Zero,
        VatCategory::Exempt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VatCategory::Standard => "standard",
            VatCategory::Reduced => "reduced",
            VatCategory::Zero => "zero",
            VatCategory::Exempt => "exempt",
        }
    }

    pub fn parse(text: &str) -> Option<VatCategory> {
        VatCategory::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// The German rate in percent.
    pub fn rate_percent(self) -> u32 {
        match self {
            VatCategory::Standard => 19,
            VatCategory::Reduced => 7,
            VatCategory::Zero | VatCategory::Exempt => 0,
        }
    }
}

/// EU member states by ISO code (VAT ids use EL for Greece).
pub const EU_COUNTRIES: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreatmentProblem {
    /// Reverse charge needs the customer's VAT id.
    VatIdRequired,
    /// Reverse charge is for customers in another EU member state.
    NotOtherEuCountry,
    /// Third-country treatment for a customer inside the EU.
    CountryInEu,
}

/// Checks the treatment against the billing country and the (already parsed) VAT id.
pub fn check_treatment(
    treatment: TaxTreatment,
    country: &str,
    has_vat_id: bool,
    home_country: &str,
) -> Result<(), TreatmentProblem> {
    let in_eu = EU_COUNTRIES.contains(&country);
    match treatment {
        TaxTreatment::EuReverseCharge if !has_vat_id => Err(TreatmentProblem::VatIdRequired),
        TaxTreatment::EuReverseCharge if !in_eu || country == home_country => {
            Err(TreatmentProblem::NotOtherEuCountry)
        }
        TaxTreatment::ThirdCountry if in_eu => Err(TreatmentProblem::CountryInEu),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn treatments_against_country_and_vat_id() {
        use TaxTreatment as T;
        use TreatmentProblem as P;
        for (treatment, country, vat, expected) in [
            (T::Domestic, "DE", false, Ok(())),
            (T::EuReverseCharge, "AT", true, Ok(())),
            (T::EuReverseCharge, "AT", false, Err(P::VatIdRequired)),
            (T::EuReverseCharge, "DE", true, Err(P::NotOtherEuCountry)),
            (T::EuReverseCharge, "CH", true, Err(P::NotOtherEuCountry)),
            (T::ThirdCountry, "CH", false, Ok(())),
            (T::ThirdCountry, "FR", false, Err(P::CountryInEu)),
            (T::SmallBusiness, "DE", false, Ok(())),
        ] {
            assert_eq!(
                check_treatment(treatment, country, vat, "DE"),
                expected,
                "{treatment:?} {country}"
            );
        }
    }

    #[test]
    fn treatments_round_trip() {
        for t in TaxTreatment::ALL {
            assert_eq!(TaxTreatment::parse(t.as_str()), Some(t));
        }
    }
}
