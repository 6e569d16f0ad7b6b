//! Domain names as people write them (Unicode) and as DNS and registries store them
//! (ASCII, punycode). UTS #46 non-transitional processing (IDNA2008): `ß` stays `ß`.

use super::ParseError;
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

/// Second-level zones sold like top-level domains: their price is per `co.uk`, not `uk`.
const TWO_LABEL_SUFFIXES: &[&str] = &[
    "co.uk", "org.uk", "me.uk", "ltd.uk", "plc.uk", "co.at", "or.at", "com.de", "com.au", "net.au",
    "org.au", "co.nz", "com.br", "co.za", "com.tr", "co.jp",
];

/// A checked, normalised domain name with at least two labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainName {
    unicode: String,
    ascii: String,
    tld: String,
}

impl DomainName {
    /// Lower-cases, maps and normalises (NFC) the name; one trailing dot is dropped.
    pub fn parse(input: &str) -> Result<DomainName, ParseError> {
        let trimmed = input.trim();
        let name = trimmed.strip_suffix('.').unwrap_or(trimmed);
        if name.is_empty() {
            return Err(ParseError::Empty);
        }
        let uts46 = Uts46::new();
        let plain = plain_ascii(name);
        let ascii = match &plain {
            Some(lower) => lower.clone(),
            None => uts46
                .to_ascii(
                    name.as_bytes(),
                    AsciiDenyList::STD3,
                    Hyphens::Check,
                    DnsLength::Ignore,
                )
                .map_err(|_| ParseError::Format)?
                .into_owned(),
        };
        let labels: Vec<&str> = ascii.split('.').collect();
        if labels.iter().any(|label| label.is_empty()) || labels.len() < 2 {
            return Err(ParseError::Format);
        }
        if ascii.len() > 253 || labels.iter().any(|label| label.len() > 63) {
            return Err(ParseError::Length);
        }
        let last = labels.len() - 1;
        if labels[last].chars().all(|c| c.is_ascii_digit()) {
            return Err(ParseError::Format);
        }
        let two_labels = format!("{}.{}", labels[last - 1], labels[last]);
        let tld = if TWO_LABEL_SUFFIXES.contains(&two_labels.as_str()) {
            if labels.len() == 2 {
                // nothing is registered under the suffix itself
                return Err(ParseError::Format);
            }
            two_labels
        } else {
            labels[last].to_owned()
        };
        let unicode = match plain {
            Some(lower) => lower,
            None => {
                let (unicode, result) =
                    uts46.to_unicode(ascii.as_bytes(), AsciiDenyList::STD3, Hyphens::Check);
                result.map_err(|_| ParseError::Format)?;
                unicode.into_owned()
            }
        };
        Ok(DomainName {
            unicode,
            ascii,
            tld,
        })
    }

    /// The form for people: `müller-bäckerei.de`.
    pub fn unicode(&self) -> &str {
        &self.unicode
    }

    /// The form for DNS and registries: `xn--mller-bckerei-hfb76a.de`.
    pub fn ascii(&self) -> &str {
        &self.ascii
    }

    /// The ASCII top-level domain, or a known two-label suffix such as `co.uk`.
    pub fn tld(&self) -> &str {
        &self.tld
    }
}

/// The lower-cased name when UTS #46 would change nothing but the case: letters, digits,
/// dots and hyphens, no label with a hyphen at its ends or in places 3 and 4 (which
/// includes punycode `xn--`). Nearly every name on a registrar's list is such a name, and
/// this spares the two IDNA passes that made up most of reading a 100k-line list.
fn plain_ascii(name: &str) -> Option<String> {
    let plain = name
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'.');
    let lower = name.to_ascii_lowercase();
    let hyphens_fine = lower.split('.').all(|label| {
        !label.starts_with('-') && !label.ends_with('-') && label.get(2..4) != Some("--")
    });
    (plain && hyphens_fine).then_some(lower)
}

/// A certificate subject: a domain name or a wildcard `*.` in front of one, as
/// (Unicode, ASCII).
pub fn certificate_name(input: &str) -> Result<(String, String), ParseError> {
    let trimmed = input.trim();
    match trimmed.strip_prefix("*.") {
        Some(rest) => DomainName::parse(rest)
            .map(|name| (format!("*.{}", name.unicode), format!("*.{}", name.ascii))),
        None => DomainName::parse(trimmed).map(|name| (name.unicode, name.ascii)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_unicode_and_ascii() {
        let table = [
            (
                "Müller-Bäckerei.de",
                "müller-bäckerei.de",
                "xn--mller-bckerei-hfb76a.de",
                "de",
            ),
            // non-transitional: ß is a letter of its own, not "ss"
            ("straße.de", "straße.de", "xn--strae-oqa.de", "de"),
            (
                "BÜCHER.Example.COM",
                "bücher.example.com",
                "xn--bcher-kva.example.com",
                "com",
            ),
            ("Köln.de.", "köln.de", "xn--kln-sna.de", "de"),
            ("  example.org  ", "example.org", "example.org", "org"),
            ("xn--mnchen-3ya.de", "münchen.de", "xn--mnchen-3ya.de", "de"),
            ("日本語.jp", "日本語.jp", "xn--wgv71a119e.jp", "jp"),
            (
                "shop.example.co.uk",
                "shop.example.co.uk",
                "shop.example.co.uk",
                "co.uk",
            ),
            (
                "web01.example.de",
                "web01.example.de",
                "web01.example.de",
                "de",
            ),
        ];
        for (input, unicode, ascii, tld) in table {
            let name = DomainName::parse(input).unwrap_or_else(|e| panic!("{input}: {e:?}"));
            assert_eq!(
                (name.unicode(), name.ascii(), name.tld()),
                (unicode, ascii, tld),
                "{input}"
            );
        }
    }

    #[test]
    fn bad_names_say_why() {
        let long_label = format!("{}.de", "a".repeat(64));
        let long_name = format!("{}.de", vec!["a".repeat(60); 5].join("."));
        let table = [
            ("", ParseError::Empty),
            ("   ", ParseError::Empty),
            (".", ParseError::Empty),
            ("localhost", ParseError::Format),
            ("example..de", ParseError::Format),
            (".example.de", ParseError::Format),
            ("-example.de", ParseError::Format),
            ("example-.de", ParseError::Format),
            ("ex ample.de", ParseError::Format),
            ("exa_mple.de", ParseError::Format),
            ("example.de/", ParseError::Format),
            ("user@example.de", ParseError::Format),
            ("192.168.0.1", ParseError::Format),
            ("co.uk", ParseError::Format),
            ("example.de..", ParseError::Format),
            (long_label.as_str(), ParseError::Length),
            (long_name.as_str(), ParseError::Length),
        ];
        for (input, error) in table {
            assert_eq!(DomainName::parse(input), Err(error), "{input:?}");
        }
        assert!(DomainName::parse(&format!("{}.de", "a".repeat(63))).is_ok());
    }

    #[test]
    fn plain_names_read_like_idna_reads_them() {
        for input in [
            "Example.DE",
            "web-01.example.de",
            "a1.b2.co.uk",
            "ab--cd.de",
            "xn--kln-sna.de",
        ] {
            let uts46 = Uts46::new();
            let idna = uts46
                .to_ascii(
                    input.as_bytes(),
                    AsciiDenyList::STD3,
                    Hyphens::Check,
                    DnsLength::Ignore,
                )
                .map(|ascii| ascii.into_owned())
                .ok();
            let name = DomainName::parse(input)
                .ok()
                .map(|name| name.ascii().to_owned());
            assert_eq!(name, idna, "{input}");
        }
        assert_eq!(plain_ascii("xn--kln-sna.de"), None);
        assert_eq!(plain_ascii("köln.de"), None);
    }

    #[test]
    fn certificate_names_allow_one_leading_wildcard() {
        assert_eq!(
            certificate_name("*.Bäcker.de"),
            Ok(("*.bäcker.de".to_owned(), "*.xn--bcker-gra.de".to_owned()))
        );
        assert_eq!(
            certificate_name("www.example.de").map(|(_, ascii)| ascii),
            Ok("www.example.de".to_owned())
        );
        assert_eq!(certificate_name("*.*.example.de"), Err(ParseError::Format));
        assert_eq!(certificate_name("www.*.de"), Err(ParseError::Format));
    }
}
