//! Password vault: encryption at rest with fresh nonces and row-bound ciphertexts, the key
//! check at start, key rotation, audited reveals and permissions, lists without secrets,
//! the printable list and the REST API.

use crate::support::{api, config, fresh_pool, TestApp};
use app::vault::crypto::VaultKey;
use axum::http::{header, StatusCode};
use serde_json::{json, Value};
use server::vault::KeySource;
use std::path::PathBuf;
use uuid::Uuid;

const SECRET: &str = "Tr0ub4dor&3 geheim";

/// A folder of its own for a key file, removed when dropped.
struct KeyDir(PathBuf);

impl KeyDir {
    fn new() -> KeyDir {
        let dir = std::env::temp_dir().join(format!("kontor-vault-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        KeyDir(dir)
    }

    fn source(&self) -> KeySource {
        KeySource::Dir(self.0.clone())
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for KeyDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The app with a vault opened from a fresh key file, like `kontor serve` does it.
async fn vault_app() -> (TestApp, VaultKey, KeyDir) {
    let pool = fresh_pool().await;
    let dir = KeyDir::new();
    let key = server::vault::open(&pool, &dir.source()).await.unwrap();
    let router = server::startup::router_with_vault(pool.clone(), config(), key.clone());
    (TestApp { pool, router }, key, dir)
}

/// A tenant with an admin (logged in) and one customer.
async fn setup(app: &TestApp, slug: &str) -> (Uuid, String, Uuid) {
    let tenant = app.tenant(slug).await;
    let email = format!("admin@{slug}.de");
    app.user(tenant, &email, &["admin"]).await;
    let cookie = app.login(&email).await;
    let customer = app.customer(&cookie, "Bäckerei Müller").await;
    (tenant, cookie, customer)
}

async fn server_of(app: &TestApp, tenant: Uuid, customer: Uuid, hostname: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into servers (id, tenant_id, customer_id, hostname) values ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(tenant)
    .bind(customer)
    .bind(hostname)
    .execute(&app.pool)
    .await
    .unwrap();
    id
}

fn ftp(label: &str) -> Value {
    json!({ "kind": "ftp", "label": label, "host": "ftp.baeckerei.de", "port": 21, "username": "web1" })
}

async fn create(app: &TestApp, cookie: &str, customer: Uuid, input: Value, secret: &str) -> Uuid {
    let reply = app
        .call(
            "vault/create",
            Some(cookie),
            json!({ "customer_id": customer, "input": input, "secret": secret }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json().as_str().unwrap().parse().unwrap()
}

async fn reveal(app: &TestApp, cookie: &str, id: Uuid) -> crate::support::Reply {
    app.call("vault/reveal", Some(cookie), json!({ "id": id }))
        .await
}

async fn sealed(app: &TestApp, id: Uuid) -> (Vec<u8>, Vec<u8>) {
    sqlx::query_as("select nonce, ciphertext from credentials where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn secrets_are_encrypted_with_fresh_nonces_and_bound_to_their_row() {
    let (app, _key, _dir) = vault_app().await;
    let (_, cookie, customer) = setup(&app, "acme").await;
    let first = create(&app, &cookie, customer, ftp("FTP Web"), SECRET).await;
    let second = create(&app, &cookie, customer, ftp("FTP Backup"), SECRET).await;

    let (nonce_1, cipher_1) = sealed(&app, first).await;
    let (nonce_2, cipher_2) = sealed(&app, second).await;
    assert_ne!(nonce_1, nonce_2, "every encryption draws a fresh nonce");
    assert_ne!(
        cipher_1, cipher_2,
        "equal secrets give different ciphertexts"
    );
    assert!(!contains(&cipher_1, SECRET.as_bytes()));
    assert!(!contains(&cipher_1, &SECRET.as_bytes()[..8]));

    let shown = reveal(&app, &cookie, first).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(shown.json()["secret"], SECRET);
    assert_eq!(shown.json()["credential_id"], first.to_string());

    // a new secret is encrypted again, with another nonce
    let changed = app
        .call(
            "vault/update",
            Some(&cookie),
            json!({ "id": first, "input": ftp("FTP Web"), "secret": "neu und anders" }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_ne!(sealed(&app, first).await.0, nonce_1);
    assert_eq!(
        reveal(&app, &cookie, first).await.json()["secret"],
        "neu und anders"
    );
    // without a secret the stored one stays
    let kept = app
        .call(
            "vault/update",
            Some(&cookie),
            json!({ "id": first, "input": ftp("FTP Web (alt)"), "secret": null }),
        )
        .await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
    assert_eq!(
        reveal(&app, &cookie, first).await.json()["secret"],
        "neu und anders"
    );

    // a ciphertext swapped into another row does not decrypt there: an error, no garbage
    sqlx::query(
        "update credentials set nonce = o.nonce, ciphertext = o.ciphertext
         from credentials o where credentials.id = $1 and o.id = $2",
    )
    .bind(second)
    .bind(first)
    .execute(&app.pool)
    .await
    .unwrap();
    let swapped = reveal(&app, &cookie, second).await;
    assert_eq!(swapped.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!swapped.body.contains("neu und anders"));

    // one flipped bit fails authentication
    sqlx::query("update credentials set ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1) where id = $1")
        .bind(first)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        reveal(&app, &cookie, first).await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

#[tokio::test]
async fn fields_are_checked_and_attachments_must_be_the_customers() {
    let (app, _key, _dir) = vault_app().await;
    let (tenant, cookie, customer) = setup(&app, "acme").await;
    let other = app.customer(&cookie, "Zahnarztpraxis").await;
    let own_server = server_of(&app, tenant, customer, "shop01.example.de").await;
    let foreign_server = server_of(&app, tenant, other, "praxis01.example.de").await;

    let bad = app
        .call(
            "vault/create",
            Some(&cookie),
            json!({ "customer_id": customer, "secret": "",
                    "input": { "kind": "ssh", "label": " ", "port": 70000, "url": "example.de/login" } }),
        )
        .await;
    assert_eq!(bad.fields(), ["label", "port", "url", "secret"]);
    let foreign = app
        .call(
            "vault/create",
            Some(&cookie),
            json!({ "customer_id": customer, "secret": "x",
                    "input": { "kind": "ssh", "label": "SSH", "server_id": foreign_server } }),
        )
        .await;
    assert_eq!(foreign.fields(), ["server_id"]);

    let mut input = ftp("SSH Shop");
    input["server_id"] = json!(own_server);
    let id = create(&app, &cookie, customer, input, "pw").await;
    let listed = app
        .call(
            "vault/list",
            Some(&cookie),
            json!({ "owner": { "of": "server", "id": own_server },
                    "page": { "page": 1, "per_page": 25, "sort": "", "descending": false, "search": "" } }),
        )
        .await;
    assert_eq!(listed.json()["items"][0]["id"], id.to_string());
    assert_eq!(
        listed.json()["items"][0]["server_label"],
        "shop01.example.de"
    );

    // the database refuses another customer's server too
    let direct = sqlx::query("update credentials set server_id = $1 where id = $2")
        .bind(foreign_server)
        .bind(id)
        .execute(&app.pool)
        .await;
    assert!(direct.is_err());
    // a server that moves to another customer leaves the credential behind, detached
    sqlx::query("update servers set customer_id = $1 where id = $2")
        .bind(other)
        .bind(own_server)
        .execute(&app.pool)
        .await
        .unwrap();
    let (server, owner): (Option<Uuid>, Uuid) =
        sqlx::query_as("select server_id, customer_id from credentials where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((server, owner), (None, customer));

    let deleted = app
        .call("vault/delete", Some(&cookie), json!({ "id": id }))
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert_eq!(
        reveal(&app, &cookie, id).await.status,
        StatusCode::NOT_FOUND
    );
    let actions = app.audit_actions(tenant).await;
    assert!(actions.contains(&"credential.created".to_owned()));
    assert!(actions.contains(&"credential.deleted".to_owned()));
}

#[tokio::test]
async fn reveals_are_audited_and_need_the_permission() {
    let (app, _key, _dir) = vault_app().await;
    let (tenant, cookie, customer) = setup(&app, "acme").await;
    let id = create(&app, &cookie, customer, ftp("FTP Web"), SECRET).await;
    app.user(tenant, "bea@acme.de", &["accountant"]).await;
    app.user(tenant, "paul@acme.de", &["project_manager"]).await;
    let accountant = app.login("bea@acme.de").await;
    let manager = app.login("paul@acme.de").await;

    let shown = reveal(&app, &cookie, id).await;
    assert_eq!(shown.status, StatusCode::OK);
    let (actor, entity, after): (Option<Uuid>, String, Value) = sqlx::query_as(
        "select actor_id, entity_id, after from audit_log
         where tenant_id = $1 and action = 'credential.revealed'",
    )
    .bind(tenant)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let admin: Uuid = sqlx::query_scalar("select id from users where email = 'admin@acme.de'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!((actor, entity), (Some(admin), id.to_string()));
    assert_eq!(after["label"], "FTP Web");

    // the accountant sees nothing of the vault; the project manager sees, but may not reveal
    let list = json!({ "owner": { "of": "customer", "id": customer },
        "page": { "page": 1, "per_page": 25, "sort": "", "descending": false, "search": "" } });
    assert_eq!(
        reveal(&app, &accountant, id).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call("vault/list", Some(&accountant), list.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call("vault/list", Some(&manager), list).await.status,
        StatusCode::OK
    );
    assert_eq!(
        reveal(&app, &manager, id).await.status,
        StatusCode::FORBIDDEN
    );
    let change = app
        .call(
            "vault/update",
            Some(&manager),
            json!({ "id": id, "input": ftp("x"), "secret": "y" }),
        )
        .await;
    assert_eq!(change.status, StatusCode::FORBIDDEN);
    let reveals: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where tenant_id = $1 and action = 'credential.revealed'",
    )
    .bind(tenant)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(reveals, 1, "refused reveals reveal nothing");

    // the audit trail never holds the secret
    let trail: String =
        sqlx::query_scalar("select string_agg(coalesce(before::text, '') || coalesce(after::text, ''), ' ') from audit_log")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(!trail.contains(SECRET), "{trail}");
}

#[tokio::test]
async fn lists_and_pages_never_carry_the_secret() {
    let (app, _key, _dir) = vault_app().await;
    let (tenant, cookie, customer) = setup(&app, "acme").await;
    let id = create(&app, &cookie, customer, ftp("FTP Web"), SECRET).await;
    let listed = app
        .call(
            "vault/list",
            Some(&cookie),
            json!({ "owner": { "of": "customer", "id": customer },
                    "page": { "page": 1, "per_page": 25, "sort": "", "descending": false, "search": "" } }),
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.json()["items"][0]["data"]["label"], "FTP Web");
    assert!(!listed.body.contains(SECRET));
    assert!(!listed.body.contains("secret"), "{}", listed.body);

    let token = app.token(tenant, &["vault:read"]).await;
    for path in [
        format!("/api/v1/customers/{customer}/credentials"),
        format!("/api/v1/credentials/{id}"),
    ] {
        let reply = app.send(api("GET", &path, &token, None)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        assert!(!reply.body.contains(SECRET), "{path}: {}", reply.body);
        assert!(reply.body.contains("FTP Web"));
    }
    let page = app
        .get(&format!("/customers/{customer}"), Some(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(SECRET));
}

#[tokio::test]
async fn the_password_list_reveals_everything_in_one_audited_action() {
    let (app, _key, _dir) = vault_app().await;
    let (tenant, cookie, customer) = setup(&app, "acme").await;
    let first = create(&app, &cookie, customer, ftp("FTP Web"), "erstes").await;
    let second = create(&app, &cookie, customer, ftp("Admin CMS"), "zweites").await;
    let other = app.customer(&cookie, "Zahnarztpraxis").await;
    create(&app, &cookie, other, ftp("Praxis"), "fremdes").await;

    let list = app
        .call(
            "vault/password-list",
            Some(&cookie),
            json!({ "customer_id": customer }),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let entries = list.json()["entries"].as_array().unwrap().clone();
    let shown: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["credential"]["data"]["label"].as_str().unwrap(),
                e["secret"]["secret"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(shown, [("Admin CMS", "zweites"), ("FTP Web", "erstes")]);
    assert!(!list.body.contains("fremdes"));

    let events: Vec<(String, Value)> = sqlx::query_as(
        "select entity_id, after from audit_log where tenant_id = $1 and action like '%revealed'",
    )
    .bind(tenant)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(events.len(), 1, "one audit event for the whole list");
    assert_eq!(events[0].0, customer.to_string());
    let mut ids: Vec<&str> = events[0].1["credential_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    ids.sort();
    let mut expected = [first.to_string(), second.to_string()];
    expected.sort();
    assert_eq!(ids, expected);

    app.user(tenant, "bea@acme.de", &["accountant"]).await;
    let accountant = app.login("bea@acme.de").await;
    let refused = app
        .call(
            "vault/password-list",
            Some(&accountant),
            json!({ "customer_id": customer }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_wrong_key_refuses_to_start_with_a_clear_error() {
    let pool = fresh_pool().await;
    let dir = KeyDir::new();
    let key = server::vault::open(&pool, &dir.source()).await.unwrap();
    let text = std::fs::read_to_string(dir.file("vault.key")).unwrap();
    assert_eq!(VaultKey::from_base64(&text).unwrap().id(), key.id());
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.file("vault.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // the same key opens it again; so does the key given by the environment
    assert_eq!(
        server::vault::open(&pool, &dir.source())
            .await
            .unwrap()
            .id(),
        key.id()
    );
    let env = KeySource::Env(key.to_base64().to_string());
    assert_eq!(
        server::vault::open(&pool, &env).await.unwrap().id(),
        key.id()
    );

    let other = VaultKey::generate();
    let error = server::vault::open(&pool, &KeySource::Env(other.to_base64().to_string()))
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("Wrong vault key"), "{error}");
    assert!(
        error.contains(key.id()) && error.contains("KONTOR_VAULT_KEY"),
        "{error}"
    );

    let elsewhere = KeyDir::new();
    std::fs::write(elsewhere.file("vault.key"), other.to_base64().as_str()).unwrap();
    let error = format!(
        "{:#}",
        server::vault::open(&pool, &elsewhere.source())
            .await
            .unwrap_err()
    );
    assert!(error.contains("Wrong vault key"), "{error}");

    // a missing key file is not replaced by a new key while the vault holds secrets
    let empty = KeyDir::new();
    let error = format!(
        "{:#}",
        server::vault::open(&pool, &empty.source())
            .await
            .unwrap_err()
    );
    assert!(error.contains("missing"), "{error}");
    assert!(!empty.file("vault.key").exists());

    let error = format!(
        "{:#}",
        server::vault::open(&pool, &KeySource::Env("c2hvcnQ=".to_owned()))
            .await
            .unwrap_err()
    );
    assert!(error.contains("base64 of 32 bytes"), "{error}");
}

#[tokio::test]
async fn rotation_reencrypts_everything_and_the_old_key_stops_working() {
    let (app, old_key, dir) = vault_app().await;
    let (_, cookie, customer) = setup(&app, "acme").await;
    let (_, other_cookie, other_customer) = setup(&app, "other").await;
    let first = create(&app, &cookie, customer, ftp("FTP Web"), "eins").await;
    let second = create(&app, &other_cookie, other_customer, ftp("SSH"), "zwei").await;
    let before = sealed(&app, first).await;

    let new_key = VaultKey::generate();
    let rotation = server::vault::rotate(&app.pool, &dir.source(), &new_key)
        .await
        .unwrap();
    assert_eq!(rotation.credentials, 2);
    assert_eq!(rotation.old_key_id, old_key.id());
    assert!(!dir.file("vault.key.new").exists());
    let on_disk = std::fs::read_to_string(dir.file("vault.key")).unwrap();
    assert_eq!(VaultKey::from_base64(&on_disk).unwrap().id(), new_key.id());
    let after = sealed(&app, first).await;
    assert_ne!(before.0, after.0);
    assert_ne!(before.1, after.1);
    let key_ids: Vec<String> = sqlx::query_scalar("select distinct key_id from credentials")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(key_ids, [new_key.id()]);

    // the old key opens the vault no more, and a server still holding it stores nothing
    let old = KeySource::Env(old_key.to_base64().to_string());
    let error = server::vault::open(&app.pool, &old)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("Wrong vault key"), "{error}");
    let stale = app
        .call(
            "vault/create",
            Some(&cookie),
            json!({ "customer_id": customer, "input": ftp("Neu"), "secret": "drei" }),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert_eq!(
        reveal(&app, &cookie, first).await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );

    // a server started with the new key reveals every secret
    let opened = server::vault::open(&app.pool, &dir.source()).await.unwrap();
    let restarted = TestApp {
        pool: app.pool.clone(),
        router: server::startup::router_with_vault(app.pool.clone(), config(), opened),
    };
    assert_eq!(
        reveal(&restarted, &cookie, first).await.json()["secret"],
        "eins"
    );
    assert_eq!(
        reveal(&restarted, &other_cookie, second).await.json()["secret"],
        "zwei"
    );
}

#[tokio::test]
async fn an_interrupted_rotation_is_finished_or_discarded_at_start() {
    let (app, old_key, dir) = vault_app().await;
    let (_, cookie, customer) = setup(&app, "acme").await;
    create(&app, &cookie, customer, ftp("FTP Web"), "eins").await;

    // stopped before its commit: the pending key encrypts nothing and is removed
    let unused = VaultKey::generate();
    std::fs::write(dir.file("vault.key.new"), unused.to_base64().as_str()).unwrap();
    let opened = server::vault::open(&app.pool, &dir.source()).await.unwrap();
    assert_eq!(opened.id(), old_key.id());
    assert!(!dir.file("vault.key.new").exists());

    // stopped after its commit, before the rename: the pending key is the vault's now
    let new_key = VaultKey::generate();
    server::vault::rotate(&app.pool, &dir.source(), &new_key)
        .await
        .unwrap();
    std::fs::rename(dir.file("vault.key"), dir.file("vault.key.new")).unwrap();
    std::fs::write(dir.file("vault.key"), old_key.to_base64().as_str()).unwrap();
    let opened = server::vault::open(&app.pool, &dir.source()).await.unwrap();
    assert_eq!(opened.id(), new_key.id());
    assert!(!dir.file("vault.key.new").exists());
    let on_disk = std::fs::read_to_string(dir.file("vault.key")).unwrap();
    assert_eq!(VaultKey::from_base64(&on_disk).unwrap().id(), new_key.id());
}

#[tokio::test]
async fn the_rest_api_stores_lists_changes_and_reveals() {
    let (app, _key, _dir) = vault_app().await;
    let (tenant, _, customer) = setup(&app, "acme").await;
    let writer = app
        .token(tenant, &["vault:read", "vault:write", "vault:reveal"])
        .await;
    let reader = app.token(tenant, &["vault:read"]).await;
    let path = format!("/api/v1/customers/{customer}/credentials");
    let mut body = ftp("FTP Web");
    body["secret"] = json!(SECRET);

    let mut first = api("POST", &path, &writer, Some(body.clone()));
    first
        .headers_mut()
        .insert("idempotency-key", "create-ftp-1".parse().unwrap());
    let created = app.send(first).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let mut again = api("POST", &path, &writer, Some(body.clone()));
    again
        .headers_mut()
        .insert("idempotency-key", "create-ftp-1".parse().unwrap());
    let repeated = app.send(again).await;
    assert_eq!(repeated.json()["id"], id.as_str());
    assert!(repeated.headers.contains_key("idempotent-replayed"));
    // the idempotency record keeps a keyed hash, not one anybody could test guesses against
    let stored: Vec<u8> =
        sqlx::query_scalar("select request_hash from idempotency_keys where key = 'create-ftp-1'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    use sha2::Digest;
    assert_ne!(
        stored,
        sha2::Sha256::digest(body.to_string().as_bytes()).to_vec()
    );
    let count: i64 = sqlx::query_scalar("select count(*) from credentials")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);

    let invalid = app
        .send(api(
            "POST",
            &path,
            &writer,
            Some(json!({ "label": "SSH", "port": 0 })),
        ))
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = invalid.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["port", "secret"]);
    let refused = app.send(api("POST", &path, &reader, Some(body))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let list = app.send(api("GET", &path, &reader, None)).await;
    assert_eq!(list.json()["total"], 1);
    assert_eq!(list.json()["items"][0]["data"]["username"], "web1");
    assert!(!list.body.contains(SECRET));

    let one = format!("/api/v1/credentials/{id}");
    let patch = app
        .send(api(
            "PATCH",
            &one,
            &writer,
            Some(json!({ "label": "FTP Webspace", "secret": "neues Passwort" })),
        ))
        .await;
    assert_eq!(patch.status, StatusCode::NO_CONTENT, "{}", patch.body);
    let shown = app.send(api("GET", &one, &reader, None)).await;
    assert_eq!(shown.json()["data"]["label"], "FTP Webspace");
    assert_eq!(shown.json()["data"]["host"], "ftp.baeckerei.de");
    let bad_patch = app
        .send(api(
            "PATCH",
            &one,
            &writer,
            Some(json!({ "colour": "red" })),
        ))
        .await;
    assert_eq!(bad_patch.status, StatusCode::UNPROCESSABLE_ENTITY);

    let reveal_path = format!("{one}/reveal");
    let no_scope = app.send(api("POST", &reveal_path, &reader, None)).await;
    assert_eq!(no_scope.status, StatusCode::FORBIDDEN);
    let revealed = app.send(api("POST", &reveal_path, &writer, None)).await;
    assert_eq!(revealed.status, StatusCode::OK, "{}", revealed.body);
    assert_eq!(revealed.json()["secret"], "neues Passwort");
    assert_eq!(
        revealed.headers.get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where tenant_id = $1 and action = 'credential.revealed' and actor_label like 'api:%'",
    )
    .bind(tenant)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);

    // another tenant's token finds nothing
    let (other, _, _) = setup(&app, "other").await;
    let stranger = app
        .token(other, &["vault:read", "vault:write", "vault:reveal"])
        .await;
    for (method, target) in [("GET", &one), ("POST", &reveal_path), ("GET", &path)] {
        let reply = app.send(api(method, target, &stranger, None)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {target}");
    }
    let openapi = app.get("/api/v1/openapi.json", None).await.json();
    assert!(openapi["paths"]["/credentials/{id}/reveal"]["post"].is_object());
}
