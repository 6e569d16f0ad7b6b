//! The service check job and the probes behind it. The job claims due checks in batches
//! (set-based, `FOR UPDATE SKIP LOCKED`), probes each batch concurrently up to a bound,
//! writes the batch's results in one statement and prunes old history. The probes speak
//! each protocol themselves over tokio and rustls.

mod probe;
mod protocols;
mod tls;

use anyhow::Context;
use app::checks::{repo, ProbeOutcome, ProbeTarget, Prober};
use sqlx::PgPool;
use std::sync::Arc;
use tokio::sync::Semaphore;
use uuid::Uuid;

/// Checks claimed per statement; a runner loops until none are due.
const BATCH: i64 = 100;
/// Probes open at once (they wait on the network, not on the CPU).
const CONCURRENCY: usize = 20;

/// The probes, as server functions ("check now") get them from the context.
pub fn prober() -> Prober {
    Prober(Arc::new(|target| Box::pin(probe::run(target))))
}

/// Probes one target now.
pub async fn probe(target: ProbeTarget) -> ProbeOutcome {
    probe::run(target).await
}

/// Runs every due check once; returns how many ran.
pub async fn run_due(pool: &PgPool) -> anyhow::Result<usize> {
    let mut done = 0;
    loop {
        let batch = {
            let mut conn = pool.acquire().await?;
            repo::claim_due(&mut conn, BATCH)
                .await
                .context("claiming due checks")?
        };
        let claimed = batch.len();
        if claimed == 0 {
            break;
        }
        let outcomes = probe_all(batch).await;
        let mut tx = pool.begin().await?;
        let alerts = repo::record(&mut tx, &outcomes)
            .await
            .context("recording check results")?;
        tx.commit().await?;
        done += outcomes.len();
        if alerts > 0 {
            tracing::info!(alerts, "service check alerts");
        }
        if i64::try_from(claimed).unwrap_or(i64::MAX) < BATCH {
            break;
        }
    }
    Ok(done)
}

/// The job: due checks, then history older than the retention.
pub async fn run_job(pool: &PgPool) -> anyhow::Result<()> {
    let ran = run_due(pool).await?;
    let mut conn = pool.acquire().await?;
    let pruned = repo::prune(&mut conn)
        .await
        .context("pruning check history")?;
    tracing::info!(ran, pruned, "service checks");
    Ok(())
}

/// Probes a batch, at most CONCURRENCY at a time; each probe ends by its own timeout.
async fn probe_all(batch: Vec<(Uuid, ProbeTarget)>) -> Vec<(Uuid, ProbeOutcome)> {
    let limit = Arc::new(Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (id, target) in batch {
        let limit = Arc::clone(&limit);
        tasks.spawn(async move {
            // the semaphore is never closed, so a permit always comes
            let _permit = limit.acquire_owned().await;
            (id, probe::run(target).await)
        });
    }
    let mut outcomes = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(outcome) => outcomes.push(outcome),
            Err(error) => tracing::error!(%error, "a probe panicked"),
        }
    }
    outcomes
}
