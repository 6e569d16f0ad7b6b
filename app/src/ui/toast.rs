//! Short confirmations ("Gespeichert") in a polite live region; they leave after a few seconds.

use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    id: u64,
    message: String,
    error: bool,
}

#[derive(Clone, Copy, Default)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next_id: RwSignal<u64>,
}

impl Toasts {
    pub fn success(&self, message: impl Into<String>) {
        self.push(message.into(), false);
    }

    pub fn error(&self, message: impl Into<String>) {
        self.push(message.into(), true);
    }

    fn push(&self, message: String, error: bool) {
        let id = self.next_id.get_untracked();
        self.next_id.set(id + 1);
        self.list
            .update(|list| list.push(Toast { id, message, error }));
        #[cfg(feature = "hydrate")]
        {
            let list = self.list;
            gloo_timers::callback::Timeout::new(6_000, move || {
                list.update(|list| list.retain(|t| t.id != id));
            })
            .forget();
        }
    }
}

pub fn use_toasts() -> Toasts {
    use_context::<Toasts>().unwrap_or_default()
}

#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.list.get() key=|t| t.id let:toast>
                <div class="toast" class:toast-error=toast.error>
                    <span class="toast-icon" aria-hidden="true">{if toast.error { "⚠" } else { "✓" }}</span>
                    {toast.message}
                </div>
            </For>
        </div>
    }
}
