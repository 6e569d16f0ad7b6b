//! Configuration from the environment (see README).

use anyhow::Context;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Config {
    /// `None`: start the embedded PostgreSQL under `data_dir`.
    pub database_url: Option<String>,
    pub data_dir: PathBuf,
    pub addr: SocketAddr,
    /// Where people reach Kontor; links in invitations use it. HTTPS turns on Secure cookies.
    pub public_url: String,
    /// The built browser bundle (`pkg/`), written by scripts/build.
    pub site_root: PathBuf,
    /// `KONTOR_SMTP_URL`, e.g. `smtp://user:pass@mail.example.com:587?tls=required` or
    /// `smtp://127.0.0.1:2525`; without it mails wait in the outbox.
    pub smtp_url: Option<String>,
    /// `KONTOR_MAIL_FROM`: the sender when a tenant has no e-mail address of its own.
    pub mail_from: String,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        let addr: SocketAddr = std::env::var("KONTOR_ADDR")
            .unwrap_or_else(|_| "127.0.0.1:3000".to_owned())
            .parse()
            .context("KONTOR_ADDR must look like 127.0.0.1:3000")?;
        Ok(Config {
            database_url: std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()),
            data_dir: std::env::var("KONTOR_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|_| PathBuf::from("kontor-data")),
            public_url: std::env::var("KONTOR_PUBLIC_URL")
                .unwrap_or_else(|_| format!("http://{addr}")),
            addr,
            site_root: std::env::var("KONTOR_SITE_ROOT")
                .map(PathBuf::from)
                .unwrap_or_else(|_| default_site_root()),
            smtp_url: std::env::var("KONTOR_SMTP_URL")
                .ok()
                .filter(|u| !u.is_empty()),
            mail_from: std::env::var("KONTOR_MAIL_FROM")
                .unwrap_or_else(|_| "kontor@localhost".to_owned()),
        })
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// `target/site` of the workspace the binary was built in, else next to the binary.
fn default_site_root() -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/site");
    if workspace.join("pkg").exists() {
        return workspace;
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("site")))
        .unwrap_or(workspace)
}
