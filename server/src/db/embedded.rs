//! A private PostgreSQL cluster from the system's binaries (Debian package `postgresql`),
//! under `<data dir>/postgres`, reachable only through a unix socket in `<data dir>/run`.
//! First start runs initdb; a later start reuses the cluster; a cluster left running by a
//! killed Kontor is adopted; a stale `postmaster.pid` is cleared. As root, PostgreSQL runs
//! as the `postgres` system user (it refuses to run as root).

use anyhow::{bail, Context};
use sqlx::postgres::PgConnectOptions;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const USER: &str = "kontor";

pub struct Cluster {
    bin_dir: PathBuf,
    data: PathBuf,
    socket_dir: PathBuf,
    run_as: Option<String>,
}

/// The newest PostgreSQL server binaries on this machine.
pub fn find_binaries() -> anyhow::Result<PathBuf> {
    if let Ok(dir) = std::env::var("KONTOR_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    candidates.sort();
    match candidates.pop() {
        Some((_, bin)) => Ok(bin),
        None => bail!(
            "PostgreSQL server binaries were not found (looked in /usr/lib/postgresql/*/bin).\n\
             Install them with:  sudo apt-get install postgresql\n\
             or set DATABASE_URL to use an existing PostgreSQL server."
        ),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

impl Cluster {
    pub fn new(data_dir: &Path) -> anyhow::Result<Cluster> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating {}", data_dir.display()))?;
        let base = data_dir.canonicalize()?;
        let run_as = is_root().then(|| "postgres".to_owned());
        if run_as.is_some() {
            // the postgres user must pass through our folder (not list or read it)
            use std::os::unix::fs::PermissionsExt;
            let mut permissions = std::fs::metadata(&base)?.permissions();
            permissions.set_mode(permissions.mode() | 0o111);
            std::fs::set_permissions(&base, permissions)?;
        }
        Ok(Cluster {
            bin_dir: find_binaries()?,
            data: base.join("postgres"),
            socket_dir: base.join("run"),
            run_as,
        })
    }

    fn command(&self, program: &str) -> Command {
        let binary = self.bin_dir.join(program);
        match &self.run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.arg("-u").arg(user).arg("--").arg(binary);
                command
            }
            None => Command::new(binary),
        }
    }

    fn run(&self, mut command: Command, what: &str) -> anyhow::Result<Output> {
        let output = command
            .output()
            .with_context(|| format!("{what}: could not start"))?;
        if !output.status.success() {
            bail!(
                "{what} failed:\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(output)
    }

    fn hand_over(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(user) = &self.run_as {
            self.run(
                {
                    let mut c = Command::new("chown");
                    c.arg("-R").arg(format!("{user}:{user}")).arg(path);
                    c
                },
                "chown",
            )?;
        }
        Ok(())
    }

    pub fn is_initialised(&self) -> bool {
        self.data.join("PG_VERSION").exists()
    }

    pub fn is_running(&self) -> bool {
        let mut status = self.command("pg_ctl");
        status.arg("status").arg("-D").arg(&self.data);
        status.output().map(|o| o.status.success()).unwrap_or(false)
    }

    /// Initialises (first time) and starts the cluster unless it already runs; true when
    /// this call started it.
    pub fn start(&self) -> anyhow::Result<bool> {
        std::fs::create_dir_all(&self.socket_dir)?;
        self.hand_over(&self.socket_dir)?;
        if !self.is_initialised() {
            tracing::info!(dir = %self.data.display(), "initialising the embedded PostgreSQL cluster");
            std::fs::create_dir_all(&self.data)?;
            self.hand_over(&self.data)?;
            let mut initdb = self.command("initdb");
            initdb.arg("-D").arg(&self.data).args([
                "-U",
                USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
            ]);
            self.run(initdb, "initdb").context(
                "the PostgreSQL user must be able to enter the data directory and its parents",
            )?;
        }
        if self.is_running() {
            tracing::info!("using the embedded PostgreSQL that is already running");
            return Ok(false);
        }
        // left behind by a crash; PostgreSQL would refuse to start if the pid was reused
        let _ = std::fs::remove_file(self.data.join("postmaster.pid"));
        // a billing run or registrar list writes hundreds of MB at once: room in memory and
        // WAL, so it does not wait on checkpoints
        let options = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c unix_socket_permissions=0700 -c max_connections=200 -c fsync=on -c shared_buffers=256MB -c max_wal_size=4GB",
            self.socket_dir.display()
        );
        let mut start = self.command("pg_ctl");
        start
            .arg("start")
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(self.data.join("server.log"))
            .arg("-w")
            .args(["-t", "60"])
            .arg("-o")
            .arg(options);
        self.run(start, "starting PostgreSQL")
            .with_context(|| format!("see {}", self.data.join("server.log").display()))?;
        tracing::info!(socket = %self.socket_dir.display(), "embedded PostgreSQL started");
        Ok(true)
    }

    /// Fast shutdown: open transactions are rolled back, data is safe.
    pub fn stop(&self) -> anyhow::Result<()> {
        if !self.is_running() {
            return Ok(());
        }
        let mut stop = self.command("pg_ctl");
        stop.arg("stop")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w"]);
        self.run(stop, "stopping PostgreSQL")?;
        tracing::info!("embedded PostgreSQL stopped");
        Ok(())
    }

    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .username(USER)
            .database(database)
    }

    /// Creates the database if it does not exist yet.
    pub async fn ensure_database(&self, name: &str) -> anyhow::Result<()> {
        use sqlx::{Connection, PgConnection};
        let mut conn = PgConnection::connect_with(&self.connect_options("postgres")).await?;
        let exists: bool =
            sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
                .bind(name)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            sqlx::query(&format!("create database \"{}\"", name.replace('"', "")))
                .execute(&mut conn)
                .await?;
        }
        Ok(())
    }
}
