//! Form fields with labels and inline errors tied to the input (`aria-describedby`).

use crate::error::{AppError, FieldErrors};
use crate::i18n::{t, use_lang, Key};
use leptos::prelude::*;

/// The field errors of an action's last result, for the fields of a form.
pub fn field_errors<T: Send + Sync + 'static>(
    result: impl Into<Signal<Option<Result<T, AppError>>>>,
) -> Signal<FieldErrors> {
    let result: Signal<Option<Result<T, AppError>>> = result.into();
    Signal::derive(move || {
        result.with(|r| match r {
            Some(Err(AppError::Validation(errors))) => errors.clone(),
            _ => FieldErrors::default(),
        })
    })
}

/// A form-level error that is not about one field.
#[component]
pub fn FormError<T: Send + Sync + Clone + 'static>(
    #[prop(into)] result: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView {
    let lang = use_lang();
    move || match result.get() {
        Some(Err(error)) if !matches!(error, AppError::Validation(_)) => {
            Some(view! { <div class="alert alert-error" role="alert">{error.message(lang)}</div> })
        }
        Some(Err(AppError::Validation(_))) => Some(view! {
            <div class="alert alert-error" role="alert">{AppError::Validation(FieldErrors::default()).message(lang)}</div>
        }),
        _ => None,
    }
}

/// The error of one field that is not a `TextField` (selects, text areas, pickers).
#[component]
pub fn FieldError(#[prop(into)] errors: Signal<FieldErrors>, field: &'static str) -> impl IntoView {
    move || {
        errors.with(|e| e.get(field).map(|m| view! { <p class="field-error" id=format!("field-{field}-error")>{m.to_owned()}</p> }))
    }
}

#[component]
pub fn TextField(
    #[prop(into)] label: String,
    name: &'static str,
    value: RwSignal<String>,
    #[prop(into)] errors: Signal<FieldErrors>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let error = move || errors.with(|e| e.get(name).map(str::to_owned));
    let described_by = {
        let (error_id, hint_id, has_hint) = (error_id.clone(), hint_id.clone(), hint.is_some());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id.clone()>{label}{required.then_some(" *")}</label>
            <input
                id=id.clone()
                name=name
                type=kind
                bind:value=value
                required=required
                autocomplete=autocomplete
                aria-invalid=move || if error().is_some() { "true" } else { "false" }
                aria-describedby=described_by
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            {move || error().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
        </div>
    }
}

/// A select over an enum's values, sent by their stored names (`as_str`/`parse`).
#[component]
pub fn SelectField<T>(
    label: Key,
    name: &'static str,
    value: RwSignal<T>,
    /// value, stored name, label
    options: Vec<(T, &'static str, Key)>,
    parse: fn(&str) -> Option<T>,
    #[prop(into)] errors: Signal<FieldErrors>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let id = format!("field-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{t(label)}</label>
            <select id=id aria-describedby=format!("field-{name}-error")
                on:change=move |ev| { if let Some(v) = parse(&event_target_value(&ev)) { value.set(v); } }>
                {options.into_iter().map(|(option, stored, key)| view! {
                    <option value=stored selected=move || value.get() == option>{t(key)}</option>
                }).collect_view()}
            </select>
            <FieldError errors field=name/>
        </div>
    }
}
