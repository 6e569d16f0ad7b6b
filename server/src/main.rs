#![recursion_limit = "512"]
//! The `kontor` command line (see api.md): serve, migrate, demo, token create, bench.

use anyhow::Context;
use clap::{Parser, Subcommand};
use server::config::Config;
use server::db::{self, embedded::Cluster};
use server::vault::KeySource;
use sqlx::PgPool;

#[derive(Parser)]
#[command(
    name = "kontor",
    version,
    about = "Kontor: agency and hosting management"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate, then serve on KONTOR_ADDR (starts the embedded PostgreSQL without DATABASE_URL).
    Serve,
    /// Apply migrations and exit.
    Migrate,
    /// Load the demo tenant and users (idempotent); prints the logins once.
    Demo {
        /// Password for all demo users instead of a random one.
        #[arg(long, env = "KONTOR_DEMO_PASSWORD")]
        password: Option<String>,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The password vault's key.
    Vault {
        #[command(subcommand)]
        command: VaultCommand,
    },
    /// Seed a fresh database and print performance figures.
    Bench {
        #[arg(long, default_value_t = 1000)]
        users: u32,
        #[arg(long, default_value_t = 100_000)]
        customers: u32,
        #[arg(long, default_value_t = 3)]
        seconds: u64,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Only these parts (requests, pdf, customers, usage, registrar, projects, billing,
        /// wasm); usage and registrar seed the customers first. All when not given.
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Print a new API token (shown once).
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_delimiter = ',')]
        scopes: Vec<String>,
    },
}

#[derive(Subcommand)]
enum VaultCommand {
    /// Re-encrypt every secret under a new random key, in one transaction. Stop running
    /// servers first; with KONTOR_VAULT_KEY the new key is printed for you to set.
    RotateKey,
}

/// The embedded cluster as a command found it: `started` when this process started it.
struct Embedded {
    cluster: Cluster,
    started: bool,
}

impl Embedded {
    /// One-off commands leave a cluster running that they found running (a server uses it).
    fn stop_if_started(&self) -> anyhow::Result<()> {
        if self.started {
            self.cluster.stop()?;
        }
        Ok(())
    }
}

/// The database to use: DATABASE_URL, or the embedded cluster (returned so it can be stopped).
async fn open_database(
    config: &Config,
    database: &str,
) -> anyhow::Result<(PgPool, Option<Embedded>)> {
    match &config.database_url {
        Some(url) => {
            let mut options = db::options_from_url(url)?;
            if database != "kontor" {
                let admin = db::connect(options.clone()).await?;
                sqlx::query(&format!("create database \"{database}\""))
                    .execute(&admin)
                    .await?;
                options = options.database(database);
            }
            Ok((db::connect(options).await?, None))
        }
        None => {
            let cluster = Cluster::new(&config.data_dir)?;
            let started = cluster.start()?;
            cluster.ensure_database(database).await?;
            let pool = db::connect(cluster.connect_options(database)).await?;
            Ok((pool, Some(Embedded { cluster, started })))
        }
    }
}

async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down");
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let (pool, cluster) = open_database(&config, "kontor").await?;
    let result = async {
        db::migrate(&pool).await?;
        // a wrong vault key stops the start here, before anything could use it
        let vault = server::vault::open(&pool, &KeySource::from_env(&config.data_dir)).await?;
        // a fresh installation gets the demo tenant so there is someone to log in as
        let empty: bool = sqlx::query_scalar("select not exists (select 1 from tenants)")
            .fetch_one(&pool)
            .await?;
        if empty {
            if let Some(data) = server::demo::load(
                &pool,
                std::env::var("KONTOR_DEMO_PASSWORD")
                    .ok()
                    .filter(|p| !p.is_empty()),
            )
            .await?
            {
                server::demo::credentials(&pool, &vault).await?;
                server::demo::print(&data);
            }
        }
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let jobs = server::jobs::spawn(pool.clone(), stopped.clone());
        let mailer = match &config.smtp_url {
            Some(url) => Some(server::mail::spawn(
                pool.clone(),
                server::mail::transport(url)?,
                config.mail_from.clone(),
                stopped,
            )),
            None => {
                println!(
                    "No KONTOR_SMTP_URL: invoice e-mails wait in the outbox until one is set."
                );
                None
            }
        };
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        println!(
            "Kontor is running at http://{}  (Ctrl+C stops it)",
            config.addr
        );
        let app = server::startup::router_with_vault(pool.clone(), config.clone(), vault);
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await?;
        let _ = stop.send(true);
        let _ = jobs.await;
        if let Some(mailer) = mailer {
            let _ = mailer.await;
        }
        anyhow::Ok(())
    }
    .await;
    pool.close().await;
    // the server owns the cluster it runs on, also one it adopted after a crash
    if let Some(embedded) = cluster {
        embedded.cluster.stop()?;
    }
    result
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;
    let log_filter = tracing_subscriber::EnvFilter::try_from_env("KONTOR_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    // the benchmark counts the SQL statements sqlx runs; the count layer sees them even when the log does not
    let statements = tracing_subscriber::filter::Targets::new()
        .with_target("sqlx::query", tracing::Level::TRACE);
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(log_filter),
        )
        .with(server::bench::StatementCounter.with_filter(statements))
        .init();
    let cli = Cli::parse();
    let config = Config::from_env()?;
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Serve = command {
        return serve(config).await;
    }
    let database = match &command {
        Command::Bench { .. } => format!("kontor_bench_{}", uuid::Uuid::new_v4().simple()),
        _ => "kontor".to_owned(),
    };
    let (pool, embedded) = open_database(&config, &database).await?;
    let result = run_command(command, pool.clone(), config.clone()).await;
    pool.close().await;
    if database != "kontor" {
        drop_database(&config, embedded.as_ref(), &database).await?;
    }
    if let Some(embedded) = embedded {
        embedded.stop_if_started()?;
    }
    result
}

/// Removes the benchmark's scratch database.
async fn drop_database(
    config: &Config,
    embedded: Option<&Embedded>,
    name: &str,
) -> anyhow::Result<()> {
    let options = match (embedded, &config.database_url) {
        (Some(embedded), _) => embedded.cluster.connect_options("postgres"),
        (None, Some(url)) => db::options_from_url(url)?,
        (None, None) => return Ok(()),
    };
    // right after a bulk benchmark the server may be busy checkpointing for a while
    let admin = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_secs(120))
        .connect_with(options)
        .await
        .context("connecting to PostgreSQL to drop the benchmark database")?;
    sqlx::query(&format!("drop database if exists \"{name}\""))
        .execute(&admin)
        .await?;
    Ok(())
}

async fn run_command(command: Command, pool: PgPool, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => Ok(()),
        Command::Migrate => {
            db::migrate(&pool).await?;
            println!("Migrations applied.");
            Ok(())
        }
        Command::Demo { password } => {
            db::migrate(&pool).await?;
            let vault = server::vault::open(&pool, &KeySource::from_env(&config.data_dir)).await?;
            match server::demo::load(&pool, password).await? {
                Some(data) => {
                    server::demo::credentials(&pool, &vault).await?;
                    server::demo::print(&data);
                }
                None => println!("The demo tenant exists already; nothing changed."),
            }
            Ok(())
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    tenant,
                    name,
                    scopes,
                },
        } => {
            db::migrate(&pool).await?;
            let tenant_id: uuid::Uuid =
                sqlx::query_scalar("select id from tenants where slug = $1")
                    .bind(&tenant)
                    .fetch_optional(&pool)
                    .await?
                    .with_context(|| format!("no tenant with slug {tenant}"))?;
            if let Err(error) = app::tokens::repo::validate(&name, &scopes, app::i18n::Lang::En) {
                let details = error.field_errors().map(|e| {
                    e.0.iter()
                        .map(|f| format!("{}: {}", f.field, f.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                });
                anyhow::bail!("{}", details.unwrap_or_else(|| error.to_string()));
            }
            let mut tx = pool.begin().await?;
            let created =
                app::tokens::repo::create(&mut tx, tenant_id, &name, &scopes, None).await?;
            app::audit::repo::record(
                &mut tx,
                app::audit::repo::Event {
                    tenant_id,
                    actor_id: None,
                    actor_label: "kontor token create",
                    ip: None,
                    action: "api_token.created",
                    entity_type: "api_token",
                    entity_id: Some(created.id.to_string()),
                    before: None,
                    after: Some(serde_json::json!({ "name": name, "scopes": scopes })),
                },
            )
            .await?;
            tx.commit().await?;
            println!("{}", created.token);
            Ok(())
        }
        Command::Vault {
            command: VaultCommand::RotateKey,
        } => {
            db::migrate(&pool).await?;
            rotate_vault_key(&pool, &config).await
        }
        Command::Bench {
            users,
            customers,
            seconds,
            concurrency,
            only,
        } => {
            let options = server::bench::BenchOptions {
                users,
                customers,
                seconds,
                concurrency,
                only,
            };
            server::bench::run(pool, config, options).await
        }
    }
}

/// `kontor vault rotate-key`. With the key in the environment the new key is printed
/// before the re-encryption commits, so it is never lost.
async fn rotate_vault_key(pool: &PgPool, config: &Config) -> anyhow::Result<()> {
    let source = KeySource::from_env(&config.data_dir);
    let new = app::vault::crypto::VaultKey::generate();
    if let KeySource::Env(_) = source {
        println!(
            "The vault key comes from {}. The new key (shown once):",
            server::vault::ENV_KEY
        );
        println!();
        println!("  {}", new.to_base64().as_str());
        println!();
        println!(
            "Re-encrypting the vault with it. If this fails, nothing changes and the old key \
             stays valid."
        );
    }
    let rotation = server::vault::rotate(pool, &source, &new).await?;
    println!(
        "Vault key rotated: {} secret(s) re-encrypted in one transaction (key {} -> {}).",
        rotation.credentials, rotation.old_key_id, rotation.new_key_id
    );
    match source {
        KeySource::Env(_) => println!(
            "The old key no longer opens this vault. Set {} to the new key above wherever Kontor \
             runs, then start it again.",
            server::vault::ENV_KEY
        ),
        KeySource::Dir(dir) => println!(
            "The new key is in {}; the old key no longer opens this vault.",
            dir.join("vault.key").display()
        ),
    }
    println!(
        "Restart Kontor servers that were running: they still hold the old key and refuse to \
         store secrets until restarted. Database backups made before now still need the old key."
    );
    Ok(())
}
