//! The customer's quotes in the portal: every version that was sent, its PDF, and — for the
//! company's owner, while the quote is valid — accepting it (with the optional items
//! wanted) or declining it with a reason. Drafts and internal notes never show.

use crate::error::AppError;
use crate::i18n::{t, Key};
use crate::quotes::model::{QuoteDetail, QuoteStatus, QuoteSummary};
use crate::quotes::pages::{use_quote, OptionPicker, QuoteItems};
use crate::ui::form::FormError;
use crate::ui::{Date, EmptyState, ErrorBox, Loading, Money};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    crate::auth::context::{authorize_portal, pool, respond},
    crate::domain::Permission,
    crate::quotes::model::QuoteFilter,
    crate::ui::paging::PageRequest,
};

/// The customer's quotes that went out, newest first.
#[server(prefix = "/sf", endpoint = "portal/quotes", input = Json, output = Json)]
pub async fn portal_quotes() -> Result<Vec<QuoteSummary>, AppError> {
    respond(
        async {
            let (actor, customer) = authorize_portal()?;
            actor.require(Permission::ViewOwnQuotes)?;
            let mut conn = pool()?.acquire().await?;
            let (today, _) = crate::contracts::repo::tenant_today(&mut conn, actor.tenant_id).await?;
            let page = PageRequest {
                per_page: 200,
                ..PageRequest::default()
            };
            let filter = QuoteFilter {
                status: None,
                customer_id: Some(customer),
            };
            let quotes = crate::quotes::repo::list(&mut conn, actor.tenant_id, &filter, &page, today).await?;
            // a draft is a revision the customer has not received: they see the last sent one
            let sent: Vec<(Uuid, i32, chrono::NaiveDate, rust_decimal::Decimal)> = sqlx::query_as(
                "select distinct on (quote_id) quote_id, version, valid_until, net_total from quote_versions
                 where tenant_id = $1 and quote_id = any($2) and sent_at is not null
                 order by quote_id, version desc",
            )
            .bind(actor.tenant_id)
            .bind(quotes.items.iter().map(|q| q.id).collect::<Vec<_>>())
            .fetch_all(&mut *conn)
            .await?;
            Ok(quotes
                .items
                .into_iter()
                .filter_map(|mut quote| {
                    let (_, version, valid_until, net) = sent.iter().find(|s| s.0 == quote.id)?;
                    if quote.status == QuoteStatus::Draft {
                        quote.status = QuoteStatus::Sent;
                    }
                    quote.version = *version;
                    quote.valid_until = *valid_until;
                    quote.net_total = *net;
                    quote.expired = quote.status == QuoteStatus::Sent && *valid_until < today;
                    Some(quote)
                })
                .collect())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "portal/quote", input = Json, output = Json)]
pub async fn portal_quote(id: Uuid, version: Option<i32>) -> Result<QuoteDetail, AppError> {
    respond(
        async {
            let (actor, _) = authorize_portal()?;
            let mut conn = pool()?.acquire().await?;
            crate::quotes::api::detail(&mut conn, &actor, id, version).await
        }
        .await,
    )
}

/// The owner accepts the quote with the optional items at `options`; the agency's
/// project manager is told at once.
#[server(prefix = "/sf", endpoint = "portal/accept-quote", input = Json, output = Json)]
pub async fn portal_accept_quote(id: Uuid, options: Vec<i32>) -> Result<(), AppError> {
    respond(
        async {
            let (actor, _) = authorize_portal()?;
            let mut tx = pool()?.begin().await?;
            crate::quotes::api::accept(&mut tx, &actor, id, &options).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "portal/decline-quote", input = Json, output = Json)]
pub async fn portal_decline_quote(id: Uuid, reason: String) -> Result<(), AppError> {
    respond(
        async {
            let (actor, _) = authorize_portal()?;
            let mut tx = pool()?.begin().await?;
            crate::quotes::api::decline(&mut tx, &actor, id, &reason).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[component]
pub fn PortalQuotesPage() -> impl IntoView {
    let quotes = Resource::new(|| (), |_| portal_quotes());
    view! {
        <Title text=t(Key::QuotesTitle)/>
        <h1>{t(Key::QuotesTitle)}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match quotes.await {
                    Ok(list) if list.is_empty() => view! { <EmptyState title=t(Key::QuoteNone)/> }.into_any(),
                    Ok(list) => view! {
                        <table class="table">
                            <thead><tr>
                                <th scope="col">{t(Key::QuoteNumber)}</th>
                                <th scope="col">{t(Key::QuoteSubject)}</th>
                                <th scope="col">{t(Key::QuoteStatus)}</th>
                                <th scope="col">{t(Key::QuoteValidUntil)}</th>
                                <th scope="col" class="num">{t(Key::InvoiceNet)}</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|quote| view! { <tr>
                                    <td><a href=format!("/portal/quotes/{}", quote.id)>{quote.number.clone()}</a></td>
                                    <td>{quote.title.clone()}</td>
                                    <td>{crate::quotes::pages::status_badge(quote.status, quote.expired)}</td>
                                    <td><Date date=quote.valid_until/></td>
                                    <td class="num"><Money amount=quote.net_total currency=quote.currency.clone()/></td>
                                </tr> }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn PortalQuotePage() -> impl IntoView {
    let (quote, reload) = use_quote(portal_quote);
    view! {
        <p><a href="/portal/quotes">"← "{t(Key::QuotesTitle)}</a></p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match quote.await {
                    Ok(detail) => view! { <PortalQuote detail reload/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PortalQuote(detail: QuoteDetail, reload: RwSignal<u32>) -> impl IntoView {
    let may_decide = crate::use_permission(crate::domain::Permission::AcceptQuotes);
    let s = detail.summary.clone();
    let id = s.id;
    let heading = format!("{} · {}", s.number, s.title);
    let latest = detail.versions.last().map(|v| v.version) == Some(detail.shown_version);
    let open = latest && s.status == QuoteStatus::Sent && !s.expired;
    let optional: Vec<(i32, String)> = detail
        .items
        .iter()
        .filter(|i| i.optional)
        .map(|i| (i.position, i.title.clone()))
        .collect();
    let accept = ServerAction::<PortalAcceptQuote>::new();
    let decline = ServerAction::<PortalDeclineQuote>::new();
    let taken = RwSignal::new(Vec::<i32>::new());
    let reason = RwSignal::new(String::new());
    Effect::new(move |_| {
        if matches!(accept.value().get(), Some(Ok(())))
            || matches!(decline.value().get(), Some(Ok(())))
        {
            reload.update(|v| *v += 1);
        }
    });
    let pdf = format!("/portal/quotes/{id}/versions/{}/pdf", detail.shown_version);
    view! {
        <Title text=heading.clone()/>
        <h1>{heading}</h1>
        <p class="muted">{crate::quotes::pages::status_badge(s.status, s.expired)}
            " · "{t(Key::QuoteValidUntil)}" "<Date date=detail.valid_until/>
            {(detail.versions.len() > 1).then(|| format!(" · {} {}", t(Key::QuoteVersion), detail.shown_version))}</p>
        <p><a class="button" href=pdf download="">{t(Key::QuotePdf)}</a></p>
        <QuoteItems detail=detail.clone()/>
        {(s.status == QuoteStatus::Accepted).then(|| view! { <p class="alert alert-info">{t(Key::PortalQuoteAccepted)}</p> })}
        {(open).then(|| view! {
            <Show when=move || may_decide.get()
                fallback=|| view! { <p class="hint">{t(Key::PortalQuoteOwnerDecides)}</p> }>
                <section class="card stack" aria-labelledby="portal-quote-decide">
                    <h2 id="portal-quote-decide">{t(Key::QuoteDecideTitle)}</h2>
                    <OptionPicker optional=optional.clone() taken/>
                    <p class="hint">{t(Key::PortalQuoteBinding)}</p>
                    <FormError result=accept.value()/>
                    <div class="actions">
                        <button type="button" class="button button-primary" disabled=move || accept.pending().get()
                            on:click=move |_| { accept.dispatch(PortalAcceptQuote { id, options: taken.get_untracked() }); }>{t(Key::PortalQuoteAccept)}</button>
                    </div>
                    <div class="field">
                        <label for="decline-reason">{t(Key::QuoteDeclineReason)}</label>
                        <input id="decline-reason" type="text" maxlength="1000" bind:value=reason/>
                    </div>
                    <FormError result=decline.value()/>
                    <div class="actions">
                        <button type="button" class="button" disabled=move || decline.pending().get()
                            on:click=move |_| { decline.dispatch(PortalDeclineQuote { id, reason: reason.get_untracked() }); }>{t(Key::PortalQuoteDecline)}</button>
                    </div>
                </section>
            </Show>
        })}
    }
}
