//! The customer's projects in the portal: status, progress and milestones; milestones the
//! team reports reached are accepted here (owner and technical contact). No hours, rates
//! or internal budgets are shown.

use crate::error::AppError;
use crate::i18n::{t, use_lang, Key};
use crate::projects::model::{MilestoneStatus, ProjectStatus};
use crate::ui::form::FormError;
use crate::ui::{Date, EmptyState, ErrorBox, Loading, Money};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    crate::auth::context::{authorize_portal, pool, respond},
    crate::domain::Permission,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalMilestone {
    pub id: Uuid,
    pub name: String,
    pub due_on: NaiveDate,
    /// Only for those who see invoices.
    pub amount: Option<Decimal>,
    pub status: MilestoneStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalProject {
    pub id: Uuid,
    pub number: String,
    pub name: String,
    pub status: ProjectStatus,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// Percent complete.
    pub progress: Decimal,
    pub milestones: Vec<PortalMilestone>,
    pub currency: String,
}

/// The customer's projects, open ones first, with progress and milestones.
#[server(prefix = "/sf", endpoint = "portal/projects", input = Json, output = Json)]
pub async fn portal_projects() -> Result<Vec<PortalProject>, AppError> {
    respond(
        async {
            let (actor, customer) = authorize_portal()?;
            actor.require(Permission::ViewOwnProjects)?;
            let sees_money = actor.may(Permission::ViewOwnInvoices);
            let mut conn = pool()?.acquire().await?;
            type Row = (Uuid, String, String, String, Option<NaiveDate>, Option<NaiveDate>, String, Decimal);
            let projects: Vec<Row> = sqlx::query_as(
                "select p.id, p.number, p.name, p.status, p.starts_on, p.ends_on, t.currency,
                        coalesce((select round(sum(w.planned_hours * coalesce(
                                      (select 100 * sum(estimate_hours) filter (where status = 'done') / nullif(sum(estimate_hours), 0)
                                       from tasks where work_package_id = w.id and estimate_hours > 0), w.progress))
                                  / nullif(sum(w.planned_hours), 0), 0)
                                  from work_packages w where w.project_id = p.id), 0)
                 from projects p join tenants t on t.id = p.tenant_id
                 where p.tenant_id = $1 and p.customer_id = $2 and p.status <> 'cancelled'
                 order by p.status in ('done'), p.number desc
                 limit 100",
            )
            .bind(actor.tenant_id)
            .bind(customer)
            .fetch_all(&mut *conn)
            .await?;
            let ids: Vec<Uuid> = projects.iter().map(|p| p.0).collect();
            let milestones: Vec<(Uuid, Uuid, String, NaiveDate, Option<Decimal>, String)> = sqlx::query_as(
                "select id, project_id, name, due_on, amount, status from milestones
                 where project_id = any($1) order by due_on, name",
            )
            .bind(&ids)
            .fetch_all(&mut *conn)
            .await?;
            Ok(projects
                .into_iter()
                .map(|(id, number, name, status, starts_on, ends_on, currency, progress)| PortalProject {
                    milestones: milestones
                        .iter()
                        .filter(|m| m.1 == id)
                        .map(|m| PortalMilestone {
                            id: m.0,
                            name: m.2.clone(),
                            due_on: m.3,
                            amount: m.4.filter(|_| sees_money),
                            status: MilestoneStatus::parse(&m.5).unwrap_or(MilestoneStatus::Open),
                        })
                        .collect(),
                    id,
                    number,
                    name,
                    status: ProjectStatus::parse(&status).unwrap_or(ProjectStatus::Active),
                    starts_on,
                    ends_on,
                    progress,
                    currency,
                })
                .collect())
        }
        .await,
    )
}

/// The customer accepts a milestone the team reported reached; audited with who accepted.
#[server(prefix = "/sf", endpoint = "portal/accept-milestone", input = Json, output = Json)]
pub async fn accept_milestone(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let (actor, customer) = authorize_portal()?;
            actor.require(Permission::AcceptMilestones)?;
            let mut tx = pool()?.begin().await?;
            crate::projects::api::advance_milestone(
                &mut tx,
                &actor,
                id,
                MilestoneStatus::Reached,
                MilestoneStatus::Accepted,
                Some(customer),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[component]
pub fn PortalProjectsPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let projects = Resource::new(move || version.get(), |_| portal_projects());
    view! {
        <Title text=t(Key::ProjDashboardTitle)/>
        <h1>{t(Key::ProjDashboardTitle)}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match projects.await {
                    Ok(list) if list.is_empty() => view! { <EmptyState title=t(Key::PortalNoProjects)/> }.into_any(),
                    Ok(list) => list.into_iter().map(|project| view! { <ProjectCard project version/> }).collect_view().into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProjectCard(project: PortalProject, version: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let can_accept = crate::use_permission(crate::domain::Permission::AcceptMilestones);
    let accept = ServerAction::<AcceptMilestone>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = accept.value().get() {
            version.update(|v| *v += 1);
        }
    });
    let progress = project
        .progress
        .min(Decimal::ONE_HUNDRED)
        .round()
        .to_string();
    let heading = format!("portal-project-{}", project.id);
    let labelled_by = heading.clone();
    let currency = project.currency.clone();
    view! {
        <section class="card" aria-labelledby=labelled_by>
            <h2 id=heading>{project.number.clone()}" · "{project.name.clone()}</h2>
            <p>{t(project.status.key())}
                {project.ends_on.map(|end| view! { " · "{t(Key::ProjEndsOn)}" "<Date date=end/> })}</p>
            <p>
                <label for=format!("progress-{}", project.id)>{t(Key::ProjProgress)}": "</label>
                <progress id=format!("progress-{}", project.id) max="100" value=progress.clone()>{format!("{progress} %")}</progress>
                " "{format!("{} %", crate::domain::format::number(project.progress, 0, lang))}
            </p>
            <table class="table">
                <caption>{t(Key::ProjMilestones)}</caption>
                <thead><tr>
                    <th scope="col">{t(Key::ProjName)}</th>
                    <th scope="col">{t(Key::ProjDueOn)}</th>
                    <th scope="col" class="num">{t(Key::ProjAmount)}</th>
                    <th scope="col">{t(Key::ProjStatus)}</th>
                </tr></thead>
                <tbody>
                    {project.milestones.is_empty().then(|| view! { <tr><td colspan="4" class="muted">{t(Key::ProjNoMilestones)}</td></tr> })}
                    {project.milestones.into_iter().map(|m| {
                        let id = m.id;
                        let reached = m.status == MilestoneStatus::Reached;
                        view! { <tr>
                            <th scope="row">{m.name.clone()}</th>
                            <td><Date date=m.due_on/></td>
                            <td class="num">{m.amount.map(|a| view! { <Money amount=a currency=currency.clone()/> })}</td>
                            <td>{t(m.status.key())}
                                {move || (reached && can_accept.get()).then(|| view! {
                                    " "<button type="button" class="button button-primary" on:click=move |_| { accept.dispatch(AcceptMilestone { id }); }>{t(Key::PortalAcceptMilestone)}</button>
                                })}</td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
            <FormError result=accept.value()/>
        </section>
    }
}
