//! The bell in the staff header and the notifications page.

use super::api::{list_notifications, mark_notifications_read, unread_notifications};
use super::Notification;
use crate::error::AppError;
use crate::i18n::{t, use_lang, Key};
use crate::ui::table::{use_page_request, PagedTable};
use crate::ui::LocalTime;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;
use uuid::Uuid;

/// The unread count, shared by the bell and the page that marks notifications read.
#[derive(Clone, Copy)]
pub struct UnreadCount(Resource<Result<i64, AppError>>);

/// Called by the staff shell outside its Suspense: loads the count again on every
/// navigation, so new reminders show up without a reload.
pub fn provide_unread_count() {
    let location = use_location();
    let count = Resource::new(move || location.pathname.get(), |_| unread_notifications());
    provide_context(UnreadCount(count));
}

#[component]
pub fn NotificationBell() -> impl IntoView {
    let Some(UnreadCount(count)) = use_context::<UnreadCount>() else {
        return ().into_any();
    };
    let lang = use_lang();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let unread = count.await.unwrap_or(0);
                let label = Key::NotificationsUnread.fill(lang, &[("count", &unread.to_string())]);
                view! {
                    <a class="bell" href="/notifications" title=label.clone()>
                        // drawn, not an emoji: not every system has a font with a bell
                        <svg class="bell-icon" aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
                            <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"/>
                        </svg>
                        <span class="visually-hidden">{label.clone()}</span>
                        {(unread > 0).then(|| view! { <span class="bell-count" aria-hidden="true">{unread}</span> })}
                    </a>
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let request = use_page_request();
    let mark = Action::new(|id: &Option<Uuid>| mark_notifications_read(*id));
    let notifications = Resource::new(
        move || (request.get(), mark.version().get()),
        |(page, _)| list_notifications(page),
    );
    let unread = use_context::<UnreadCount>();
    Effect::new(move |_| {
        if let (Some(Ok(())), Some(UnreadCount(count))) = (mark.value().get(), unread) {
            count.refetch();
        }
    });
    view! {
        <Title text=t(Key::NavNotifications)/>
        <div class="page-head">
            <h1>{t(Key::NavNotifications)}</h1>
            <button type="button" class="button" on:click=move |_| { mark.dispatch(None); }>{t(Key::NotificationsMarkAllRead)}</button>
        </div>
        <PagedTable data=notifications empty=t(Key::NotificationsNone)
            head=|| view! { <tr>
                <th scope="col">{t(Key::NotificationsWhen)}</th>
                <th scope="col">{t(Key::NotificationsMessage)}</th>
                <th scope="col">{t(Key::Status)}</th>
            </tr> }
            row=move |n: Notification| {
                let id = n.id;
                view! {
                    <tr class:archived=n.read>
                        <td><LocalTime value=n.created_at/></td>
                        <td>
                            {if n.link.is_empty() {
                                view! { <strong>{n.title}</strong> }.into_any()
                            } else {
                                view! { <a href=n.link on:click=move |_| { mark.dispatch(Some(id)); }>{n.title}</a> }.into_any()
                            }}
                            {(!n.body.is_empty()).then(|| view! { <br/><span class="muted">{n.body}</span> })}
                        </td>
                        <td>{if n.read {
                            view! { <span class="badge badge-off">{t(Key::NotificationsRead)}</span> }.into_any()
                        } else {
                            view! {
                                <span class="badge">{t(Key::NotificationsNew)}</span>" "
                                <button type="button" class="link-button" on:click=move |_| { mark.dispatch(Some(id)); }>{t(Key::NotificationsMarkRead)}</button>
                            }.into_any()
                        }}</td>
                    </tr>
                }
            }/>
    }
}
