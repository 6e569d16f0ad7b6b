use crate::domain::tax::TaxTreatment;
use crate::i18n::{Key, Lang};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerKind {
    #[default]
    Company,
    Person,
}

impl CustomerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerKind::Company => "company",
            CustomerKind::Person => "person",
        }
    }

    pub fn parse(text: &str) -> Option<CustomerKind> {
        [CustomerKind::Company, CustomerKind::Person]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactRole {
    Management,
    Billing,
    Technical,
    #[default]
    Other,
}

impl ContactRole {
    pub const ALL: [ContactRole; 4] = [
        ContactRole::Management,
        ContactRole::Billing,
        ContactRole::Technical,
        ContactRole::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactRole::Management => "management",
            ContactRole::Billing => "billing",
            ContactRole::Technical => "technical",
            ContactRole::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<ContactRole> {
        ContactRole::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn key(self) -> Key {
        match self {
            ContactRole::Management => Key::ContactRoleManagement,
            ContactRole::Billing => Key::ContactRoleBilling,
            ContactRole::Technical => Key::ContactRoleTechnical,
            ContactRole::Other => Key::ContactRoleOther,
        }
    }
}

pub fn tax_treatment_key(treatment: TaxTreatment) -> Key {
    match treatment {
        TaxTreatment::Domestic => Key::TaxDomestic,
        TaxTreatment::EuReverseCharge => Key::TaxEuReverseCharge,
        TaxTreatment::ThirdCountry => Key::TaxThirdCountry,
        TaxTreatment::SmallBusiness => Key::TaxSmallBusiness,
    }
}

/// A free field the agency defines for its customers (e.g. "Branche").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomField {
    pub key: String,
    pub value: String,
}

/// The customer's master data, as the form and the API send it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerInput {
    pub kind: CustomerKind,
    pub company_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub website: String,
    pub billing_street: String,
    pub billing_postal_code: String,
    pub billing_city: String,
    pub billing_country: String,
    pub separate_postal_address: bool,
    pub postal_street: String,
    pub postal_postal_code: String,
    pub postal_city: String,
    pub postal_country: String,
    pub vat_id: String,
    /// Public-sector buyers: their invoices go out as XRechnung with this as BT-10.
    pub leitweg_id: String,
    /// Where invoices go when not to the main address.
    pub invoice_email: String,
    pub tax_treatment: TaxTreatment,
    pub payment_terms_days: i32,
    pub language: Lang,
    pub tags: Vec<String>,
    pub notes: String,
    pub custom_fields: Vec<CustomField>,
}

impl Default for CustomerInput {
    fn default() -> Self {
        CustomerInput {
            kind: CustomerKind::Company,
            company_name: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            email: String::new(),
            phone: String::new(),
            website: String::new(),
            billing_street: String::new(),
            billing_postal_code: String::new(),
            billing_city: String::new(),
            billing_country: "DE".to_owned(),
            separate_postal_address: false,
            postal_street: String::new(),
            postal_postal_code: String::new(),
            postal_city: String::new(),
            postal_country: "DE".to_owned(),
            vat_id: String::new(),
            leitweg_id: String::new(),
            invoice_email: String::new(),
            tax_treatment: TaxTreatment::Domestic,
            payment_terms_days: 14,
            language: Lang::De,
            tags: Vec::new(),
            notes: String::new(),
            custom_fields: Vec::new(),
        }
    }
}

impl CustomerInput {
    pub fn display_name(&self) -> String {
        match self.kind {
            CustomerKind::Company => self.company_name.trim().to_owned(),
            CustomerKind::Person => format!("{} {}", self.first_name.trim(), self.last_name.trim())
                .trim()
                .to_owned(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub id: Uuid,
    pub number: String,
    pub display_name: String,
    pub kind: CustomerKind,
    pub email: String,
    pub city: String,
    pub country: String,
    pub tags: Vec<String>,
    pub archived: bool,
}

/// Filters of the customer list besides search and paging.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFilter {
    pub kind: Option<CustomerKind>,
    pub tag: String,
    pub include_archived: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: Uuid,
    pub salutation: String,
    pub first_name: String,
    pub last_name: String,
    pub role: ContactRole,
    pub email: String,
    pub phone: String,
    pub is_primary: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactInput {
    pub salutation: String,
    pub first_name: String,
    pub last_name: String,
    pub role: ContactRole,
    pub email: String,
    pub phone: String,
    pub is_primary: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallNote {
    pub id: Uuid,
    /// In the tenant's time zone, `YYYY-MM-DD HH:MM`.
    pub at: String,
    pub author: String,
    pub contact: Option<String>,
    pub subject: String,
    pub body: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallNoteInput {
    pub contact_id: Option<Uuid>,
    pub subject: String,
    pub body: String,
}

/// Everything about one customer on one page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerFile {
    pub id: Uuid,
    pub number: String,
    pub display_name: String,
    pub archived: bool,
    pub created_at: String,
    pub data: CustomerInput,
    pub contacts: Vec<Contact>,
    pub call_notes: Vec<CallNote>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    SameVatId,
    SameEmailDomain,
    SimilarName,
}

impl DuplicateReason {
    pub fn key(self) -> Key {
        match self {
            DuplicateReason::SameVatId => Key::DuplicateVatId,
            DuplicateReason::SameEmailDomain => Key::DuplicateEmailDomain,
            DuplicateReason::SimilarName => Key::DuplicateName,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DuplicateHint {
    pub id: Uuid,
    pub number: String,
    pub display_name: String,
    pub reason: DuplicateReason,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreateOutcome {
    Created {
        id: Uuid,
        number: String,
    },
    /// Nothing was created: these look like the same customer.
    PossibleDuplicates(Vec<DuplicateHint>),
}
