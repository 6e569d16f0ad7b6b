//! The browser entry point: hydrates the server-rendered page.

#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    mark_hydrated();
}

/// Sets `window.__kontor_hydrated`, so browser tests know when the page is interactive.
fn mark_hydrated() {
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"__kontor_hydrated".into(), &true.into());
    }
}
