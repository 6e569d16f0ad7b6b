//! Invoice e-mail against a real SMTP server (Debian's aiosmtpd, storing what it accepts in a
//! maildir that Python's email parser reads back): queued in the issuing transaction, sent
//! with the stored PDF and XML, retried after a failure, each mail once with two workers,
//! templates per tenant and language.

use crate::billing::{setup, Setup};
use crate::check_servers::{closed_port, smtp_maildir};
use axum::http::StatusCode;
use serde_json::{json, Value};
use server::mail::{send_due, transport, Smtp};

fn smtp_at(port: u16) -> Smtp {
    transport(&format!("smtp://127.0.0.1:{port}")).unwrap()
}

/// Every mail the server accepted for `recipient`: subject, from, body and attachments with
/// their SHA-256.
pub(crate) fn received(recipient: &str) -> Vec<Value> {
    let (_, maildir) = smtp_maildir();
    let script = r#"
import email, email.policy, hashlib, json, os, sys
maildir, recipient = sys.argv[1], sys.argv[2]
found = []
for sub in ("new", "cur"):
    folder = os.path.join(maildir, sub)
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        with open(os.path.join(folder, name), "rb") as f:
            message = email.message_from_binary_file(f, policy=email.policy.default)
        if message["To"] != recipient:
            continue
        attachments = [{"name": part.get_filename(), "type": part.get_content_type(),
                        "sha256": hashlib.sha256(part.get_content()).hexdigest()}
                       for part in message.iter_attachments()]
        found.append({"subject": str(message["Subject"]), "from": str(message["From"]),
                      "body": message.get_body(("plain",)).get_content(), "attachments": attachments})
print(json.dumps(found))
"#;
    let output = std::process::Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .arg(&maildir)
        .arg(recipient)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&output.stdout).unwrap()
}

async fn deliveries(s: &Setup, invoice: &str) -> Vec<Value> {
    let reply = s
        .app
        .call(
            "mail/deliveries",
            Some(&s.cookie),
            json!({ "invoice_id": invoice }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json().as_array().unwrap().clone()
}

/// One issued invoice for a customer whose invoices go to `recipient`; its id and number.
async fn issued_invoice(s: &Setup, recipient: &str) -> (String, String) {
    let customer = s
        .customer(
            "Bäckerei Krume",
            json!({ "email": "info@krume.example", "invoice_email": recipient }),
        )
        .await;
    s.contract(customer, "Webhosting M", "2026-11-01", "12.34", json!({}))
        .await;
    s.run("2026-11-01", false).await;
    let drafts = s.invoices("draft").await;
    let id = drafts[0]["id"].as_str().unwrap().to_owned();
    let issued = s.issue(&[&id]).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let number = issued.json()[0]["number"].as_str().unwrap().to_owned();
    (id, number)
}

#[tokio::test]
async fn an_issued_invoice_is_mailed_with_its_stored_pdf_and_xml_after_a_failed_attempt() {
    let s = setup("mailer").await;
    let recipient = "rechnungen@mailer-kunde.example";
    let (id, number) = issued_invoice(&s, recipient).await;
    let queued = deliveries(&s, &id).await;
    assert_eq!(queued.len(), 1, "queued in the issuing transaction");
    assert_eq!(queued[0]["status"], "queued");
    assert_eq!(queued[0]["recipient"], recipient);

    // the mail server is down: the attempt is recorded and the mail waits
    let down = smtp_at(closed_port());
    assert_eq!(
        send_due(&s.app.pool, &down, "kontor@localhost")
            .await
            .unwrap(),
        0
    );
    let waiting = deliveries(&s, &id).await;
    assert_eq!(waiting[0]["status"], "queued");
    assert_eq!(waiting[0]["attempts"], 1);
    assert!(waiting[0]["last_error"]
        .as_str()
        .is_some_and(|e| !e.is_empty()));
    assert!(waiting[0]["next_attempt_at"].is_string());
    // not due again yet
    let (port, _) = smtp_maildir();
    let up = smtp_at(port);
    assert_eq!(
        send_due(&s.app.pool, &up, "kontor@localhost")
            .await
            .unwrap(),
        0
    );
    assert!(received(recipient).is_empty());

    // the pause is over
    sqlx::query("update outbox_mails set next_attempt_at = now() where invoice_id = $1::uuid")
        .bind(&id)
        .execute(&s.app.pool)
        .await
        .unwrap();
    assert_eq!(
        send_due(&s.app.pool, &up, "kontor@localhost")
            .await
            .unwrap(),
        1
    );
    let sent = deliveries(&s, &id).await;
    assert_eq!(sent[0]["status"], "sent");
    assert!(sent[0]["sent_at"].is_string());

    let mails = received(recipient);
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(
        mail["subject"],
        format!("Ihre Rechnung {number} von mailer GmbH")
    );
    assert!(mail["from"]
        .as_str()
        .unwrap()
        .contains("rechnung@example.de"));
    let body = mail["body"].as_str().unwrap();
    assert!(body.contains("über 14,68\u{a0}€"), "{body}");
    let stored: Vec<(String, String)> = sqlx::query_as(
        "select format, sha256 from invoice_documents where invoice_id = $1::uuid order by format",
    )
    .bind(&id)
    .fetch_all(&s.app.pool)
    .await
    .unwrap();
    assert_eq!(
        mail["attachments"],
        json!([
            { "name": format!("{number}.pdf"), "type": "application/pdf", "sha256": stored[0].1 },
            { "name": format!("{number}-zugferd.xml"), "type": "application/xml", "sha256": stored[1].1 },
        ]),
        "the stored documents, byte for byte"
    );

    // sent again on request, to the customer's current address
    let again = s
        .app
        .call(
            "mail/send-again",
            Some(&s.cookie),
            json!({ "invoice_id": id }),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.json(), recipient);
    send_due(&s.app.pool, &up, "kontor@localhost")
        .await
        .unwrap();
    assert_eq!(received(recipient).len(), 2);

    // the same through the API
    let writer = s
        .app
        .token(s.tenant, &["billing:write", "invoices:read"])
        .await;
    let reader = s.app.token(s.tenant, &["invoices:read"]).await;
    let refused = s
        .app
        .send(crate::support::api(
            "POST",
            &format!("/api/v1/invoices/{id}/send"),
            &reader,
            None,
        ))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let queued = s
        .app
        .send(crate::support::api(
            "POST",
            &format!("/api/v1/invoices/{id}/send"),
            &writer,
            None,
        ))
        .await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.body);
    let listed = s
        .app
        .send(crate::support::api(
            "GET",
            &format!("/api/v1/invoices/{id}/deliveries"),
            &reader,
            None,
        ))
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let listed = listed.json();
    let statuses: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["queued", "sent", "sent"]);
}

#[tokio::test]
async fn two_workers_send_every_mail_exactly_once() {
    let s = setup("twomail").await;
    let mut recipients = Vec::new();
    for n in 0..24 {
        let recipient = format!("kunde{n}@twomail.example");
        let customer = s
            .customer(&format!("Kunde {n} GmbH"), json!({ "email": recipient }))
            .await;
        s.contract(customer, "Webhosting S", "2026-11-01", "5.00", json!({}))
            .await;
        recipients.push(recipient);
    }
    s.run("2026-11-01", false).await;
    let drafts = s.invoices("draft").await;
    let ids: Vec<&str> = drafts.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(s.issue(&ids).await.status, StatusCode::OK);
    let (port, _) = smtp_maildir();
    let (first, second) = (smtp_at(port), smtp_at(port));
    let (a, b) = tokio::join!(
        send_due(&s.app.pool, &first, "kontor@localhost"),
        send_due(&s.app.pool, &second, "kontor@localhost"),
    );
    assert_eq!(a.unwrap() + b.unwrap(), 24);
    for recipient in &recipients {
        assert_eq!(received(recipient).len(), 1, "{recipient}");
    }
}

#[tokio::test]
async fn tenants_write_their_own_templates_and_typos_are_refused() {
    let s = setup("vorlage").await;
    let typo = s
        .app
        .call(
            "mail/save-template",
            Some(&s.cookie),
            json!({ "template": { "kind": "invoice", "language": "de", "customised": true,
                "subject": "Rechnung {nummer}", "body": "Betrag: {amount}" } }),
        )
        .await;
    assert_eq!(typo.fields(), vec!["body"]);
    assert!(typo.body.contains("{nummer}"), "{}", typo.body);
    let saved = s
        .app
        .call(
            "mail/save-template",
            Some(&s.cookie),
            json!({ "template": { "kind": "invoice", "language": "de", "customised": true,
                "subject": "Neue Rechnung {number}", "body": "Moin {customer},\nzu zahlen: {amount}." } }),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let templates = s
        .app
        .call("mail/templates", Some(&s.cookie), json!({}))
        .await
        .json();
    assert_eq!(
        templates.as_array().unwrap().len(),
        8,
        "invoice, credit note, dunning and quote, in German and English"
    );
    assert_eq!(templates[0]["customised"], true);
    assert_eq!(
        templates[1]["customised"], false,
        "English keeps the built-in text"
    );

    let recipient = "post@vorlage-kunde.example";
    let (_, number) = issued_invoice(&s, recipient).await;
    let (port, _) = smtp_maildir();
    send_due(&s.app.pool, &smtp_at(port), "kontor@localhost")
        .await
        .unwrap();
    let mails = received(recipient);
    assert_eq!(mails[0]["subject"], format!("Neue Rechnung {number}"));
    assert!(mails[0]["body"]
        .as_str()
        .unwrap()
        .starts_with("Moin Bäckerei Krume,\nzu zahlen: 14,68\u{a0}€."));
}

#[tokio::test]
async fn a_dunning_letter_is_mailed_with_its_stored_pdf() {
    let s = setup("mahnpost").await;
    let recipient = "buchhaltung@saeumig.example";
    let customer = s
        .customer("Säumig GmbH", json!({ "invoice_email": recipient }))
        .await;
    crate::dunning::old_invoice(&s, customer, "ALT-7", 10, "59.50").await;
    let run = s
        .app
        .call("dunning/run", Some(&s.cookie), json!({ "request": {} }))
        .await;
    assert_eq!(run.status, StatusCode::OK, "{}", run.body);
    assert_eq!(
        run.json()["letters"].as_array().unwrap().len(),
        1,
        "{}",
        run.body
    );
    let pdf: Vec<u8> = sqlx::query_scalar("select pdf from dunning_letters")
        .fetch_one(&s.app.pool)
        .await
        .unwrap();
    let (port, _) = smtp_maildir();
    send_due(&s.app.pool, &smtp_at(port), "kontor@localhost")
        .await
        .unwrap();
    let mails = received(recipient);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let letter = &mails[0];
    assert!(letter["subject"]
        .as_str()
        .unwrap()
        .starts_with("Zahlungserinnerung"));
    assert!(letter["body"]
        .as_str()
        .unwrap()
        .contains("Offen sind insgesamt 59,50"));
    let attachment = &letter["attachments"][0];
    assert_eq!(attachment["type"], "application/pdf");
    assert!(attachment["name"].as_str().unwrap().starts_with("mahnung-"));
    use sha2::Digest;
    assert_eq!(
        attachment["sha256"],
        hex::encode(sha2::Sha256::digest(&pdf))
    );
}
