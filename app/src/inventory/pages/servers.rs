use super::*;
use crate::inventory::api::{
    create_server, link_server_to_contract, list_servers, load_server, update_server,
};
use crate::ui::form::{field_errors, TextField};
use crate::ui::table::{use_page_request, PagedTable, SortHeader};

#[component]
pub fn ServersPage() -> impl IntoView {
    let request = use_page_request();
    let filter = use_filter();
    let servers = Resource::new(
        move || (filter.get(), request.get()),
        |(filter, page)| list_servers(filter, page),
    );
    let f = filter.get_untracked();
    view! {
        <ListHead title=Key::NavServers search=Key::InvSearchServers new_path="/servers/new" new_label=Key::InvNewServer/>
        {f.customer_id.is_some().then(|| view! { <ListFilters filter=f.clone() path="/servers"/> })}
        <PagedTable data=servers empty=t(Key::InvNoServers)
            head=|| view! { <tr>
                <SortHeader label=t(Key::InvHostname) column="hostname"/>
                <th scope="col">{t(Key::InvIpAddresses)}</th>
                <SortHeader label=t(Key::InvServerType) column="type"/>
                <SortHeader label=t(Key::InvLocation) column="location"/>
                <SortHeader label=t(Key::InvCustomer) column="customer"/>
            </tr> }
            row=|s: ServerRow| view! {
                <tr class:archived=s.decommissioned>
                    <td>
                        <a href=format!("/servers/{}", s.id)>{s.hostname}</a>
                        {s.decommissioned.then(|| view! { " " <span class="badge badge-off">{t(Key::InvDecommissioned)}</span> })}
                    </td>
                    <td><code>{s.ip_addresses.join(", ")}</code></td>
                    <td>{t(s.server_type.key())}</td>
                    <td>{s.location}</td>
                    <td>{match (s.customer_id, s.customer) {
                        (Some(id), Some(name)) => view! { <a href=format!("/customers/{id}")>{name}</a> }.into_any(),
                        _ => view! { <span class="muted">{t(Key::InvAgencyServer)}</span> }.into_any(),
                    }}</td>
                </tr>
            }/>
    }
}

#[derive(Clone, Copy)]
struct ServerState {
    customer: RwSignal<Option<Uuid>>,
    hostname: RwSignal<String>,
    ip_addresses: RwSignal<String>,
    server_type: RwSignal<ServerType>,
    location: RwSignal<String>,
    operating_system: RwSignal<String>,
    cpu_cores: RwSignal<String>,
    memory_gb: RwSignal<String>,
    storage_gb: RwSignal<String>,
    decommissioned_on: RwSignal<String>,
    notes: RwSignal<String>,
}

/// Empty is "not known"; anything but a number becomes 0, which the server reports.
fn number_value(text: &str) -> Option<i32> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.parse().unwrap_or(0))
}

impl ServerState {
    fn new(d: &ServerInput) -> Self {
        let s = |v: &str| RwSignal::new(v.to_owned());
        let n = |v: Option<i32>| RwSignal::new(v.map(|v| v.to_string()).unwrap_or_default());
        ServerState {
            customer: RwSignal::new(d.customer_id),
            hostname: s(&d.hostname),
            ip_addresses: RwSignal::new(d.ip_addresses.join(", ")),
            server_type: RwSignal::new(d.server_type),
            location: s(&d.location),
            operating_system: s(&d.operating_system),
            cpu_cores: n(d.cpu_cores),
            memory_gb: n(d.memory_gb),
            storage_gb: n(d.storage_gb),
            decommissioned_on: RwSignal::new(date_text(d.decommissioned_on)),
            notes: s(&d.notes),
        }
    }

    fn input(&self) -> ServerInput {
        let g = |s: RwSignal<String>| s.get_untracked();
        ServerInput {
            customer_id: self.customer.get_untracked(),
            hostname: g(self.hostname),
            ip_addresses: g(self.ip_addresses)
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
            server_type: self.server_type.get_untracked(),
            location: g(self.location),
            operating_system: g(self.operating_system),
            cpu_cores: number_value(&g(self.cpu_cores)),
            memory_gb: number_value(&g(self.memory_gb)),
            storage_gb: number_value(&g(self.storage_gb)),
            decommissioned_on: date_value(&g(self.decommissioned_on)),
            notes: g(self.notes),
        }
    }
}

#[component]
fn ServerEditor(record: Option<Server>, reload: RwSignal<usize>) -> impl IntoView {
    let id = record.as_ref().map(|r| r.id);
    let s = ServerState::new(&record.as_ref().map(|r| r.data.clone()).unwrap_or_default());
    let save = save_action(id, create_server, update_server);
    let errors = field_errors(save.value());
    let title = match &record {
        Some(r) => r.data.hostname.clone(),
        None => t(Key::InvNewServer).to_owned(),
    };
    let customer = record
        .as_ref()
        .and_then(|r| label(r.data.customer_id, r.customer_label.clone()));
    view! {
        <RecordForm title subtitle=None path="/servers" id save reload input=move || s.input()>
            <section class="card stack">
                <div class="grid-2">
                    <TextField label=t(Key::InvHostname) name="hostname" value=s.hostname errors required=true/>
                    <div class="field">
                        <label for="field-server_type">{t(Key::InvServerType)}</label>
                        <select id="field-server_type" on:change=move |ev| {
                            if let Some(kind) = ServerType::parse(&event_target_value(&ev)) { s.server_type.set(kind); }
                        }>
                            {ServerType::ALL.iter().map(|kind| view! {
                                <option value=kind.as_str() selected=move || s.server_type.get() == *kind>{t(kind.key())}</option>
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                <CustomerPicker value=s.customer initial=customer errors none=Key::InvAgencyServer/>
                <TextField label=t(Key::InvIpAddresses) name="ip_addresses" value=s.ip_addresses errors hint=t(Key::InvIpAddressesHint)/>
                <div class="grid-2">
                    <TextField label=t(Key::InvLocation) name="location" value=s.location errors/>
                    <TextField label=t(Key::InvOperatingSystem) name="operating_system" value=s.operating_system errors/>
                </div>
                <div class="grid-3">
                    <TextField label=t(Key::InvCpuCores) name="cpu_cores" value=s.cpu_cores errors kind="number"/>
                    <TextField label=t(Key::InvMemoryGb) name="memory_gb" value=s.memory_gb errors kind="number"/>
                    <TextField label=t(Key::InvStorageGb) name="storage_gb" value=s.storage_gb errors kind="number"/>
                </div>
                <TextField label=t(Key::InvDecommissionedOn) name="decommissioned_on" value=s.decommissioned_on errors kind="date"/>
                <TextArea label=Key::Notes name="notes" value=s.notes errors/>
            </section>
        </RecordForm>
    }
}

/// The contracts a stored server delivers, with linking and unlinking.
#[component]
fn ContractLinks(server: Server, reload: RwSignal<usize>) -> impl IntoView {
    let server_id = server.id;
    let links = use_links(RwSignal::new(server.data.customer_id), true);
    let chosen = RwSignal::new(None::<Uuid>);
    let link = Action::new(move |(contract_id, linked): &(Uuid, bool)| {
        link_server_to_contract(server_id, *contract_id, *linked)
    });
    let errors = field_errors(link.value());
    Effect::new(move |_| {
        if let Some(Ok(())) = link.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    let manage = crate::use_permission(Permission::ManageInventory);
    view! {
        <section class="card stack" aria-labelledby="contracts-title">
            <h2 id="contracts-title">{t(Key::InvLinkedContracts)}</h2>
            <FormError result=link.value()/>
            {if server.contracts.is_empty() {
                view! { <p class="muted">{t(Key::InvNoLinkedContracts)}</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr>
                            <th scope="col">{t(Key::InvContract)}</th>
                            <th scope="col"><span class="visually-hidden">{t(Key::Actions)}</span></th>
                        </tr></thead>
                        <tbody>
                            {server.contracts.into_iter().map(|contract| {
                                let contract_id = contract.id;
                                view! { <tr>
                                    <td><a href=format!("/contracts/{contract_id}")>{contract.label}</a></td>
                                    <td>{move || manage.get().then(|| view! {
                                        <button type="button" class="button" on:click=move |_| { link.dispatch((contract_id, false)); }>{t(Key::InvUnlink)}</button>
                                    })}</td>
                                </tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {move || manage.get().then(|| view! {
                <form class="filters" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    if let Some(contract_id) = chosen.get_untracked() { link.dispatch((contract_id, true)); }
                }>
                    <LinkSelect label=Key::InvContract name="contract_id" value=chosen
                        options=Signal::derive(move || links.get().contracts) initial=None errors/>
                    <button type="submit" class="button">{t(Key::InvLink)}</button>
                </form>
            })}
        </section>
    }
}

#[component]
pub fn NewServerPage() -> impl IntoView {
    view! { <ServerEditor record=None reload=RwSignal::new(0)/> }
}

#[component]
pub fn ServerPage() -> impl IntoView {
    let reload = RwSignal::new(0);
    record_page(load_server, reload, move |server: Server| {
        let owner = crate::vault::CredentialOwner::Server(server.id);
        let (check_target, check_label) = (server.id, server.data.hostname.clone());
        view! {
            <ServerEditor record=Some(server.clone()) reload/>
            <ContractLinks server reload/>
            <crate::vault::pages::AttachedCredentials owner/>
            <crate::checks::pages::TargetChecks server_id=check_target label=check_label/>
        }
    })
}
