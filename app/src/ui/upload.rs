//! File uploads through a server function (`input = MultipartFormData`): the form posts
//! the browser's `FormData` (the file and any other fields, e.g. a dry-run checkbox), the
//! server reads it as a stream and stops at the size limit.
//!
//! ```ignore
//! #[server(prefix = "/sf", endpoint = "x/import", input = MultipartFormData, output = Json)]
//! pub async fn import_x(data: MultipartData) -> Result<Report, AppError> {
//!     let actor = authorize(Permission::X)?;          // before reading the body
//!     let upload = read_upload(data, "file", MAX_UPLOAD_BYTES, actor.lang).await?;
//!     let dry_run = upload.flag("dry_run");
//!     // … upload.bytes, upload.file_name
//! }
//!
//! let action = upload_action(import_x);
//! view! { <FileUploadForm action label="CSV file" submit_label="Import">
//!     <label><input type="checkbox" name="dry_run" value="1"/>" Dry run"</label>
//! </FileUploadForm> }
//! ```

use crate::error::AppError;
use crate::i18n::{t, use_lang, Key};
use leptos::prelude::*;
use leptos::server_fn::codec::MultipartData;
use leptos::web_sys::FormData;

/// The largest file the upload forms take.
pub const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;
/// Other fields of an upload form (checkboxes, options) are small.
#[cfg(feature = "ssr")]
const MAX_FIELD_BYTES: usize = 64 * 1024;

fn megabytes(bytes: usize) -> String {
    (bytes / (1024 * 1024)).to_string()
}

/// An uploaded file with the form's other fields.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub fields: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
impl Upload {
    /// The value of another field of the form.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    /// Whether a checkbox was ticked (sent at all, and not `false`/`0`).
    pub fn flag(&self, name: &str) -> bool {
        self.field(name)
            .is_some_and(|value| !matches!(value.trim(), "" | "0" | "false" | "off"))
    }
}

/// Reads the multipart body of an upload: the file in field `file_field` (at most
/// `limit_bytes`, counted while it streams in, so a bigger file is refused without being
/// held in memory) and the other fields. Problems are field errors on `file_field`.
#[cfg(feature = "ssr")]
pub async fn read_upload(
    data: MultipartData,
    file_field: &str,
    limit_bytes: usize,
    lang: crate::i18n::Lang,
) -> Result<Upload, AppError> {
    let broken = || AppError::field(file_field, Key::UploadErrBroken.text(lang));
    let mut multipart = data.into_inner().ok_or_else(broken)?;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut fields = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(|_| broken())? {
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = name == file_field;
        if is_file && file.is_some() {
            return Err(AppError::field(
                file_field,
                Key::UploadErrOneFile.text(lang),
            ));
        }
        let limit = if is_file {
            limit_bytes
        } else {
            MAX_FIELD_BYTES
        };
        let file_name = field.file_name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| broken())? {
            if bytes.len() + chunk.len() > limit {
                return Err(AppError::field(
                    file_field,
                    Key::UploadErrTooLarge.fill(lang, &[("megabytes", &megabytes(limit_bytes))]),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            file = Some((file_name, bytes));
        } else {
            fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    match file {
        Some((file_name, bytes)) if !bytes.is_empty() => Ok(Upload {
            file_name,
            bytes,
            fields,
        }),
        _ => Err(AppError::field(file_field, Key::UploadErrNoFile.text(lang))),
    }
}

/// The action an upload form dispatches: `upload` is the multipart server function.
pub fn upload_action<T, F, Fut>(upload: F) -> Action<FormData, Result<T, AppError>>
where
    T: 'static,
    F: Fn(MultipartData) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + 'static,
{
    Action::new_local(move |data: &FormData| upload(data.clone().into()))
}

/// A file input with its label, hint and error, the form's other fields (`children`), a
/// submit button and, while the file travels and the server works, a progress bar with
/// text. Files over `limit_bytes` are refused in the browser before they are sent.
#[component]
pub fn FileUploadForm<T>(
    action: Action<FormData, Result<T, AppError>>,
    #[prop(into)] label: String,
    #[prop(into)] submit_label: String,
    #[prop(optional, into)] hint: Option<String>,
    /// The file field's name; the server reads the file by it.
    #[prop(default = "file")]
    name: &'static str,
    #[prop(default = ".csv,text/csv,text/plain")] accept: &'static str,
    #[prop(default = MAX_UPLOAD_BYTES)] limit_bytes: usize,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView
where
    T: Clone + 'static,
{
    let lang = use_lang();
    let local_error = RwSignal::new(None::<String>);
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let pending = action.pending();
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let error = move || {
        local_error.get().or_else(|| {
            action.value().with(|value| match value {
                Some(Err(AppError::Validation(errors))) => errors.get(name).map(str::to_owned),
                _ => None,
            })
        })
    };
    let other_error = move || {
        action.value().with(|value| match value {
            Some(Err(error)) if !matches!(error, AppError::Validation(_)) => {
                Some(error.message(lang))
            }
            _ => None,
        })
    };
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
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        local_error.set(None);
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            let too_large = input_ref
                .get_untracked()
                .and_then(|input| input.files())
                .and_then(|files| files.get(0))
                .map(|file| {
                    file.size() > f64::from(u32::try_from(limit_bytes).unwrap_or(u32::MAX))
                });
            match too_large {
                None => local_error.set(Some(Key::UploadErrNoFile.text(lang).to_owned())),
                Some(true) => local_error.set(Some(
                    Key::UploadErrTooLarge.fill(lang, &[("megabytes", &megabytes(limit_bytes))]),
                )),
                Some(false) => {
                    let form = ev.target().and_then(|target| {
                        target.dyn_into::<leptos::web_sys::HtmlFormElement>().ok()
                    });
                    if let Some(data) = form.and_then(|form| FormData::new_with_form(&form).ok()) {
                        action.dispatch_local(data);
                    }
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (input_ref, limit_bytes);
    };
    view! {
        <form class="stack upload-form" enctype="multipart/form-data" novalidate on:submit=submit
            aria-busy=move || pending.get().then_some("true")>
            <div class="field" class:invalid=move || error().is_some()>
                <label for=id.clone()>{label}" *"</label>
                <input node_ref=input_ref id=id.clone() type="file" name=name accept=accept required=true
                    aria-invalid=move || if error().is_some() { "true" } else { "false" }
                    aria-describedby=described_by
                    on:change=move |_| local_error.set(None)/>
                {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
                {move || error().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
            </div>
            {children.map(|children| children())}
            {move || other_error().map(|message| view! { <div class="alert alert-error" role="alert">{message}</div> })}
            <div class="actions">
                <button type="submit" class="button button-primary" disabled=move || pending.get()>{submit_label}</button>
            </div>
            <div class="upload-progress" role="status" aria-live="polite">
                {move || pending.get().then(|| view! {
                    <progress aria-label=t(Key::UploadProgress)></progress>
                    <span>{t(Key::UploadProgress)}</span>
                })}
            </div>
        </form>
    }
}
