use super::*;
use crate::inventory::api::{create_domain, list_domains, load_domain, update_domain};
use crate::ui::form::{field_errors, TextField};
use crate::ui::table::{use_page_request, PagedTable, SortHeader};

#[component]
fn StatusBadge(status: DomainStatus) -> impl IntoView {
    let class = match status {
        DomainStatus::Active => "badge badge-ok",
        DomainStatus::Expired | DomainStatus::Redemption => "badge badge-bad",
        DomainStatus::Deleted => "badge badge-off",
        _ => "badge",
    };
    view! { <span class=class>{t(status.key())}</span> }
}

#[component]
pub fn DomainsPage() -> impl IntoView {
    let request = use_page_request();
    let filter = use_filter();
    let domains = Resource::new(
        move || (filter.get(), request.get()),
        |(filter, page)| list_domains(filter, page),
    );
    let f = filter.get_untracked();
    view! {
        <ListHead title=Key::NavDomains search=Key::InvSearchDomains new_path="/domains/new" new_label=Key::InvNewDomain/>
        <InventoryTabs current="/domains"/>
        <ListFilters filter=f.clone() path="/domains" expiry=true>
            <div class="field">
                <label for="f-status">{t(Key::Status)}</label>
                <select id="f-status" name="status">
                    <option value="" selected=f.status.is_none()>{t(Key::All)}</option>
                    {DomainStatus::ALL.iter().map(|s| view! {
                        <option value=s.as_str() selected=f.status == Some(*s)>{t(s.key())}</option>
                    }).collect_view()}
                </select>
            </div>
        </ListFilters>
        <PagedTable data=domains empty=t(Key::InvNoDomains)
            head=|| view! { <tr>
                <SortHeader label=t(Key::InvDomain) column="name"/>
                <SortHeader label=t(Key::InvCustomer) column="customer"/>
                <th scope="col">{t(Key::InvRegistrar)}</th>
                <SortHeader label=t(Key::Status) column="status"/>
                <SortHeader label=t(Key::InvExpiresOn) column="expiry"/>
                <th scope="col">{t(Key::InvAutoRenew)}</th>
            </tr> }
            row=|d: DomainRow| view! {
                <tr>
                    <td><a href=format!("/domains/{}", d.id)><DomainText name=d.name ascii=d.ascii_name/></a></td>
                    <td><a href=format!("/customers/{}", d.customer_id)>{d.customer}</a></td>
                    <td>{d.registrar}</td>
                    <td><StatusBadge status=d.status/></td>
                    <td><Expiry expires_on=d.expires_on days_left=d.days_left/></td>
                    <td>{yes_no(d.auto_renew)}</td>
                </tr>
            }/>
    }
}

#[derive(Clone, Copy)]
struct DomainState {
    customer: RwSignal<Option<Uuid>>,
    contract: RwSignal<Option<Uuid>>,
    name: RwSignal<String>,
    registrar: RwSignal<String>,
    owner_handle: RwSignal<String>,
    admin_handle: RwSignal<String>,
    tech_handle: RwSignal<String>,
    zone_handle: RwSignal<String>,
    registered_on: RwSignal<String>,
    expires_on: RwSignal<String>,
    auto_renew: RwSignal<bool>,
    status: RwSignal<DomainStatus>,
    notes: RwSignal<String>,
}

impl DomainState {
    fn new(d: &DomainInput) -> Self {
        let s = |v: &str| RwSignal::new(v.to_owned());
        DomainState {
            customer: RwSignal::new(d.customer_id),
            contract: RwSignal::new(d.contract_id),
            name: s(&d.name),
            registrar: s(&d.registrar),
            owner_handle: s(&d.owner_handle),
            admin_handle: s(&d.admin_handle),
            tech_handle: s(&d.tech_handle),
            zone_handle: s(&d.zone_handle),
            registered_on: RwSignal::new(date_text(d.registered_on)),
            expires_on: RwSignal::new(date_text(d.expires_on)),
            auto_renew: RwSignal::new(d.auto_renew),
            status: RwSignal::new(d.status),
            notes: s(&d.notes),
        }
    }

    fn input(&self) -> DomainInput {
        let g = |s: RwSignal<String>| s.get_untracked();
        DomainInput {
            customer_id: self.customer.get_untracked(),
            contract_id: self.contract.get_untracked(),
            name: g(self.name),
            registrar: g(self.registrar),
            owner_handle: g(self.owner_handle),
            admin_handle: g(self.admin_handle),
            tech_handle: g(self.tech_handle),
            zone_handle: g(self.zone_handle),
            registered_on: date_value(&g(self.registered_on)),
            expires_on: date_value(&g(self.expires_on)),
            auto_renew: self.auto_renew.get_untracked(),
            status: self.status.get_untracked(),
            notes: g(self.notes),
        }
    }
}

#[component]
fn DomainEditor(record: Option<Domain>, reload: RwSignal<usize>) -> impl IntoView {
    let id = record.as_ref().map(|r| r.id);
    let s = DomainState::new(&record.as_ref().map(|r| r.data.clone()).unwrap_or_default());
    let save = save_action(id, create_domain, update_domain);
    let errors = field_errors(save.value());
    let links = use_links(s.customer, false);
    clear_on_change(s.customer, &[s.contract]);
    let (title, subtitle) = match &record {
        Some(r) => (
            r.data.name.clone(),
            (r.data.name != r.ascii_name).then(|| r.ascii_name.clone()),
        ),
        None => (t(Key::InvNewDomain).to_owned(), None),
    };
    let customer = record
        .as_ref()
        .and_then(|r| label(r.data.customer_id, Some(r.customer_label.clone())));
    let contract = record
        .as_ref()
        .and_then(|r| label(r.data.contract_id, r.contract_label.clone()));
    view! {
        <RecordForm title subtitle path="/domains" id save reload input=move || s.input()>
            <section class="card stack">
                <TextField label=t(Key::InvDomainName) name="name" value=s.name errors required=true hint=t(Key::InvDomainNameHint)/>
                <CustomerPicker value=s.customer initial=customer errors/>
                <div class="grid-2">
                    <LinkSelect label=Key::InvContract name="contract_id" value=s.contract
                        options=Signal::derive(move || links.get().contracts) initial=contract errors/>
                    <div class="field">
                        <label for="field-status">{t(Key::Status)}</label>
                        <select id="field-status" on:change=move |ev| {
                            if let Some(status) = DomainStatus::parse(&event_target_value(&ev)) { s.status.set(status); }
                        }>
                            {DomainStatus::ALL.iter().map(|status| view! {
                                <option value=status.as_str() selected=move || s.status.get() == *status>{t(status.key())}</option>
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                <CheckField label=Key::InvAutoRenew name="auto_renew" value=s.auto_renew/>
            </section>
            <section class="card stack">
                <h2>{t(Key::InvRegistration)}</h2>
                <div class="grid-3">
                    <TextField label=t(Key::InvRegistrar) name="registrar" value=s.registrar errors/>
                    <TextField label=t(Key::InvRegisteredOn) name="registered_on" value=s.registered_on errors kind="date"/>
                    <TextField label=t(Key::InvExpiresOn) name="expires_on" value=s.expires_on errors kind="date"/>
                </div>
                <div class="grid-2">
                    <TextField label=t(Key::InvOwnerHandle) name="owner_handle" value=s.owner_handle errors/>
                    <TextField label=t(Key::InvAdminHandle) name="admin_handle" value=s.admin_handle errors/>
                    <TextField label=t(Key::InvTechHandle) name="tech_handle" value=s.tech_handle errors/>
                    <TextField label=t(Key::InvZoneHandle) name="zone_handle" value=s.zone_handle errors/>
                </div>
                <TextArea label=Key::Notes name="notes" value=s.notes errors/>
            </section>
        </RecordForm>
    }
}

#[component]
pub fn NewDomainPage() -> impl IntoView {
    view! { <DomainEditor record=None reload=RwSignal::new(0)/> }
}

#[component]
pub fn DomainPage() -> impl IntoView {
    let reload = RwSignal::new(0);
    record_page(load_domain, reload, move |domain| {
        let owner = crate::vault::CredentialOwner::Domain(domain.id);
        let (check_target, check_label) = (domain.id, domain.data.name.clone());
        view! {
            <DomainEditor record=Some(domain) reload/>
            <crate::vault::pages::AttachedCredentials owner/>
            <crate::checks::pages::TargetChecks domain_id=check_target label=check_label/>
        }
    })
}
