use super::model::*;
use crate::error::AppError;
use crate::ui::paging::{Page, PageRequest};
use leptos::prelude::*;
use leptos::server_fn::codec::{Json, MultipartData, MultipartFormData};
use uuid::Uuid;
#[cfg(feature = "ssr")]
use {
    super::{camt, repo},
    crate::audit::repo::{record, Event},
    crate::auth::context::{authorize, pool, respond, Actor},
    crate::domain::format,
    crate::domain::payment_matching::{BankTransaction, MatchReason, OpenBook},
    crate::domain::receivables::{days_sales_outstanding, AgingBucket},
    crate::domain::Permission,
    crate::error::FieldErrors,
    crate::i18n::Key,
    rust_decimal::Decimal,
    sqlx::PgConnection,
};

/// The largest statement file taken (a year of a busy account is a few MB).
pub const MAX_STATEMENT_BYTES: usize = 20 * 1024 * 1024;

/// Imports a camt.053 file: every booked entry not seen before becomes a payment, matched
/// against the open invoices; a file imported before changes nothing.
#[cfg(feature = "ssr")]
pub async fn import_statement(
    conn: &mut PgConnection,
    actor: &Actor,
    bytes: &[u8],
) -> Result<StatementOutcome, AppError> {
    use sha2::Digest;
    actor.require_staff(Permission::ManageBilling)?;
    let lang = actor.lang;
    let text = std::str::from_utf8(bytes)
        .map_err(|_| AppError::field("file", Key::PayErrNotCamt.text(lang)))?;
    let statements = camt::parse(text).map_err(|error| {
        let message = match error {
            camt::CamtError::Entry(position, element) => Key::PayErrEntry.fill(
                lang,
                &[("position", &position.to_string()), ("element", element)],
            ),
            camt::CamtError::NotXml(_) | camt::CamtError::NotCamt => {
                Key::PayErrNotCamt.text(lang).to_owned()
            }
        };
        AppError::field("file", message)
    })?;
    let sha256 = hex::encode(sha2::Sha256::digest(bytes));
    repo::lock_book(conn, actor.tenant_id).await?;
    let mut outcome = StatementOutcome::default();
    let invoices = repo::open_invoices(conn, actor.tenant_id, None).await?;
    let accounts = repo::known_accounts(conn, actor.tenant_id).await?;
    let mut book = OpenBook::new(invoices, accounts);
    for (index, statement) in statements.iter().enumerate() {
        let id = uuid::Uuid::new_v4();
        let fresh = repo::insert_statement(
            conn,
            actor.tenant_id,
            id,
            &statement.account_iban,
            &statement.statement_id,
            statement.from,
            statement.to,
            statement.entries.len(),
            &format!("{sha256}/{index}"),
            actor.user_id,
        )
        .await?;
        outcome.entries += statement.entries.len();
        if !fresh {
            outcome.known += statement.entries.len();
            continue;
        }
        outcome.statement_ids.push(id);
        let mut entries = Vec::with_capacity(statement.entries.len());
        for entry in &statement.entries {
            match &entry.batch_id {
                Some(batch) if entry.end_to_end_id.is_none() => {
                    let transactions =
                        match repo::collection_file(conn, actor.tenant_id, batch).await? {
                            Some(xml) => camt::collection_transactions(&xml, batch),
                            None => Vec::new(),
                        };
                    entries.extend(camt::split_collection(entry, &transactions));
                }
                _ => entries.push(entry.clone()),
            }
        }
        let references: Vec<String> = entries.iter().map(|e| e.bank_reference.clone()).collect();
        let known = repo::known_references(conn, actor.tenant_id, &references).await?;
        let mut payments = Vec::new();
        for entry in &entries {
            if known.contains(&entry.bank_reference) {
                outcome.known += 1;
                continue;
            }
            let matched = book.apply(&BankTransaction {
                amount: entry.amount,
                remittance: entry.remittance.clone(),
                end_to_end_id: entry.end_to_end_id.clone(),
                payer_iban: Some(entry.payer_iban.clone()).filter(|i| !i.is_empty()),
            });
            let status = if matched.is_settled() {
                outcome.allocated += 1;
                PaymentStatus::Allocated
            } else if entry.amount < Decimal::ZERO {
                outcome.ignored += 1;
                PaymentStatus::Ignored
            } else {
                outcome.unmatched += 1;
                PaymentStatus::Unmatched
            };
            if entry.amount > Decimal::ZERO {
                outcome.received += entry.amount;
            }
            let note = entry
                .return_reason
                .as_ref()
                .map(|code| Key::PayReturnReason.fill(lang, &[("code", code)]))
                .unwrap_or_default();
            payments.push(repo::NewPayment {
                id: uuid::Uuid::new_v4(),
                customer_id: matched.customer_id,
                received_on: entry.booked_on,
                amount: entry.amount,
                currency: entry.currency.clone(),
                method: if matched.reason == Some(MatchReason::DirectDebit) {
                    "direct_debit"
                } else {
                    "transfer"
                },
                payer_name: entry.payer_name.chars().take(200).collect(),
                payer_iban: entry.payer_iban.clone(),
                remittance: entry.remittance.chars().take(1000).collect(),
                end_to_end_id: entry.end_to_end_id.clone().unwrap_or_default(),
                match_reason: matched
                    .reason
                    .filter(|_| status == PaymentStatus::Allocated),
                status,
                bank_statement_id: Some(id),
                bank_reference: Some(entry.bank_reference.clone()),
                note,
                allocations: matched.allocations,
            });
        }
        repo::insert_payments(conn, actor.tenant_id, actor.user_id, &payments).await?;
    }
    record(
        conn,
        Event::by(
            actor,
            "bank_statement.imported",
            "bank_statement",
            outcome.statement_ids.first().copied().unwrap_or_default(),
        )
        .change(
            None,
            Some(serde_json::json!({
                "entries": outcome.entries, "allocated": outcome.allocated,
                "unmatched": outcome.unmatched, "known": outcome.known, "sha256": sha256,
            })),
        ),
    )
    .await?;
    Ok(outcome)
}

/// Invoice numbers written by a person: separated by spaces, commas or semicolons.
#[cfg(feature = "ssr")]
fn numbers_of(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Books `amount` to the invoices named (oldest first); the rest is the customer's
/// balance. Returns (allocations, customer).
#[cfg(feature = "ssr")]
async fn allocate_to_numbers(
    conn: &mut PgConnection,
    actor: &Actor,
    numbers: &str,
    amount: Decimal,
    customer: Option<Uuid>,
    errors: &mut FieldErrors,
) -> Result<(Vec<(Uuid, Decimal)>, Option<Uuid>), AppError> {
    let numbers = numbers_of(numbers);
    if numbers.is_empty() {
        return Ok((Vec::new(), customer));
    }
    let invoices = repo::open_invoices(conn, actor.tenant_id, Some(&numbers)).await?;
    let unknown: Vec<&str> = numbers
        .iter()
        .filter(|n| !invoices.iter().any(|i| &i.number == *n))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        errors.add(
            "invoice_numbers",
            Key::PayErrUnknownInvoices.fill(actor.lang, &[("numbers", &unknown.join(", "))]),
        );
        return Ok((Vec::new(), customer));
    }
    if let Some(other) = invoices
        .iter()
        .find(|i| customer.is_some_and(|c| c != i.customer_id))
    {
        errors.add(
            "invoice_numbers",
            Key::PayErrOtherCustomer.fill(actor.lang, &[("number", &other.number)]),
        );
        return Ok((Vec::new(), customer));
    }
    let first_customer = invoices.first().map(|i| i.customer_id);
    let mut book = OpenBook::new(invoices, []);
    let matched = book.apply(&BankTransaction {
        amount,
        remittance: numbers.join(" "),
        end_to_end_id: None,
        payer_iban: None,
    });
    if matched.allocations.is_empty() {
        errors.add("invoice_numbers", Key::PayErrAlreadyPaid.text(actor.lang));
    }
    Ok((matched.allocations, customer.or(first_customer)))
}

/// Records a payment entered by hand.
#[cfg(feature = "ssr")]
pub async fn record_payment(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &PaymentInput,
) -> Result<Uuid, AppError> {
    actor.require_staff(Permission::ManageBilling)?;
    let lang = actor.lang;
    let mut errors = FieldErrors::default();
    let received_on = format::parse_date(&input.received_on);
    if received_on.is_none() {
        errors.add("received_on", Key::ErrDate.text(lang));
    }
    let amount =
        format::parse_decimal(&input.amount).filter(|a| *a > Decimal::ZERO && a.scale() <= 2);
    if amount.is_none() {
        errors.add("amount", Key::PayErrAmount.text(lang));
    }
    let method = match input.method.as_str() {
        "transfer" | "" => "transfer",
        "cash" => "cash",
        "other" => "other",
        _ => {
            errors.add("method", Key::ErrFormat.text(lang));
            "other"
        }
    };
    if let Some(customer) = input.customer_id {
        if !repo::customer_exists(conn, actor.tenant_id, customer).await? {
            errors.add("customer_id", Key::ErrNotFound.text(lang));
        }
    }
    if input.note.chars().count() > 1000 {
        errors.add("note", Key::ErrTooLong.text(lang));
    }
    errors.clone().into_result()?;
    let (Some(received_on), Some(amount)) = (received_on, amount) else {
        return Err(AppError::Validation(errors));
    };
    repo::lock_book(conn, actor.tenant_id).await?;
    let (allocations, customer) = allocate_to_numbers(
        conn,
        actor,
        &input.invoice_numbers,
        amount,
        input.customer_id,
        &mut errors,
    )
    .await?;
    if customer.is_none() && errors.is_empty() {
        errors.add("customer_id", Key::PayErrWhose.text(lang));
    }
    errors.into_result()?;
    let id = Uuid::new_v4();
    let (_, currency) = crate::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    repo::insert_payments(
        conn,
        actor.tenant_id,
        actor.user_id,
        &[repo::NewPayment {
            id,
            customer_id: customer,
            received_on,
            amount,
            currency,
            method,
            payer_name: String::new(),
            payer_iban: String::new(),
            remittance: input.invoice_numbers.trim().to_owned(),
            end_to_end_id: String::new(),
            match_reason: Some(MatchReason::Manual),
            status: PaymentStatus::Allocated,
            bank_statement_id: None,
            bank_reference: None,
            note: input.note.trim().to_owned(),
            allocations,
        }],
    )
    .await?;
    record(
        conn,
        Event::by(actor, "payment.recorded", "payment", id).change(
            None,
            Some(
                serde_json::json!({ "amount": amount, "received_on": received_on,
                "customer": customer, "invoices": input.invoice_numbers }),
            ),
        ),
    )
    .await?;
    Ok(id)
}

/// Settles a payment from the review list: to invoices and/or a customer's balance, or
/// marks it as no customer payment.
#[cfg(feature = "ssr")]
pub async fn assign(
    conn: &mut PgConnection,
    actor: &Actor,
    payment_id: Uuid,
    input: &AssignInput,
) -> Result<(), AppError> {
    actor.require_staff(Permission::ManageBilling)?;
    repo::lock_book(conn, actor.tenant_id).await?;
    let (amount, _) = repo::lock_unmatched(conn, actor.tenant_id, payment_id)
        .await?
        .ok_or_else(|| AppError::Conflict(Key::PayErrNotInReview.text(actor.lang).to_owned()))?;
    if input.ignore {
        repo::settle(conn, payment_id, None, PaymentStatus::Ignored).await?;
    } else {
        let mut errors = FieldErrors::default();
        if let Some(customer) = input.customer_id {
            if !repo::customer_exists(conn, actor.tenant_id, customer).await? {
                errors.add("customer_id", Key::ErrNotFound.text(actor.lang));
            }
        }
        let (allocations, customer) = allocate_to_numbers(
            conn,
            actor,
            &input.invoice_numbers,
            amount,
            input.customer_id,
            &mut errors,
        )
        .await?;
        if customer.is_none() && errors.is_empty() {
            errors.add("customer_id", Key::PayErrWhose.text(actor.lang));
        }
        errors.into_result()?;
        repo::allocate(
            conn,
            allocations
                .iter()
                .map(|(invoice, share)| (payment_id, *invoice, *share))
                .collect(),
        )
        .await?;
        repo::settle(conn, payment_id, customer, PaymentStatus::Allocated).await?;
    }
    record(
        conn,
        Event::by(actor, "payment.assigned", "payment", payment_id).change(
            None,
            Some(serde_json::json!({ "invoices": input.invoice_numbers,
                "customer": input.customer_id, "ignored": input.ignore })),
        ),
    )
    .await?;
    Ok(())
}

/// The receivables summary (staff: the tenant's; portal: the own customer's).
#[cfg(feature = "ssr")]
pub async fn receivables_of(
    conn: &mut PgConnection,
    actor: &Actor,
) -> Result<Receivables, AppError> {
    actor.require_invoice_reader()?;
    let (today, _) = crate::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    let (open, invoiced, credit, unmatched) =
        repo::receivables(conn, actor.tenant_id, today, actor.customer_id).await?;
    let mut buckets: Vec<(AgingBucket, Decimal, i64)> = AgingBucket::ALL
        .into_iter()
        .map(|b| (b, Decimal::ZERO, 0))
        .collect();
    for (days, amount) in open {
        let bucket = AgingBucket::of_days(i64::from(days));
        if let Some(entry) = buckets.iter_mut().find(|(b, _, _)| *b == bucket) {
            entry.1 += amount;
            entry.2 += 1;
        }
    }
    let open_total: Decimal = buckets.iter().map(|(_, a, _)| *a).sum();
    let overdue_total = open_total - buckets[0].1;
    Ok(Receivables {
        dso_days: days_sales_outstanding(open_total, invoiced, 90),
        buckets,
        open_total,
        overdue_total,
        customer_credit: credit,
        unmatched_count: unmatched,
    })
}

/// What an invoice has been paid and what is open.
#[cfg(feature = "ssr")]
pub async fn payments_of_invoice(
    conn: &mut PgConnection,
    actor: &Actor,
    invoice_id: Uuid,
) -> Result<InvoicePayments, AppError> {
    actor.require_invoice_reader()?;
    let (today, _) = crate::contracts::repo::tenant_today(conn, actor.tenant_id).await?;
    let (gross, credited, due, payments) =
        repo::invoice_payments(conn, actor.tenant_id, invoice_id, actor.customer_id)
            .await?
            .ok_or(AppError::NotFound)?;
    let paid: Decimal = payments.iter().map(|(_, amount, _, _)| *amount).sum();
    let open = gross - credited - paid;
    Ok(InvoicePayments {
        credited,
        paid,
        open,
        overdue: open > Decimal::ZERO && due.is_some_and(|d| d < today),
        payments,
    })
}

#[server(prefix = "/sf", endpoint = "payments/import", input = MultipartFormData, output = Json)]
pub async fn import_bank_statement(data: MultipartData) -> Result<StatementOutcome, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let upload =
                crate::ui::upload::read_upload(data, "file", MAX_STATEMENT_BYTES, actor.lang)
                    .await?;
            let mut tx = pool()?.begin().await?;
            let outcome = import_statement(&mut tx, &actor, &upload.bytes).await?;
            tx.commit().await?;
            Ok(outcome)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "payments/list", input = Json, output = Json)]
pub async fn list_payments(
    filter: PaymentFilter,
    page: PageRequest,
) -> Result<Page<Payment>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            actor.require_staff(Permission::ManageBilling)?;
            let mut conn = pool()?.acquire().await?;
            Ok(repo::list(&mut conn, actor.tenant_id, &filter, None, &page).await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "payments/record", input = Json, output = Json)]
pub async fn record_manual_payment(input: PaymentInput) -> Result<Uuid, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            let id = record_payment(&mut tx, &actor, &input).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "payments/assign", input = Json, output = Json)]
pub async fn assign_payment(payment_id: Uuid, input: AssignInput) -> Result<(), AppError> {
    respond(
        async {
            let actor = authorize(Permission::ManageBilling)?;
            let mut tx = pool()?.begin().await?;
            assign(&mut tx, &actor, payment_id, &input).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "payments/open-items", input = Json, output = Json)]
pub async fn list_open_items(
    filter: OpenItemFilter,
    page: PageRequest,
) -> Result<Page<OpenItem>, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInvoices)?;
            let mut conn = pool()?.acquire().await?;
            let (today, _) =
                crate::contracts::repo::tenant_today(&mut conn, actor.tenant_id).await?;
            Ok(repo::open_items(
                &mut conn,
                actor.tenant_id,
                today,
                &filter,
                actor.customer_id,
                &page,
            )
            .await?)
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "payments/receivables", input = Json, output = Json)]
pub async fn load_receivables() -> Result<Receivables, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInvoices)?;
            let mut conn = pool()?.acquire().await?;
            receivables_of(&mut conn, &actor).await
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "payments/of-invoice", input = Json, output = Json)]
pub async fn load_invoice_payments(invoice_id: Uuid) -> Result<InvoicePayments, AppError> {
    respond(
        async {
            let actor = authorize(Permission::ViewInvoices)?;
            let mut conn = pool()?.acquire().await?;
            payments_of_invoice(&mut conn, &actor, invoice_id).await
        }
        .await,
    )
}
