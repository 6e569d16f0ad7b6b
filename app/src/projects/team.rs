//! The team's working profiles: each person's job role, own sale rate, payout (cost) rate,
//! hours per weekday and the federal state whose public holidays apply. Capacity in the
//! resource plan, rates of booked time and payouts all read them.

use crate::domain::holidays::FederalState;
use crate::error::AppError;
use crate::i18n::{t, Key};
use crate::ui::form::{field_errors, FormError};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond},
    crate::contracts::model::amount,
    crate::domain::Permission,
    crate::error::FieldErrors,
    crate::projects::model::optional_amount,
    rust_decimal::Decimal,
};

const WEEKDAYS: [Key; 7] = [
    Key::DayMonday,
    Key::DayTuesday,
    Key::DayWednesday,
    Key::DayThursday,
    Key::DayFriday,
    Key::DaySaturday,
    Key::DaySunday,
];

/// A colleague's profile as the form shows and sends it (numbers as typed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StaffProfile {
    pub user_id: Uuid,
    pub name: String,
    pub job_role_id: Option<Uuid>,
    /// Empty: the role's (or the tenant's) rate.
    pub hourly_rate: String,
    /// What an hour costs the agency (payouts, profit); empty counts as nothing.
    pub cost_rate: String,
    /// Monday first.
    pub weekly_hours: Vec<String>,
    /// Empty: the tenant's federal state.
    pub federal_state: String,
}

#[server(prefix = "/sf", endpoint = "projects/team", input = Json, output = Json)]
pub async fn list_staff_profiles() -> Result<Vec<StaffProfile>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProjects)?;
            actor.require_staff(Permission::ManageProjects)?;
            let mut conn = pool()?.acquire().await?;
            type Row = (
                Uuid,
                String,
                Option<Uuid>,
                Option<Decimal>,
                Option<Decimal>,
                Option<Vec<Decimal>>,
                Option<String>,
            );
            let rows: Vec<Row> = sqlx::query_as(
                "select u.id, u.display_name, s.job_role_id, s.hourly_rate, s.cost_rate, s.weekly_hours, s.federal_state
                 from memberships m join users u on u.id = m.user_id
                 left join staff_profiles s on s.tenant_id = m.tenant_id and s.user_id = m.user_id
                 where m.tenant_id = $1 and m.active and u.active and m.customer_id is null and m.reseller_id is null
                 order by lower(u.display_name)",
            )
            .bind(actor.tenant_id)
            .fetch_all(&mut *conn)
            .await?;
            let typed = |value: Decimal| crate::domain::format::typed(value, actor.lang);
            Ok(rows
                .into_iter()
                .map(|(user_id, name, job_role_id, rate, cost, hours, state)| StaffProfile {
                    user_id,
                    name,
                    job_role_id,
                    hourly_rate: rate.map(typed).unwrap_or_default(),
                    cost_rate: cost.map(typed).unwrap_or_default(),
                    weekly_hours: hours
                        .unwrap_or_else(|| [8, 8, 8, 8, 8, 0, 0].map(Decimal::from).to_vec())
                        .into_iter()
                        .map(typed)
                        .collect(),
                    federal_state: state.unwrap_or_default(),
                })
                .collect())
        }
        .await,
    )
}

/// Saves one colleague's profile; every field is checked and named.
#[server(prefix = "/sf", endpoint = "projects/save-profile", input = Json, output = Json)]
pub async fn save_staff_profile(profile: StaffProfile) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProjects)?;
            actor.require_staff(Permission::ManageProjects)?;
            let lang = actor.lang;
            let mut errors = FieldErrors::default();
            let max_rate = Decimal::from(100_000);
            let rate = optional_amount(&mut errors, lang, "hourly_rate", &profile.hourly_rate, 2, max_rate);
            let cost = optional_amount(&mut errors, lang, "cost_rate", &profile.cost_rate, 2, max_rate);
            if profile.weekly_hours.len() != 7 {
                errors.add("weekly_hours", Key::ErrFormat.text(lang));
            }
            let hours: Vec<Decimal> = profile
                .weekly_hours
                .iter()
                .enumerate()
                .map(|(day, text)| {
                    let text = if text.trim().is_empty() { "0" } else { text };
                    amount(&mut errors, lang, &format!("weekly_hours.{day}"), text, 2, Decimal::from(24))
                })
                .collect();
            let state = profile.federal_state.trim();
            if !state.is_empty() && FederalState::parse(state).is_none() {
                errors.add("federal_state", Key::ErrFormat.text(lang));
            }
            errors.into_result()?;
            let mut tx = pool()?.begin().await?;
            let member: bool = sqlx::query_scalar(
                "select exists (select 1 from memberships where tenant_id = $1 and user_id = $2 and active
                                and customer_id is null and reseller_id is null)
                    and ($3::uuid is null or exists (select 1 from job_roles where tenant_id = $1 and id = $3))",
            )
            .bind(actor.tenant_id)
            .bind(profile.user_id)
            .bind(profile.job_role_id)
            .fetch_one(&mut *tx)
            .await?;
            if !member {
                return Err(AppError::NotFound);
            }
            sqlx::query(
                "insert into staff_profiles (tenant_id, user_id, job_role_id, hourly_rate, cost_rate, weekly_hours, federal_state)
                 values ($1, $2, $3, $4, $5, $6, nullif($7, ''))
                 on conflict (tenant_id, user_id) do update set job_role_id = excluded.job_role_id,
                     hourly_rate = excluded.hourly_rate, cost_rate = excluded.cost_rate,
                     weekly_hours = excluded.weekly_hours, federal_state = excluded.federal_state",
            )
            .bind(actor.tenant_id)
            .bind(profile.user_id)
            .bind(profile.job_role_id)
            .bind(rate)
            .bind(cost)
            .bind(&hours)
            .bind(state)
            .execute(&mut *tx)
            .await?;
            record(
                &mut tx,
                Event::by(&actor, "staff_profile.saved", "user", profile.user_id).change(
                    None,
                    Some(serde_json::json!({ "job_role_id": profile.job_role_id, "hourly_rate": rate,
                                             "cost_rate": cost, "weekly_hours": hours, "federal_state": state })),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// The settings card: one row per colleague, saved row by row.
#[component]
pub fn TeamCard() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let load = Action::new(|_: &()| list_staff_profiles());
    Effect::new(move |_| {
        load.dispatch(());
    });
    let roles = crate::projects::roles::use_job_roles(Signal::stored(0));
    view! {
        <section class="card stack" aria-labelledby="team-profiles">
            <h2 id="team-profiles">{t(Key::TeamTitle)}</h2>
            <p class="hint">{t(Key::TeamHint)}</p>
            <div class="table-scroll">
            <table class="table team-profiles">
                <thead><tr>
                    <th scope="col">{t(Key::TeamPerson)}</th>
                    <th scope="col">{t(Key::RoleName)}</th>
                    {WEEKDAYS.into_iter().map(|day| {
                        let short: String = t(day).chars().take(2).collect();
                        view! { <th scope="col" class="num"><abbr title=t(day)>{short}</abbr></th> }
                    }).collect_view()}
                    <th scope="col" class="num">{t(Key::TeamSaleRate)}</th>
                    <th scope="col" class="num">{t(Key::TeamCostRate)}</th>
                    <th scope="col">{t(Key::ProjFederalState)}</th>
                    <th scope="col"><span class="visually-hidden">{t(Key::Actions)}</span></th>
                </tr></thead>
                <tbody>
                    {move || load.value().get().map(|result| match result {
                        Ok(team) => team.into_iter().map(|profile| view! { <ProfileRow profile roles/> }).collect_view().into_any(),
                        Err(error) => view! { <tr><td colspan="13">{error.message(lang)}</td></tr> }.into_any(),
                    })}
                </tbody>
            </table>
            </div>
        </section>
    }
}

#[component]
fn ProfileRow(
    profile: StaffProfile,
    roles: Signal<Vec<crate::projects::roles::JobRole>>,
) -> impl IntoView {
    let save = ServerAction::<SaveStaffProfile>::new();
    let errors = field_errors(save.value());
    let toasts = crate::ui::toast::use_toasts();
    let role = RwSignal::new(profile.job_role_id);
    let rate = RwSignal::new(profile.hourly_rate.clone());
    let cost = RwSignal::new(profile.cost_rate.clone());
    let hours: Vec<RwSignal<String>> = profile
        .weekly_hours
        .iter()
        .cloned()
        .map(RwSignal::new)
        .collect();
    let state = RwSignal::new(profile.federal_state.clone());
    let name = profile.name.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            toasts.success(t(Key::TeamSaved));
        }
    });
    let user_id = profile.user_id;
    let cells = hours.clone();
    let submit = move |_| {
        save.dispatch(SaveStaffProfile {
            profile: StaffProfile {
                user_id,
                name: String::new(),
                job_role_id: role.get_untracked(),
                hourly_rate: rate.get_untracked(),
                cost_rate: cost.get_untracked(),
                weekly_hours: cells.iter().map(|h| h.get_untracked()).collect(),
                federal_state: state.get_untracked(),
            },
        });
    };
    let label = move |key: Key| format!("{}, {}", t(key), name);
    let invalid = move |field: String| errors.with(|e| e.get(&field).is_some()).then_some("true");
    let label_for = label.clone();
    view! {
        <tr>
            <th scope="row">{profile.name.clone()}</th>
            <td><select aria-label=label(Key::RoleName) on:change=move |ev| role.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                <option value="">{t(Key::QuoteNoRole)}</option>
                {move || roles.get().into_iter().map(|r| {
                    let rid = r.id;
                    view! { <option value=rid.to_string() selected=move || role.get() == Some(rid)>{r.name}</option> }
                }).collect_view()}
            </select></td>
            {hours.into_iter().zip(WEEKDAYS).enumerate().map(|(day, (value, key))| {
                let field = format!("weekly_hours.{day}");
                view! { <td class="num"><input type="text" inputmode="decimal" size="3" bind:value=value
                    aria-label=label_for(key) aria-invalid=move || invalid(field.clone())/></td> }
            }).collect_view()}
            <td class="num"><input type="text" inputmode="decimal" size="6" bind:value=rate aria-label=label(Key::TeamSaleRate)
                aria-invalid=move || invalid("hourly_rate".to_owned())/></td>
            <td class="num"><input type="text" inputmode="decimal" size="6" bind:value=cost aria-label=label(Key::TeamCostRate)
                aria-invalid=move || invalid("cost_rate".to_owned())/></td>
            <td><select aria-label=label(Key::ProjFederalState) on:change=move |ev| state.set(event_target_value(&ev))>
                <option value="" selected=move || state.get().is_empty()>{t(Key::TeamTenantState)}</option>
                {FederalState::ALL.into_iter().map(|s| view! {
                    <option value=s.code() selected=move || state.get() == s.code()>{s.name()}</option>
                }).collect_view()}
            </select></td>
            <td>
                <button type="button" class="button button-small" disabled=move || save.pending().get()
                    aria-label=label(Key::Save) on:click=submit>{t(Key::Save)}</button>
                <FormError result=save.value()/>
                {move || errors.with(|e| (!e.is_empty()).then(|| view! {
                    <ul class="field-error">{e.0.iter().map(|error| view! { <li>{error.message.clone()}</li> }).collect_view()}</ul>
                }))}
            </td>
        </tr>
    }
}
