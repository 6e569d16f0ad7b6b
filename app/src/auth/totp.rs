//! TOTP (RFC 6238: HMAC-SHA1, 30-second steps, six digits), as authenticator apps use it.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

pub const STEP_SECONDS: i64 = 30;

pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    rand::thread_rng().fill_bytes(&mut secret);
    secret
}

/// The code for one time step (RFC 4226 dynamic truncation).
pub fn code_at_step(secret: &[u8], step: i64) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    binary % 1_000_000
}

/// The time step of a code that matches at `unix_time`, allowing one step of clock drift
/// either way; the caller refuses steps it has already accepted (replay).
pub fn matching_step(secret: &[u8], code: &str, unix_time: i64) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let wanted: u32 = code.parse().ok()?;
    let now = unix_time.div_euclid(STEP_SECONDS);
    [now, now - 1, now + 1]
        .into_iter()
        .find(|step| code_at_step(secret, *step) == wanted)
}

/// The `otpauth://` URI that authenticator apps read from the QR code.
pub fn otpauth_uri(secret_base32: &str, issuer: &str, account: &str) -> String {
    fn escape(text: &str) -> String {
        text.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }
    format!(
        "otpauth://totp/{}:{}?secret={secret_base32}&issuer={}&algorithm=SHA1&digits=6&period=30",
        escape(issuer),
        escape(account),
        escape(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (eight digits there; six are the last six).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, eight_digits) in [
            (59_i64, 94287082_u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(
                code_at_step(secret, time / STEP_SECONDS),
                eight_digits % 1_000_000,
                "t={time}"
            );
        }
    }

    #[test]
    fn drift_of_one_step_is_accepted_two_are_not() {
        let secret = b"12345678901234567890";
        let code = format!("{:06}", code_at_step(secret, 1000));
        assert_eq!(matching_step(secret, &code, 1000 * 30 + 29), Some(1000));
        assert_eq!(matching_step(secret, &code, 1001 * 30), Some(1000));
        assert_eq!(matching_step(secret, &code, 1002 * 30), None);
        assert_eq!(matching_step(secret, "12a456", 1000 * 30), None);
    }

    #[test]
    fn uri_escapes_issuer_and_account() {
        let uri = otpauth_uri("ABC", "Muster GmbH", "a@b.de");
        assert_eq!(uri, "otpauth://totp/Muster%20GmbH:a@b.de?secret=ABC&issuer=Muster%20GmbH&algorithm=SHA1&digits=6&period=30");
    }
}
