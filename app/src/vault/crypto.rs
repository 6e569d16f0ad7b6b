//! AES-256-GCM for the vault, server side only. Every encryption draws a fresh random
//! 96-bit nonce; the associated data names what the ciphertext belongs to, so a ciphertext
//! moved to another row (or another tenant) fails authentication instead of decrypting.
//! Plaintext lives in `Secret`, which neither serializes nor prints and is wiped on drop.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use data_encoding::BASE64;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zeroize::Zeroizing;

pub const KEY_LEN: usize = 32;
pub const NONCE_LEN: usize = 12;

/// What the check value encrypts: a right key decrypts it, a wrong one fails.
const CHECK_TEXT: &[u8] = b"kontor vault key check v1";
const CHECK_AAD: &[u8] = b"kontor vault check";
const CREDENTIAL_AAD: &[u8] = b"kontor vault credential v1";

/// A secret in plain text: no `Serialize`, no `Display`, `Debug` shows stars, and the
/// memory is overwritten when it is dropped.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(text: String) -> Secret {
        Secret(Zeroizing::new(text))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A nonce and the ciphertext (with its 16-byte tag) it was sealed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// Decryption failed: wrong key, or ciphertext, nonce or associated data changed.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("the vault could not decrypt this secret (wrong key or altered data)")]
pub struct Undecryptable;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("a vault key is base64 of exactly 32 bytes")]
    Format,
}

/// The installation's vault key. It is never written to the database, never serialized
/// and never printed by `Debug`; `id` names it in the database and in messages.
#[derive(Clone)]
pub struct VaultKey {
    bytes: Zeroizing<[u8; KEY_LEN]>,
    cipher: Aes256Gcm,
    id: String,
}

impl std::fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultKey").field("id", &self.id).finish()
    }
}

impl VaultKey {
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> VaultKey {
        let bytes = Zeroizing::new(bytes);
        let cipher = Aes256Gcm::new(bytes.as_ref().into());
        // a hash of the key under its own label: safe to show, as the key has 256 random bits
        let digest = Sha256::new()
            .chain_update(b"kontor vault key id\0")
            .chain_update(bytes.as_ref())
            .finalize();
        let id = hex::encode(&digest[..8]);
        VaultKey { bytes, cipher, id }
    }

    /// A new key from the operating system's random source.
    pub fn generate() -> VaultKey {
        let mut bytes = [0u8; KEY_LEN];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        VaultKey::from_bytes(bytes)
    }

    /// The key as `KONTOR_VAULT_KEY` and `vault.key` hold it; whitespace around is ignored.
    pub fn from_base64(text: &str) -> Result<VaultKey, KeyError> {
        let decoded = Zeroizing::new(
            BASE64
                .decode(text.trim().as_bytes())
                .map_err(|_| KeyError::Format)?,
        );
        let bytes: [u8; KEY_LEN] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::Format)?;
        Ok(VaultKey::from_bytes(bytes))
    }

    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE64.encode(self.bytes.as_ref()))
    }

    /// 16 hex digits naming the key (a hash of it, not the key).
    pub fn id(&self) -> &str {
        &self.id
    }

    fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Sealed {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plaintext,
            aad,
        };
        // encrypting into a Vec fails only beyond GCM's 64 GiB message limit
        let ciphertext = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        Sealed {
            nonce: nonce.to_vec(),
            ciphertext,
        }
    }

    fn open(&self, aad: &[u8], sealed: &Sealed) -> Result<Zeroizing<Vec<u8>>, Undecryptable> {
        if sealed.nonce.len() != NONCE_LEN {
            return Err(Undecryptable);
        }
        let payload = Payload {
            msg: &sealed.ciphertext,
            aad,
        };
        self.cipher
            .decrypt(Nonce::from_slice(&sealed.nonce), payload)
            .map(Zeroizing::new)
            .map_err(|_| Undecryptable)
    }

    /// Encrypts a credential's secret for its row.
    pub fn encrypt_secret(&self, tenant_id: Uuid, credential_id: Uuid, secret: &Secret) -> Sealed {
        self.seal(
            &credential_aad(tenant_id, credential_id),
            secret.expose().as_bytes(),
        )
    }

    /// The secret of a credential's row; fails for any other row's ciphertext.
    pub fn decrypt_secret(
        &self,
        tenant_id: Uuid,
        credential_id: Uuid,
        sealed: &Sealed,
    ) -> Result<Secret, Undecryptable> {
        let bytes = self.open(&credential_aad(tenant_id, credential_id), sealed)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| Undecryptable)?;
        Ok(Secret::new(text.to_owned()))
    }

    /// The value stored to recognise this key later.
    pub fn check_value(&self) -> Sealed {
        self.seal(CHECK_AAD, CHECK_TEXT)
    }

    /// Whether this key made the check value.
    pub fn matches(&self, check: &Sealed) -> bool {
        self.open(CHECK_AAD, check)
            .is_ok_and(|text| text.as_slice() == CHECK_TEXT)
    }

    /// A keyed hash of data that may contain a secret (an API request body kept for
    /// idempotency): equal inputs give equal values, yet nothing can be guessed from it
    /// without the key.
    pub fn fingerprint(&self, data: &[u8]) -> Vec<u8> {
        // a subkey, so the AES key itself is used by AES only
        let subkey = Sha256::new()
            .chain_update(b"kontor vault fingerprint\0")
            .chain_update(self.bytes.as_ref())
            .finalize();
        match <Hmac<Sha256> as Mac>::new_from_slice(&subkey) {
            Ok(mac) => mac.chain_update(data).finalize().into_bytes().to_vec(),
            Err(_) => Sha256::digest(data).to_vec(),
        }
    }
}

fn credential_aad(tenant_id: Uuid, credential_id: Uuid) -> Vec<u8> {
    let mut aad = CREDENTIAL_AAD.to_vec();
    aad.extend_from_slice(tenant_id.as_bytes());
    aad.extend_from_slice(credential_id.as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> Secret {
        Secret::new(text.to_owned())
    }

    #[test]
    fn round_trip_with_fresh_nonces() {
        let key = VaultKey::generate();
        let (tenant, id) = (Uuid::new_v4(), Uuid::new_v4());
        let first = key.encrypt_secret(tenant, id, &secret("hunter2 äöü"));
        let second = key.encrypt_secret(tenant, id, &secret("hunter2 äöü"));
        assert_ne!(first.nonce, second.nonce);
        assert_ne!(first.ciphertext, second.ciphertext);
        for sealed in [first, second] {
            let plain = key
                .decrypt_secret(tenant, id, &sealed)
                .map(|s| s.expose().to_owned());
            assert_eq!(plain, Ok("hunter2 äöü".to_owned()));
        }
    }

    #[test]
    fn altered_or_moved_ciphertexts_do_not_decrypt() {
        let key = VaultKey::generate();
        let (tenant, id) = (Uuid::new_v4(), Uuid::new_v4());
        let sealed = key.encrypt_secret(tenant, id, &secret("s3cret"));
        let mut flipped = sealed.clone();
        flipped.ciphertext[0] ^= 1;
        let mut other_nonce = sealed.clone();
        other_nonce.nonce[0] ^= 1;
        assert!(key.decrypt_secret(tenant, id, &flipped).is_err());
        assert!(key.decrypt_secret(tenant, id, &other_nonce).is_err());
        assert!(key.decrypt_secret(tenant, Uuid::new_v4(), &sealed).is_err());
        assert!(key.decrypt_secret(Uuid::new_v4(), id, &sealed).is_err());
        assert!(VaultKey::generate()
            .decrypt_secret(tenant, id, &sealed)
            .is_err());
    }

    #[test]
    fn the_check_value_tells_keys_apart() {
        let key = VaultKey::generate();
        let check = key.check_value();
        assert!(key.matches(&check));
        assert!(!VaultKey::generate().matches(&check));
    }

    #[test]
    fn keys_read_back_from_base64_with_their_id() {
        let key = VaultKey::generate();
        let again = VaultKey::from_base64(&format!(" {}\n", key.to_base64().as_str()));
        assert_eq!(again.as_ref().map(VaultKey::id).ok(), Some(key.id()));
        assert_eq!(key.id().len(), 16);
        assert_eq!(
            VaultKey::from_base64("c2hvcnQ=").err(),
            Some(KeyError::Format)
        );
        assert_eq!(
            VaultKey::from_base64("not base64!").err(),
            Some(KeyError::Format)
        );
        assert!(!format!("{key:?}").contains(key.to_base64().as_str()));
        assert_eq!(format!("{:?}", secret("pw")), "Secret(***)");
    }

    #[test]
    fn fingerprints_depend_on_the_key() {
        let key = VaultKey::generate();
        assert_eq!(key.fingerprint(b"body"), key.fingerprint(b"body"));
        assert_ne!(key.fingerprint(b"body"), key.fingerprint(b"other"));
        assert_ne!(
            key.fingerprint(b"body"),
            VaultKey::generate().fingerprint(b"body")
        );
    }
}
