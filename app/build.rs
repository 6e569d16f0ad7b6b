//! Turns `locales/de.txt` and `locales/en.txt` (`key = text` lines) into the `Key` enum, so
//! a missing or misspelt text is a compile error and both languages stay complete.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::{env, fs, path::Path};

fn read(lang: &str) -> BTreeMap<String, String> {
    let path = format!("locales/{lang}.txt");
    println!("cargo:rerun-if-changed={path}");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut map = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(" = ")
            .unwrap_or_else(|| panic!("{path}:{}: expected `key = text`", n + 1));
        if map
            .insert(key.trim().to_owned(), value.trim().to_owned())
            .is_some()
        {
            panic!("{path}:{}: duplicate key {key}", n + 1);
        }
    }
    map
}

fn variant(key: &str) -> String {
    key.split(['_', '.'])
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn main() {
    let de = read("de");
    let en = read("en");
    if let Some(key) = de.keys().find(|k| !en.contains_key(*k)) {
        panic!("locales/en.txt lacks `{key}`");
    }
    if let Some(key) = en.keys().find(|k| !de.contains_key(*k)) {
        panic!("locales/de.txt lacks `{key}`");
    }
    let mut out = String::from(
        "/// Every text of the UI; `text(lang)` gives it in German or English.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]\n\
         pub enum Key {\n",
    );
    for key in de.keys() {
        let _ = writeln!(out, "    {},", variant(key));
    }
    out.push_str("}\n\nimpl Key {\n    pub fn text(self, lang: Lang) -> &'static str {\n        match (self, lang) {\n");
    for (key, text) in &de {
        let _ = writeln!(
            out,
            "            (Key::{}, Lang::De) => {:?},",
            variant(key),
            text
        );
        let _ = writeln!(
            out,
            "            (Key::{}, Lang::En) => {:?},",
            variant(key),
            en[key]
        );
    }
    out.push_str("        }\n    }\n}\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap_or_default()).join("i18n_keys.rs");
    fs::write(dest, out).unwrap_or_else(|e| panic!("writing i18n_keys.rs: {e}"));
}
