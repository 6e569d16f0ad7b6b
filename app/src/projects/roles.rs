//! Job roles (Rollen) and their hourly sale rates: quotes price hours per role, and a
//! person's role rate applies to their time when neither project, customer nor person
//! has one. A role that was priced in a quote stays; it can be renamed or re-priced.

use crate::error::AppError;
use crate::i18n::{t, use_lang, Key};
use crate::ui::form::{field_errors, FieldError, FormError};
use crate::ui::Money;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond},
    crate::domain::Permission,
    crate::error::FieldErrors,
};

/// A job role and its hourly rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobRole {
    pub id: Uuid,
    pub name: String,
    pub hourly_rate: Decimal,
}

/// The tenant's job roles, by name.
#[cfg(feature = "ssr")]
pub async fn roles(conn: &mut sqlx::PgConnection, tenant_id: Uuid) -> sqlx::Result<Vec<JobRole>> {
    let rows: Vec<(Uuid, String, Decimal)> = sqlx::query_as(
        "select id, name, hourly_rate from job_roles where tenant_id = $1 order by lower(name)",
    )
    .bind(tenant_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, hourly_rate)| JobRole {
            id,
            name,
            hourly_rate,
        })
        .collect())
}

#[server(prefix = "/sf", endpoint = "projects/roles", input = Json, output = Json)]
pub async fn list_job_roles() -> Result<Vec<JobRole>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::UseStaffApp)?;
            if !actor.may(Permission::ViewProjects) {
                actor.require(Permission::ViewQuotes)?;
            }
            let mut conn = pool()?.acquire().await?;
            Ok(roles(&mut conn, actor.tenant_id).await?)
        }
        .await,
    )
}

/// Adds a role (`id` none) or renames and re-prices one.
#[server(prefix = "/sf", endpoint = "projects/save-role", input = Json, output = Json)]
pub async fn save_job_role(
    id: Option<Uuid>,
    name: String,
    hourly_rate: String,
) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProjects)?;
            actor.require_staff(Permission::ManageProjects)?;
            let mut errors = FieldErrors::default();
            let name = crate::projects::model::required_text(&mut errors, actor.lang, "name", &name, 80);
            let rate = crate::contracts::model::amount(
                &mut errors,
                actor.lang,
                "hourly_rate",
                &hourly_rate,
                2,
                Decimal::from(100_000),
            );
            errors.into_result()?;
            let mut tx = pool()?.begin().await?;
            let taken: bool = sqlx::query_scalar(
                "select exists (select 1 from job_roles where tenant_id = $1 and lower(name) = lower($2)
                                and id is distinct from $3)",
            )
            .bind(actor.tenant_id)
            .bind(&name)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            if taken {
                return Err(AppError::field("name", Key::RoleErrTaken.text(actor.lang)));
            }
            let saved: Option<Uuid> = sqlx::query_scalar(
                "insert into job_roles (id, tenant_id, name, hourly_rate) values (coalesce($3, gen_random_uuid()), $1, $2, $4)
                 on conflict (id) do update set name = excluded.name, hourly_rate = excluded.hourly_rate
                     where job_roles.tenant_id = $1
                 returning id",
            )
            .bind(actor.tenant_id)
            .bind(&name)
            .bind(id)
            .bind(rate)
            .fetch_optional(&mut *tx)
            .await?;
            let saved = saved.ok_or(AppError::NotFound)?;
            record(
                &mut tx,
                Event::by(&actor, "job_role.saved", "job_role", saved).change(
                    None,
                    Some(serde_json::json!({ "name": name, "hourly_rate": rate })),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(saved)
        }
        .await,
    )
}

/// Removes a role no quote priced; people with it keep working without a role.
#[server(prefix = "/sf", endpoint = "projects/delete-role", input = Json, output = Json)]
pub async fn delete_job_role(id: Uuid) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageProjects)?;
            actor.require_staff(Permission::ManageProjects)?;
            let mut tx = pool()?.begin().await?;
            let quoted: bool = sqlx::query_scalar(
                "select exists (select 1 from quote_items where job_role_id = $1)",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            if quoted {
                return Err(AppError::Conflict(
                    Key::RoleErrQuoted.text(actor.lang).to_owned(),
                ));
            }
            let deleted = sqlx::query("delete from job_roles where tenant_id = $1 and id = $2")
                .bind(actor.tenant_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if deleted.rows_affected() == 0 {
                return Err(AppError::NotFound);
            }
            record(
                &mut tx,
                Event::by(&actor, "job_role.deleted", "job_role", id),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// The roles, loaded in the browser (pickers hydrate empty); `version` reloads them.
pub fn use_job_roles(version: Signal<u32>) -> Signal<Vec<JobRole>> {
    let load = Action::new(|_: &u32| list_job_roles());
    Effect::new(move |_| {
        load.dispatch(version.get());
    });
    Signal::derive(move || load.value().get().and_then(Result::ok).unwrap_or_default())
}

/// The settings card: the roles with their rates, one line to add a role.
#[component]
pub fn JobRolesCard() -> impl IntoView {
    let lang = use_lang();
    let version = RwSignal::new(0u32);
    let roles = use_job_roles(version.into());
    let save = ServerAction::<SaveJobRole>::new();
    let delete = ServerAction::<DeleteJobRole>::new();
    let name = RwSignal::new(String::new());
    let rate = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<Uuid>);
    let errors = field_errors(save.value());
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            name.set(String::new());
            rate.set(String::new());
            editing.set(None);
            version.update(|v| *v += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            version.update(|v| *v += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveJobRole {
            id: editing.get_untracked(),
            name: name.get_untracked(),
            hourly_rate: rate.get_untracked(),
        });
    };
    view! {
        <section class="card stack" aria-labelledby="job-roles">
            <h2 id="job-roles">{t(Key::RolesTitle)}</h2>
            <p class="hint">{t(Key::RolesHint)}</p>
            <table class="table">
                <thead><tr>
                    <th scope="col">{t(Key::RoleName)}</th>
                    <th scope="col" class="num">{t(Key::RoleRate)}</th>
                    <th scope="col"><span class="visually-hidden">{t(Key::Actions)}</span></th>
                </tr></thead>
                <tbody>
                    {move || roles.get().into_iter().map(|role| {
                        let (id, label) = (role.id, role.name.clone());
                        let typed_rate = crate::domain::format::typed(role.hourly_rate, lang);
                        let edit_name = role.name.clone();
                        view! { <tr>
                            <th scope="row">{role.name.clone()}</th>
                            <td class="num"><Money amount=role.hourly_rate currency="EUR".to_owned()/></td>
                            <td class="actions">
                                <button type="button" class="button button-small" aria-label=format!("{} {}", t(Key::Edit), label)
                                    on:click=move |_| { editing.set(Some(id)); name.set(edit_name.clone()); rate.set(typed_rate.clone()); }>{t(Key::Edit)}</button>
                                <button type="button" class="button button-small" aria-label=format!("{} {}", t(Key::Remove), label)
                                    on:click=move |_| { delete.dispatch(DeleteJobRole { id }); }>{t(Key::Remove)}</button>
                            </td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
            <FormError result=delete.value()/>
            <form class="inline-form roles-form" on:submit=submit novalidate>
                <div class="field">
                    <label for="field-name">{t(Key::RoleName)}</label>
                    <input id="field-name" type="text" maxlength="80" bind:value=name aria-describedby="field-name-error"/>
                    <FieldError errors field="name"/>
                </div>
                <div class="field">
                    <label for="field-hourly_rate">{t(Key::RoleRate)}</label>
                    <input id="field-hourly_rate" type="text" inputmode="decimal" bind:value=rate aria-describedby="field-hourly_rate-error"/>
                    <FieldError errors field="hourly_rate"/>
                </div>
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    {move || if editing.get().is_some() { t(Key::Save) } else { t(Key::RoleAdd) }}
                </button>
            </form>
        </section>
    }
}
