//! The job queue with two runners on one database: each job runs once.

use crate::support::TestApp;
use server::jobs;

#[tokio::test]
async fn two_runners_share_the_queue_without_running_a_job_twice() {
    let app = TestApp::new().await;
    sqlx::query("update job_schedules set enabled = false")
        .execute(&app.pool)
        .await
        .unwrap();
    for _ in 0..30 {
        jobs::enqueue(&app.pool, "session_cleanup", serde_json::json!({}))
            .await
            .unwrap();
    }
    let (a, b) = tokio::join!(
        jobs::work_once(&app.pool, "a"),
        jobs::work_once(&app.pool, "b")
    );
    assert_eq!(a.unwrap() + b.unwrap(), 30);
    let (succeeded, attempts): (i64, i64) = sqlx::query_as(
        "select count(*) filter (where status = 'succeeded'), sum(attempts) from jobs",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((succeeded, attempts), (30, 30));
}

#[tokio::test]
async fn a_due_schedule_fires_once_even_when_two_servers_look() {
    let app = TestApp::new().await;
    sqlx::query(
        "update job_schedules set next_run_at = now() - interval '1 second', enabled = kind = 'session_cleanup'",
    )
        .execute(&app.pool)
        .await
        .unwrap();
    let (a, b) = tokio::join!(jobs::enqueue_due(&app.pool), jobs::enqueue_due(&app.pool));
    assert_eq!(a.unwrap() + b.unwrap(), 1);
}

#[tokio::test]
async fn failing_jobs_are_retried_with_backoff_then_given_up() {
    let app = TestApp::new().await;
    sqlx::query("update job_schedules set enabled = false")
        .execute(&app.pool)
        .await
        .unwrap();
    let id = jobs::enqueue(&app.pool, "no_such_job", serde_json::json!({}))
        .await
        .unwrap();
    jobs::work_once(&app.pool, "a").await.unwrap();
    let (status, attempts, error): (String, i32, String) =
        sqlx::query_as("select status, attempts, last_error from jobs where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), attempts), ("queued", 1));
    assert!(error.contains("unknown job kind"));
    // not due again before its backoff
    assert_eq!(jobs::work_once(&app.pool, "a").await.unwrap(), 0);
    sqlx::query("update jobs set run_at = now(), attempts = max_attempts - 1 where id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    jobs::work_once(&app.pool, "a").await.unwrap();
    let status: String = sqlx::query_scalar("select status from jobs where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "failed");
}

#[tokio::test]
async fn session_cleanup_removes_expired_sessions_only() {
    let app = TestApp::new().await;
    let tenant = app.tenant("acme").await;
    app.user(tenant, "anna@acme.de", &["staff"]).await;
    let live = app.login("anna@acme.de").await;
    let stale = app.login("anna@acme.de").await;
    sqlx::query(
        "update sessions set expires_at = now() - interval '1 minute' where token_hash = $1",
    )
    .bind(app::auth::secrets::token_hash(&stale))
    .execute(&app.pool)
    .await
    .unwrap();
    jobs::clean_up_sessions(&app.pool).await.unwrap();
    let left: i64 = sqlx::query_scalar("select count(*) from sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, 1);
    assert_eq!(
        app.call_form("auth/sessions", Some(&live), "").await.status,
        axum::http::StatusCode::OK
    );
}
