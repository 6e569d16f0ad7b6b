//! The vault key outside the database: where it comes from, the check that it is the
//! vault's key before the server starts, and its rotation.
//!
//! - `KONTOR_VAULT_KEY` (base64 of 32 bytes) wins; otherwise `$KONTOR_DATA_DIR/vault.key`,
//!   created with mode 0600 on the first start of an empty vault.
//! - The database keeps the key's id and a check value (an AES-GCM encryption of a fixed
//!   text). A key that does not open the check value is refused with a clear error: the
//!   server does not start rather than fail on every secret later.
//! - Rotation re-encrypts every secret and the check value in one transaction. With a key
//!   file the order is crash-safe: `vault.key.new` (0600, synced) first, then the commit,
//!   then the rename over `vault.key`. A start after a crash between commit and rename
//!   finds that the pending key opens the check value and finishes the rename; a start after
//!   a crash before the commit removes the unused pending key.

use anyhow::{bail, Context};
use app::vault::crypto::{Sealed, VaultKey};
use sqlx::{PgConnection, PgPool};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use uuid::Uuid;

pub const ENV_KEY: &str = "KONTOR_VAULT_KEY";
const KEY_FILE: &str = "vault.key";
const PENDING_FILE: &str = "vault.key.new";
/// Rows re-encrypted per UPDATE statement during rotation.
const BATCH: usize = 1000;

/// Where the vault key is kept.
#[derive(Clone, Debug)]
pub enum KeySource {
    /// The base64 text of `KONTOR_VAULT_KEY`; the operator keeps the key.
    Env(String),
    /// The folder holding `vault.key` (the data directory).
    Dir(PathBuf),
}

impl KeySource {
    /// `KONTOR_VAULT_KEY` if set, else `vault.key` in the data directory.
    pub fn from_env(data_dir: &Path) -> KeySource {
        match std::env::var(ENV_KEY).ok().filter(|k| !k.trim().is_empty()) {
            Some(key) => KeySource::Env(key),
            None => KeySource::Dir(data_dir.to_owned()),
        }
    }
}

/// The stored check value and the id of the key that made it.
struct Check {
    key_id: String,
    sealed: Sealed,
}

async fn load_check(conn: &mut PgConnection) -> anyhow::Result<Option<Check>> {
    let row: Option<(String, Vec<u8>, Vec<u8>)> =
        sqlx::query_as("select key_id, check_nonce, check_value from vault_keys")
            .fetch_optional(conn)
            .await
            .context("reading the vault's key check value")?;
    Ok(row.map(|(key_id, nonce, ciphertext)| Check {
        key_id,
        sealed: Sealed { nonce, ciphertext },
    }))
}

/// Stores the key's check value unless one is there already; false when another was.
async fn store_check(conn: &mut PgConnection, key: &VaultKey) -> anyhow::Result<bool> {
    let check = key.check_value();
    let done = sqlx::query(
        "insert into vault_keys (key_id, check_nonce, check_value) values ($1, $2, $3)
         on conflict (singleton) do nothing",
    )
    .bind(key.id())
    .bind(&check.nonce)
    .bind(&check.ciphertext)
    .execute(conn)
    .await
    .context("storing the vault's key check value")?;
    Ok(done.rows_affected() == 1)
}

/// Reads a key file; a file others may read is named in a warning.
fn read_key_file(path: &Path) -> anyhow::Result<Option<VaultKey>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => zeroize::Zeroizing::new(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error).with_context(|| format!("cannot read {}", path.display())),
    };
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the vault key file is readable by others; chmod 600 it");
        }
    }
    VaultKey::from_base64(&text)
        .map(Some)
        .with_context(|| format!("{} is not a vault key (base64 of 32 bytes)", path.display()))
}

/// Writes a key to a new file with mode 0600 and syncs it to disk.
fn write_key_file(path: &Path, key: &VaultKey) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(format!("{}\n", key.to_base64().as_str()).as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    sync_dir(path)
}

/// Makes a new or renamed file's directory entry durable.
fn sync_dir(path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .with_context(|| format!("cannot sync {}", dir.display()))?;
    }
    Ok(())
}

fn wrong_key(source: &KeySource, key: &VaultKey, expected: &str) -> anyhow::Error {
    let hint = match source {
        KeySource::Env(_) => format!(
            "{ENV_KEY} holds key {} but the vault was encrypted with key {expected}. Set {ENV_KEY} to the \
             vault's key (after `kontor vault rotate-key`: the new key it printed).",
            key.id()
        ),
        KeySource::Dir(dir) => format!(
            "{} holds key {} but the vault was encrypted with key {expected}. Restore the vault's key \
             file (or set {ENV_KEY}).",
            dir.join(KEY_FILE).display(),
            key.id()
        ),
    };
    anyhow::anyhow!("Wrong vault key: the server does not start. {hint}")
}

/// A vault without check value that holds secrets (written by an older version or by hand)
/// accepts a key only if it opens one of them.
async fn opens_a_secret(conn: &mut PgConnection, key: &VaultKey) -> anyhow::Result<bool> {
    let row: Option<(Uuid, Uuid, Vec<u8>, Vec<u8>)> =
        sqlx::query_as("select id, tenant_id, nonce, ciphertext from credentials limit 1")
            .fetch_optional(conn)
            .await?;
    Ok(match row {
        None => true,
        Some((id, tenant_id, nonce, ciphertext)) => key
            .decrypt_secret(tenant_id, id, &Sealed { nonce, ciphertext })
            .is_ok(),
    })
}

/// The vault key, checked against the database: the server and the command line call this
/// before anything else touches the vault. The first start of an empty vault creates the
/// key file (unless the key comes from the environment) and stores the check value.
pub async fn open(pool: &PgPool, source: &KeySource) -> anyhow::Result<VaultKey> {
    let mut conn = pool.acquire().await?;
    let check = load_check(&mut conn).await?;
    let key = match source {
        KeySource::Env(text) => VaultKey::from_base64(text)
            .with_context(|| format!("{ENV_KEY} is not a vault key (base64 of 32 bytes)"))?,
        KeySource::Dir(dir) => key_from_dir(dir, check.as_ref())?,
    };
    match check {
        Some(check) if key.matches(&check.sealed) => Ok(key),
        Some(check) => Err(wrong_key(source, &key, &check.key_id)),
        None => {
            if !opens_a_secret(&mut conn, &key).await? {
                return Err(wrong_key(source, &key, "of the stored secrets"));
            }
            if !store_check(&mut conn, &key).await? {
                // another process stored its check value first: ours must be the same key
                let stored = load_check(&mut conn).await?;
                if let Some(stored) = stored.filter(|c| !key.matches(&c.sealed)) {
                    return Err(wrong_key(source, &key, &stored.key_id));
                }
            }
            tracing::info!(key_id = key.id(), "vault key check value stored");
            Ok(key)
        }
    }
}

/// The key of the data directory, finishing or discarding an interrupted rotation.
fn key_from_dir(dir: &Path, check: Option<&Check>) -> anyhow::Result<VaultKey> {
    let (path, pending_path) = (dir.join(KEY_FILE), dir.join(PENDING_FILE));
    let current = read_key_file(&path)?;
    let pending = read_key_file(&pending_path)?;
    let Some(check) = check else {
        // an empty vault: the key file is made now if there is none
        if pending.is_some() {
            std::fs::remove_file(&pending_path)
                .with_context(|| format!("cannot remove {}", pending_path.display()))?;
        }
        if let Some(key) = current {
            return Ok(key);
        }
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let key = VaultKey::generate();
        match write_key_file(&path, &key) {
            Ok(()) => {
                tracing::info!(path = %path.display(), key_id = key.id(), "new vault key created");
                return Ok(key);
            }
            // another process created it meanwhile: use that one
            Err(_) if path.exists() => {
                return read_key_file(&path)?.context("the vault key file vanished")
            }
            Err(error) => return Err(error),
        }
    };
    if let Some(key) = current.as_ref().filter(|k| k.matches(&check.sealed)) {
        if pending.is_some() {
            // a rotation stopped before its commit: its key encrypts nothing
            std::fs::remove_file(&pending_path)
                .with_context(|| format!("cannot remove {}", pending_path.display()))?;
            tracing::warn!(
                "removed {} of an unfinished key rotation",
                pending_path.display()
            );
        }
        return Ok(key.clone());
    }
    if let Some(key) = pending.filter(|k| k.matches(&check.sealed)) {
        // a rotation committed but did not rename its key file: finish it
        std::fs::rename(&pending_path, &path)
            .with_context(|| format!("cannot rename {} to {KEY_FILE}", pending_path.display()))?;
        sync_dir(&path)?;
        tracing::warn!(
            "finished an interrupted key rotation: {} is the vault key now",
            path.display()
        );
        return Ok(key);
    }
    match current {
        Some(key) => Err(wrong_key(&KeySource::Dir(dir.to_owned()), &key, &check.key_id)),
        None => bail!(
            "The vault key is missing: {} does not exist, but the vault holds secrets encrypted with key {}. \
             The server does not start. Restore the key file (or set {ENV_KEY}); a new key cannot decrypt them.",
            path.display(),
            check.key_id
        ),
    }
}

/// What a rotation did.
#[derive(Debug)]
pub struct Rotation {
    pub old_key_id: String,
    pub new_key_id: String,
    pub credentials: usize,
}

/// Re-encrypts every secret and the check value under `new` in one transaction. With a
/// key file, `new` is written to `vault.key.new` before and renamed over `vault.key` after
/// the commit; with the key from the environment the caller must have shown `new` to the
/// operator before calling this.
pub async fn rotate(pool: &PgPool, source: &KeySource, new: &VaultKey) -> anyhow::Result<Rotation> {
    let old = open(pool, source).await?;
    let pending = match source {
        KeySource::Dir(dir) => {
            let pending = dir.join(PENDING_FILE);
            write_key_file(&pending, new)?;
            Some(pending)
        }
        KeySource::Env(_) => None,
    };
    let result = reencrypt(pool, &old, new).await;
    if let (Err(_), Some(pending)) = (&result, &pending) {
        // nothing was committed: the pending key must not be taken for the vault's
        let _ = std::fs::remove_file(pending);
    }
    let credentials = result?;
    if let (Some(pending), KeySource::Dir(dir)) = (pending, source) {
        let path = dir.join(KEY_FILE);
        std::fs::rename(&pending, &path).with_context(|| {
            format!(
                "the vault was re-encrypted, but {} could not be renamed to {}: rename it by hand \
                 (the next start does it too)",
                pending.display(),
                path.display()
            )
        })?;
        sync_dir(&path)?;
    }
    Ok(Rotation {
        old_key_id: old.id().to_owned(),
        new_key_id: new.id().to_owned(),
        credentials,
    })
}

/// The transaction of a rotation; returns how many secrets it re-encrypted.
async fn reencrypt(pool: &PgPool, old: &VaultKey, new: &VaultKey) -> anyhow::Result<usize> {
    let mut tx = pool.begin().await?;
    // the lock keeps a second rotation (and new secrets under the old key) out meanwhile
    let check = sqlx::query_as::<_, (Vec<u8>, Vec<u8>)>(
        "select check_nonce, check_value from vault_keys for update",
    )
    .fetch_optional(&mut *tx)
    .await?
    .context("the vault has no check value")?;
    if !old.matches(&Sealed {
        nonce: check.0,
        ciphertext: check.1,
    }) {
        bail!("the vault key changed while rotating; nothing was changed");
    }
    sqlx::query("lock table credentials in share row exclusive mode")
        .execute(&mut *tx)
        .await?;
    let rows: Vec<(Uuid, Uuid, Vec<u8>, Vec<u8>)> =
        sqlx::query_as("select id, tenant_id, nonce, ciphertext from credentials order by id")
            .fetch_all(&mut *tx)
            .await?;
    for batch in rows.chunks(BATCH) {
        let mut ids = Vec::with_capacity(batch.len());
        let mut nonces = Vec::with_capacity(batch.len());
        let mut ciphertexts = Vec::with_capacity(batch.len());
        for (id, tenant_id, nonce, ciphertext) in batch {
            let sealed = Sealed {
                nonce: nonce.clone(),
                ciphertext: ciphertext.clone(),
            };
            let secret = old.decrypt_secret(*tenant_id, *id, &sealed).map_err(|_| {
                anyhow::anyhow!(
                    "credential {id} does not decrypt with the current key; nothing was changed"
                )
            })?;
            let sealed = new.encrypt_secret(*tenant_id, *id, &secret);
            ids.push(*id);
            nonces.push(sealed.nonce);
            ciphertexts.push(sealed.ciphertext);
        }
        sqlx::query(
            "update credentials c set nonce = u.nonce, ciphertext = u.ciphertext, key_id = $4
             from unnest($1::uuid[], $2::bytea[], $3::bytea[]) as u(id, nonce, ciphertext)
             where c.id = u.id",
        )
        .bind(&ids)
        .bind(&nonces)
        .bind(&ciphertexts)
        .bind(new.id())
        .execute(&mut *tx)
        .await?;
    }
    let check = new.check_value();
    sqlx::query(
        "update vault_keys set key_id = $1, check_nonce = $2, check_value = $3, rotated_at = now()",
    )
    .bind(new.id())
    .bind(&check.nonce)
    .bind(&check.ciphertext)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows.len())
}
