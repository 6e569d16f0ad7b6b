use super::api::{load_tenant_settings, UpdateTenantSettings};
use super::model::TenantSettings;
use crate::i18n::{t, use_lang, Key};
use crate::ui::form::{field_errors, FormError, TextField};
use crate::ui::toast::use_toasts;
use crate::ui::{ErrorBox, Loading};
use leptos::prelude::*;
use leptos_meta::Title;

/// Picks an image file and keeps it as a `data:` URL; it is saved with the form.
#[component]
fn LogoPicker(
    value: RwSignal<String>,
    #[prop(into)] errors: Signal<crate::error::FieldErrors>,
) -> impl IntoView {
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                let file = gloo_file::File::from(file);
                leptos::task::spawn_local(async move {
                    if let Ok(url) = gloo_file::futures::read_as_data_url(&file).await {
                        value.set(url);
                    }
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let error = move || errors.with(|e| e.get("logo_data_url").map(str::to_owned));
    let has_logo = move || !value.with(String::is_empty);
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for="field-logo">{t(Key::Logo)}</label>
            <div class="logo-picker">
                {move || has_logo().then(|| view! { <img src=value.get() alt=t(Key::LogoPreview) class="logo-preview"/> })}
                <input id="field-logo" type="file" accept="image/png,image/jpeg,image/svg+xml,image/webp"
                    on:change=on_change aria-describedby="field-logo-hint"/>
                {move || has_logo().then(|| view! {
                    <button type="button" class="button" on:click=move |_| value.set(String::new())>{t(Key::RemoveLogo)}</button>
                })}
            </div>
            <p class="hint" id="field-logo-hint">{t(Key::LogoHint)}</p>
            {move || error().map(|message| view! { <p class="field-error" id="field-logo_data_url-error">{message}</p> })}
        </div>
    }
}

fn example(value: &str) -> String {
    format!("{} {value}", t(Key::ForExample))
}

#[component]
fn SettingsForm(settings: TenantSettings) -> impl IntoView {
    let action = ServerAction::<UpdateTenantSettings>::new();
    let errors = field_errors(action.value());
    let toasts = use_toasts();
    let lang = use_lang();
    let field = |v: &str| RwSignal::new(v.to_owned());
    let s = &settings;
    let (legal_name, street, postal_code, city, country) = (
        field(&s.legal_name),
        field(&s.street),
        field(&s.postal_code),
        field(&s.city),
        field(&s.country),
    );
    let (vat_id, tax_number, iban, bic, creditor_id) = (
        field(&s.vat_id),
        field(&s.tax_number),
        field(&s.iban),
        field(&s.bic),
        field(&s.creditor_id),
    );
    let (contact_name, phone, email) = (field(&s.contact_name), field(&s.phone), field(&s.email));
    let (time_zone, currency, brand_primary, brand_accent, logo) = (
        field(&s.time_zone),
        field(&s.currency),
        field(&s.brand_primary),
        field(&s.brand_accent),
        field(&s.logo_data_url),
    );
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            toasts.success(Key::SettingsSaved.text(lang));
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(UpdateTenantSettings {
            settings: TenantSettings {
                legal_name: legal_name.get_untracked(),
                street: street.get_untracked(),
                postal_code: postal_code.get_untracked(),
                city: city.get_untracked(),
                country: country.get_untracked(),
                vat_id: vat_id.get_untracked(),
                tax_number: tax_number.get_untracked(),
                iban: iban.get_untracked(),
                bic: bic.get_untracked(),
                creditor_id: creditor_id.get_untracked(),
                contact_name: contact_name.get_untracked(),
                phone: phone.get_untracked(),
                email: email.get_untracked(),
                time_zone: time_zone.get_untracked(),
                currency: currency.get_untracked(),
                brand_primary: brand_primary.get_untracked(),
                brand_accent: brand_accent.get_untracked(),
                logo_data_url: logo.get_untracked(),
            },
        });
    };
    view! {
        <form on:submit=submit class="stack" novalidate>
            <FormError result=action.value()/>
            <section class="card">
                <h2>{t(Key::LegalIdentity)}</h2>
                <TextField label=t(Key::LegalName) name="legal_name" value=legal_name errors required=true/>
                <TextField label=t(Key::Street) name="street" value=street errors/>
                <div class="grid-3">
                    <TextField label=t(Key::PostalCode) name="postal_code" value=postal_code errors/>
                    <TextField label=t(Key::City) name="city" value=city errors/>
                    <TextField label=t(Key::Country) name="country" value=country errors hint=example("DE")/>
                </div>
            </section>
            <section class="card">
                <h2>{t(Key::TaxAndBank)}</h2>
                <div class="grid-2">
                    <TextField label=t(Key::VatId) name="vat_id" value=vat_id errors hint=example("DE136695976")/>
                    <TextField label=t(Key::TaxNumber) name="tax_number" value=tax_number errors/>
                    <TextField label=t(Key::Iban) name="iban" value=iban errors hint=example("DE89 3704 0044 0532 0130 00")/>
                    <TextField label=t(Key::Bic) name="bic" value=bic errors/>
                    <TextField label=t(Key::CreditorId) name="creditor_id" value=creditor_id errors hint=example("DE98ZZZ09999999999")/>
                </div>
            </section>
            <section class="card">
                <h2>{t(Key::InvoiceContact)}</h2>
                <p class="hint">{t(Key::InvoiceContactHint)}</p>
                <div class="grid-3">
                    <TextField label=t(Key::InvoiceContactName) name="contact_name" value=contact_name errors/>
                    <TextField label=t(Key::InvoiceContactPhone) name="phone" value=phone errors kind="tel"/>
                    <TextField label=t(Key::InvoiceContactEmail) name="email" value=email errors kind="email"/>
                </div>
            </section>
            <section class="card">
                <h2>{t(Key::RegionAndBrand)}</h2>
                <div class="grid-2">
                    <TextField label=t(Key::TimeZone) name="time_zone" value=time_zone errors hint=example("Europe/Berlin")/>
                    <TextField label=t(Key::Currency) name="currency" value=currency errors hint=example("EUR")/>
                    <TextField label=t(Key::BrandPrimary) name="brand_primary" value=brand_primary errors hint=example("#1d4e89")/>
                    <TextField label=t(Key::BrandAccent) name="brand_accent" value=brand_accent errors hint=example("#b5530f")/>
                </div>
                <LogoPicker value=logo errors/>
            </section>
            <button type="submit" class="button button-primary" disabled=move || action.pending().get()>{t(Key::Save)}</button>
        </form>
    }
}

#[component]
pub fn TenantSettingsPage() -> impl IntoView {
    let settings = Resource::new(|| (), |_| load_tenant_settings());
    view! {
        <Title text=t(Key::NavSettings)/>
        <h1>{t(Key::NavSettings)}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! { <SettingsForm settings/> }.into_any(),
                    Err(error) => view! { <ErrorBox error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
