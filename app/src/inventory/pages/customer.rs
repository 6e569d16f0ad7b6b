use super::*;
use crate::inventory::api::load_customer_inventory;
use crate::ui::paging::Page;

/// The inventory section of the customer file. It loads with an action after hydration,
/// so the customer page may place it inside its own Suspense.
#[component]
pub fn CustomerInventory(customer_id: Uuid) -> impl IntoView {
    let load = Action::new(|id: &Uuid| load_customer_inventory(*id));
    Effect::new(move |_| {
        load.dispatch(customer_id);
    });
    view! {
        <section class="card" aria-labelledby="inventory-title">
            <h2 id="inventory-title">{t(Key::InvInventory)}</h2>
            {move || match load.value().get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(error)) => view! { <ErrorBox error/> }.into_any(),
                Some(Ok(inventory)) => tables(customer_id, inventory),
            }}
        </section>
    }
}

fn tables(customer_id: Uuid, inventory: CustomerInventory) -> AnyView {
    let CustomerInventory {
        domains,
        servers,
        certificates,
        zones,
    } = inventory;
    view! {
        {part(Key::NavDomains, Key::InvNoDomains, domains, format!("/domains?customer={customer_id}"),
            view! { <tr><th scope="col">{t(Key::InvDomain)}</th><th scope="col">{t(Key::Status)}</th><th scope="col">{t(Key::InvExpiresOn)}</th></tr> },
            |d: DomainRow| view! { <tr>
                <td><a href=format!("/domains/{}", d.id)><DomainText name=d.name ascii=d.ascii_name/></a></td>
                <td>{t(d.status.key())}</td>
                <td><Expiry expires_on=d.expires_on days_left=d.days_left/></td>
            </tr> })}
        {part(Key::NavServers, Key::InvNoServers, servers, format!("/servers?customer={customer_id}"),
            view! { <tr><th scope="col">{t(Key::InvHostname)}</th><th scope="col">{t(Key::InvIpAddresses)}</th><th scope="col">{t(Key::InvServerType)}</th></tr> },
            |s: ServerRow| view! { <tr>
                <td><a href=format!("/servers/{}", s.id)>{s.hostname}</a></td>
                <td><code>{s.ip_addresses.join(", ")}</code></td>
                <td>{t(s.server_type.key())}</td>
            </tr> })}
        {part(Key::InvCertificates, Key::InvNoCertificates, certificates, format!("/certificates?customer={customer_id}"),
            view! { <tr><th scope="col">{t(Key::InvCommonName)}</th><th scope="col">{t(Key::InvIssuer)}</th><th scope="col">{t(Key::InvExpiresOn)}</th></tr> },
            |c: CertificateRow| view! { <tr>
                <td><a href=format!("/certificates/{}", c.id)><DomainText name=c.common_name ascii=c.ascii_name/></a></td>
                <td>{c.issuer}</td>
                <td><Expiry expires_on=Some(c.expires_on) days_left=Some(c.days_left)/></td>
            </tr> })}
        {part(Key::InvZones, Key::InvNoZones, zones, format!("/zones?customer={customer_id}"),
            view! { <tr><th scope="col">{t(Key::InvZone)}</th><th scope="col">{t(Key::InvPrimaryNs)}</th><th scope="col">{t(Key::InvExpiresOn)}</th></tr> },
            |z: DnsZoneRow| view! { <tr>
                <td><a href=format!("/zones/{}", z.id)><DomainText name=z.name ascii=z.ascii_name/></a></td>
                <td>{z.primary_ns}</td>
                <td><Expiry expires_on=z.expires_on days_left=z.days_left/></td>
            </tr> })}
    }
    .into_any()
}

/// One kind's table, or a line saying there is none; more than fits links to the list.
fn part<T, H, R, V>(title: Key, empty: Key, page: Page<T>, list: String, head: H, row: R) -> AnyView
where
    H: IntoView + 'static,
    R: Fn(T) -> V,
    V: IntoView + 'static,
{
    let lang = use_lang();
    let shown = i64::try_from(page.items.len()).unwrap_or(i64::MAX);
    let more = (page.total_capped || page.total > shown).then(|| {
        let text = Key::InvShowAll.fill(lang, &[("count", &page.total.to_string())]);
        view! { <p><a href=list>{text}</a></p> }
    });
    let content = if page.items.is_empty() {
        view! { <p class="muted">{t(empty)}</p> }.into_any()
    } else {
        view! {
            <table class="table">
                <thead>{head}</thead>
                <tbody>{page.items.into_iter().map(row).collect_view()}</tbody>
            </table>
            {more}
        }
        .into_any()
    };
    view! { <h3>{t(title)}</h3>{content} }.into_any()
}
