//! Who may do what. Roles come from a user's membership in a tenant; every server
//! function and API route asks `allows` for the one permission it needs.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Accountant,
    ProjectManager,
    Staff,
    Support,
    CustomerOwner,
    CustomerBilling,
    CustomerTechnical,
    ResellerAdmin,
}

impl Role {
    pub const STAFF_ROLES: [Role; 5] = [
        Role::Admin,
        Role::Accountant,
        Role::ProjectManager,
        Role::Staff,
        Role::Support,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Accountant => "accountant",
            Role::ProjectManager => "project_manager",
            Role::Staff => "staff",
            Role::Support => "support",
            Role::CustomerOwner => "customer_owner",
            Role::CustomerBilling => "customer_billing",
            Role::CustomerTechnical => "customer_technical",
            Role::ResellerAdmin => "reseller_admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        [
            Role::Admin,
            Role::Accountant,
            Role::ProjectManager,
            Role::Staff,
            Role::Support,
            Role::CustomerOwner,
            Role::CustomerBilling,
            Role::CustomerTechnical,
            Role::ResellerAdmin,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }

    pub fn is_staff(self) -> bool {
        Role::STAFF_ROLES.contains(&self)
    }

    pub fn key(self) -> crate::i18n::Key {
        use crate::i18n::Key;
        match self {
            Role::Admin => Key::RoleAdmin,
            Role::Accountant => Key::RoleAccountant,
            Role::ProjectManager => Key::RoleProjectManager,
            Role::Staff => Key::RoleStaff,
            Role::Support => Key::RoleSupport,
            Role::CustomerOwner => Key::RoleCustomerOwner,
            Role::CustomerBilling => Key::RoleCustomerBilling,
            Role::CustomerTechnical => Key::RoleCustomerTechnical,
            Role::ResellerAdmin => Key::RoleResellerAdmin,
        }
    }
}

/// Things a user can be allowed to do. Later areas add their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Use the staff application at all.
    UseStaffApp,
    /// Use the customer portal.
    UsePortal,
    ViewUsers,
    ManageUsers,
    ManageTenantSettings,
    ViewAuditLog,
    ManageApiTokens,
    ViewJobs,
    /// See customers, their contacts and notes; log calls.
    ViewCustomers,
    /// Create and change customers and contacts.
    ManageCustomers,
    /// See contracts, their prices and next invoices.
    ViewContracts,
    /// Create, change and cancel contracts.
    ManageContracts,
    /// See the product catalog and the TLD price list.
    ViewProducts,
    /// Maintain the product catalog and the TLD price list.
    ManageProducts,
    /// See domains, servers, certificates and DNS zones.
    ViewInventory,
    /// Maintain domains, servers, certificates and DNS zones, and their service checks.
    ManageInventory,
    /// Upload registrar domain lists and act on the reconciliation report.
    ReconcileRegistrar,
    /// Import usage records (traffic, storage, mailboxes) for billing.
    ImportUsage,
    /// See which credentials the vault holds (never their secrets).
    ViewCredentials,
    /// Show a credential's secret; every reveal is audited.
    RevealCredentials,
    /// Add, change and remove vault credentials.
    ManageCredentials,
    /// See invoices, credit notes and billing runs.
    ViewInvoices,
    /// Run billing, edit drafts, issue invoices and credit notes.
    ManageBilling,
    /// Portal: the own customer's issued invoices, open items and SEPA mandate.
    ViewOwnInvoices,
    /// Revenue statistics: MRR, revenue per customer, product and month, churn, renewals.
    ViewRevenue,
    /// Export bookings for the tax advisor (DATEV).
    ExportAccounting,
    /// See projects, their budgets, milestones and the team's time.
    ViewProjects,
    /// Create and plan projects: budgets, work packages, milestones, thresholds.
    ManageProjects,
    /// Track one's own time and work on tasks.
    TrackTime,
    /// Approve colleagues' time and close past periods.
    ApproveTime,
    /// Portal: the own company's projects, their progress and milestones.
    ViewOwnProjects,
    /// Portal: accept a milestone the team reported reached.
    AcceptMilestones,
    /// See quotes and their versions.
    ViewQuotes,
    /// Write, send, revise and decide quotes; accepting one opens its project.
    ManageQuotes,
    /// Portal: the own company's quotes as sent.
    ViewOwnQuotes,
    /// Portal: accept or decline a quote, which commissions the work.
    AcceptQuotes,
}

/// Whether any of the roles grants the permission.
pub fn allows(roles: &[Role], permission: Permission) -> bool {
    roles.iter().any(|role| grants(*role, permission))
}

fn grants(role: Role, permission: Permission) -> bool {
    use Permission as P;
    use Role as R;
    match permission {
        P::UseStaffApp => role.is_staff(),
        P::UsePortal => matches!(
            role,
            R::CustomerOwner | R::CustomerBilling | R::CustomerTechnical
        ),
        // Colleagues see who works in the tenant; only admins change it.
        P::ViewUsers => matches!(role, R::Admin | R::ProjectManager),
        P::ManageUsers | P::ManageTenantSettings | P::ManageApiTokens | P::ViewJobs => {
            role == R::Admin
        }
        // The accountant sees the audit trail for GoBD questions.
        P::ViewAuditLog => matches!(role, R::Admin | R::Accountant),
        P::ViewCustomers | P::ViewContracts | P::ViewProducts | P::ViewInventory => role.is_staff(),
        // Project managers create customers for their quotes.
        P::ManageCustomers | P::ManageContracts => {
            matches!(role, R::Admin | R::Accountant | R::ProjectManager)
        }
        // Prices are the accountant's business.
        P::ManageProducts => matches!(role, R::Admin | R::Accountant),
        // Technicians and support keep the inventory current.
        P::ManageInventory => matches!(role, R::Admin | R::ProjectManager | R::Staff | R::Support),
        // Reconciliation and usage decide what is billed: accounting and the technicians.
        P::ReconcileRegistrar | P::ImportUsage => {
            matches!(
                role,
                R::Admin | R::Accountant | R::ProjectManager | R::Staff
            )
        }
        P::ViewCredentials => matches!(role, R::Admin | R::ProjectManager | R::Staff | R::Support),
        // Secrets are for the people who log in to customers' systems.
        P::RevealCredentials | P::ManageCredentials => {
            matches!(role, R::Admin | R::Staff | R::Support)
        }
        // Support answers invoice questions; only accounting issues them.
        P::ViewInvoices => matches!(role, R::Admin | R::Accountant | R::Support),
        P::ManageBilling => matches!(role, R::Admin | R::Accountant),
        // the caretaker (technical contact) sees no money matters
        P::ViewOwnInvoices => matches!(role, R::CustomerOwner | R::CustomerBilling),
        // the business's figures and its books are for management and accounting
        P::ViewRevenue | P::ExportAccounting => matches!(role, R::Admin | R::Accountant),
        P::ViewProjects | P::TrackTime => role.is_staff(),
        P::ManageProjects | P::ApproveTime => matches!(role, R::Admin | R::ProjectManager),
        P::ViewOwnProjects => matches!(
            role,
            R::CustomerOwner | R::CustomerBilling | R::CustomerTechnical
        ),
        // accepting work is for the people who commissioned it, not the bookkeeping
        P::AcceptMilestones => matches!(role, R::CustomerOwner | R::CustomerTechnical),
        // sales is the project managers' work; accounting reads along for the orders to come
        P::ViewQuotes => matches!(role, R::Admin | R::Accountant | R::ProjectManager),
        P::ManageQuotes => matches!(role, R::Admin | R::ProjectManager),
        P::ViewOwnQuotes => matches!(role, R::CustomerOwner | R::CustomerBilling),
        // a commission binds the company: only its owner signs
        P::AcceptQuotes => role == R::CustomerOwner,
    }
}

/// API token scopes and the permission each one stands for.
pub const SCOPES: &[(&str, Permission)] = &[
    ("users:read", Permission::ViewUsers),
    ("users:write", Permission::ManageUsers),
    ("audit:read", Permission::ViewAuditLog),
    ("customers:read", Permission::ViewCustomers),
    ("customers:write", Permission::ManageCustomers),
    ("products:read", Permission::ViewProducts),
    ("products:write", Permission::ManageProducts),
    ("contracts:read", Permission::ViewContracts),
    ("contracts:write", Permission::ManageContracts),
    ("inventory:read", Permission::ViewInventory),
    ("inventory:write", Permission::ManageInventory),
    ("registrar:write", Permission::ReconcileRegistrar),
    ("usage:write", Permission::ImportUsage),
    ("vault:read", Permission::ViewCredentials),
    ("vault:reveal", Permission::RevealCredentials),
    ("vault:write", Permission::ManageCredentials),
    ("invoices:read", Permission::ViewInvoices),
    ("billing:write", Permission::ManageBilling),
    ("reports:read", Permission::ViewRevenue),
    ("accounting:export", Permission::ExportAccounting),
    ("projects:read", Permission::ViewProjects),
    ("projects:write", Permission::ManageProjects),
    ("time:write", Permission::TrackTime),
    ("time:approve", Permission::ApproveTime),
    ("quotes:read", Permission::ViewQuotes),
    ("quotes:write", Permission::ManageQuotes),
];

pub fn scope_permission(scope: &str) -> Option<Permission> {
    SCOPES
        .iter()
        .find(|(name, _)| *name == scope)
        .map(|(_, p)| *p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_matrix() {
        use Permission as P;
        use Role as R;
        let table: &[(Role, &[Permission])] = &[
            (
                R::Admin,
                &[
                    P::UseStaffApp,
                    P::ViewUsers,
                    P::ManageUsers,
                    P::ManageTenantSettings,
                    P::ViewAuditLog,
                    P::ManageApiTokens,
                    P::ViewJobs,
                    P::ViewCustomers,
                    P::ViewContracts,
                    P::ViewProducts,
                    P::ViewInventory,
                    P::ManageCustomers,
                    P::ManageContracts,
                    P::ManageProducts,
                    P::ManageInventory,
                    P::ReconcileRegistrar,
                    P::ImportUsage,
                    P::ViewCredentials,
                    P::RevealCredentials,
                    P::ManageCredentials,
                    P::ViewInvoices,
                    P::ManageBilling,
                ],
            ),
            (
                R::Accountant,
                &[
                    P::UseStaffApp,
                    P::ViewAuditLog,
                    P::ViewCustomers,
                    P::ViewContracts,
                    P::ViewProducts,
                    P::ViewInventory,
                    P::ManageCustomers,
                    P::ManageContracts,
                    P::ManageProducts,
                    P::ReconcileRegistrar,
                    P::ImportUsage,
                    P::ViewInvoices,
                    P::ManageBilling,
                ],
            ),
            (
                R::ProjectManager,
                &[
                    P::UseStaffApp,
                    P::ViewUsers,
                    P::ViewCustomers,
                    P::ViewContracts,
                    P::ViewProducts,
                    P::ViewInventory,
                    P::ManageCustomers,
                    P::ManageContracts,
                    P::ManageInventory,
                    P::ReconcileRegistrar,
                    P::ImportUsage,
                    P::ViewCredentials,
                ],
            ),
            (
                R::Staff,
                &[
                    P::UseStaffApp,
                    P::ViewCustomers,
                    P::ViewContracts,
                    P::ViewProducts,
                    P::ViewInventory,
                    P::ManageInventory,
                    P::ReconcileRegistrar,
                    P::ImportUsage,
                    P::ViewCredentials,
                    P::RevealCredentials,
                    P::ManageCredentials,
                ],
            ),
            (
                R::Support,
                &[
                    P::UseStaffApp,
                    P::ViewCustomers,
                    P::ViewContracts,
                    P::ViewProducts,
                    P::ViewInventory,
                    P::ManageInventory,
                    P::ViewCredentials,
                    P::RevealCredentials,
                    P::ManageCredentials,
                    P::ViewInvoices,
                ],
            ),
            (R::CustomerOwner, &[P::UsePortal, P::ViewOwnInvoices]),
            (R::CustomerBilling, &[P::UsePortal, P::ViewOwnInvoices]),
            (R::CustomerTechnical, &[P::UsePortal]),
            (R::ResellerAdmin, &[]),
        ];
        let all = [
            P::UseStaffApp,
            P::UsePortal,
            P::ViewOwnInvoices,
            P::ViewUsers,
            P::ManageUsers,
            P::ManageTenantSettings,
            P::ViewAuditLog,
            P::ManageApiTokens,
            P::ViewJobs,
            P::ViewCustomers,
            P::ViewContracts,
            P::ViewProducts,
            P::ViewInventory,
            P::ManageCustomers,
            P::ManageContracts,
            P::ManageProducts,
            P::ManageInventory,
            P::ReconcileRegistrar,
            P::ImportUsage,
            P::ViewCredentials,
            P::RevealCredentials,
            P::ManageCredentials,
            P::ViewInvoices,
            P::ManageBilling,
        ];
        for (role, granted) in table {
            for permission in all {
                assert_eq!(
                    allows(&[*role], permission),
                    granted.contains(&permission),
                    "{role:?} {permission:?}"
                );
            }
        }
    }

    #[test]
    fn everyone_on_staff_tracks_time_and_project_managers_plan_and_approve() {
        use Permission as P;
        for role in Role::STAFF_ROLES {
            assert!(allows(&[role], P::TrackTime) && allows(&[role], P::ViewProjects));
            let plans = matches!(role, Role::Admin | Role::ProjectManager);
            assert_eq!(allows(&[role], P::ManageProjects), plans, "{role:?}");
            assert_eq!(allows(&[role], P::ApproveTime), plans, "{role:?}");
        }
        assert!(!allows(&[Role::CustomerOwner], P::ViewProjects));
        assert!(allows(&[Role::CustomerTechnical], P::AcceptMilestones));
        assert!(!allows(&[Role::CustomerBilling], P::AcceptMilestones));
        assert!(!allows(&[Role::ProjectManager], P::AcceptMilestones));
    }

    #[test]
    fn project_managers_sell_and_only_the_customers_owner_commissions() {
        use Permission as P;
        for role in Role::STAFF_ROLES {
            let sells = matches!(role, Role::Admin | Role::ProjectManager);
            assert_eq!(allows(&[role], P::ManageQuotes), sells, "{role:?}");
            assert_eq!(
                allows(&[role], P::ViewQuotes),
                sells || role == Role::Accountant,
                "{role:?}"
            );
            assert!(!allows(&[role], P::AcceptQuotes));
        }
        assert!(allows(&[Role::CustomerOwner], P::AcceptQuotes));
        assert!(!allows(&[Role::CustomerBilling], P::AcceptQuotes));
        assert!(allows(&[Role::CustomerBilling], P::ViewOwnQuotes));
        assert!(!allows(&[Role::CustomerTechnical], P::ViewOwnQuotes));
    }

    #[test]
    fn several_roles_add_up_and_none_grants_nothing() {
        assert!(allows(
            &[Role::Staff, Role::Accountant],
            Permission::ViewAuditLog
        ));
        assert!(!allows(&[], Permission::UseStaffApp));
    }

    #[test]
    fn roles_round_trip_through_text() {
        for role in Role::STAFF_ROLES {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
