//! The command line as an operator uses it: the real binary, real databases.

mod common;

use bulwark_core::Store;
use bulwark_testkit::{Backend, TestDb, backends};
use common::{bulwark, bulwark_with_stdin, create_user, spawn_until_serving, stderr, stdout, terminate};
use std::io::{BufRead, BufReader, Write};
use std::process::Command;

#[tokio::test]
async fn accounts_tokens_and_audit_verify_from_the_command_line() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let url = db.url.expose().to_string();

        let created = bulwark_with_stdin(
            &url,
            &[
                "user",
                "create",
                "--email",
                "ada@example.com",
                "--name",
                "Ada Lovelace",
                "--role",
                "admin",
                "--role",
                "auditor",
                "--password-stdin",
            ],
            "a long password here\n",
        );
        assert!(created.status.success(), "{backend:?}: {}", stderr(&created));
        assert_eq!(stdout(&created).trim(), "created account ada@example.com");

        let linked =
            bulwark(&url, &["user", "create", "--email", "bob@example.com", "--name", "Bob", "--role", "employee"]);
        assert!(linked.status.success(), "{}", stderr(&linked));
        assert!(stdout(&linked).contains("http://127.0.0.1:8080/set-password/"), "{}", stdout(&linked));

        let token =
            bulwark(&url, &["token", "create", "--email", "ada@example.com", "--name", "ci", "--expires-days", "30"]);
        assert!(token.status.success(), "{}", stderr(&token));
        let out = stdout(&token);
        assert_eq!(out.lines().count(), 1, "only the token: {out}");
        assert!(out.starts_with("bwk_"));
        let actor =
            bulwark_core::identity::accounts::token_actor(&db.store, bulwark_core::time_util::now(), out.trim())
                .await
                .unwrap();
        assert_eq!(actor.unwrap().0.label, "ada@example.com", "the printed token works");

        let verified = bulwark(&url, &["audit", "verify"]);
        assert!(verified.status.success(), "{}", stderr(&verified));
        // person + account (Ada), person + account + reset link (Bob), token.
        assert!(stdout(&verified).starts_with("ok: 6 entries verified"), "{}", stdout(&verified));

        let disable = match backend {
            Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
            Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER",
        };
        db.store.execute_raw(disable).await.unwrap();
        db.store.execute_raw("UPDATE audit_log SET actor_label = 'someone else' WHERE seq = 4").await.unwrap();
        let broken = bulwark(&url, &["audit", "verify"]);
        assert_eq!(broken.status.code(), Some(1));
        assert!(stdout(&broken).contains("entry 4"), "{}", stdout(&broken));
    }
}

#[test]
fn bad_input_is_one_clear_line_and_a_failing_exit() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("b.db").display());
    let typo = format!("sqlite://{}", dir.path().join("typo-dir/typo.db").display());
    // Before `migrate`, commands that need a database refuse instead of creating one.
    let before = Command::new(env!("CARGO_BIN_EXE_bulwark")).args(["--database", &url, "audit", "verify"]).output();
    assert!(stderr(&before.unwrap()).contains("no Bulwark database"));
    assert!(bulwark(&url, &["migrate"]).status.success());
    let cases: [(&[&str], &str, &str); 6] = [
        (&["--database", &typo, "audit", "verify"], "there is no Bulwark database at", "typo"),
        (
            &["--database", &typo, "token", "create", "--email", "a@example.com", "--name", "x"],
            "no Bulwark database",
            "typo",
        ),
        (&["--database", "mysql://x/y", "migrate"], "unsupported database URL", "scheme"),
        (
            &["--database", &url, "user", "create", "--email", "a@example.com", "--name", "A", "--role", "wizard"],
            "unknown role 'wizard'",
            "role",
        ),
        (
            &["--database", &url, "user", "create", "--email", "nope", "--name", "A", "--role", "admin"],
            "--email must be an e-mail address",
            "email",
        ),
        (
            &["--database", &url, "token", "create", "--email", "ghost@example.com", "--name", "x"],
            "no account with e-mail ghost@example.com",
            "account",
        ),
    ];
    for (args, expected, what) in cases {
        let o = Command::new(env!("CARGO_BIN_EXE_bulwark")).args(args).output().unwrap();
        assert!(!o.status.success(), "{what}");
        let err = stderr(&o);
        assert_eq!(err.trim().lines().count(), 1, "{what}: {err}");
        assert!(err.contains(expected), "{what}: {err}");
    }
    assert!(!dir.path().join("typo-dir").exists(), "a mistyped database is never created");
}

#[test]
fn serve_answers_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_bulwark"));
    serve.current_dir(dir.path()).args(["serve", "--listen", "127.0.0.1:0"]).env_remove("BULWARK_DATABASE_URL");
    let (child, base, printed) = spawn_until_serving(serve);
    assert!(printed.contains("No accounts yet"), "a fresh instance says how to create the first admin: {printed}");
    let addr = base.trim_start_matches("http://").to_string();
    let health = std::net::TcpStream::connect(&addr).and_then(|mut s| {
        s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
        let mut out = String::new();
        std::io::Read::read_to_string(&mut s, &mut out)?;
        Ok(out)
    });
    assert!(health.unwrap().starts_with("HTTP/1.1 200"), "serving on {addr}");
    assert!(dir.path().join("bulwark-data/bulwark.db").exists(), "the embedded database is created by default");
    let stopped = terminate(child);
    assert!(stopped.status.success(), "graceful stop: {:?}", stopped.status);
}

#[tokio::test]
async fn json_logs_name_routes_and_users_but_never_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("b.db").display());
    let password = "secret-password-in-a-test";
    assert!(bulwark(&url, &["migrate"]).status.success());
    let created = bulwark_with_stdin(
        &url,
        &["user", "create", "--email", "ada@example.com", "--name", "Ada", "--role", "admin", "--password-stdin"],
        password,
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let grace = bulwark_with_stdin(
        &url,
        &[
            "user",
            "create",
            "--email",
            "grace@example.com",
            "--name",
            "Grace",
            "--role",
            "employee",
            "--password-stdin",
        ],
        "grace's own long password",
    );
    assert!(grace.status.success(), "{}", stderr(&grace));

    // A chat webhook whose URL is its secret, unreachable (so its failure is logged), an SMTP
    // password, and single sign-on with a client secret (sent at every sign-in).
    let webhook_secret = "T0SECRET/B0HOOK/webhook-path-is-a-secret";
    let smtp_password = "smtp-password-never-logged";
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let hook = format!("http://127.0.0.1:{closed_port}/services/{webhook_secret}");
    let channel =
        bulwark(&url, &["channel", "add", "--name", "sec", "--webhook", &hook, "--events", "incident.report"]);
    assert!(channel.status.success(), "{}", stderr(&channel));
    let mail = bulwark(
        &url,
        &["channel", "add", "--name", "team", "--email", "team@example.com", "--events", "incident.report"],
    );
    assert!(mail.status.success(), "{}", stderr(&mail));
    let sink = bulwark_testkit::SmtpSink::start().await;
    let oidc_secret = "oidc-client-secret-never-logged";
    let provider = bulwark_testkit::OidcProvider::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_bulwark"));
    // Trace level, so every span and event a request, a query or a delivery makes is written.
    serve
        .args(["--database", &url, "--log-format", "json", "serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--smtp-host", "127.0.0.1", "--smtp-port", &sink.port.to_string(), "--smtp-tls", "none"])
        .args(["--smtp-username", "bulwark", "--smtp-password", smtp_password]);
    if let Some(provider) = &provider {
        serve.args(["--oidc-issuer", &provider.issuer, "--oidc-client-secret", oidc_secret]);
    }
    serve
        .env("BULWARK_LOG", "trace")
        // A file, not a pipe: trace logs would fill a pipe nobody reads until the end.
        .stderr(std::fs::File::create(dir.path().join("server.log")).unwrap());
    let (child, base, _) = spawn_until_serving(serve);
    let client = bulwark_testkit::TestClient::new(&base);
    let login = client.login("ada@example.com", password).await;
    assert_eq!(login.status(), 303);
    assert_eq!(login.headers()["location"], "/mfa/setup?next=/", "an admin sets up a second factor first");
    let first_cookie = bulwark_testkit::set_cookie(&login, "bulwark_session")
        .and_then(|c| c.split(';').next()?.strip_prefix("bulwark_session=").map(str::to_string))
        .expect("session cookie");
    // The set-up, as a person does it: its key, its code and the recovery codes are secrets too.
    client.post_form("/mfa/setup/begin", "/mfa/setup", &[("next", "/")]).await;
    let page = client.text("/mfa/setup").await;
    let key = page.split("<code class=\"key\">").nth(1).and_then(|r| r.split('<').next()).unwrap().replace(' ', "");
    let now = bulwark_core::time_util::now();
    let code = bulwark_core::identity::mfa::code_at_step(&key, bulwark_core::identity::mfa::step_of(now)).unwrap();
    let done = client.post_form("/mfa/setup", "/mfa/setup", &[("code", &code), ("next", "/")]).await;
    assert_eq!(done.status(), 200);
    let session_cookie = bulwark_testkit::set_cookie(&done, "bulwark_session")
        .and_then(|c| c.split(';').next()?.strip_prefix("bulwark_session=").map(str::to_string))
        .expect("a new session cookie");
    let recovery = done.text().await.unwrap();
    let recovery: Vec<String> =
        recovery.split("<li><code>").skip(1).map(|r| r.split('<').next().unwrap().to_string()).collect();
    assert_eq!(recovery.len(), 10);
    let client = client.with_api_csrf().await;
    let csrf: serde_json::Value = client.get("/api/v1/me").await.json().await.unwrap();
    let csrf = csrf["csrf_token"].as_str().unwrap().to_string();
    let token: serde_json::Value = client
        .http
        .post(client.url("/api/v1/tokens"))
        .json(&serde_json::json!({"name": "t"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let me = reqwest::Client::new().get(client.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), 200);
    // An incident: both channels are tried (the webhook fails, the mail is refused or sent).
    let incident = reqwest::Client::new()
        .post(client.url("/api/v1/incidents"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"title": "Phishing wave", "category": "malware", "description": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(incident.status(), 201);
    let store =
        bulwark_store::SqlStore::open_existing(&bulwark_store::DatabaseUrl::parse(&url).unwrap()).await.unwrap();
    let failures = || async {
        let undelivered = store.read().await.unwrap().list_undelivered(10).await.unwrap();
        undelivered.into_iter().filter_map(|m| m.last_error).collect::<Vec<String>>()
    };
    for _ in 0..400 {
        if !failures().await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let failures = failures().await;
    let outbox = store.read().await.unwrap().list_undelivered(10).await.unwrap();
    assert!(!failures.is_empty(), "the webhook's failure is recorded: {outbox:?}");
    assert!(
        failures.iter().all(|e| !e.contains(webhook_secret)),
        "the admin's view of failures has no secret: {failures:?}"
    );
    store.close().await;

    let output = terminate(child);
    assert!(output.status.success());
    let logs = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    let lines: Vec<serde_json::Value> =
        logs.lines().map(|l| serde_json::from_str(l).expect("every log line is JSON")).collect();
    assert!(lines.iter().any(|l| l.to_string().contains("/api/v1/tokens")), "request spans name the route");
    assert!(lines.iter().any(|l| l.to_string().contains("ada@example.com")), "and the user");
    assert!(logs.contains("delivery failed"), "the delivery failure is logged");
    let secrets = [
        password,
        token.as_str(),
        &token[4..],
        session_cookie.as_str(),
        first_cookie.as_str(),
        csrf.as_str(),
        webhook_secret,
        smtp_password,
        oidc_secret,
    ];
    // (The six-digit code is left out: six digits turn up in any log's timestamps, and it is
    // void once used.)
    for secret in secrets.into_iter().chain([key.as_str()]).chain(recovery.iter().map(String::as_str)) {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
    assert!(!logs.contains("bulwark_session="), "no cookies in the logs");
}

#[tokio::test]
async fn demo_serves_a_sample_organisation_with_a_login_per_role() {
    let dir = tempfile::tempdir().unwrap();
    let mut demo = Command::new(env!("CARGO_BIN_EXE_bulwark"));
    demo.current_dir(dir.path()).args(["demo", "--listen", "127.0.0.1:0"]).env_remove("BULWARK_DATABASE_URL");
    let (child, base, printed) = spawn_until_serving(demo);
    let login = |role: &str| {
        printed
            .lines()
            .find_map(|l| l.trim().strip_prefix(role).map(|rest| rest.trim().to_string()))
            .expect("a login per role")
    };
    for role in ["admin", "security", "management", "auditor", "department-head", "employee"] {
        let client = bulwark_testkit::TestClient::new(&base);
        let res = client.login(&login(role), "bulwark-demo-password").await;
        assert_eq!(res.status(), 303, "{role} signs in");
        let me: serde_json::Value =
            client.http.get(client.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
        assert!(me["roles"].as_array().unwrap().iter().any(|r| r == role), "{role}: {me}");
    }
    let admin = bulwark_testkit::TestClient::new(&base);
    admin.login(&login("admin"), "bulwark-demo-password").await;
    let people: serde_json::Value =
        admin.http.get(admin.url("/api/v1/people?per_page=1")).send().await.unwrap().json().await.unwrap();
    assert_eq!(people["total"], 240);
    let areas: serde_json::Value =
        admin.http.get(admin.url("/api/v1/areas?q=application")).send().await.unwrap().json().await.unwrap();
    assert_eq!(areas["items"][0]["members"], 2, "the security team is staffed: {areas}");
    let team = admin.text("/security-team").await;
    assert!(team.contains("Threat modelling") && team.contains("Code review"), "{team}");
    let policies: serde_json::Value =
        admin.http.get(admin.url("/api/v1/policies?published=yes")).send().await.unwrap().json().await.unwrap();
    assert_eq!(policies["total"], 10, "the policy set is published");
    let campaigns: serde_json::Value =
        admin.http.get(admin.url("/api/v1/campaigns?state=open")).send().await.unwrap().json().await.unwrap();
    let campaign = campaigns["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"].as_str().unwrap().starts_with("Policy acknowledgment"))
        .expect("the acknowledgment campaign");
    let count = async |status: &str| -> i64 {
        let url = admin.url(&format!("/api/v1/people?status={status}&per_page=1"));
        let found: serde_json::Value = admin.http.get(url).send().await.unwrap().json().await.unwrap();
        found["total"].as_i64().unwrap()
    };
    let (left, leaving) = (count("left").await, count("offboarding").await);
    let (assigned, signed) = (campaign["assigned"].as_i64().unwrap(), campaign["signed"].as_i64().unwrap());
    assert_eq!(assigned, 240 - left - leaving, "everyone staying with the company: {campaign}");
    assert!((signed * 5 - assigned * 3).abs() <= 15, "about three in five have signed: {campaign}");
    let notifications = admin.text("/notifications").await;
    for channel in
        ["#security<", "#announcements<", "#security-team<", "compliance@example.com", "security@example.com"]
    {
        assert!(notifications.contains(channel), "the demo's channel {channel}: {notifications}");
    }
    let employee = bulwark_testkit::TestClient::new(&base);
    employee.login(&login("employee"), "bulwark-demo-password").await;
    let dashboard = employee.text("/").await;
    assert!(dashboard.contains("Acknowledge: Policy acknowledgment"), "the employee's task is on the dashboard first");
    assert!(dashboard.contains("Complete: Secure configuration"), "and the checklist: {dashboard}");
    let checklists: serde_json::Value =
        admin.http.get(admin.url("/api/v1/checklists")).send().await.unwrap().json().await.unwrap();
    assert_eq!(checklists["items"][0]["title"], "Secure configuration");
    assert_eq!(checklists["items"][0]["item_count"], 11);
    assert!(terminate(child).status.success());
    assert!(dir.path().join("bulwark-demo/bulwark.db").exists());
}

#[tokio::test]
async fn a_kill_during_concurrent_writes_loses_no_acknowledged_write_or_message() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let url = db.url.expose().to_string();
        let token = create_user(&url, "ada@example.com", "admin");
        let channel = bulwark(
            &url,
            &["channel", "add", "--name", "security", "--email", "security@example.com", "--events", "incident.report"],
        );
        assert!(channel.status.success(), "{}", stderr(&channel));
        let sink = bulwark_testkit::SmtpSink::start().await;
        let serve = || {
            let mut serve = Command::new(env!("CARGO_BIN_EXE_bulwark"));
            serve.args(["--database", &url, "serve", "--listen", "127.0.0.1:0", "--smtp-host", "127.0.0.1"]);
            serve.args(["--smtp-port", &sink.port.to_string(), "--smtp-tls", "none"]);
            spawn_until_serving(serve)
        };
        let (mut child, base, _) = serve();
        let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut writers = Vec::new();
        for w in 0..4 {
            let (base, token, acknowledged) = (base.clone(), token.clone(), acknowledged.clone());
            writers.push(tokio::spawn(async move {
                let http = reqwest::Client::new();
                for i in 0..10_000 {
                    let email = format!("w{w}.n{i}@example.com");
                    let sent = http
                        .post(format!("{base}/api/v1/people"))
                        .bearer_auth(&token)
                        .json(&serde_json::json!({"name": format!("Writer {w} {i}"), "email": email}))
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status() == 201 => acknowledged.lock().unwrap().push(email),
                        Ok(r) => panic!("unexpected {}", r.status()),
                        Err(_) => break, // the server is gone
                    }
                }
            }));
        }
        // A moment that differs from run to run, in the middle of the writes.
        let moment = 20
            + (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() % 200)
                as usize;
        while acknowledged.lock().unwrap().len() < moment {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        // An incident whose report to the security channel is queued, then the kill at once
        // (the delivery worker looks every few seconds, so the message is most likely unsent).
        let incident = reqwest::Client::new()
            .post(format!("{base}/api/v1/incidents"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"title": "Ransom note on the file server", "category": "malware", "description": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(incident.status(), 201);
        Command::new("kill").args(["-KILL", &child.id().to_string()]).status().unwrap();
        let _ = child.wait();
        for w in writers {
            w.await.unwrap();
        }

        // Restarted, the server has every acknowledged write, each once, and sends the report.
        let (child, base, _) = serve();
        let http = reqwest::Client::new();
        let acknowledged = acknowledged.lock().unwrap().clone();
        for email in &acknowledged {
            let found: serde_json::Value = http
                .get(format!("{base}/api/v1/people"))
                .query(&[("q", email.as_str())])
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(found["total"], 1, "{backend:?}: acknowledged {email} is there once: {found}");
        }
        let store = bulwark_store::SqlStore::open_existing(&db.url).await.unwrap();
        let counts = store.read().await.unwrap().counts().await.unwrap();
        let creations = bulwark_core::audit::AuditFilter { action: Some("person.create".into()), ..Default::default() };
        let logged = store.read().await.unwrap().list_audit(&creations, 50).await.unwrap().total;
        assert_eq!(counts.people as u64, logged, "{backend:?}: every stored person has its audit entry and no more");
        assert!(counts.people as usize > acknowledged.len(), "the acknowledged people and Ada");
        let verified = bulwark(&url, &["audit", "verify"]);
        assert!(verified.status.success(), "{backend:?}: the chain verifies after the crash: {}", stdout(&verified));
        for _ in 0..400 {
            if sink.received().iter().any(|m| m.data.contains("Ransom note on the file server")) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let reports = sink.received().iter().filter(|m| m.data.contains("Ransom note on the file server")).count();
        assert!(reports >= 1, "{backend:?}: the queued report is delivered after the restart");
        assert!(terminate(child).status.success());
        store.close().await;
    }
}

#[tokio::test]
async fn seed_opens_a_campaign_that_the_cli_exports_for_auditors() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let url = db.url.expose().to_string();
        let seeded = bulwark(&url, &["seed", "--people", "60", "--audit-entries", "0"]);
        assert!(seeded.status.success(), "{}", stderr(&seeded));
        let store: &dyn Store = &db.store;
        let open = store.read().await.unwrap().list_open_campaigns().await.unwrap();
        assert_eq!(open.len(), 2, "the policy acknowledgment and the secure-configuration checklist");
        let open: Vec<_> = open.into_iter().filter(|c| c.checklist_id.is_none()).collect();
        let id = open[0].id.to_string();

        let csv = bulwark(&url, &["campaign", "export", &id]);
        assert!(csv.status.success(), "{}", stderr(&csv));
        let text = stdout(&csv);
        assert_eq!(text.lines().next(), Some("person_id,name,email,department,state,signed_at,versions"));
        let rows: Vec<&str> = text.lines().skip(1).filter(|l| l.contains("@")).collect();
        let campaign = store.read().await.unwrap().find_campaign(open[0].id).await.unwrap().unwrap();
        let assigned = campaign.assigned as usize;
        assert!(assigned > 50, "everyone still with the company: {assigned}");
        assert_eq!(rows.len(), assigned, "one row per person on {backend:?}");
        let signed = rows.iter().filter(|r| r.contains(",signed,")).count();
        assert!(signed > 0 && signed < assigned, "part of them signed: {signed}");

        let json = bulwark(&url, &["campaign", "export", &id, "--format", "json"]);
        let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
        assert_eq!(parsed.as_array().unwrap().len(), assigned, "one entry per person in the audience");
        let signed = parsed.as_array().unwrap().iter().find(|r| r["state"] == "signed").unwrap();
        assert_eq!(
            signed["versions"].as_str().unwrap().lines().count(),
            10,
            "the ten policy versions and their hashes"
        );

        let unknown = bulwark(&url, &["campaign", "export", "not-an-id"]);
        assert!(!unknown.status.success());
        assert_eq!(stderr(&unknown).trim().lines().count(), 1, "{}", stderr(&unknown));
    }
}

#[tokio::test]
async fn assets_import_from_a_csv_file_every_row_or_none() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let url = db.url.expose().to_string();
        let person = bulwark_core::organisation::people::PersonInput {
            name: "Ada".into(),
            email: "ada@example.com".into(),
            ..Default::default()
        };
        bulwark_core::organisation::people::create(
            &db.store,
            &bulwark_core::Actor::cli(),
            bulwark_core::time_util::now(),
            &person,
        )
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let broken = dir.path().join("broken.csv");
        std::fs::write(&broken, "name,kind,assigned_to_email\nLaptop,device,ada@example.com\nToaster,appliance,\n")
            .unwrap();
        let out = bulwark(&url, &["asset", "import", broken.to_str().unwrap()]);
        assert!(!out.status.success(), "{backend:?}");
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "one clear line: {err}");
        assert!(err.contains("nothing imported") && err.contains("row 3: kind must be one of"), "{err}");

        let good = dir.path().join("good.csv");
        std::fs::write(&good, "name,kind,assigned_to_email\nLaptop,device,ada@example.com\nCRM,saas,\n").unwrap();
        let out = bulwark(&url, &["asset", "import", good.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).starts_with("imported 2 assets"), "{}", stdout(&out));
        let listed = bulwark_core::assets::list(
            &db.store,
            &bulwark_core::Actor::cli(),
            &bulwark_core::assets::LIST.first_page(10),
        )
        .await
        .unwrap();
        assert_eq!(listed.total, 2, "only the good file's rows on {backend:?}");
        let missing = bulwark(&url, &["asset", "import", "/no/such/file.csv"]);
        assert!(!missing.status.success());
        assert!(stderr(&missing).contains("cannot read /no/such/file.csv"), "{}", stderr(&missing));
    }
}

/// Whether PyPI's `scim-sanity` is installed; without it the probe is skipped (and says so)
/// unless `BULWARK_TEST_REQUIRE_SCIM_PROBE` (set by `scripts/test`, which installs it) is set.
fn scim_sanity_installed() -> bool {
    let installed = Command::new("scim-sanity").arg("--help").output().is_ok_and(|o| o.status.success());
    assert!(
        installed || std::env::var("BULWARK_TEST_REQUIRE_SCIM_PROBE").is_err(),
        "BULWARK_TEST_REQUIRE_SCIM_PROBE is set but scim-sanity is missing"
    );
    installed
}

#[tokio::test]
async fn a_scim_token_from_the_command_line_passes_the_scim_sanity_probe() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let url = db.url.expose().to_string();
        let created = bulwark(&url, &["scim-token", "create", "--name", "Okta"]);
        assert!(created.status.success(), "{}", stderr(&created));
        let token = stdout(&created).trim().to_string();
        assert!(token.starts_with("bws_") && !token.contains(' '), "only the token is printed: {token}");
        assert_eq!(stdout(&created).lines().count(), 1);
        let blank = bulwark(&url, &["scim-token", "create", "--name", " "]);
        assert!(!blank.status.success());
        assert!(stderr(&blank).contains("name is required"), "{}", stderr(&blank));

        let mut serve = Command::new(env!("CARGO_BIN_EXE_bulwark"));
        serve.args(["--database", &url, "serve", "--listen", "127.0.0.1:0"]);
        let (child, base, _) = spawn_until_serving(serve);
        let http = reqwest::Client::new();
        let config =
            http.get(format!("{base}/scim/v2/ServiceProviderConfig")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(config.status(), 200);
        assert_eq!(config.headers()["content-type"], "application/scim+json");

        if scim_sanity_installed() {
            // Twice: a second run meets the first one's leftovers (deleted users and groups).
            for run in 1..=2 {
                let probe = Command::new("scim-sanity")
                    .args(["probe", &format!("{base}/scim/v2"), "--token", &token, "--i-accept-side-effects"])
                    .output()
                    .expect("run scim-sanity");
                let report = stdout(&probe);
                assert!(probe.status.success(), "{backend:?} run {run}:\n{report}\n{}", stderr(&probe));
                assert!(report.contains("All tests passed") && !report.contains("[FAIL]"), "{report}");
            }
        } else {
            eprintln!("skipped: scim-sanity probe (pip install scim-sanity)");
        }
        let out = terminate(child);
        assert!(out.status.success());
        let verify = bulwark(&url, &["audit", "verify"]);
        assert!(verify.status.success(), "{}", stderr(&verify));
    }
}

/// Whether PyPI's `compliance-trestle` is installed (see `scim_sanity_installed`).
fn trestle_installed() -> bool {
    let installed = Command::new("trestle").arg("--help").output().is_ok_and(|o| o.status.success());
    assert!(
        installed || std::env::var("BULWARK_TEST_REQUIRE_TRESTLE").is_err(),
        "BULWARK_TEST_REQUIRE_TRESTLE is set but compliance-trestle is missing"
    );
    installed
}

fn fixture(name: &str) -> String {
    format!("{}/../../fixtures/oscal/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[tokio::test]
async fn oscal_catalogs_import_export_and_import_again_unchanged() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let url = db.url.expose().to_string();
        let dir = tempfile::tempdir().unwrap();
        for (file, controls) in [
            ("basic-catalog.json", 4),
            ("NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json", 287),
            ("NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json", 370),
            ("NIST_SP-800-53_rev4_catalog-min.json", 922),
        ] {
            let out = bulwark(&url, &["framework", "import", &fixture(file)]);
            assert!(out.status.success(), "{file}: {}", stderr(&out));
            let printed = stdout(&out);
            assert!(
                printed.starts_with("imported framework ") && printed.contains(&format!(": {controls} controls")),
                "{printed}"
            );
            let id = printed.split_whitespace().nth(2).unwrap().to_string();
            // The same catalog again: the same framework, updated.
            let again = stdout(&bulwark(&url, &["framework", "import", &fixture(file)]));
            assert!(again.starts_with(&format!("updated framework {id} ")), "{again}");

            let exported = dir.path().join(format!("{id}.json"));
            let out = bulwark(&url, &["framework", "export", &id, "--output", exported.to_str().unwrap()]);
            assert!(out.status.success(), "{}", stderr(&out));
            if trestle_installed() {
                let check = Command::new("trestle")
                    .current_dir(dir.path())
                    .args(["partial-object-validate", "-f", exported.to_str().unwrap(), "-e", "catalog"])
                    .output()
                    .unwrap();
                assert!(check.status.success(), "{file} exported is not a valid catalog: {}", stdout(&check));
            }
            // Into another database: the same requirements, parameters and parts.
            let other = TestDb::new(backend).await;
            let other_url = other.url.expose().to_string();
            let reimported = stdout(&bulwark(&other_url, &["framework", "import", exported.to_str().unwrap()]));
            let other_id = reimported.split_whitespace().nth(2).unwrap().parse().unwrap();
            let (cli, first_id) = (bulwark_core::Actor::cli(), id.parse().unwrap());
            let first = bulwark_core::compliance::frameworks::get(&db.store, &cli, first_id).await.unwrap();
            let second = bulwark_core::compliance::frameworks::get(&other.store, &cli, other_id).await.unwrap();
            assert_eq!(
                (&first.rest, &first.groups, &first.controls),
                (&second.rest, &second.groups, &second.controls),
                "{file}"
            );
        }
        let listed = bulwark_core::compliance::frameworks::list(&db.store, &bulwark_core::Actor::cli()).await.unwrap();
        assert_eq!(listed.len(), 4, "never duplicated");
        if !trestle_installed() {
            eprintln!("skipped: validating exports with compliance-trestle (pip install compliance-trestle)");
        }

        // Broken files: one clear line naming the place, and nothing imported.
        let head =
            r#""uuid": "11111111-2222-4333-8444-555555555555", "metadata": {"title": "T", "oscal-version": "1.1.2"}"#;
        let huge = format!(
            r#"{{"catalog": {{{head}, "controls": [{}]}}}}"#,
            (0..20_001).map(|i| format!(r#"{{"id": "c{i}", "title": "C"}}"#)).collect::<Vec<_>>().join(",")
        );
        for (name, text, says) in [
            ("not-json.json", "<catalog/>".to_string(), "not JSON"),
            ("profile.json", r#"{"profile": {"uuid": "x"}}"#.to_string(), "not an OSCAL catalog"),
            (
                "twice.json",
                format!(
                    r#"{{"catalog": {{{head}, "controls": [{{"id": "a", "title": "A"}}, {{"id": "a", "title": "B"}}]}}}}"#
                ),
                "catalog.controls[1]: control id a appears twice",
            ),
            (
                "untitled.json",
                format!(r#"{{"catalog": {{{head}, "groups": [{{"title": "G", "controls": [{{"id": "a"}}]}}]}}}}"#),
                "catalog.groups[0].controls[0]: control a needs a title",
            ),
            ("huge.json", huge, "more than 20000 controls"),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            let out = bulwark(&url, &["framework", "import", path.to_str().unwrap()]);
            assert!(!out.status.success(), "{name}");
            let err = stderr(&out);
            assert_eq!(err.trim().lines().count(), 1, "{name}: {err}");
            assert!(err.contains("nothing imported") && err.contains(says), "{name}: {err}");
        }
        let listed = bulwark_core::compliance::frameworks::list(&db.store, &bulwark_core::Actor::cli()).await.unwrap();
        assert_eq!(listed.len(), 4, "nothing half-imported on {backend:?}");
        let verify = bulwark(&url, &["audit", "verify"]);
        assert!(verify.status.success(), "{}", stderr(&verify));
    }
}

#[tokio::test]
async fn assessment_results_are_valid_oscal_with_a_finding_per_requirement() {
    use bulwark_core::compliance::controls::{self, CONTROL, EvidenceInput};
    use bulwark_core::records::{input::RawRecord, service};
    let db = TestDb::new(Backend::Sqlite).await;
    let url = db.url.expose().to_string();
    let printed = stdout(&bulwark(&url, &["framework", "import", &fixture("basic-catalog.json")]));
    let id = printed.split_whitespace().nth(2).unwrap().to_string();
    let (cli, now) = (bulwark_core::Actor::cli(), bulwark_core::time_util::now());
    let input = RawRecord::from_pairs([("title", "Roles are assigned"), ("status", "implemented")]);
    let control = service::create(&db.store, &cli, &CONTROL, now, &input).await.unwrap().id.parse().unwrap();
    controls::map(&db.store, &cli, now, control, &id, "s1.1.1").await.unwrap();
    let check = EvidenceInput {
        kind: "check".into(),
        title: "Directory roles report".into(),
        outcome: "passed".into(),
        ..Default::default()
    };
    controls::add_evidence(&db.store, &cli, now, control, check).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ar.json");
    let out = bulwark(&url, &["framework", "assessment-results", &id, "--output", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let result = &doc["assessment-results"]["results"][0];
    let findings = result["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 4, "one finding per applicable requirement");
    let satisfied: Vec<&str> = findings
        .iter()
        .filter(|f| f["target"]["status"]["state"] == "satisfied")
        .map(|f| f["target"]["target-id"].as_str().unwrap())
        .collect();
    assert_eq!(satisfied, ["s1.1.1"]);
    assert_eq!(result["observations"][0]["methods"][0], "TEST", "a check is a test");
    if trestle_installed() {
        let check = Command::new("trestle")
            .current_dir(dir.path())
            .args(["partial-object-validate", "-f", file.to_str().unwrap(), "-e", "assessment-results"])
            .output()
            .unwrap();
        assert!(check.status.success(), "not valid OSCAL assessment results: {}", stdout(&check));
    }
    let missing = bulwark(&url, &["framework", "assessment-results", "01a21a02-3627-75ef-b14e-b2a087015ef8"]);
    assert!(!missing.status.success());
    assert_eq!(stderr(&missing).trim().lines().count(), 1);
}

#[test]
fn cvss_prints_the_scores_as_json_and_refuses_a_bad_vector_with_exit_2() {
    let cvss = |vector: &str| Command::new(env!("CARGO_BIN_EXE_bulwark")).args(["cvss", vector]).output().unwrap();
    let out = cvss("CVSS:3.1/AC:L/AV:N/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "base_score": 9.8, "severity": "Critical"})
    );
    let v4 = cvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
    let json: serde_json::Value = serde_json::from_slice(&v4.stdout).unwrap();
    assert_eq!((json["version"].as_str(), json["base_score"].as_f64()), (Some("4.0"), Some(9.3)));

    let bad = cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L");
    assert_eq!(bad.status.code(), Some(2));
    assert!(bad.stdout.is_empty());
    assert_eq!(String::from_utf8_lossy(&bad.stderr).trim(), "error: the vector gives Attack Vector (AV) twice");
}

/// The data lines of a backup (every table header and row, without the header's time and the
/// trailer's hash), sorted, so two backups of the same content compare equal.
fn backup_content(path: &std::path::Path) -> Vec<String> {
    let file = std::fs::File::open(path).unwrap();
    let lines: Vec<String> =
        BufReader::new(flate2::read::MultiGzDecoder::new(file)).lines().map(Result::unwrap).collect();
    assert!(lines.len() > 2, "a header, tables and a trailer");
    let mut content = lines[1..lines.len() - 1].to_vec();
    content.sort();
    content
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_into_an_empty_database_of_either_kind() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let url = db.url.expose().to_string();
        let seeded = bulwark(&url, &["seed", "--people", "40", "--audit-entries", "300"]);
        assert!(seeded.status.success(), "{}", stderr(&seeded));
        let token = create_user(&url, "ada@example.com", "admin");

        let creations = bulwark_core::audit::AuditFilter { action: Some("person.create".into()), ..Default::default() };
        let people_and_creations = async |store: &bulwark_store::SqlStore| {
            let people = store.read().await.unwrap().counts().await.unwrap().people;
            (people, store.read().await.unwrap().list_audit(&creations, 1).await.unwrap().total as i64)
        };
        let (people_before, creations_before) = people_and_creations(&db.store).await;

        // Writers keep adding people while the backup runs.
        let mut serve = Command::new(env!("CARGO_BIN_EXE_bulwark"));
        serve.args(["--database", &url, "serve", "--listen", "127.0.0.1:0"]);
        let (child, base, _) = spawn_until_serving(serve);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let written = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut writers = Vec::new();
        for w in 0..2 {
            let (base, token, stop, written) = (base.clone(), token.clone(), stop.clone(), written.clone());
            writers.push(tokio::spawn(async move {
                let http = reqwest::Client::new();
                for i in 0.. {
                    if stop.load(std::sync::atomic::Ordering::SeqCst) {
                        break;
                    }
                    let r = http
                        .post(format!("{base}/api/v1/people"))
                        .bearer_auth(&token)
                        .json(&serde_json::json!({"name": format!("Writer {w} {i}"), "email": format!("w{w}.{i}@example.com")}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 201);
                    written.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            }));
        }
        while written.load(std::sync::atomic::Ordering::SeqCst) < 20 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("backup.pem");
        assert!(bulwark(&url, &["audit", "keygen", "--output", &key.to_string_lossy()]).status.success());
        let public = dir.path().join("backup.pub").to_string_lossy().to_string();
        let key = key.to_string_lossy().to_string();
        let file = dir.path().join("bulwark.backup");
        let backup_url = url.clone();
        let backup_file = file.to_string_lossy().to_string();
        let signing = key.clone();
        let taken = tokio::task::spawn_blocking(move || {
            bulwark(&backup_url, &["backup", "--output", &backup_file, "--key", &signing])
        })
        .await
        .unwrap();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        for w in writers {
            w.await.unwrap();
        }
        assert!(terminate(child).status.success());
        assert!(taken.status.success(), "{}", stderr(&taken));
        assert!(stdout(&taken).starts_with("ok: "), "{}", stdout(&taken));
        assert!(!dir.path().join("bulwark.partial").exists(), "no partial file is left behind");

        let mut targets =
            vec![(Backend::Sqlite, format!("sqlite://{}", dir.path().join("restored.db").display()), None)];
        if backends().contains(&Backend::Postgres) {
            let pg = TestDb::new(Backend::Postgres).await;
            targets.push((Backend::Postgres, pg.url.expose().to_string(), Some(pg)));
        }
        for (target, target_url, _keep) in &targets {
            let restored = bulwark(target_url, &["restore", &file.to_string_lossy(), "--public-key", &public]);
            assert!(restored.status.success(), "{backend:?} -> {target:?}: {}", stderr(&restored));
            assert!(stdout(&restored).contains("ok: the audit chain verifies"), "{}", stdout(&restored));

            // A snapshot: every person restored has the audit entry that created them, no more.
            let store = bulwark_store::SqlStore::open_existing(&bulwark_store::DatabaseUrl::parse(target_url).unwrap())
                .await
                .unwrap();
            let (people, logged) = people_and_creations(&store).await;
            assert_eq!(
                people - people_before,
                logged - creations_before,
                "{backend:?} -> {target:?}: a consistent snapshot"
            );
            assert!(people - people_before >= 20, "the writers' first people are in: {people}");
            let search = bulwark_core::organisation::people::LIST
                .parse(&bulwark_core::list::RawListQuery { q: Some("writer 0".into()), ..Default::default() })
                .unwrap();
            let found = store.read().await.unwrap().list_people(&search).await.unwrap();
            assert!(!found.items.is_empty(), "{backend:?} -> {target:?}: the search index is rebuilt");
            store.close().await;
            // The planner knows what was loaded: the restored tables were analyzed.
            let statistics = match target {
                Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'people'",
                Backend::Postgres => "SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE relname = 'people'",
            };
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(target_url).await.unwrap();
            let known: i64 = sqlx::query_scalar(statistics).fetch_one(&mut conn).await.unwrap();
            assert!(known > 0, "{backend:?} -> {target:?}: no statistics after the restore");
            sqlx::Connection::close(conn).await.unwrap();

            // Every row as it was: a backup of the restored database holds the same content.
            let again = dir.path().join("again.backup");
            let second = bulwark(target_url, &["backup", "--output", &again.to_string_lossy()]);
            assert!(second.status.success(), "{}", stderr(&second));
            assert_eq!(backup_content(&file), backup_content(&again), "{backend:?} -> {target:?}");

            // A database with data is never overwritten.
            let refused = bulwark(target_url, &["restore", &file.to_string_lossy(), "--public-key", &public]);
            assert!(!refused.status.success());
            assert!(stderr(&refused).contains("refusing to restore"), "{}", stderr(&refused));
        }

        // A damaged or truncated file restores nothing, and the database stays usable for the
        // next attempt.
        let bytes = std::fs::read(&file).unwrap();
        let cut = dir.path().join("cut.backup");
        std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
        let target_url = format!("sqlite://{}", dir.path().join("second.db").display());
        let failed = bulwark(&target_url, &["restore", &cut.to_string_lossy(), "--public-key", &public]);
        assert!(!failed.status.success());
        assert_eq!(stderr(&failed).trim().lines().count(), 1, "one clear line: {}", stderr(&failed));
        let retried = bulwark(&target_url, &["restore", &file.to_string_lossy(), "--public-key", &public]);
        assert!(retried.status.success(), "{}", stderr(&retried));
        let not_a_backup = bulwark(
            &format!("sqlite://{}", dir.path().join("third.db").display()),
            &["restore", env!("CARGO_MANIFEST_DIR"), "--allow-unsigned"],
        );
        assert!(stderr(&not_a_backup).contains("there is no backup at"), "{}", stderr(&not_a_backup));
    }
}

/// Rewrites a backup's lines with `edit` and recomputes its checksum, as someone who can
/// write the file would; the signature is kept as it was.
fn tamper(path: &std::path::Path, edit: impl Fn(&str) -> String) {
    use sha2::Digest;
    let file = std::fs::File::open(path).unwrap();
    let mut lines: Vec<String> =
        BufReader::new(flate2::read::MultiGzDecoder::new(file)).lines().map(Result::unwrap).collect();
    let last = lines.pop().unwrap();
    let mut hash = sha2::Sha256::new();
    for line in lines.iter_mut() {
        *line = edit(line);
        hash.update(format!("{line}\n").as_bytes());
    }
    let mut trailer: serde_json::Value = serde_json::from_str(&last).unwrap();
    trailer["sha256"] = serde_json::json!(hex_of(&hash.finalize()));
    lines.push(trailer.to_string());
    let mut out = flate2::write::GzEncoder::new(std::fs::File::create(path).unwrap(), flate2::Compression::fast());
    std::io::Write::write_all(&mut out, (lines.join("\n") + "\n").as_bytes()).unwrap();
    out.finish().unwrap();
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn a_backup_is_private_signed_and_an_edited_one_never_restores() {
    let db = TestDb::new(Backend::Sqlite).await;
    let url = db.url.expose().to_string();
    create_user(&url, "eve@example.com", "employee");
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("anchor.pem");
    assert!(bulwark(&url, &["audit", "keygen", "--output", &key.to_string_lossy()]).status.success());
    let public = dir.path().join("anchor.pub").to_string_lossy().to_string();
    let key = key.to_string_lossy().to_string();

    // A link planted where the backup is first written is replaced, not followed.
    let elsewhere = dir.path().join("elsewhere");
    std::fs::write(&elsewhere, "untouched").unwrap();
    let file = dir.path().join("b.backup");
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("b.partial")).unwrap();
    let taken = bulwark(&url, &["backup", "--output", &file.to_string_lossy(), "--key", &key]);
    assert!(taken.status.success(), "{}", stderr(&taken));
    assert!(stdout(&taken).contains("signed"), "{}", stdout(&taken));
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "untouched");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600, "owner only");

    // Someone makes Eve an admin in the file and recomputes its checksum.
    let edited = dir.path().join("edited.backup");
    std::fs::copy(&file, &edited).unwrap();
    tamper(&edited, |line| line.replace("\"employee\"", "\"admin\""));
    let target = |name: &str| format!("sqlite://{}", dir.path().join(name).display());
    let refused = bulwark(&target("one.db"), &["restore", &edited.to_string_lossy(), "--public-key", &public]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("signature does not match"), "{}", stderr(&refused));
    // Neither does one without a signature, or with no key to check it, unless told so.
    let unsigned = dir.path().join("unsigned.backup");
    assert!(bulwark(&url, &["backup", "--output", &unsigned.to_string_lossy()]).status.success());
    let refused = bulwark(&target("two.db"), &["restore", &unsigned.to_string_lossy(), "--public-key", &public]);
    assert!(stderr(&refused).contains("not signed"), "{}", stderr(&refused));
    let refused = bulwark(&target("three.db"), &["restore", &file.to_string_lossy()]);
    assert!(!refused.status.success() && stderr(&refused).contains("--public-key"), "{}", stderr(&refused));
    let allowed = bulwark(&target("four.db"), &["restore", &unsigned.to_string_lossy(), "--allow-unsigned"]);
    assert!(allowed.status.success(), "{}", stderr(&allowed));
    let restored = bulwark(&target("five.db"), &["restore", &file.to_string_lossy(), "--public-key", &public]);
    assert!(restored.status.success(), "{}", stderr(&restored));
}

#[tokio::test]
async fn a_signed_checkpoint_exposes_a_chain_rewritten_from_start_to_end() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let url = db.url.expose().to_string();
        assert!(bulwark(&url, &["seed", "--people", "20", "--audit-entries", "50"]).status.success());
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("anchor.pem");
        let made = bulwark(&url, &["audit", "keygen", "--output", &key.to_string_lossy()]);
        assert!(made.status.success(), "{}", stderr(&made));
        let public = dir.path().join("anchor.pub");
        assert!(std::fs::read_to_string(&public).unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
                0o600,
                "the private key is private"
            );
        }
        let again = bulwark(&url, &["audit", "keygen", "--output", &key.to_string_lossy()]);
        assert!(!again.status.success() && stderr(&again).contains("never overwritten"), "{}", stderr(&again));

        let taken = bulwark(&url, &["audit", "checkpoint", "--key", &key.to_string_lossy()]);
        assert!(taken.status.success(), "{}", stderr(&taken));
        let checkpoint = dir.path().join("checkpoint.json");
        std::fs::write(&checkpoint, &taken.stdout).unwrap();
        let head: serde_json::Value = serde_json::from_slice(&taken.stdout).unwrap();
        let verify = |public: &std::path::Path| {
            bulwark(
                &url,
                &[
                    "audit",
                    "verify",
                    "--checkpoint",
                    &checkpoint.to_string_lossy(),
                    "--public-key",
                    &public.to_string_lossy(),
                ],
            )
        };
        let ok = verify(&public);
        assert!(ok.status.success(), "{}{}", stdout(&ok), stderr(&ok));
        assert!(
            stdout(&ok).contains(&format!("ok: the chain up to entry {} matches the checkpoint", head["seq"])),
            "{}",
            stdout(&ok)
        );

        // Work goes on after the checkpoint; it still holds.
        create_user(&url, "ada@example.com", "admin");
        assert!(verify(&public).status.success());

        // Someone with the database rewrites an early entry and recomputes every later hash:
        // the chain alone verifies, the checkpoint does not.
        let entries = db.store.audit_batch(0, 1_000_000).await.unwrap();
        let drop_guard = match backend {
            Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
            Backend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
        };
        db.store.execute_raw(drop_guard).await.unwrap();
        let mut prev = bulwark_core::audit::GENESIS_HASH.to_string();
        for (i, e) in entries.iter().enumerate() {
            let mut e = e.clone();
            if i == 3 {
                e.after = "{\"rewritten\":true}".into();
            }
            e.prev_hash = prev.clone();
            e.hash = bulwark_core::audit::chain_hash(&e);
            db.store
                .execute_raw(&format!(
                    "UPDATE audit_log SET after_json = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {}",
                    e.after.replace('\'', "''"),
                    e.prev_hash,
                    e.hash,
                    e.seq
                ))
                .await
                .unwrap();
            prev = e.hash;
        }
        let plain = bulwark(&url, &["audit", "verify"]);
        assert!(plain.status.success(), "a consistent rewrite passes the chain check: {}", stdout(&plain));
        let caught = verify(&public);
        assert!(!caught.status.success());
        assert!(stdout(&caught).contains("broken: the chain was rewritten"), "{}", stdout(&caught));

        // A checkpoint checked against another key, or altered, is refused.
        let other = dir.path().join("other.pem");
        assert!(bulwark(&url, &["audit", "keygen", "--output", &other.to_string_lossy()]).status.success());
        let wrong_key = verify(&dir.path().join("other.pub"));
        assert!(stdout(&wrong_key).contains("signature does not match"), "{}", stdout(&wrong_key));
        let bad = bulwark(&url, &["audit", "checkpoint", "--key", &public.to_string_lossy()]);
        assert!(stderr(&bad).contains("not an Ed25519 private key"), "{}", stderr(&bad));
    }
}
