//! The user's language and every UI text (generated from `locales/*.txt` by build.rs).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    De,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.get(..2).map(str::to_ascii_lowercase).as_deref() {
            Some("de") => Some(Lang::De),
            Some("en") => Some(Lang::En),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header.split(',').find_map(|part| Lang::parse(part.trim()))
    }
}

include!(concat!(env!("OUT_DIR"), "/i18n_keys.rs"));

impl Key {
    /// The text with `{name}` placeholders filled in.
    pub fn fill(self, lang: Lang, values: &[(&str, &str)]) -> String {
        fill_placeholders(self.text(lang), values)
    }
}

/// `text` with every `{name}` replaced by its value; unknown placeholders stay as written.
pub fn fill_placeholders(text: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(text.to_owned(), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

/// The language of this page, provided by the app root.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// Shorthand for views: `t(Key::Save)`.
pub fn t(key: Key) -> &'static str {
    key.text(use_lang())
}
