//! Server functions of the portal (the customer's own view) and of the staff who grant
//! portal access from the customer file.

use super::model::*;
use crate::domain::Role;
use crate::error::AppError;
use crate::ui::paging::{Page, PageRequest};
use crate::users::model::Invitation;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::repo,
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, authorize_portal, pool, respond},
    crate::contracts::model::{ContractFilter, ContractStatus},
    crate::domain::Permission,
    crate::error::FieldErrors,
    crate::i18n::Key,
    crate::inventory::model::{DomainStatus, InventoryFilter},
    crate::ui::paging::MAX_PER_PAGE,
};

// The customer's own view. The customer always comes from the session.

/// The portal's start page: contracts, the next invoice and domains expiring soon.
#[server(prefix = "/sf", endpoint = "portal/overview", input = Json, output = Json)]
pub async fn portal_overview() -> Result<Overview, AppError> {
    respond(
        async {
            let (actor, customer_id) = authorize_portal()?;
            let tenant_id = actor.tenant_id;
            let mut tx = pool()?.begin().await?;
            let customer_name = repo::customer_name(&mut tx, tenant_id, customer_id)
                .await?
                .ok_or(AppError::Forbidden)?;
            let (today, currency) =
                crate::contracts::repo::tenant_today(&mut tx, tenant_id).await?;
            let filter = ContractFilter {
                customer_id: Some(customer_id),
                ..ContractFilter::default()
            };
            let mut request = PageRequest {
                per_page: MAX_PER_PAGE,
                sort: "number".to_owned(),
                ..PageRequest::default()
            };
            let mut contracts = Vec::new();
            // a customer has a handful of contracts; the bound only guards against a runaway
            for _ in 0..50 {
                let page =
                    crate::contracts::repo::list(&mut tx, tenant_id, &filter, &request).await?;
                let full = i64::try_from(page.items.len()).unwrap_or(0) == request.limit();
                contracts.extend(page.items);
                if !full {
                    break;
                }
                request.page += 1;
            }
            let active_contracts = i64::try_from(
                contracts
                    .iter()
                    .filter(|c| c.status == ContractStatus::Active)
                    .count(),
            )
            .unwrap_or(i64::MAX);
            let next_invoice = next_invoice(
                contracts.iter().filter_map(|c| c.next_charge.as_ref()),
            )
            .map(|(due_on, amount)| NextInvoice {
                due_on,
                amount,
                currency: currency.clone(),
            });
            let domains = crate::inventory::repo::list_domains(
                &mut tx,
                tenant_id,
                &InventoryFilter {
                    customer_id: Some(customer_id),
                    expiring_within_days: Some(super::EXPIRING_WITHIN_DAYS),
                    ..InventoryFilter::default()
                },
                &PageRequest {
                    per_page: MAX_PER_PAGE,
                    sort: "expiry".to_owned(),
                    ..PageRequest::default()
                },
                today,
            )
            .await?;
            tx.commit().await?;
            let expiring_domains = domains
                .items
                .into_iter()
                .filter(|d| {
                    d.status != DomainStatus::Deleted
                        && d.days_left
                            .is_some_and(|days| days >= -crate::inventory::RECENTLY_EXPIRED_DAYS)
                })
                .map(PortalDomainRow::from)
                .collect();
            Ok(Overview {
                customer_name,
                active_contracts,
                next_invoice,
                expiring_domains,
            })
        }
        .await,
    )
}

/// The customer's contracts, one page, each with its next charge.
#[server(prefix = "/sf", endpoint = "portal/contracts", input = Json, output = Json)]
pub async fn portal_contracts(page: PageRequest) -> Result<Page<PortalContractRow>, AppError> {
    respond(
        async {
            let (actor, customer_id) = authorize_portal()?;
            let mut conn = pool()?.acquire().await?;
            let filter = ContractFilter {
                customer_id: Some(customer_id),
                ..ContractFilter::default()
            };
            let rows =
                crate::contracts::repo::list(&mut conn, actor.tenant_id, &filter, &page).await?;
            Ok(Page {
                items: rows
                    .items
                    .into_iter()
                    .map(PortalContractRow::from)
                    .collect(),
                total: rows.total,
                total_capped: rows.total_capped,
                page: rows.page,
                per_page: rows.per_page,
            })
        }
        .await,
    )
}

/// The customer's issued invoices and credit notes, newest first.
#[server(prefix = "/sf", endpoint = "portal/invoices", input = Json, output = Json)]
pub async fn portal_invoices(
    page: PageRequest,
) -> Result<Page<crate::invoices::model::InvoiceSummary>, AppError> {
    respond(
        async {
            let (actor, customer_id) = authorize_portal()?;
            actor.require(Permission::ViewOwnInvoices)?;
            let mut conn = pool()?.acquire().await?;
            let filter = crate::invoices::model::InvoiceFilter {
                status: Some(crate::invoices::model::InvoiceStatus::Issued),
                ..Default::default()
            };
            Ok(crate::invoices::repo::list(
                &mut conn,
                actor.tenant_id,
                &filter,
                Some(customer_id),
                &page,
            )
            .await?)
        }
        .await,
    )
}

/// The customer's open balance, open invoices and active SEPA mandate.
#[server(prefix = "/sf", endpoint = "portal/billing", input = Json, output = Json)]
pub async fn load_portal_billing() -> Result<PortalBilling, AppError> {
    respond(
        async {
            let (actor, customer_id) = authorize_portal()?;
            actor.require(Permission::ViewOwnInvoices)?;
            let tenant_id = actor.tenant_id;
            let mut conn = pool()?.acquire().await?;
            let (today, currency) =
                crate::contracts::repo::tenant_today(&mut conn, tenant_id).await?;
            let receivables = crate::payments::api::receivables_of(&mut conn, &actor).await?;
            let request = PageRequest {
                per_page: MAX_PER_PAGE,
                ..PageRequest::default()
            };
            let open_items = crate::payments::repo::open_items(
                &mut conn,
                tenant_id,
                today,
                &crate::payments::model::OpenItemFilter::default(),
                Some(customer_id),
                &request,
            )
            .await?
            .items;
            let mandate = crate::sepa::repo::mandates_of(&mut conn, tenant_id, customer_id, today)
                .await?
                .into_iter()
                .find(|m| m.status == crate::sepa::model::MandateStatus::Active && !m.expired)
                .map(|m| PortalMandate {
                    account: crate::domain::sepa::masked_iban(&m.iban),
                    reference: m.reference,
                    scheme: m.scheme.code().to_owned(),
                    signed_on: m.signed_on,
                });
            Ok(PortalBilling {
                currency,
                open_total: receivables.open_total,
                overdue_total: receivables.overdue_total,
                credit: receivables.customer_credit,
                open_items,
                mandate,
            })
        }
        .await,
    )
}

/// One of the customer's contracts; another customer's is not found.
#[server(prefix = "/sf", endpoint = "portal/contract", input = Json, output = Json)]
pub async fn portal_contract(id: Uuid) -> Result<PortalContractFile, AppError> {
    respond(
        async {
            let (actor, customer_id) = authorize_portal()?;
            let mut conn = pool()?.acquire().await?;
            crate::contracts::repo::load_file(&mut conn, actor.tenant_id, id, Some(customer_id))
                .await?
                .map(PortalContractFile::from)
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// The customer's domains, one page, with expiry and days left.
#[server(prefix = "/sf", endpoint = "portal/domains", input = Json, output = Json)]
pub async fn portal_domains(page: PageRequest) -> Result<Page<PortalDomainRow>, AppError> {
    respond(
        async {
            let (actor, customer_id) = authorize_portal()?;
            let mut conn = pool()?.acquire().await?;
            let (today, _) =
                crate::contracts::repo::tenant_today(&mut conn, actor.tenant_id).await?;
            let filter = InventoryFilter {
                customer_id: Some(customer_id),
                ..InventoryFilter::default()
            };
            let rows = crate::inventory::repo::list_domains(
                &mut conn,
                actor.tenant_id,
                &filter,
                &page,
                today,
            )
            .await?;
            Ok(Page {
                items: rows.items.into_iter().map(PortalDomainRow::from).collect(),
                total: rows.total,
                total_capped: rows.total_capped,
                page: rows.page,
                per_page: rows.per_page,
            })
        }
        .await,
    )
}

// Staff granting portal access from the customer file.

/// Checks the invitation form: all problems at once, each at its field.
#[cfg(feature = "ssr")]
fn validate_customer_user(
    email: &str,
    display_name: &str,
    role: Role,
    lang: crate::i18n::Lang,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    if !crate::domain::is_plausible_email(email) {
        errors.add("email", Key::ErrEmail.text(lang));
    }
    let name = display_name.trim();
    if name.is_empty() {
        errors.add("display_name", Key::ErrRequired.text(lang));
    } else if name.chars().count() > 120 {
        errors.add("display_name", Key::ErrTooLong.text(lang));
    }
    if !CUSTOMER_ROLES.contains(&role) {
        errors.add("role", Key::ErrRoles.text(lang));
    }
    errors.into_result()
}

/// Invites a person of the customer to the portal; answers with the link that sets their
/// password (shown once, until e-mail delivery exists).
#[server(prefix = "/sf", endpoint = "portal/users/invite", input = Json, output = Json)]
pub async fn invite_customer_user(
    customer_id: Uuid,
    email: String,
    display_name: String,
    role: Role,
) -> Result<Invitation, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageCustomers)?;
            validate_customer_user(&email, &display_name, role, actor.lang)?;
            let public_url = use_context::<crate::PublicUrl>()
                .map(|u| u.0)
                .unwrap_or_default();
            let mut tx = pool()?.begin().await?;
            repo::customer_name(&mut tx, actor.tenant_id, customer_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let invitation = crate::users::api::add_member(
                &mut tx,
                &actor,
                &crate::users::api::NewMember {
                    email: &email,
                    display_name: &display_name,
                    roles: &[role],
                    customer_id: Some(customer_id),
                },
                &public_url,
            )
            .await?;
            tx.commit().await?;
            Ok(invitation)
        }
        .await,
    )
}

/// The customer's portal users.
#[server(prefix = "/sf", endpoint = "portal/users/list", input = Json, output = Json)]
pub async fn list_customer_users(customer_id: Uuid) -> Result<Vec<CustomerUserRow>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewCustomers)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::customer_users(&mut conn, actor.tenant_id, customer_id).await?)
        }
        .await,
    )
}

/// Withdraws (or grants again) a portal user's access; withdrawing ends their sessions.
#[server(prefix = "/sf", endpoint = "portal/users/active", input = Json, output = Json)]
pub async fn set_customer_user_active(
    customer_id: Uuid,
    user_id: Uuid,
    active: bool,
) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageCustomers)?;
            let mut tx = pool()?.begin().await?;
            let tenant_id = actor.tenant_id;
            let before = repo::access_snapshot(&mut tx, tenant_id, customer_id, user_id)
                .await?
                .ok_or(AppError::NotFound)?;
            repo::set_access(&mut tx, tenant_id, customer_id, user_id, active).await?;
            let after = repo::access_snapshot(&mut tx, tenant_id, customer_id, user_id).await?;
            let action = if active {
                "portal_user.reactivated"
            } else {
                "portal_user.deactivated"
            };
            record(
                &mut tx,
                Event::by(&actor, action, "user", user_id).change(Some(before), after),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}
