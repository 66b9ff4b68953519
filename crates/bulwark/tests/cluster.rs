//! Several instances on one PostgreSQL behind a real load balancer (HAProxy, round robin, on
//! loopback), as the README's deployment describes: a session made on one instance works on
//! every one; concurrent writes through the balancer all land, each once; an approval decided
//! at once on two instances is decided once; each notification is sent once; a scheduled job
//! (the audit checkpoint) runs once; and the audit chain the instances extend together verifies.

mod common;

use bulwark_core::Store;
use bulwark_testkit::{Backend, SmtpSink, TestClient, TestDb, backends};
use common::{PASSWORD, bulwark, create_user, spawn_until_serving, stderr, stdout, terminate};
use serde_json::{Value, json};
use std::process::{Child, Command};
use std::time::Duration;

/// The HAProxy binary: `BULWARK_HAPROXY`, the distribution's, or one on the PATH.
fn haproxy() -> Option<String> {
    let candidates =
        [std::env::var("BULWARK_HAPROXY").unwrap_or_default(), "/usr/sbin/haproxy".into(), "haproxy".into()];
    let found = candidates
        .into_iter()
        .filter(|c| !c.is_empty())
        .find(|c| Command::new(c).arg("-v").output().map(|o| o.status.success()).unwrap_or(false));
    if found.is_none() {
        assert!(
            std::env::var("BULWARK_TEST_REQUIRE_HAPROXY").is_err(),
            "BULWARK_TEST_REQUIRE_HAPROXY is set but haproxy is missing"
        );
        eprintln!("skipped: the load-balanced test needs haproxy (apt-get install haproxy)");
    }
    found
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts HAProxy in the foreground, balancing round robin over `servers`.
fn start_balancer(binary: &str, dir: &std::path::Path, port: u16, servers: &[String]) -> Child {
    let backends: String = servers
        .iter()
        .enumerate()
        .map(|(i, s)| format!("  server bulwark{i} {}\n", s.trim_start_matches("http://")))
        .collect();
    let config = format!(
        "global\n  maxconn 512\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n\
         frontend web\n  bind 127.0.0.1:{port}\n  default_backend bulwark\n\
         backend bulwark\n  balance roundrobin\n  option forwardfor\n{backends}"
    );
    let path = dir.join("haproxy.cfg");
    std::fs::write(&path, config).unwrap();
    let check = Command::new(binary).args(["-c", "-f"]).arg(&path).output().unwrap();
    assert!(check.status.success(), "haproxy config: {}", String::from_utf8_lossy(&check.stderr));
    Command::new(binary).args(["-db", "-f"]).arg(&path).spawn().expect("start haproxy")
}

async fn wait_until_up(base: &str) {
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status() == 200) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the balancer at {base} did not come up");
}

#[tokio::test]
async fn three_instances_behind_haproxy_act_as_one() {
    let Some(haproxy) = haproxy() else { return };
    if !backends().contains(&Backend::Postgres) {
        return; // several instances share a PostgreSQL database (SQLite is one process's file)
    }
    let db = TestDb::new(Backend::Postgres).await;
    let url = db.url.expose().to_string();
    let dir = tempfile::tempdir().unwrap();
    let security = create_user(&url, "sec@example.com", "security");
    let deciders =
        [create_user(&url, "ceo@example.com", "management"), create_user(&url, "cfo@example.com", "management")];
    let channel = bulwark(
        &url,
        &["channel", "add", "--name", "team", "--email", "team@example.com", "--events", "incident.report"],
    );
    assert!(channel.status.success(), "{}", stderr(&channel));
    let key = dir.path().join("anchor.pem");
    assert!(bulwark(&url, &["audit", "keygen", "--output", &key.to_string_lossy()]).status.success());
    let checkpoints = bulwark(
        &url,
        &["channel", "add", "--name", "auditors", "--email", "auditors@example.com", "--events", "audit.checkpoint"],
    );
    assert!(checkpoints.status.success());

    let sink = SmtpSink::start().await;
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let metrics_token = "cluster-metrics-token";
    let mut instances = Vec::new();
    for _ in 0..3 {
        let mut serve = Command::new(env!("CARGO_BIN_EXE_bulwark"));
        serve.args(["--database", &url, "serve", "--listen", "127.0.0.1:0", "--public-url", &public]);
        serve.args(["--trusted-proxy", "127.0.0.1", "--mfa-required-roles", "none", "--metrics-token", metrics_token]);
        serve.args(["--smtp-host", "127.0.0.1", "--smtp-port", &sink.port.to_string(), "--smtp-tls", "none"]);
        serve.args(["--audit-checkpoint-key", &key.to_string_lossy()]);
        let (child, base, _) = spawn_until_serving(serve);
        instances.push((child, base));
    }
    let servers: Vec<String> = instances.iter().map(|(_, b)| b.clone()).collect();
    let mut balancer = start_balancer(&haproxy, dir.path(), port, &servers);
    wait_until_up(&public).await;

    // A session made through the balancer works on every instance, forms included.
    let browser = TestClient::new(&public);
    assert_eq!(browser.login("sec@example.com", PASSWORD).await.status(), 303);
    for _ in 0..12 {
        assert!(browser.text("/").await.contains("Signed in as sec@example.com"));
    }
    let form = browser
        .post_form("/people/new", "/people/new", &[("name", "Grace Hopper"), ("email", "grace@example.com")])
        .await;
    assert_eq!(form.status(), 303, "a form's token from one instance is good on another");

    // Concurrent writes through the balancer: every incident lands once and is mailed once.
    let mut writers = Vec::new();
    for w in 0..8 {
        let (public, token) = (public.clone(), security.clone());
        writers.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut ids = Vec::new();
            for i in 0..15 {
                let res = http
                    .post(format!("{public}/api/v1/incidents"))
                    .bearer_auth(&token)
                    .json(&json!({"title": format!("Alert {w}-{i}"), "category": "malware", "description": "EDR"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
                ids.push(res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string());
            }
            ids
        }));
    }
    let mut incidents = Vec::new();
    for w in writers {
        incidents.extend(w.await.unwrap());
    }
    assert_eq!(incidents.len(), 120);

    // Approvals: two managers decide the same acceptances at once, on different instances.
    let http = reqwest::Client::new();
    let mut approvals = Vec::new();
    for i in 0..6 {
        let risk = json!({"title": format!("Risk {i}"), "owner_id": "sec@example.com", "probability": 5, "impact": 4,
            "treatment": "accept", "treatment_plan": "Accepted for a year"});
        let res = http.post(format!("{public}/api/v1/risks")).bearer_auth(&security).json(&risk).send().await.unwrap();
        assert_eq!(res.status(), 201);
        let created: Value = res.json().await.unwrap();
        approvals.push(created["approval_id"].as_str().expect("acceptance above the threshold waits").to_string());
    }
    for approval in &approvals {
        let decide = |token: &String| {
            http.post(format!("{public}/api/v1/approvals/{approval}/decision"))
                .bearer_auth(token)
                .json(&json!({"decision": "approve", "comment": "ok"}))
                .send()
        };
        let (a, b) = tokio::join!(decide(&deciders[0]), decide(&deciders[1]));
        let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "decided once, the second decision refused");
        let state: Value = http
            .get(format!("{public}/api/v1/approvals/{approval}"))
            .bearer_auth(&deciders[0])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(state["decisions"].as_array().map(Vec::len), Some(1), "{state}");
    }

    // Each message once: one mail per incident, one audit checkpoint for the day.
    for _ in 0..600 {
        let mails = sink.received();
        let alerts = mails.iter().filter(|m| m.data.contains("Subject: Incident reported: Alert")).count();
        let anchored = mails.iter().any(|m| m.data.contains("Subject: Audit checkpoint"));
        if alerts >= incidents.len() && anchored {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mails = sink.received();
    for id in &incidents {
        let sent = mails.iter().filter(|m| m.data.contains(id.as_str())).count();
        assert_eq!(sent, 1, "the report of incident {id} is mailed once");
    }
    assert_eq!(mails.iter().filter(|m| m.data.contains("Subject: Audit checkpoint")).count(), 1, "one checkpoint");
    let store: &dyn Store = &db.store;
    let runs = bulwark_core::audit::AuditFilter { action: Some("audit.checkpoint".into()), ..Default::default() };
    assert_eq!(store.read().await.unwrap().list_audit(&runs, 10).await.unwrap().total, 1, "the job ran once");

    // The balancer spread the work: every instance served requests.
    for (_, base) in &instances {
        let metrics =
            http.get(format!("{base}/metrics")).bearer_auth(metrics_token).send().await.unwrap().text().await.unwrap();
        let served: f64 = metrics
            .lines()
            .filter(|l| l.starts_with("bulwark_http_requests_total{") && l.contains("/api/v1/incidents"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum();
        assert!(served > 0.0, "{base} served none of the incidents:\n{metrics}");
    }
    let verified = bulwark(&url, &["audit", "verify"]);
    assert!(verified.status.success(), "the chain the instances extended together verifies: {}", stdout(&verified));

    let _ = balancer.kill();
    let _ = balancer.wait();
    for (child, _) in instances {
        assert!(terminate(child).status.success());
    }
}
