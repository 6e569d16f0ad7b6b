use super::*;
use crate::inventory::api::{create_zone, list_zones, load_zone, update_zone};
use crate::ui::form::{field_errors, TextField};
use crate::ui::table::{use_page_request, PagedTable, SortHeader};

#[component]
pub fn ZonesPage() -> impl IntoView {
    let request = use_page_request();
    let filter = use_filter();
    let zones = Resource::new(
        move || (filter.get(), request.get()),
        |(filter, page)| list_zones(filter, page),
    );
    view! {
        <ListHead title=Key::InvZones search=Key::InvSearchZones new_path="/zones/new" new_label=Key::InvNewZone/>
        <InventoryTabs current="/zones"/>
        <ListFilters filter=filter.get_untracked() path="/zones" expiry=true/>
        <PagedTable data=zones empty=t(Key::InvNoZones)
            head=|| view! { <tr>
                <SortHeader label=t(Key::InvZone) column="name"/>
                <SortHeader label=t(Key::InvCustomer) column="customer"/>
                <th scope="col">{t(Key::InvPrimaryNs)}</th>
                <SortHeader label=t(Key::InvExpiresOn) column="expiry"/>
            </tr> }
            row=|z: DnsZoneRow| view! {
                <tr>
                    <td><a href=format!("/zones/{}", z.id)><DomainText name=z.name ascii=z.ascii_name/></a></td>
                    <td><a href=format!("/customers/{}", z.customer_id)>{z.customer}</a></td>
                    <td>{z.primary_ns}</td>
                    <td><Expiry expires_on=z.expires_on days_left=z.days_left/></td>
                </tr>
            }/>
    }
}

#[derive(Clone, Copy)]
struct ZoneState {
    customer: RwSignal<Option<Uuid>>,
    contract: RwSignal<Option<Uuid>>,
    domain: RwSignal<Option<Uuid>>,
    name: RwSignal<String>,
    primary_ns: RwSignal<String>,
    expires_on: RwSignal<String>,
    notes: RwSignal<String>,
}

impl ZoneState {
    fn new(d: &DnsZoneInput) -> Self {
        let s = |v: &str| RwSignal::new(v.to_owned());
        ZoneState {
            customer: RwSignal::new(d.customer_id),
            contract: RwSignal::new(d.contract_id),
            domain: RwSignal::new(d.domain_id),
            name: s(&d.name),
            primary_ns: s(&d.primary_ns),
            expires_on: RwSignal::new(date_text(d.expires_on)),
            notes: s(&d.notes),
        }
    }

    fn input(&self) -> DnsZoneInput {
        let g = |s: RwSignal<String>| s.get_untracked();
        DnsZoneInput {
            customer_id: self.customer.get_untracked(),
            contract_id: self.contract.get_untracked(),
            domain_id: self.domain.get_untracked(),
            name: g(self.name),
            primary_ns: g(self.primary_ns),
            expires_on: date_value(&g(self.expires_on)),
            notes: g(self.notes),
        }
    }
}

#[component]
fn ZoneEditor(record: Option<DnsZone>, reload: RwSignal<usize>) -> impl IntoView {
    let id = record.as_ref().map(|r| r.id);
    let s = ZoneState::new(&record.as_ref().map(|r| r.data.clone()).unwrap_or_default());
    let save = save_action(id, create_zone, update_zone);
    let errors = field_errors(save.value());
    let links = use_links(s.customer, false);
    clear_on_change(s.customer, &[s.contract, s.domain]);
    let (title, subtitle) = match &record {
        Some(r) => (
            r.data.name.clone(),
            (r.data.name != r.ascii_name).then(|| r.ascii_name.clone()),
        ),
        None => (t(Key::InvNewZone).to_owned(), None),
    };
    let r = record.as_ref();
    let customer = r.and_then(|r| label(r.data.customer_id, Some(r.customer_label.clone())));
    let contract = r.and_then(|r| label(r.data.contract_id, r.contract_label.clone()));
    let domain = r.and_then(|r| label(r.data.domain_id, r.domain_label.clone()));
    view! {
        <RecordForm title subtitle path="/zones" id save reload input=move || s.input()>
            <section class="card stack">
                <TextField label=t(Key::InvZoneName) name="name" value=s.name errors required=true hint=t(Key::InvDomainNameHint)/>
                <CustomerPicker value=s.customer initial=customer errors/>
                <div class="grid-2">
                    <LinkSelect label=Key::InvContract name="contract_id" value=s.contract
                        options=Signal::derive(move || links.get().contracts) initial=contract errors/>
                    <LinkSelect label=Key::InvDomain name="domain_id" value=s.domain
                        options=Signal::derive(move || links.get().domains) initial=domain errors/>
                    <TextField label=t(Key::InvPrimaryNs) name="primary_ns" value=s.primary_ns errors/>
                    <TextField label=t(Key::InvExpiresOn) name="expires_on" value=s.expires_on errors kind="date"/>
                </div>
                <TextArea label=Key::Notes name="notes" value=s.notes errors/>
            </section>
        </RecordForm>
    }
}

#[component]
pub fn NewZonePage() -> impl IntoView {
    view! { <ZoneEditor record=None reload=RwSignal::new(0)/> }
}

#[component]
pub fn ZonePage() -> impl IntoView {
    let reload = RwSignal::new(0);
    record_page(
        load_zone,
        reload,
        move |zone| view! { <ZoneEditor record=Some(zone) reload/> },
    )
}
