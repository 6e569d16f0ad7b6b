//! Real services for the service check tests, nothing faked:
//! - our own HTTP and HTTPS servers (axum; certificates made here with rcgen), a server that
//!   accepts and never answers, and a port nobody listens on — per test, on its runtime;
//! - the test PostgreSQL (through a TCP relay when it listens on a unix socket only);
//! - MariaDB, Dovecot (IMAP, POP3), vsftpd and aiosmtpd from Debian, each started once per
//!   test binary as the current user on free ports with a config in a temp dir. A small
//!   shell watchdog stops each one (and removes its dir) when the test binary ends.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Datelike, Duration, Utc};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, OnceLock};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// A self-signed certificate for `localhost` and 127.0.0.1, valid until midnight UTC
/// `days` from today (negative: expired).
pub struct Pem {
    pub cert: String,
    pub key: String,
    pub der: Vec<u8>,
    pub key_der: Vec<u8>,
    pub not_after: DateTime<Utc>,
}

pub fn certificate(days: i64) -> Pem {
    let day = (Utc::now() + Duration::days(days)).date_naive();
    let start = (Utc::now() - Duration::days(400)).date_naive();
    let ymd = |d: chrono::NaiveDate| {
        rcgen::date_time_ymd(
            d.year(),
            u8::try_from(d.month()).unwrap(),
            u8::try_from(d.day()).unwrap(),
        )
    };
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params.not_before = ymd(start);
    params.not_after = ymd(day);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    Pem {
        cert: cert.pem(),
        key: key.serialize_pem(),
        der: cert.der().to_vec(),
        key_der: key.serialize_der(),
        not_after: day.and_hms_opt(0, 0, 0).unwrap().and_utc(),
    }
}

/// Our HTTP server: `/` answers with the status set in `status`, `/slow` after 5 s.
pub struct Http {
    pub port: u16,
    pub status: Arc<AtomicU16>,
}

fn http_app(status: Arc<AtomicU16>) -> Router {
    Router::new()
        .route(
            "/",
            get(|State(status): State<Arc<AtomicU16>>| async move {
                StatusCode::from_u16(status.load(Ordering::SeqCst)).unwrap()
            }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                "late"
            }),
        )
        .with_state(status)
}

pub async fn http() -> Http {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let status = Arc::new(AtomicU16::new(200));
    let app = http_app(status.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Http { port, status }
}

/// TLS in front of axum; a client that fails the handshake is dropped.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, address)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(tcp).await {
                return (tls, address);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// Our HTTPS server with a certificate expiring in `days`; its port and the expiry.
pub async fn https(days: i64) -> (u16, DateTime<Utc>) {
    let pem = certificate(days);
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![pem.der.clone().into()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(pem.key_der.clone().into()),
    )
    .unwrap();
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = tcp.local_addr().unwrap().port();
    let listener = TlsListener {
        tcp,
        acceptor: TlsAcceptor::from(Arc::new(config)),
    };
    let app = http_app(Arc::new(AtomicU16::new(200)));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, pem.not_after)
}

/// A server that accepts connections and never says a word.
pub async fn silent() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    port
}

/// A port nobody listens on (just freed by us).
pub fn closed_port() -> u16 {
    free_port()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A TCP port of the test PostgreSQL: its own when it has one, else a relay to its unix
/// socket (the bytes are PostgreSQL's own either way).
pub async fn postgres(pool: &sqlx::PgPool) -> u16 {
    let options = pool.connect_options();
    let Some(socket_dir) = options.get_socket().map(|dir| dir.to_path_buf()) else {
        return options.get_port();
    };
    let socket = socket_dir.join(format!(".s.PGSQL.{}", options.get_port()));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let socket = socket.clone();
            tokio::spawn(async move {
                if let Ok(mut unix) = tokio::net::UnixStream::connect(&socket).await {
                    let _ = tokio::io::copy_bidirectional(&mut tcp, &mut unix).await;
                }
            });
        }
    });
    port
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A fresh directory for one service of this test binary.
fn service_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kontor-checks-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts `command` under a watchdog that stops it, and removes `dir`, once this test
/// binary is gone; waits until every port in `ports` accepts connections.
fn start(name: &str, dir: &Path, command: &[&str], ports: &[u16]) {
    let log = dir.join("output.log");
    let script = r#"parent=$1; dir=$2; shift 2
"$@" >"$dir/output.log" 2>&1 &
child=$!
while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.5; done
kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; rm -rf "$dir""#;
    let mut watchdog = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("watchdog")
        .arg(std::process::id().to_string())
        .arg(dir)
        .args(command)
        .stdin(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {name}: {e}"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    for port in ports {
        while std::net::TcpStream::connect(("127.0.0.1", *port)).is_err() {
            let output = std::fs::read_to_string(&log).unwrap_or_default();
            if std::time::Instant::now() > deadline || watchdog.try_wait().unwrap().is_some() {
                panic!("{name} did not start on port {port}:\n{output}");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    // the watchdog outlives the fixture; a thread reaps it when it ends
    std::thread::spawn(move || watchdog.wait());
}

fn write(dir: &Path, file: &str, text: &str) -> String {
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// MariaDB without grant tables; its port.
pub fn mariadb() -> u16 {
    static PORT: OnceLock<u16> = OnceLock::new();
    *PORT.get_or_init(|| {
        let dir = service_dir("mariadb");
        let data = dir.join("data");
        std::fs::create_dir_all(&data).unwrap();
        let port = free_port();
        let binary = ["/usr/sbin/mariadbd", "/usr/sbin/mysqld"]
            .into_iter()
            .find(|b| Path::new(b).exists())
            .expect("mariadbd is missing: apt-get install mariadb-server");
        let args = [
            binary.to_owned(),
            "--no-defaults".to_owned(),
            format!("--datadir={}", data.display()),
            format!("--socket={}", dir.join("mysqld.sock").display()),
            format!("--pid-file={}", dir.join("mysqld.pid").display()),
            format!("--port={port}"),
            "--bind-address=127.0.0.1".to_owned(),
            "--skip-grant-tables".to_owned(),
            "--skip-log-bin".to_owned(),
            "--innodb-buffer-pool-size=8M".to_owned(),
            "--user=root".to_owned(),
        ];
        // --user only matters for root, which mariadbd otherwise refuses to run as
        let args: Vec<&str> = args
            .iter()
            .map(String::as_str)
            .filter(|a| is_root() || !a.starts_with("--user"))
            .collect();
        start("MariaDB", &dir, &args, &[port]);
        port
    })
}

/// Dovecot's IMAP and POP3 ports (STARTTLS) and the expiry of its certificate.
pub struct Dovecot {
    pub imap: u16,
    pub pop3: u16,
    pub not_after: DateTime<Utc>,
}

pub fn dovecot() -> &'static Dovecot {
    static DOVECOT: OnceLock<Dovecot> = OnceLock::new();
    DOVECOT.get_or_init(|| {
        let dir = service_dir("dovecot");
        let pem = certificate(60);
        let cert = write(&dir, "cert.pem", &pem.cert);
        let key = write(&dir, "key.pem", &pem.key);
        std::fs::create_dir_all(dir.join("run")).unwrap();
        std::fs::create_dir_all(dir.join("state")).unwrap();
        let (imap, pop3) = (free_port(), free_port());
        // as root the login processes run as Debian's dovenull and dovecot users; as anyone
        // else everything runs as that user
        let users = if is_root() {
            String::new()
        } else {
            let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
                .unwrap();
            let group = String::from_utf8(Command::new("id").arg("-gn").output().unwrap().stdout)
                .unwrap();
            format!(
                "default_login_user = {user}\ndefault_internal_user = {user}\ndefault_internal_group = {group}\n",
                user = user.trim(),
                group = group.trim()
            )
        };
        let config = format!(
            "protocols = imap pop3
base_dir = {dir}/run
state_dir = {dir}/state
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
log_path = {dir}/dovecot.log
{users}passdb {{
  driver = static
  args = password=unused
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={dir}/home
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  chroot =
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
",
            dir = dir.display()
        );
        let config = write(&dir, "dovecot.conf", &config);
        start(
            "Dovecot",
            &dir,
            &["/usr/sbin/dovecot", "-F", "-c", &config],
            &[imap, pop3],
        );
        Dovecot {
            imap,
            pop3,
            not_after: pem.not_after,
        }
    })
}

/// vsftpd (anonymous, AUTH TLS offered); its port and the expiry of its certificate.
pub fn vsftpd() -> (u16, DateTime<Utc>) {
    static VSFTPD: OnceLock<(u16, DateTime<Utc>)> = OnceLock::new();
    *VSFTPD.get_or_init(|| {
        let dir = service_dir("vsftpd");
        let pem = certificate(90);
        let cert = write(&dir, "cert.pem", &pem.cert);
        let key = write(&dir, "key.pem", &pem.key);
        let empty = dir.join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let port = free_port();
        let launching_user = if is_root() { "NO" } else { "YES" };
        let config = format!(
            "listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port={port}
background=NO
anonymous_enable=YES
anon_root={empty}
local_enable=NO
write_enable=NO
secure_chroot_dir={empty}
xferlog_enable=NO
vsftpd_log_file={dir}/vsftpd.log
run_as_launching_user={launching_user}
ftpd_banner=Kontor test FTP
ssl_enable=YES
allow_anon_ssl=YES
ssl_ciphers=HIGH
rsa_cert_file={cert}
rsa_private_key_file={key}
",
            empty = empty.display(),
            dir = dir.display(),
        );
        let config = write(&dir, "vsftpd.conf", &config);
        start("vsftpd", &dir, &["/usr/sbin/vsftpd", &config], &[port]);
        (port, pem.not_after)
    })
}

/// A plain aiosmtpd that stores every mail it accepts in a maildir; its port and the maildir.
pub fn smtp_maildir() -> (u16, PathBuf) {
    static SMTP: OnceLock<(u16, PathBuf)> = OnceLock::new();
    SMTP.get_or_init(|| {
        let dir = service_dir("maildir");
        let maildir = dir.join("maildir");
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let target = maildir.to_string_lossy().into_owned();
        start(
            "aiosmtpd",
            &dir,
            &[
                "/usr/bin/python3",
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &listen,
                "-c",
                "aiosmtpd.handlers.Mailbox",
                &target,
            ],
            &[port],
        );
        (port, maildir)
    })
    .clone()
}

/// aiosmtpd with STARTTLS; its port and the expiry of its certificate.
pub fn smtp() -> (u16, DateTime<Utc>) {
    static SMTP: OnceLock<(u16, DateTime<Utc>)> = OnceLock::new();
    *SMTP.get_or_init(|| {
        let dir = service_dir("smtp");
        let pem = certificate(30);
        let cert = write(&dir, "cert.pem", &pem.cert);
        let key = write(&dir, "key.pem", &pem.key);
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        // Debian's python3 (where python3-aiosmtpd lives), not one a version manager put first
        start(
            "aiosmtpd",
            &dir,
            &[
                "/usr/bin/python3",
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &listen,
                "--tlscert",
                &cert,
                "--tlskey",
                &key,
            ],
            &[port],
        );
        (port, pem.not_after)
    })
}
