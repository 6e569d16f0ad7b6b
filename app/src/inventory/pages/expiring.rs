use super::*;
use crate::inventory::api::list_expiring;
use crate::ui::table::{use_page_request, PagedTable};

/// "Läuft ab": what expires within 30, 60 or 90 days (tabs), and what expired lately.
#[component]
pub fn ExpiringPage() -> impl IntoView {
    let request = use_page_request();
    let query = use_query_map();
    let days = Memo::new(move |_| {
        query
            .with(|q| q.get("days").and_then(|d| d.parse().ok()))
            .filter(|d| EXPIRY_WINDOWS.contains(d))
            .unwrap_or(EXPIRY_WINDOWS[0])
    });
    let items = Resource::new(
        move || (days.get(), request.get()),
        |(days, page)| list_expiring(days, page),
    );
    let lang = use_lang();
    view! {
        <Title text=t(Key::NavExpiring)/>
        <h1>{t(Key::NavExpiring)}</h1>
        <nav class="tabs" aria-label=t(Key::InvExpiryWindow)>
            {EXPIRY_WINDOWS.into_iter().map(|window| view! {
                <a href=format!("/expiring?days={window}") aria-current=move || (days.get() == window).then_some("page")>
                    {Key::InvWithinDays.fill(lang, &[("days", &window.to_string())])}
                </a>
            }).collect_view()}
        </nav>
        <p class="hint">{t(Key::InvExpiringHint)}</p>
        <PagedTable data=items empty=t(Key::InvNothingExpires)
            head=|| view! { <tr>
                <th scope="col">{t(Key::InvKind)}</th>
                <th scope="col">{t(Key::Name)}</th>
                <th scope="col">{t(Key::InvCustomer)}</th>
                <th scope="col">{t(Key::InvExpiresOn)}</th>
                <th scope="col">{t(Key::InvRemaining)}</th>
                <th scope="col">{t(Key::InvAutoRenew)}</th>
            </tr> }
            row=|item: ExpiringItem| view! {
                <tr>
                    <td>{t(item.kind.key())}</td>
                    <td><a href=format!("{}/{}", item.kind.path(), item.id)><DomainText name=item.name ascii=item.ascii_name/></a></td>
                    <td><a href=format!("/customers/{}", item.customer_id)>{item.customer}</a></td>
                    <td><Date date=item.expires_on/></td>
                    <td><DaysLeft days=item.days_left/></td>
                    // zones do not renew themselves
                    <td>{(item.kind != ExpiryKind::Zone).then(|| yes_no(item.auto_renew))}</td>
                </tr>
            }/>
    }
}
