use super::*;
use crate::inventory::api::{
    create_certificate, list_certificates, load_certificate, update_certificate,
};
use crate::ui::form::{field_errors, TextField};
use crate::ui::table::{use_page_request, PagedTable, SortHeader};

#[component]
pub fn CertificatesPage() -> impl IntoView {
    let request = use_page_request();
    let filter = use_filter();
    let certificates = Resource::new(
        move || (filter.get(), request.get()),
        |(filter, page)| list_certificates(filter, page),
    );
    view! {
        <ListHead title=Key::InvCertificates search=Key::InvSearchCertificates new_path="/certificates/new" new_label=Key::InvNewCertificate/>
        <InventoryTabs current="/certificates"/>
        <ListFilters filter=filter.get_untracked() path="/certificates" expiry=true/>
        <PagedTable data=certificates empty=t(Key::InvNoCertificates)
            head=|| view! { <tr>
                <SortHeader label=t(Key::InvCommonName) column="name"/>
                <SortHeader label=t(Key::InvCustomer) column="customer"/>
                <SortHeader label=t(Key::InvIssuer) column="issuer"/>
                <SortHeader label=t(Key::InvExpiresOn) column="expiry"/>
                <th scope="col">{t(Key::InvAutoRenew)}</th>
            </tr> }
            row=|c: CertificateRow| view! {
                <tr>
                    <td><a href=format!("/certificates/{}", c.id)><DomainText name=c.common_name ascii=c.ascii_name/></a></td>
                    <td><a href=format!("/customers/{}", c.customer_id)>{c.customer}</a></td>
                    <td>{c.issuer}</td>
                    <td><Expiry expires_on=Some(c.expires_on) days_left=Some(c.days_left)/></td>
                    <td>{yes_no(c.auto_renew)}</td>
                </tr>
            }/>
    }
}

#[derive(Clone, Copy)]
struct CertificateState {
    customer: RwSignal<Option<Uuid>>,
    contract: RwSignal<Option<Uuid>>,
    domain: RwSignal<Option<Uuid>>,
    server: RwSignal<Option<Uuid>>,
    common_name: RwSignal<String>,
    alt_names: RwSignal<String>,
    issuer: RwSignal<String>,
    valid_from: RwSignal<String>,
    expires_on: RwSignal<String>,
    auto_renew: RwSignal<bool>,
    notes: RwSignal<String>,
}

impl CertificateState {
    fn new(d: &CertificateInput) -> Self {
        let s = |v: &str| RwSignal::new(v.to_owned());
        CertificateState {
            customer: RwSignal::new(d.customer_id),
            contract: RwSignal::new(d.contract_id),
            domain: RwSignal::new(d.domain_id),
            server: RwSignal::new(d.server_id),
            common_name: s(&d.common_name),
            // one name per line, as certificate requests list them
            alt_names: RwSignal::new(d.alt_names.join("\n")),
            issuer: s(&d.issuer),
            valid_from: RwSignal::new(date_text(d.valid_from)),
            expires_on: RwSignal::new(date_text(d.expires_on)),
            auto_renew: RwSignal::new(d.auto_renew),
            notes: s(&d.notes),
        }
    }

    fn input(&self) -> CertificateInput {
        let g = |s: RwSignal<String>| s.get_untracked();
        CertificateInput {
            customer_id: self.customer.get_untracked(),
            contract_id: self.contract.get_untracked(),
            domain_id: self.domain.get_untracked(),
            server_id: self.server.get_untracked(),
            common_name: g(self.common_name),
            alt_names: g(self.alt_names)
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
            issuer: g(self.issuer),
            valid_from: date_value(&g(self.valid_from)),
            expires_on: date_value(&g(self.expires_on)),
            auto_renew: self.auto_renew.get_untracked(),
            notes: g(self.notes),
        }
    }
}

#[component]
fn CertificateEditor(record: Option<Certificate>, reload: RwSignal<usize>) -> impl IntoView {
    let id = record.as_ref().map(|r| r.id);
    let s = CertificateState::new(&record.as_ref().map(|r| r.data.clone()).unwrap_or_default());
    let save = save_action(id, create_certificate, update_certificate);
    let errors = field_errors(save.value());
    let links = use_links(s.customer, false);
    clear_on_change(s.customer, &[s.contract, s.domain, s.server]);
    let (title, subtitle) = match &record {
        Some(r) => (
            r.data.common_name.clone(),
            (r.data.common_name != r.ascii_name).then(|| r.ascii_name.clone()),
        ),
        None => (t(Key::InvNewCertificate).to_owned(), None),
    };
    let r = record.as_ref();
    let customer = r.and_then(|r| label(r.data.customer_id, Some(r.customer_label.clone())));
    let contract = r.and_then(|r| label(r.data.contract_id, r.contract_label.clone()));
    let domain = r.and_then(|r| label(r.data.domain_id, r.domain_label.clone()));
    let server = r.and_then(|r| label(r.data.server_id, r.server_label.clone()));
    view! {
        <RecordForm title subtitle path="/certificates" id save reload input=move || s.input()>
            <section class="card stack">
                <TextField label=t(Key::InvCommonName) name="common_name" value=s.common_name errors required=true hint=t(Key::InvCommonNameHint)/>
                <TextArea label=Key::InvAltNames name="alt_names" value=s.alt_names errors hint=Key::InvAltNamesHint/>
                <CustomerPicker value=s.customer initial=customer errors/>
                <div class="grid-3">
                    <LinkSelect label=Key::InvContract name="contract_id" value=s.contract
                        options=Signal::derive(move || links.get().contracts) initial=contract errors/>
                    <LinkSelect label=Key::InvDomain name="domain_id" value=s.domain
                        options=Signal::derive(move || links.get().domains) initial=domain errors/>
                    <LinkSelect label=Key::InvServer name="server_id" value=s.server
                        options=Signal::derive(move || links.get().servers) initial=server errors/>
                </div>
            </section>
            <section class="card stack">
                <h2>{t(Key::InvValidity)}</h2>
                <div class="grid-3">
                    <TextField label=t(Key::InvIssuer) name="issuer" value=s.issuer errors/>
                    <TextField label=t(Key::InvValidFrom) name="valid_from" value=s.valid_from errors kind="date"/>
                    <TextField label=t(Key::InvExpiresOn) name="expires_on" value=s.expires_on errors kind="date" required=true/>
                </div>
                <CheckField label=Key::InvAutoRenew name="auto_renew" value=s.auto_renew/>
                <TextArea label=Key::Notes name="notes" value=s.notes errors/>
            </section>
        </RecordForm>
    }
}

#[component]
pub fn NewCertificatePage() -> impl IntoView {
    view! { <CertificateEditor record=None reload=RwSignal::new(0)/> }
}

#[component]
pub fn CertificatePage() -> impl IntoView {
    let reload = RwSignal::new(0);
    record_page(load_certificate, reload, move |certificate| {
        view! { <CertificateEditor record=Some(certificate) reload/> }
    })
}
