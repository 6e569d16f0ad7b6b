use super::api::{list_audit, verify_audit_chain};
use super::model::{AuditEntry, AuditFilter};
use crate::i18n::{t, use_lang, Key};
use crate::ui::table::{use_page_request, PagedTable};
use crate::ui::{ErrorBox, LocalTime};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Filters live in the URL (a plain GET form, so they work without JavaScript too).
fn use_filter() -> Memo<AuditFilter> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| AuditFilter {
            action: q.get("action").unwrap_or_default(),
            actor: q.get("actor").unwrap_or_default(),
            from: q.get("from").and_then(|d| d.parse().ok()),
            to: q.get("to").and_then(|d| d.parse().ok()),
        })
    })
}

#[component]
fn ChainCheck() -> impl IntoView {
    let check = Action::new(|_: &()| verify_audit_chain());
    let lang = use_lang();
    view! {
        <div class="chain-check">
            <button type="button" class="button" on:click=move |_| { check.dispatch(()); }>{t(Key::VerifyChain)}</button>
            {move || check.value().get().map(|result| match result {
                Ok(status) => match status.broken_at {
                    None => view! { <p class="status status-ok" role="status">"✓ "{Key::ChainIntact.fill(lang, &[("n", &status.entries.to_string())])}</p> }.into_any(),
                    Some(seq) => view! { <p class="status status-bad" role="alert">"✗ "{Key::ChainBroken.fill(lang, &[("seq", &seq.to_string())])}</p> }.into_any(),
                },
                Err(error) => view! { <ErrorBox error/> }.into_any(),
            })}
        </div>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let request = use_page_request();
    let filter = use_filter();
    let entries = Resource::new(
        move || (filter.get(), request.get()),
        |(filter, page)| list_audit(filter, page),
    );
    let f = filter.get_untracked();
    view! {
        <Title text=t(Key::NavAudit)/>
        <div class="page-head">
            <h1>{t(Key::NavAudit)}</h1>
            <ChainCheck/>
        </div>
        <form method="get" class="filters" role="search" aria-label=t(Key::Filter)>
            <div class="field"><label for="f-action">{t(Key::Action)}</label><input id="f-action" name="action" value=f.action/></div>
            <div class="field"><label for="f-actor">{t(Key::Actor)}</label><input id="f-actor" name="actor" value=f.actor/></div>
            <div class="field"><label for="f-from">{t(Key::From)}</label><input id="f-from" type="date" name="from" value=f.from.map(|d| d.to_string())/></div>
            <div class="field"><label for="f-to">{t(Key::To)}</label><input id="f-to" type="date" name="to" value=f.to.map(|d| d.to_string())/></div>
            <button type="submit" class="button">{t(Key::Filter)}</button>
        </form>
        <PagedTable data=entries empty=t(Key::NoEntries) class="audit"
            head=|| view! { <tr>
                <th scope="col">"#"</th>
                <th scope="col">{t(Key::When)}</th>
                <th scope="col">{t(Key::Actor)}</th>
                <th scope="col">{t(Key::Action)}</th>
                <th scope="col">{t(Key::Object)}</th>
                <th scope="col">{t(Key::Change)}</th>
            </tr> }
            row=|e: AuditEntry| view! {
                <tr>
                    <td class="num">{e.seq}</td>
                    <td><LocalTime value=e.at/></td>
                    <td>{e.actor}{e.ip.map(|ip| view! { <br/><small class="muted">{ip}</small> })}</td>
                    <td><code>{e.action}</code></td>
                    <td>{e.entity_type}{e.entity_id.map(|id| view! { <br/><small class="muted">{id}</small> })}</td>
                    <td class="diff">
                        {e.before.map(|b| view! { <div><span class="diff-label">{t(Key::Before)}": "</span><code>{b}</code></div> })}
                        {e.after.map(|a| view! { <div><span class="diff-label">{t(Key::After)}": "</span><code>{a}</code></div> })}
                    </td>
                </tr>
            }/>
    }
}
