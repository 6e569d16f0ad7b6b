//! Pieces of server-paged tables: the page state lives in the URL (`?page=2&sort=email&desc=1&q=…`),
//! so reload, back button and shared links keep it.

use super::paging::{Page, PageRequest};
use crate::i18n::{t, use_lang, Key};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};

/// The page request the URL describes.
pub fn use_page_request() -> Memo<PageRequest> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| PageRequest::from_query(|k| q.get(k))))
}

/// Navigates to the same path with some query values changed.
fn set_query(changes: Vec<(&'static str, Option<String>)>) {
    let location = use_location();
    let navigate = use_navigate();
    let mut query = location.query.get_untracked();
    for (key, value) in changes {
        match value {
            Some(value) => query.replace(key, value),
            None => {
                query.remove(key);
            }
        }
    }
    let path = location.pathname.get_untracked();
    navigate(
        &format!("{path}{}", query.to_query_string()),
        Default::default(),
    );
}

/// A column header that sorts on click; `aria-sort` tells screen readers the state.
#[component]
pub fn SortHeader(#[prop(into)] label: String, column: &'static str) -> impl IntoView {
    let request = use_page_request();
    let state = move || {
        let r = request.get();
        (r.sort == column).then_some(r.descending)
    };
    let sort = move |_| {
        let descending = state() == Some(false);
        set_query(vec![
            ("sort", Some(column.to_owned())),
            ("desc", descending.then(|| "1".to_owned())),
            ("page", None),
        ]);
    };
    view! {
        <th scope="col" aria-sort=move || match state() { Some(true) => "descending", Some(false) => "ascending", None => "none" }>
            <button type="button" class="sort" on:click=sort>
                {label}
                <span aria-hidden="true">{move || match state() { Some(true) => " ▼", Some(false) => " ▲", None => " ↕" }}</span>
            </button>
        </th>
    }
}

/// Search box of a list; searching starts on page one.
#[component]
pub fn SearchBox(#[prop(into)] label: String) -> impl IntoView {
    let request = use_page_request();
    let value = RwSignal::new(request.get_untracked().search);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = value.get_untracked();
        set_query(vec![
            ("q", (!q.trim().is_empty()).then(|| q.trim().to_owned())),
            ("page", None),
        ]);
    };
    view! {
        <form class="search" role="search" on:submit=submit>
            <label for="list-search" class="visually-hidden">{label.clone()}</label>
            <input id="list-search" type="search" bind:value=value placeholder=label/>
            <button type="submit" class="button">{t(Key::Search)}</button>
        </form>
    }
}

/// "21–40 of 153" and previous/next buttons.
#[component]
pub fn Pager<T: Clone + Send + Sync + 'static>(page: Page<T>) -> impl IntoView {
    let lang = use_lang();
    let count = |n: i64| crate::domain::format::number(rust_decimal::Decimal::from(n), 0, lang);
    let (first, last) = page.range();
    let summary_key = if page.total_capped {
        Key::PagerSummaryMore
    } else {
        Key::PagerSummary
    };
    let summary = summary_key.fill(
        lang,
        &[
            ("first", &count(first)),
            ("last", &count(last)),
            ("total", &count(page.total)),
        ],
    );
    let current = page.page;
    // with a capped count the last page is unknown: a full page may have a next one
    let has_next = if page.total_capped {
        i64::from(page.per_page) == last - first + 1
    } else {
        current < page.last_page()
    };
    let position = if page.total_capped {
        Key::PageNumber.fill(lang, &[("page", &current.to_string())])
    } else {
        Key::PageOf.fill(
            lang,
            &[
                ("page", &current.to_string()),
                ("pages", &page.last_page().to_string()),
            ],
        )
    };
    let go = move |target: u32| set_query(vec![("page", (target > 1).then(|| target.to_string()))]);
    view! {
        <nav class="pager" aria-label=t(Key::Pagination)>
            <span>{summary}</span>
            <button type="button" class="button" disabled={current <= 1} on:click=move |_| go(current - 1)>
                {t(Key::Previous)}
            </button>
            <span>{position}</span>
            <button type="button" class="button" disabled={!has_next} on:click=move |_| go(current + 1)>
                {t(Key::Next)}
            </button>
        </nav>
    }
}

/// A button that asks before it acts, in a native modal dialog (focus and Escape handled
/// by the browser).
#[component]
pub fn ConfirmButton(
    #[prop(into)] label: String,
    #[prop(into)] question: String,
    #[prop(optional)] danger: bool,
    on_confirm: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let open = move |_| {
        if let Some(d) = dialog.get() {
            let _ = d.show_modal();
        }
    };
    let close = move || {
        if let Some(d) = dialog.get() {
            d.close();
        }
    };
    let confirm = move |_| {
        close();
        on_confirm();
    };
    let (button_label, dialog_label) = (label.clone(), label.clone());
    view! {
        <button type="button" class="button" class:button-danger=danger on:click=open>{button_label}</button>
        <dialog node_ref=dialog class="confirm" aria-label=dialog_label>
            <p>{question}</p>
            <div class="actions">
                <button type="button" class="button" on:click=move |_| close()>{t(Key::Cancel)}</button>
                <button type="button" class="button button-primary" class:button-danger=danger on:click=confirm>{label}</button>
            </div>
        </dialog>
    }
}

/// A server-paged table with its loading, empty and error states and the pager. `head`
/// gives the header row, `row` one body row per item.
#[component]
pub fn PagedTable<T, H, HV, R, RV>(
    data: Resource<Result<Page<T>, crate::error::AppError>>,
    #[prop(into)] empty: String,
    #[prop(optional)] class: &'static str,
    head: H,
    row: R,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    H: Fn() -> HV + Clone + Send + Sync + 'static,
    HV: IntoView + 'static,
    R: Fn(T) -> RV + Clone + Send + Sync + 'static,
    RV: IntoView + 'static,
{
    use crate::ui::{EmptyState, ErrorBox, Loading};
    view! {
        <Transition fallback=Loading>
            {move || {
                let (empty, head, row) = (empty.clone(), head.clone(), row.clone());
                Suspend::new(async move {
                    match data.await {
                        Ok(page) if page.items.is_empty() => view! { <EmptyState title=empty/> }.into_any(),
                        Ok(page) => view! {
                            <table class=format!("table {class}")>
                                <thead>{head()}</thead>
                                <tbody>{page.items.clone().into_iter().map(row).collect_view()}</tbody>
                            </table>
                            <Pager page/>
                        }.into_any(),
                        Err(error) => view! { <ErrorBox error/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
