//! Projects and time on a real database: the budget light moves with booked time and
//! notifies the project manager once it gets worse; the timer lives on the server; the
//! timesheet writes whole cells; approved and closed time stays as it is.

use crate::support::TestApp;
use axum::http::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

struct Team {
    app: TestApp,
    tenant: Uuid,
    manager: String,
    manager_id: Uuid,
    staff: String,
    staff_id: Uuid,
    customer: Uuid,
}

async fn team(slug: &str) -> Team {
    let app = TestApp::new().await;
    let tenant = app.tenant(slug).await;
    let manager_id = app
        .user(tenant, &format!("pm@{slug}.de"), &["project_manager"])
        .await;
    let staff_id = app
        .user(tenant, &format!("dev@{slug}.de"), &["staff"])
        .await;
    let manager = app.login(&format!("pm@{slug}.de")).await;
    let staff = app.login(&format!("dev@{slug}.de")).await;
    let customer = app.customer(&manager, "Bäckerei Sonnenschein GmbH").await;
    Team {
        app,
        tenant,
        manager,
        manager_id,
        staff,
        staff_id,
        customer,
    }
}

impl Team {
    async fn project(&self, input: Value) -> Uuid {
        let mut input = input;
        input["customer_id"] = json!(self.customer);
        let reply = self
            .app
            .call(
                "projects/create",
                Some(&self.manager),
                json!({ "input": input }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json().as_str().unwrap().parse().unwrap()
    }

    async fn book(&self, project: Uuid, date: &str, duration: &str) -> crate::support::Reply {
        self.app
            .call(
                "time/create",
                Some(&self.staff),
                json!({ "input": { "project_id": project, "work_date": date, "duration": duration, "billable": true } }),
            )
            .await
    }

    async fn light(&self, project: Uuid) -> String {
        sqlx::query_scalar("select light from projects where id = $1")
            .bind(project)
            .fetch_one(&self.app.pool)
            .await
            .unwrap()
    }

    async fn notifications(&self, user: Uuid) -> Vec<String> {
        sqlx::query_scalar("select title from notifications where user_id = $1 and kind = 'project_budget' order by created_at")
            .bind(user)
            .fetch_all(&self.app.pool)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn booked_time_turns_the_light_and_the_manager_hears_of_it_at_once() {
    let t = team("ampel").await;
    let project = t
        .project(
            json!({ "name": "Relaunch", "billing": "time_and_material", "manager_id": t.manager_id,
                         "budget_hours": "10", "hourly_rate": "100" }),
        )
        .await;
    assert_eq!(
        t.book(project, "2026-11-02", "4").await.status,
        StatusCode::OK
    );
    assert_eq!(t.light(project).await, "green");
    // 8.5 of 10 hours: yellow at 80 %
    assert_eq!(
        t.book(project, "2026-11-03", "4:30").await.status,
        StatusCode::OK
    );
    assert_eq!(t.light(project).await, "yellow");
    assert_eq!(
        t.book(project, "2026-11-04", "2").await.status,
        StatusCode::OK
    );
    assert_eq!(t.light(project).await, "red");
    let notes = t.notifications(t.manager_id).await;
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes[1].contains("Relaunch") && notes[1].contains("rot"),
        "{notes:?}"
    );
    // nobody else is told
    assert!(t.notifications(t.staff_id).await.is_empty());
    // and by e-mail: one per worse light, to the manager only
    let mails: Vec<String> = sqlx::query_scalar(
        "select subject from outbox_mails where tenant_id = $1 order by created_at, subject",
    )
    .bind(t.tenant)
    .fetch_all(&t.app.pool)
    .await
    .unwrap();
    assert_eq!(mails, notes, "the same words as in the app");
    let recipients: Vec<String> =
        sqlx::query_scalar("select distinct recipient from outbox_mails where tenant_id = $1")
            .bind(t.tenant)
            .fetch_all(&t.app.pool)
            .await
            .unwrap();
    assert_eq!(recipients, vec!["pm@ampel.de".to_owned()]);

    let board = t
        .app
        .call("projects/dashboard", Some(&t.manager), json!({ "filter": { "light": "red" }, "page": { "page": 1, "per_page": 25, "sort": "", "descending": false, "search": "" } }))
        .await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.body);
    let board = board.json();
    assert_eq!(board["lights"]["red"], 1);
    let row = &board["projects"]["items"][0];
    assert_eq!(row["budget"]["actual"]["hours"], "10.50");
    assert_eq!(row["budget"]["actual"]["amount"], "1050.00");
    assert_eq!(
        row["budget"]["used_percent"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap(),
        105.0
    );

    let detail = t
        .app
        .call("projects/load", Some(&t.staff), json!({ "id": project }))
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    let detail = detail.json();
    assert_eq!(detail["budget"]["light"], "red");
    assert_eq!(
        detail["burn"].as_array().unwrap().len(),
        1,
        "one week of time"
    );
    assert_eq!(detail["unbilled_hours"], "10.50");
}

#[tokio::test]
async fn progress_and_thresholds_drive_the_forecast_light() {
    let t = team("prognose").await;
    let project = t
        .project(
            json!({ "name": "Shop", "billing": "fixed_price", "budget_amount": "5000",
                                    "starts_on": "2026-11-01", "ends_on": "2026-12-31" }),
        )
        .await;
    let package = t
        .app
        .call(
            "projects/work-package",
            Some(&t.manager),
            json!({ "project_id": project, "id": null,
              "input": { "name": "Design", "planned_hours": "20", "progress": "20" } }),
        )
        .await;
    assert_eq!(package.status, StatusCode::OK, "{}", package.body);
    // 6 of 20 hours spent for 20 % done: forecast 30 h = 150 % → red
    assert_eq!(
        t.book(project, "2026-11-02", "6").await.status,
        StatusCode::OK
    );
    assert_eq!(t.light(project).await, "red");
    let detail = t
        .app
        .call("projects/load", Some(&t.manager), json!({ "id": project }))
        .await
        .json();
    assert_eq!(detail["budget"]["cause"], "forecast_overrun");
    assert!(
        detail["earned_value"]["ev"].is_string(),
        "fixed price shows earned value: {detail}"
    );
    // a generous tolerance makes it yellow at once, for every project of the tenant
    let saved = t
        .app
        .call("projects/save-settings", Some(&t.manager), json!({ "input": { "yellow_at": "80", "red_at": "100",
              "forecast_tolerance": "60", "default_rate": "95", "rounding_step": 1, "rounding_mode": "up",
              "federal_state": "NW", "time_locked_until": "" } }))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(t.light(project).await, "yellow");
    // thresholds out of order are named
    let wrong = t
        .app
        .call("projects/save-settings", Some(&t.manager), json!({ "input": { "yellow_at": "90", "red_at": "80",
              "forecast_tolerance": "10", "default_rate": "95", "rounding_step": 1, "rounding_mode": "up",
              "federal_state": "NW", "time_locked_until": "" } }))
        .await;
    assert_eq!(wrong.fields(), vec!["red_at"]);
}

#[tokio::test]
async fn the_timer_runs_on_the_server_and_books_rounded_time_when_stopped() {
    let t = team("timer").await;
    let project = t
        .project(json!({ "name": "Wartung", "billing": "time_and_material" }))
        .await;
    sqlx::query("insert into project_settings (tenant_id, rounding_step, rounding_mode) values ($1, 15, 'up')")
        .bind(t.tenant)
        .execute(&t.app.pool)
        .await
        .unwrap();
    let started = t
        .app
        .call(
            "time/start",
            Some(&t.staff),
            json!({ "start": { "project_id": project, "note": "Updates", "billable": true } }),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    // a second tab asks the server and sees the same timer
    let loaded = t
        .app
        .call("time/timer", Some(&t.staff), json!({}))
        .await
        .json();
    assert_eq!(loaded["project_id"], json!(project));
    // it has run for 7 minutes
    sqlx::query("update timers set started_at = now() - interval '7 minutes' where user_id = $1")
        .bind(t.staff_id)
        .execute(&t.app.pool)
        .await
        .unwrap();
    let stopped = t.app.call("time/stop", Some(&t.staff), json!({})).await;
    assert_eq!(stopped.status, StatusCode::OK, "{}", stopped.body);
    assert_eq!(stopped.json()["minutes"], 15);
    let (minutes, note, source, rate): (i32, String, String, String) = sqlx::query_as(
        "select minutes, note, source, rate::text from time_entries where user_id = $1",
    )
    .bind(t.staff_id)
    .fetch_one(&t.app.pool)
    .await
    .unwrap();
    assert_eq!(
        (minutes, note.as_str(), source.as_str()),
        (15, "Updates", "timer")
    );
    assert_eq!(rate, "95.00", "the tenant default rate");
    assert!(t
        .app
        .call("time/timer", Some(&t.staff), json!({}))
        .await
        .json()
        .is_null());
    let again = t.app.call("time/stop", Some(&t.staff), json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_timesheet_writes_whole_cells_and_approved_or_closed_time_stays() {
    let t = team("woche").await;
    let project = t
        .project(json!({ "name": "Support", "billing": "time_and_material" }))
        .await;
    let sheet = |cells: Value| json!({ "user_id": null, "monday": "2026-11-16", "cells": cells });
    let cell = |date: &str, duration: &str| json!({ "project_id": project, "work_package_id": null, "work_date": date, "duration": duration });
    let saved = t
        .app
        .call(
            "time/save-sheet",
            Some(&t.staff),
            sheet(json!([
                cell("2026-11-16", "1,5"),
                cell("2026-11-17", "2:15")
            ])),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let week = saved.json();
    assert_eq!(week["rows"][0]["minutes"], json!([90, 135, 0, 0, 0, 0, 0]));
    // a typed change replaces the cell's time; an empty cell removes it
    let saved = t
        .app
        .call(
            "time/save-sheet",
            Some(&t.staff),
            sheet(json!([cell("2026-11-16", "3"), cell("2026-11-17", "")])),
        )
        .await;
    assert_eq!(
        saved.json()["rows"][0]["minutes"],
        json!([180, 0, 0, 0, 0, 0, 0])
    );
    let bad = t
        .app
        .call(
            "time/save-sheet",
            Some(&t.staff),
            sheet(json!([cell("2026-11-18", "zwei")])),
        )
        .await;
    assert_eq!(bad.fields(), vec!["cells.0"]);

    // staff cannot approve, the project manager can; then the time is fixed
    let approve = json!({ "user_id": t.staff_id, "monday": "2026-11-16" });
    assert_eq!(
        t.app
            .call("time/approve-week", Some(&t.staff), approve.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let approved = t
        .app
        .call("time/approve-week", Some(&t.manager), approve)
        .await;
    assert_eq!(approved.json(), 1);
    let lower = t
        .app
        .call(
            "time/save-sheet",
            Some(&t.staff),
            sheet(json!([cell("2026-11-16", "2")])),
        )
        .await;
    assert_eq!(lower.fields(), vec!["cells.0"]);
    // more time on an approved day is a new entry
    let more = t
        .app
        .call(
            "time/save-sheet",
            Some(&t.staff),
            sheet(json!([cell("2026-11-16", "4")])),
        )
        .await;
    assert_eq!(
        more.json()["rows"][0]["minutes"],
        json!([240, 0, 0, 0, 0, 0, 0])
    );
    // the database refuses changes to approved time, whatever the code does
    let changed = sqlx::query("update time_entries set minutes = 1 where approved_at is not null")
        .execute(&t.app.pool)
        .await;
    assert!(changed.is_err());

    // closing November: nothing on or before the 30th changes any more
    sqlx::query(
        "insert into project_settings (tenant_id, time_locked_until) values ($1, '2026-11-30')",
    )
    .bind(t.tenant)
    .execute(&t.app.pool)
    .await
    .unwrap();
    let closed = t.book(project, "2026-11-20", "1").await;
    assert_eq!(closed.fields(), vec!["work_date"]);
    assert!(closed.body.contains("30.11.2026"), "{}", closed.body);
    let deleted = sqlx::query("delete from time_entries where work_date = '2026-11-16'")
        .execute(&t.app.pool)
        .await;
    assert!(deleted.is_err());
}

#[tokio::test]
async fn people_see_and_write_only_what_their_role_allows() {
    let t = team("rechte").await;
    let project = t
        .project(json!({ "name": "Intranet", "billing": "time_and_material" }))
        .await;
    // staff do not plan projects
    let created = t.app.call("projects/create", Some(&t.staff), json!({ "input": { "customer_id": t.customer, "name": "X", "billing": "time_and_material" } })).await;
    assert_eq!(created.status, StatusCode::FORBIDDEN);
    // staff book their own time, not a colleague's
    let for_other = t
        .app
        .call("time/create", Some(&t.staff), json!({ "input": { "user_id": t.manager_id, "project_id": project, "work_date": "2026-11-02", "duration": "1" } }))
        .await;
    assert_eq!(for_other.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.book(project, "2026-11-02", "1").await.status,
        StatusCode::OK
    );
    let manager_entry = t
        .app
        .call("time/create", Some(&t.manager), json!({ "input": { "project_id": project, "work_date": "2026-11-02", "duration": "2" } }))
        .await;
    assert_eq!(manager_entry.status, StatusCode::OK);
    let page = json!({ "page": 1, "per_page": 25, "sort": "", "descending": false, "search": "" });
    let seen = t
        .app
        .call(
            "time/list",
            Some(&t.staff),
            json!({ "filter": {}, "page": page }),
        )
        .await
        .json();
    assert_eq!(seen["total"], 1, "staff see their own time only");
    let seen = t
        .app
        .call(
            "time/list",
            Some(&t.manager),
            json!({ "filter": {}, "page": page }),
        )
        .await
        .json();
    assert_eq!(seen["total"], 2);
    // another tenant's project does not exist for them
    let other = team("fremd").await;
    let foreign = other
        .project(json!({ "name": "Fremd", "billing": "time_and_material" }))
        .await;
    assert_eq!(
        t.app
            .call("projects/load", Some(&t.manager), json!({ "id": foreign }))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.book(foreign, "2026-11-02", "1").await.fields(),
        vec!["project_id"]
    );
    // bad input names its fields
    let bad = t
        .app
        .call(
            "projects/create",
            Some(&t.manager),
            json!({ "input": { "billing": "retainer", "name": "" } }),
        )
        .await;
    let mut fields = bad.fields();
    fields.sort();
    assert_eq!(
        fields,
        vec!["customer_id", "name", "retainer_fee", "retainer_hours"]
    );
}

#[tokio::test]
async fn the_api_creates_projects_books_time_and_reports_the_budget() {
    use crate::support::api;
    let t = team("schnittstelle").await;
    let token = t
        .app
        .token(t.tenant, &["projects:read", "projects:write", "time:write"])
        .await;
    let created = t
        .app
        .send(api(
            "POST",
            "/api/v1/projects",
            &token,
            Some(json!({ "customer_id": t.customer, "name": "App",
              "billing": "time_and_material", "budget_hours": "4", "hourly_rate": "120" })),
        ))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let project = created.json()["id"].as_str().unwrap().to_owned();
    assert!(created.json()["number"].as_str().unwrap().starts_with("P-"));
    let booked = t
        .app
        .send(api(
            "POST",
            "/api/v1/time-entries",
            &token,
            Some(json!({ "user_id": t.staff_id, "project_id": project,
              "work_date": "2026-11-10", "duration": "3:30", "note": "Login" })),
        ))
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let nobody = t
        .app
        .send(api(
            "POST",
            "/api/v1/time-entries",
            &token,
            Some(json!({ "project_id": project, "work_date": "2026-11-10", "duration": "1" })),
        ))
        .await;
    assert_eq!(nobody.fields(), vec!["user_id"]);
    let budget = t
        .app
        .send(api(
            "GET",
            &format!("/api/v1/projects/{project}/budget"),
            &token,
            None,
        ))
        .await;
    assert_eq!(budget.status, StatusCode::OK, "{}", budget.body);
    let budget = budget.json();
    assert_eq!(budget["budget"]["actual"]["amount"], "420.00");
    assert_eq!(budget["budget"]["light"], "yellow");
    let entries = t
        .app
        .send(api(
            "GET",
            &format!("/api/v1/time-entries?project_id={project}"),
            &token,
            None,
        ))
        .await
        .json();
    assert_eq!(entries["total"], 1);
    assert_eq!(entries["items"][0]["source"], "api");
    let listed = t
        .app
        .send(api("GET", "/api/v1/projects?light=yellow", &token, None))
        .await
        .json();
    assert_eq!(listed["total"], 1);
    let patched = t
        .app
        .send(api(
            "PATCH",
            &format!("/api/v1/projects/{project}"),
            &token,
            Some(json!({ "budget_hours": "40" })),
        ))
        .await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.body);
    assert_eq!(t.light(project.parse().unwrap()).await, "green");
    // a read-only token cannot book
    let reader = t.app.token(t.tenant, &["projects:read"]).await;
    let refused = t
        .app
        .send(api("POST", "/api/v1/time-entries", &reader, Some(json!({ "user_id": t.staff_id, "project_id": project, "work_date": "2026-11-10", "duration": "1" }))))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_resource_plan_weighs_assignments_against_capacity_holidays_and_absences() {
    let t = team("ressourcen").await;
    let project = t
        .project(json!({ "name": "Portal", "billing": "time_and_material" }))
        .await;
    sqlx::query("insert into project_settings (tenant_id, federal_state) values ($1, 'NW')")
        .bind(t.tenant)
        .execute(&t.app.pool)
        .await
        .unwrap();
    // 36 h a week on the project from Monday 18 May 2026 for three weeks
    let assigned = t
        .app
        .call(
            "resources/assign",
            Some(&t.manager),
            json!({ "id": null, "input": { "user_id": t.staff_id, "project_id": project,
              "starts_on": "2026-05-18", "ends_on": "2026-06-07", "hours_per_week": "36" } }),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    let assignment = assigned.json().as_str().unwrap().to_owned();
    // a week off in the third week
    let away = t
        .app
        .call("resources/absence", Some(&t.staff), json!({ "input": { "kind": "vacation", "starts_on": "2026-06-01", "ends_on": "2026-06-05" } }))
        .await;
    assert_eq!(away.status, StatusCode::OK, "{}", away.body);
    let plan = t
        .app
        .call(
            "resources/plan",
            Some(&t.staff),
            json!({ "from": "2026-05-18", "weeks": 3 }),
        )
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    let plan = plan.json();
    let person = plan["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["person"]["id"] == json!(t.staff_id))
        .unwrap()
        .clone();
    let weeks = person["weeks"].as_array().unwrap();
    // 40 h, 36 planned: full; Whit Monday (NW): 32 h, overbooked; vacation: nothing to give
    assert_eq!(
        (weeks[0]["capacity"].as_str(), weeks[0]["load"].as_str()),
        (Some("40"), Some("Full"))
    );
    assert_eq!(
        (weeks[1]["capacity"].as_str(), weeks[1]["load"].as_str()),
        (Some("32"), Some("Overbooked"))
    );
    assert!(weeks[1]["days_off"][0]
        .as_str()
        .unwrap()
        .contains("Pfingst"));
    assert_eq!(
        (weeks[2]["capacity"].as_str(), weeks[2]["load"].as_str()),
        (Some("0"), Some("Overbooked"))
    );
    assert_eq!(
        plan["can_plan"], false,
        "staff see the plan but do not plan"
    );

    // dragged onto the manager, two weeks later: same length, new person
    let moved = t
        .app
        .call(
            "resources/move",
            Some(&t.manager),
            json!({ "id": assignment, "user_id": t.manager_id, "starts_on": "2026-06-01" }),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let (user, from, to): (Uuid, chrono::NaiveDate, chrono::NaiveDate) =
        sqlx::query_as("select user_id, starts_on, ends_on from assignments where id = $1::uuid")
            .bind(&assignment)
            .fetch_one(&t.app.pool)
            .await
            .unwrap();
    assert_eq!(
        (user, from.to_string(), to.to_string()),
        (
            t.manager_id,
            "2026-06-01".to_owned(),
            "2026-06-21".to_owned()
        )
    );
    let refused = t
        .app
        .call(
            "resources/move",
            Some(&t.staff),
            json!({ "id": assignment, "user_id": t.staff_id, "starts_on": "2026-06-01" }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = t
        .app
        .call(
            "resources/assign",
            Some(&t.manager),
            json!({ "id": null, "input": { "user_id": t.staff_id, "project_id": project,
              "starts_on": "2026-06-07", "ends_on": "2026-06-01", "hours_per_week": "0" } }),
        )
        .await;
    let mut fields = bad.fields();
    fields.sort();
    assert_eq!(fields, vec!["ends_on", "hours_per_week"]);
}

#[tokio::test]
async fn projects_are_billed_through_invoice_drafts_once_and_given_back_when_discarded() {
    let t = team("abrechnung").await;
    t.app
        .user(t.tenant, "buchhaltung@abrechnung.de", &["accountant"])
        .await;
    let accountant = t.app.login("buchhaltung@abrechnung.de").await;
    let project = t
        .project(
            json!({ "name": "Relaunch", "billing": "time_and_material", "hourly_rate": "100" }),
        )
        .await;
    let package = t
        .app
        .call(
            "projects/work-package",
            Some(&t.manager),
            json!({ "project_id": project, "id": null, "input": { "name": "Design" } }),
        )
        .await
        .json();
    for (date, duration, package) in [
        ("2026-11-02", "2", Some(&package)),
        ("2026-11-03", "1:30", Some(&package)),
        ("2026-11-04", "0:20", None),
        ("2026-12-01", "3", None),
    ] {
        let reply = t
            .app
            .call(
                "time/create",
                Some(&t.staff),
                json!({ "input": { "project_id": project, "work_package_id": package,
                  "work_date": date, "duration": duration, "billable": true } }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    // project managers plan, accounting bills
    let refused = t
        .app
        .call(
            "projects/bill-time",
            Some(&t.manager),
            json!({ "project_id": project, "until": "2026-11-30" }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let billed = t
        .app
        .call(
            "projects/bill-time",
            Some(&accountant),
            json!({ "project_id": project, "until": "2026-11-30" }),
        )
        .await;
    assert_eq!(billed.status, StatusCode::OK, "{}", billed.body);
    let invoice = billed.json().as_str().unwrap().to_owned();
    let draft = t
        .app
        .call("invoices/load", Some(&accountant), json!({ "id": invoice }))
        .await
        .json();
    let lines = draft["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{draft}");
    // time on no work package first (0:20 = 0.33 h), then Design (3.5 h), at 100 €
    assert_eq!(
        (
            lines[0]["quantity"].as_str(),
            lines[0]["net_amount"].as_str()
        ),
        (Some("0.3300"), Some("33.00"))
    );
    assert_eq!(
        (
            lines[1]["quantity"].as_str(),
            lines[1]["net_amount"].as_str()
        ),
        (Some("3.5000"), Some("350.00"))
    );
    assert!(lines[1]["description"].as_str().unwrap().contains("Design"));
    // November's time is taken; December's waits
    let again = t
        .app
        .call(
            "projects/bill-time",
            Some(&accountant),
            json!({ "project_id": project, "until": "2026-11-30" }),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let taken: i64 =
        sqlx::query_scalar("select count(*) from time_entries where invoice_id = $1::uuid")
            .bind(&invoice)
            .fetch_one(&t.app.pool)
            .await
            .unwrap();
    assert_eq!(taken, 3);
    // discarding the draft gives the time back
    let discarded = t
        .app
        .call(
            "invoices/discard-draft",
            Some(&accountant),
            json!({ "id": invoice }),
        )
        .await;
    assert_eq!(discarded.status, StatusCode::OK, "{}", discarded.body);
    let rebilled = t
        .app
        .call(
            "projects/bill-time",
            Some(&accountant),
            json!({ "project_id": project, "until": "2026-11-30" }),
        )
        .await;
    assert_eq!(rebilled.status, StatusCode::OK, "{}", rebilled.body);

    // a milestone is billed once it is reached, and only once
    let fixed = t
        .project(json!({ "name": "Shop", "billing": "fixed_price", "budget_amount": "8000" }))
        .await;
    let milestone = t
        .app
        .call("projects/milestone", Some(&t.manager), json!({ "project_id": fixed, "input": { "name": "Design abgenommen", "due_on": "2026-12-15", "amount": "2400" } }))
        .await
        .json();
    let early = t
        .app
        .call(
            "projects/bill-milestone",
            Some(&accountant),
            json!({ "id": milestone }),
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert_eq!(
        t.app
            .call(
                "projects/milestone-reached",
                Some(&t.manager),
                json!({ "id": milestone })
            )
            .await
            .status,
        StatusCode::OK
    );
    let partial = t
        .app
        .call(
            "projects/bill-milestone",
            Some(&accountant),
            json!({ "id": milestone }),
        )
        .await;
    assert_eq!(partial.status, StatusCode::OK, "{}", partial.body);
    let partial = t
        .app
        .call(
            "invoices/load",
            Some(&accountant),
            json!({ "id": partial.json() }),
        )
        .await
        .json();
    assert_eq!(partial["lines"][0]["net_amount"], "2400.00");
    assert_eq!(
        t.app
            .call(
                "projects/bill-milestone",
                Some(&accountant),
                json!({ "id": milestone })
            )
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        t.app
            .call(
                "projects/bill-time",
                Some(&accountant),
                json!({ "project_id": fixed, "until": "" })
            )
            .await
            .status,
        StatusCode::CONFLICT
    );

    // a retainer month: the fee and the hours beyond the included 2 at the project's rate
    let retainer = t
        .project(json!({ "name": "Betreuung", "billing": "retainer", "retainer_hours": "2", "retainer_fee": "500", "hourly_rate": "90" }))
        .await;
    assert_eq!(
        t.book(retainer, "2026-11-10", "3:30").await.status,
        StatusCode::OK
    );
    let month = t
        .app
        .call(
            "projects/bill-retainer",
            Some(&accountant),
            json!({ "project_id": retainer, "month": "2026-11" }),
        )
        .await;
    assert_eq!(month.status, StatusCode::OK, "{}", month.body);
    let month = t
        .app
        .call(
            "invoices/load",
            Some(&accountant),
            json!({ "id": month.json() }),
        )
        .await
        .json();
    let lines = month["lines"].as_array().unwrap();
    assert_eq!(lines[0]["net_amount"], "500.00");
    assert_eq!(
        (
            lines[1]["quantity"].as_str(),
            lines[1]["net_amount"].as_str()
        ),
        (Some("1.5000"), Some("135.00"))
    );
    let twice = t
        .app
        .call(
            "projects/bill-retainer",
            Some(&accountant),
            json!({ "project_id": retainer, "month": "2026-11-15" }),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // billed time no longer changes in the timesheet
    let entry: Uuid = sqlx::query_scalar(
        "select id from time_entries where project_id = $1 and invoice_id is not null limit 1",
    )
    .bind(retainer)
    .fetch_one(&t.app.pool)
    .await
    .unwrap();
    let deleted = t
        .app
        .call("time/delete", Some(&t.staff), json!({ "id": entry }))
        .await;
    assert_eq!(deleted.status, StatusCode::CONFLICT);

    // profit: nothing issued yet, so no revenue; the cost is the time at payout rates (0 here)
    let report = t
        .app
        .call(
            "projects/profit",
            Some(&t.manager),
            json!({ "from": "2026-11-01", "to": "2026-11-30" }),
        )
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert_eq!(report.json()["payouts"][0]["hours"], "7.33");
    assert_eq!(
        t.app
            .call(
                "projects/profit",
                Some(&t.staff),
                json!({ "from": "", "to": "" })
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn portal_login(t: &Team, customer: Uuid, email: &str, role: &str) -> String {
    let user = t.app.user(t.tenant, email, &[role]).await;
    sqlx::query("update memberships set customer_id = $1 where user_id = $2")
        .bind(customer)
        .bind(user)
        .execute(&t.app.pool)
        .await
        .unwrap();
    t.app.login(email).await
}

#[tokio::test]
async fn customers_follow_their_projects_and_accept_milestones_in_the_portal() {
    let t = team("kundenportal").await;
    let project = t
        .project(json!({ "name": "Website", "billing": "fixed_price", "budget_amount": "6000" }))
        .await;
    let milestone = t
        .app
        .call("projects/milestone", Some(&t.manager), json!({ "project_id": project, "input": { "name": "Entwurf", "due_on": "2026-12-10", "amount": "2000" } }))
        .await
        .json();
    let other_customer = t.app.customer(&t.manager, "Andere GmbH").await;
    let hidden = t
        .project(json!({ "name": "Geheim", "billing": "time_and_material" }))
        .await;
    sqlx::query("update projects set customer_id = $1 where id = $2")
        .bind(other_customer)
        .bind(hidden)
        .execute(&t.app.pool)
        .await
        .unwrap();
    let owner = portal_login(&t, t.customer, "chefin@kunde.de", "customer_owner").await;
    let billing = portal_login(&t, t.customer, "buchhaltung@kunde.de", "customer_billing").await;

    let seen = t.app.call("portal/projects", Some(&owner), json!({})).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    let seen = seen.json();
    assert_eq!(
        seen.as_array().unwrap().len(),
        1,
        "only their own company's projects: {seen}"
    );
    assert_eq!(seen[0]["name"], "Website");
    assert_eq!(seen[0]["milestones"][0]["amount"], "2000.00");
    // not reached yet: nothing to accept
    let early = t
        .app
        .call(
            "portal/accept-milestone",
            Some(&owner),
            json!({ "id": milestone }),
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert_eq!(
        t.app
            .call(
                "projects/milestone-reached",
                Some(&t.manager),
                json!({ "id": milestone })
            )
            .await
            .status,
        StatusCode::OK
    );
    // the bookkeeping contact does not accept work
    let by_billing = t
        .app
        .call(
            "portal/accept-milestone",
            Some(&billing),
            json!({ "id": milestone }),
        )
        .await;
    assert_eq!(by_billing.status, StatusCode::FORBIDDEN);
    let accepted = t
        .app
        .call(
            "portal/accept-milestone",
            Some(&owner),
            json!({ "id": milestone }),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let detail = t
        .app
        .call("projects/load", Some(&t.manager), json!({ "id": project }))
        .await
        .json();
    assert_eq!(detail["milestones"][0]["status"], "accepted");
    assert_eq!(detail["milestones"][0]["accepted"][1], "chefin@kunde.de");
    assert!(t
        .app
        .audit_actions(t.tenant)
        .await
        .contains(&"milestone.accepted".to_owned()));
    // another customer's milestone is not theirs to accept
    let foreign = t
        .app
        .call(
            "projects/milestone",
            Some(&t.manager),
            json!({ "project_id": hidden, "input": { "name": "X", "due_on": "2026-12-10" } }),
        )
        .await
        .json();
    t.app
        .call(
            "projects/milestone-reached",
            Some(&t.manager),
            json!({ "id": foreign }),
        )
        .await;
    let stolen = t
        .app
        .call(
            "portal/accept-milestone",
            Some(&owner),
            json!({ "id": foreign }),
        )
        .await;
    assert_eq!(stolen.status, StatusCode::CONFLICT);
    // staff functions stay closed to customers
    assert_eq!(
        t.app
            .call("projects/load", Some(&owner), json!({ "id": project }))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_secret_calendar_address_serves_milestones_and_absences_and_a_new_one_replaces_it() {
    let t = team("kalender").await;
    let project = t.project(json!({ "name": "Relaunch", "billing": "time_and_material", "manager_id": t.manager_id })).await;
    t.app
        .call("projects/milestone", Some(&t.manager), json!({ "project_id": project, "input": { "name": "Go-live; Phase 1", "due_on": "2099-01-15" } }))
        .await;
    t.app
        .call("resources/absence", Some(&t.manager), json!({ "input": { "kind": "vacation", "starts_on": "2099-02-01", "ends_on": "2099-02-05" } }))
        .await;
    let url = t
        .app
        .call("time/calendar-feed", Some(&t.manager), json!({}))
        .await;
    assert_eq!(url.status, StatusCode::OK, "{}", url.body);
    let url = url.json().as_str().unwrap().to_owned();
    let path = url
        .split_once("/calendar/")
        .map(|(_, file)| format!("/calendar/{file}"))
        .unwrap();
    // calendar apps send no cookie
    let feed = t.app.get(&path, None).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    assert!(feed.headers[axum::http::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    assert!(
        feed.body
            .contains("SUMMARY:P-0001 Relaunch: Go-live\\; Phase 1\r\n"),
        "{}",
        feed.body
    );
    assert!(feed.body.contains("DTSTART;VALUE=DATE:20990115\r\n"));
    assert!(feed
        .body
        .contains("DTSTART;VALUE=DATE:20990201\r\nDTEND;VALUE=DATE:20990206\r\n"));
    // a new address: the old one is gone
    t.app
        .call("time/calendar-feed", Some(&t.manager), json!({}))
        .await;
    assert_eq!(t.app.get(&path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.app.get("/calendar/guess.ics", None).await.status,
        StatusCode::NOT_FOUND
    );
}
