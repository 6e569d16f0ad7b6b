//! The embedded PostgreSQL through the real binary: first start, clean stop on SIGTERM,
//! restart with the data kept, and start after `kill -9` of the server.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn start(data_dir: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_kontor"))
        .arg("serve")
        .env("KONTOR_DATA_DIR", data_dir)
        .env("KONTOR_ADDR", format!("127.0.0.1:{port}"))
        .env("KONTOR_DEMO_PASSWORD", "demo-password-1")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_until_serving(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            stream
                .write_all(b"GET /healthz HTTP/1.0\r\n\r\n")
                .await
                .unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).await.unwrap();
            if answer.ends_with("ok") {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("kontor did not start on port {port}");
}

async fn http_get(port: u16, path: &str, token: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

fn signal(child: &Child, signal: &str) {
    Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
}

fn postgres_running(data_dir: &Path) -> bool {
    let pid = std::fs::read_to_string(data_dir.join("postgres/postmaster.pid")).ok();
    pid.and_then(|text| text.lines().next().map(str::to_owned))
        .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists())
}

#[tokio::test]
async fn start_stop_restart_and_recover_after_kill() {
    let data_dir =
        std::env::temp_dir().join(format!("kontor-embedded-{}", uuid::Uuid::new_v4().simple()));
    let port = 3900 + u16::try_from(std::process::id() % 90).unwrap();

    let mut first = start(&data_dir, port);
    wait_until_serving(port).await;
    assert!(postgres_running(&data_dir));
    signal(&first, "TERM");
    assert!(
        first.wait().unwrap().success(),
        "kontor exits cleanly on SIGTERM"
    );
    assert!(!postgres_running(&data_dir), "SIGTERM stops PostgreSQL too");

    let mut second = start(&data_dir, port);
    wait_until_serving(port).await;
    signal(&second, "KILL");
    second.wait().unwrap();

    // PostgreSQL outlived the killed server; the next start adopts it
    let mut third = start(&data_dir, port);
    wait_until_serving(port).await;

    // the CLI creates an API token for the demo tenant that the running server accepts
    let output = Command::new(env!("CARGO_BIN_EXE_kontor"))
        .args([
            "token",
            "create",
            "--tenant",
            "demo",
            "--name",
            "ci",
            "--scopes",
            "users:read",
        ])
        .env("KONTOR_DATA_DIR", &data_dir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    let answer = http_get(port, "/api/v1/me", &token).await;
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.contains("\"slug\":\"demo\""),
        "{answer}"
    );
    let unknown = Command::new(env!("CARGO_BIN_EXE_kontor"))
        .args([
            "token", "create", "--tenant", "demo", "--name", "ci", "--scopes", "root",
        ])
        .env("KONTOR_DATA_DIR", &data_dir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("Unknown scope: root"));
    signal(&third, "INT");
    assert!(third.wait().unwrap().success());
    assert!(!postgres_running(&data_dir));
    std::fs::remove_dir_all(&data_dir).ok();
}
