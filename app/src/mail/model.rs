use crate::i18n::{Key, Lang};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a template is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    Invoice,
    CreditNote,
    /// The e-mail a dunning letter is sent with.
    Dunning,
    /// The e-mail a quote's PDF is sent with.
    Quote,
}

impl MailKind {
    pub const ALL: [MailKind; 4] = [
        MailKind::Invoice,
        MailKind::CreditNote,
        MailKind::Dunning,
        MailKind::Quote,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Invoice => "invoice",
            MailKind::CreditNote => "credit_note",
            MailKind::Dunning => "dunning",
            MailKind::Quote => "quote",
        }
    }

    /// The placeholders its templates may use, each written `{name}`.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            MailKind::Invoice | MailKind::CreditNote => &DOCUMENT_PLACEHOLDERS,
            MailKind::Dunning => &DUNNING_PLACEHOLDERS,
            MailKind::Quote => &QUOTE_PLACEHOLDERS,
        }
    }

    pub fn parse(text: &str) -> Option<MailKind> {
        MailKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

const DOCUMENT_PLACEHOLDERS: [&str; 5] = ["number", "customer", "amount", "due_date", "tenant"];
/// `title` is the letter's level (Zahlungserinnerung, Mahnung, …), `number` the customer's.
const QUOTE_PLACEHOLDERS: [&str; 6] = [
    "number",
    "title",
    "customer",
    "amount",
    "valid_until",
    "tenant",
];
const DUNNING_PLACEHOLDERS: [&str; 6] = [
    "title", "number", "customer", "amount", "due_date", "tenant",
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailTemplate {
    pub kind: MailKind,
    pub language: String,
    pub subject: String,
    pub body: String,
    /// False while the built-in text is in use.
    pub customised: bool,
}

impl MailTemplate {
    /// The built-in text for `kind` in `lang`.
    pub fn default_for(kind: MailKind, lang: Lang) -> MailTemplate {
        let (subject, body) = match kind {
            MailKind::Invoice => (Key::MailInvoiceSubject, Key::MailInvoiceBody),
            MailKind::CreditNote => (Key::MailCreditNoteSubject, Key::MailCreditNoteBody),
            MailKind::Dunning => (Key::DunMailSubject, Key::DunMailBody),
            MailKind::Quote => (Key::MailQuoteSubject, Key::MailQuoteBody),
        };
        MailTemplate {
            kind,
            language: lang.code().to_owned(),
            subject: subject.text(lang).to_owned(),
            body: body.text(lang).replace("\\n", "\n"),
            customised: false,
        }
    }

    /// Placeholders the template uses that do not exist (typos show before anything is sent).
    pub fn unknown_placeholders(&self) -> Vec<String> {
        let mut unknown = Vec::new();
        for text in [&self.subject, &self.body] {
            let mut rest = text.as_str();
            while let Some(open) = rest.find('{') {
                let after = &rest[open + 1..];
                let Some(close) = after.find('}') else { break };
                let name = &after[..close];
                if !self.kind.placeholders().contains(&name) && !unknown.iter().any(|u| u == name) {
                    unknown.push(name.to_owned());
                }
                rest = &after[close + 1..];
            }
        }
        unknown
    }

    /// Subject and body with the placeholders filled in.
    pub fn render(&self, values: &[(&str, &str)]) -> (String, String) {
        (
            crate::i18n::fill_placeholders(&self.subject, values),
            crate::i18n::fill_placeholders(&self.body, values),
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for the worker (or for a mail server to be configured).
    Queued,
    Sending,
    /// The recipient's SMTP server (or our relay) accepted it.
    Sent,
    /// Refused for good, or out of attempts.
    Failed,
}

impl DeliveryStatus {
    pub fn parse(text: &str) -> DeliveryStatus {
        match text {
            "sending" => DeliveryStatus::Sending,
            "sent" => DeliveryStatus::Sent,
            "failed" => DeliveryStatus::Failed,
            _ => DeliveryStatus::Queued,
        }
    }

    pub fn label(self) -> Key {
        match self {
            DeliveryStatus::Queued => Key::MailQueued,
            DeliveryStatus::Sending => Key::MailSending,
            DeliveryStatus::Sent => Key::MailSent,
            DeliveryStatus::Failed => Key::MailFailed,
        }
    }
}

/// One mail of the outbox as staff see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: Uuid,
    pub invoice_id: Option<Uuid>,
    pub invoice_number: Option<String>,
    pub recipient: String,
    pub subject: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    /// In the tenant's time zone, `YYYY-MM-DD HH:MM`.
    pub created_at: String,
    pub sent_at: Option<String>,
    pub next_attempt_at: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_placeholders_and_name_unknown_ones() {
        let template = MailTemplate {
            kind: MailKind::Invoice,
            language: "de".into(),
            subject: "Rechnung {number}".into(),
            body: "Hallo {customer}, {amount} bis {due_date}. {betrag} {number}".into(),
            customised: true,
        };
        assert_eq!(template.unknown_placeholders(), vec!["betrag".to_owned()]);
        let (subject, body) = template.render(&[("number", "RE-1"), ("customer", "Krume")]);
        assert_eq!(subject, "Rechnung RE-1");
        assert!(body.starts_with("Hallo Krume, {amount}"));
        assert!(body.ends_with("RE-1"));
    }

    #[test]
    fn the_built_in_templates_use_only_known_placeholders() {
        for kind in MailKind::ALL {
            for lang in [Lang::De, Lang::En] {
                let template = MailTemplate::default_for(kind, lang);
                assert!(
                    template.unknown_placeholders().is_empty(),
                    "{kind:?} {lang:?}"
                );
                assert!(template.body.contains('\n'));
            }
        }
    }
}
