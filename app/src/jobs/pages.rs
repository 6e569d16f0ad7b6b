use super::api::list_jobs;
use super::JobRow;
use crate::i18n::{t, Key};
use crate::ui::table::{use_page_request, PagedTable};
use crate::ui::LocalTime;
use leptos::prelude::*;
use leptos_meta::Title;

fn status_label(status: &str) -> (Key, &'static str, &'static str) {
    match status {
        "succeeded" => (Key::JobSucceeded, "badge badge-ok", "✓ "),
        "failed" => (Key::JobFailed, "badge badge-bad", "✗ "),
        "running" => (Key::JobRunning, "badge badge-warn", "▶ "),
        _ => (Key::JobQueued, "badge", "… "),
    }
}

#[component]
pub fn JobsPage() -> impl IntoView {
    let request = use_page_request();
    let jobs = Resource::new(move || request.get(), list_jobs);
    view! {
        <Title text=t(Key::NavJobs)/>
        <h1>{t(Key::NavJobs)}</h1>
        <p class="muted">{t(Key::JobsHint)}</p>
        <PagedTable data=jobs empty=t(Key::NoEntries)
            head=|| view! { <tr>
                <th scope="col">{t(Key::JobKind)}</th>
                <th scope="col">{t(Key::Status)}</th>
                <th scope="col">{t(Key::JobAttempts)}</th>
                <th scope="col">{t(Key::Created)}</th>
                <th scope="col">{t(Key::JobFinished)}</th>
                <th scope="col">{t(Key::JobError)}</th>
            </tr> }
            row=|job: JobRow| {
                let (key, class, icon) = status_label(&job.status);
                view! {
                    <tr>
                        <td><code>{job.kind}</code></td>
                        <td><span class=class>{icon}{t(key)}</span></td>
                        <td class="num">{job.attempts}</td>
                        <td><LocalTime value=job.created_at/></td>
                        <td>{job.finished_at.map(|v| view! { <LocalTime value=v/> })}</td>
                        <td class="truncate">{job.last_error}</td>
                    </tr>
                }
            }/>
    }
}
