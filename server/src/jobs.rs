//! The job runner: a PostgreSQL queue claimed with `FOR UPDATE SKIP LOCKED`, schedules that
//! enqueue jobs when due (an UPDATE … RETURNING, so two servers never both fire one), retries
//! with backoff, and the finished jobs as history. Later issues add billing runs, mail, checks.

use anyhow::Context;
use sqlx::PgPool;
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// A job that ran longer than this is taken to belong to a crashed server and is re-queued.
const STALE_AFTER: &str = "15 minutes";

#[derive(Debug, sqlx::FromRow)]
pub struct Job {
    pub id: Uuid,
    pub kind: String,
    pub payload: serde_json::Value,
    pub attempts: i32,
    pub max_attempts: i32,
}

/// Turns due schedules into queued jobs; returns how many were queued.
pub async fn enqueue_due(pool: &PgPool) -> sqlx::Result<u64> {
    sqlx::query(
        "with due as (
             update job_schedules
             set next_run_at = greatest(next_run_at + every, now())
             where enabled and next_run_at <= now()
             returning kind
         )
         insert into jobs (id, kind) select gen_random_uuid(), kind from due",
    )
    .execute(pool)
    .await
    .map(|r| r.rows_affected())
}

pub async fn enqueue(pool: &PgPool, kind: &str, payload: serde_json::Value) -> sqlx::Result<Uuid> {
    sqlx::query_scalar(
        "insert into jobs (id, kind, payload) values (gen_random_uuid(), $1, $2) returning id",
    )
    .bind(kind)
    .bind(payload)
    .fetch_one(pool)
    .await
}

/// Claims the next due job, if any.
pub async fn claim(pool: &PgPool, worker: &str) -> sqlx::Result<Option<Job>> {
    sqlx::query_as::<_, Job>(&format!(
        "update jobs set status = 'running', attempts = attempts + 1, locked_by = $1, locked_at = now()
         where id = (
             select id from jobs
             where (status = 'queued' and run_at <= now())
                or (status = 'running' and locked_at < now() - interval '{STALE_AFTER}')
             order by run_at
             for update skip locked
             limit 1
         )
         returning id, kind, payload, attempts, max_attempts"
    ))
    .bind(worker)
    .fetch_optional(pool)
    .await
}

async fn finish(pool: &PgPool, job: &Job, outcome: &anyhow::Result<()>) -> sqlx::Result<()> {
    match outcome {
        Ok(()) => sqlx::query("update jobs set status = 'succeeded', finished_at = now(), last_error = null where id = $1")
            .bind(job.id)
            .execute(pool)
            .await
            .map(drop),
        Err(error) => {
            // retry with exponential backoff (30 s, 1 min, 2 min, …) until attempts run out
            sqlx::query(
                "update jobs set
                     status = case when attempts >= max_attempts then 'failed' else 'queued' end,
                     run_at = now() + make_interval(secs => 30 * power(2, attempts - 1)),
                     finished_at = case when attempts >= max_attempts then now() end,
                     last_error = $2, locked_by = null
                 where id = $1",
            )
            .bind(job.id)
            .bind(format!("{error:#}"))
            .execute(pool)
            .await
            .map(drop)
        }
    }
}

async fn run(pool: &PgPool, job: &Job) -> anyhow::Result<()> {
    match job.kind.as_str() {
        "session_cleanup" => clean_up_sessions(pool).await,
        "inventory_expiry_reminders" => remind_expiries(pool).await,
        "service_checks" => crate::checks::run_job(pool).await,
        "scheduled_billing" => scheduled_billing(pool).await,
        other => anyhow::bail!("unknown job kind {other}"),
    }
}

/// Removes expired sessions and invitations, old login attempts and idempotency keys.
pub async fn clean_up_sessions(pool: &PgPool) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    let sessions = sqlx::query("delete from sessions where expires_at < now()")
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("delete from login_attempts where at < now() - interval '7 days'")
        .execute(&mut *tx)
        .await?;
    sqlx::query("delete from user_invitations where expires_at < now() - interval '30 days'")
        .execute(&mut *tx)
        .await?;
    sqlx::query("delete from idempotency_keys where created_at < now() - interval '24 hours'")
        .execute(&mut *tx)
        .await?;
    tx.commit().await.context("session clean-up")?;
    tracing::info!(sessions, "expired sessions removed");
    Ok(())
}

/// Daily: in-app reminders of expiring domains, certificates and DNS zones (idempotent).
pub async fn remind_expiries(pool: &PgPool) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    let added = app::inventory::repo::remind_expiries(&mut tx).await?;
    tx.commit().await.context("expiry reminders")?;
    tracing::info!(added, "expiry reminders");
    Ok(())
}

/// Starts the billing runs whose tenant schedule is due.
pub async fn scheduled_billing(pool: &PgPool) -> anyhow::Result<()> {
    let runs = app::billing::api::run_scheduled(pool)
        .await
        .map_err(|error| anyhow::anyhow!("scheduled billing: {error:?}"))?;
    if !runs.is_empty() {
        tracing::info!(runs = runs.len(), "scheduled billing runs");
    }
    Ok(())
}

/// Claims and runs jobs until there are none due; returns how many ran.
pub async fn work_once(pool: &PgPool, worker: &str) -> sqlx::Result<usize> {
    enqueue_due(pool).await?;
    let mut done = 0;
    while let Some(job) = claim(pool, worker).await? {
        let outcome = run(pool, &job).await;
        if let Err(error) = &outcome {
            tracing::warn!(
                kind = job.kind,
                attempt = job.attempts,
                max = job.max_attempts,
                "job failed: {error:#}"
            );
        }
        finish(pool, &job, &outcome).await?;
        done += 1;
    }
    Ok(done)
}

/// The runner loop of a server process; stops when `shutdown` changes.
pub fn spawn(pool: PgPool, mut shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let worker = format!("{}:{}", std::process::id(), Uuid::new_v4().simple());
    tokio::spawn(async move {
        loop {
            if let Err(error) = work_once(&pool, &worker).await {
                tracing::error!(%error, "job runner");
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                _ = shutdown.changed() => break,
            }
        }
    })
}
