//! `bulwark bench`: the SPEC §6 figures under concurrent load over real HTTP.
//!
//! By default it generates an organisation in a fresh database (a temporary SQLite file, or
//! the empty database named by `--database`), starts `bulwark serve` on it as a separate
//! process, signs in, and drives each scenario with `--concurrency` keep-alive connections
//! for `--duration`, printing req/s, p50 and p99 beside each bar. With `--url` it measures a
//! server that is already running instead. A bare axum + sqlx server that lists the same 50
//! rows as JSON (no session, no rendering) is measured the same way, as the stack's ceiling.

use anyhow::{Context, bail};
use bulwark_store::{DatabaseUrl, SqlStore};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cli::BenchArgs;

const PASSWORD: &str = "bench-password-123";

/// A request to repeat: method, path, and how it is authenticated.
#[derive(Clone)]
struct Scenario {
    name: &'static str,
    path: String,
    auth: Auth,
    bar: Bar,
}

#[derive(Clone, Copy)]
enum Auth {
    Session,
    Token,
    /// A SCIM token.
    Scim,
    /// POST /api/v1/people with a new person each time.
    TokenWrite,
    None,
}

#[derive(Clone, Copy)]
enum Bar {
    /// p99 under this many milliseconds.
    P99(u64),
    /// At least half the bare stack's throughput, and p99 under 20 ms.
    HalfOfBare,
    /// The reference itself.
    Reference,
}

struct Figures {
    requests: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

const REFERENCE: &str = "bare axum + sqlx: 50 people as JSON";
const COVERAGE: &str = "framework coverage (1,200 requirements)";

pub async fn run(args: &BenchArgs, database: Option<&str>) -> anyhow::Result<()> {
    let concurrency = args.concurrency.max(1);
    let duration = Duration::from_secs_f64(args.duration_secs.max(0.5));
    let mut server: Option<Process> = None;
    let mut bare: Option<Process> = None;
    let _dir; // keeps a temporary database alive until the end
    // The admin's authenticator: `serve` requires a second factor for admins.
    let mut totp_secret = args.totp_secret.clone();
    let mut scim_token = args.scim_token.clone();
    let (base, email, password, url) = match &args.url {
        Some(url) => {
            let email = args.email.clone().context("--url needs --email and --password of an admin")?;
            let password = args.password.clone().context("--url needs --password")?;
            (url.trim_end_matches('/').to_string(), email, password, None)
        }
        None => {
            let url = match database {
                Some(u) => DatabaseUrl::parse(u)?,
                None => {
                    let dir = tempfile::tempdir()?;
                    let url = DatabaseUrl::sqlite_file(&dir.path().join("bench.db"));
                    _dir = dir;
                    url
                }
            };
            let (email, secret, scim) = prepare(&url, args).await?;
            totp_secret = Some(secret);
            scim_token = Some(scim);
            let (child, base) = spawn(&["--database", url.expose(), "serve", "--listen", "127.0.0.1:0"])?;
            server = Some(child);
            (base, email, PASSWORD.to_string(), Some(url))
        }
    };
    let session = sign_in(&base, &email, &password, totp_secret.as_deref()).await?;
    let token = create_token(&base, &session).await?;
    let deep = deep_cursor(&base, &session, 100).await?;
    let search = search_text(&base, &session).await?;
    let person = first_id(&base, &token, "/api/v1/people").await?;
    let asset = first_id(&base, &token, "/api/v1/assets").await?;
    let risk = first_id(&base, &token, "/api/v1/risks").await?;
    let campaign = open_campaign(&base, &token).await?;
    // Idle: before any load (the catalog import below parses a few megabytes of JSON).
    let idle = server.as_ref().map(|c| memory_kb(c.0.id(), "VmRSS")).transpose()?;
    let everything = args.only.is_none();
    let (import_took, framework) =
        if args.wants(COVERAGE) { import_large_catalog(&base, &token).await? } else { (Duration::ZERO, String::new()) };

    let mut scenarios = vec![
        Scenario { name: "people list, first page", path: "/people".into(), auth: Auth::Session, bar: Bar::HalfOfBare },
        Scenario { name: "people list, 100 pages deep", path: deep, auth: Auth::Session, bar: Bar::HalfOfBare },
        Scenario {
            name: "people list, search",
            path: format!("/people?q={search}"),
            auth: Auth::Session,
            bar: Bar::HalfOfBare,
        },
        Scenario { name: "person detail", path: format!("/people/{person}"), auth: Auth::Session, bar: Bar::P99(20) },
        Scenario { name: "dashboard", path: "/".into(), auth: Auth::Session, bar: Bar::P99(50) },
        Scenario { name: "asset list, first page", path: "/assets".into(), auth: Auth::Session, bar: Bar::P99(20) },
        Scenario { name: "asset detail", path: format!("/assets/{asset}"), auth: Auth::Session, bar: Bar::P99(20) },
        Scenario {
            name: "API people list (token)",
            path: "/api/v1/people?per_page=50".into(),
            auth: Auth::Token,
            bar: Bar::P99(20),
        },
        Scenario { name: "risk list, highest first", path: "/risks".into(), auth: Auth::Session, bar: Bar::P99(20) },
        Scenario {
            name: "risk list, one owner",
            path: format!("/risks?owner_id={}", risk_owner(&base, &token, &risk).await?),
            auth: Auth::Session,
            bar: Bar::P99(20),
        },
        Scenario { name: "risk detail", path: format!("/risks/{risk}"), auth: Auth::Session, bar: Bar::P99(20) },
        Scenario {
            name: "incident list (security team)",
            path: "/incidents".into(),
            auth: Auth::Session,
            bar: Bar::P99(20),
        },
        Scenario { name: "audit log, newest first", path: "/audit".into(), auth: Auth::Session, bar: Bar::P99(20) },
        // A record kit list: its page, columns and links derived from the description.
        Scenario {
            name: "information systems list (kit)",
            path: "/information-systems".into(),
            auth: Auth::Session,
            bar: Bar::P99(20),
        },
        Scenario {
            name: "API authorities list (kit, token)",
            path: "/api/v1/authorities".into(),
            auth: Auth::Token,
            bar: Bar::P99(20),
        },
        Scenario { name: "my tasks", path: "/tasks".into(), auth: Auth::Session, bar: Bar::P99(20) },
        Scenario {
            name: "API my tasks (token)",
            path: "/api/v1/me/tasks".into(),
            auth: Auth::Token,
            bar: Bar::P99(20),
        },
        Scenario {
            name: "campaign completion (everyone)",
            path: format!("/campaigns/{campaign}"),
            auth: Auth::Session,
            bar: Bar::P99(50),
        },
        Scenario {
            name: "API writes (POST /api/v1/people)",
            path: "/api/v1/people".into(),
            auth: Auth::TokenWrite,
            bar: Bar::P99(50),
        },
    ];
    scenarios.push(Scenario {
        name: COVERAGE,
        path: format!("/frameworks/{framework}"),
        auth: Auth::Session,
        bar: Bar::P99(50),
    });
    if scim_token.is_some() {
        // How an identity provider finds a person before provisioning: by userName.
        let email = an_email(&base, &token).await?;
        scenarios.push(Scenario {
            name: "SCIM userName eq lookup",
            path: format!("/scim/v2/Users?filter=userName%20eq%20%22{}%22", email.replace('@', "%40")),
            auth: Auth::Scim,
            bar: Bar::P99(20),
        });
    }
    // The reference reads the generated database, or with --url the one --database names.
    let reference_db = match (&url, database) {
        (Some(url), _) => Some(url.clone()),
        (None, Some(given)) => Some(DatabaseUrl::parse(given)?),
        (None, None) => None,
    };
    scenarios.retain(|s| args.wants(s.name));
    if let Some(db) = reference_db.as_ref().filter(|_| args.wants(REFERENCE)) {
        let (child, bare_base) = spawn(&["--database", db.expose(), "bench-bare", "--listen", "127.0.0.1:0"])?;
        bare = Some(child);
        scenarios.insert(
            0,
            Scenario { name: REFERENCE, path: format!("{bare_base}/people"), auth: Auth::None, bar: Bar::Reference },
        );
    }

    println!(
        "Concurrent load over HTTP: {concurrency} connections × {:.0} s per scenario, against {base}",
        duration.as_secs_f64()
    );
    println!("{:<40} {:>9} {:>10} {:>10}  {:<28} verdict", "scenario", "req/s", "p50", "p99", "bar");
    let mut reference: Option<f64> = None;
    for s in &scenarios {
        // Writers and readers alike at full concurrency (16 API writers at once by default).
        let workers = concurrency;
        let f =
            load(&base, s, workers, duration, &session, (&token, scim_token.as_deref().unwrap_or_default())).await?;
        let (bar, ok) = match s.bar {
            Bar::Reference => {
                reference = Some(f.per_second);
                ("reference".to_string(), true)
            }
            Bar::P99(ms) => (format!("p99 < {ms} ms"), f.p99 < Duration::from_millis(ms)),
            Bar::HalfOfBare => match reference {
                Some(r) => (
                    format!("≥ {:.0} req/s, p99 < 20 ms", r / 2.0),
                    f.per_second >= r / 2.0 && f.p99 < Duration::from_millis(20),
                ),
                None => ("p99 < 20 ms".to_string(), f.p99 < Duration::from_millis(20)),
            },
        };
        println!(
            "{:<40} {:>9.0} {:>10} {:>10}  {:<28} {}",
            s.name,
            f.per_second,
            format!("{:.2} ms", f.p50.as_secs_f64() * 1e3),
            format!("{:.2} ms", f.p99.as_secs_f64() * 1e3),
            bar,
            if ok { "ok" } else { "MISSED" }
        );
        let _ = f.requests;
    }
    if !everything {
        return Ok(());
    }
    println!(
        "{:<40} {:>9} {:>10} {:>10}  {:<28} {}",
        "framework import (1,200 controls)",
        "",
        "",
        format!("{:.2} s", import_took.as_secs_f64()),
        "< 1 s",
        if import_took < Duration::from_secs(1) { "ok" } else { "MISSED" }
    );
    let (took, assigned) = time_campaign_creation(&base, &token).await?;
    println!(
        "{:<40} {:>9} {:>10} {:>10}  {:<28} {}",
        format!("campaign creation ({assigned} people)"),
        "",
        "",
        format!("{:.2} s", took.as_secs_f64()),
        "< 2 s",
        if took < Duration::from_secs(2) { "ok" } else { "MISSED" }
    );
    if let Some(c) = &server {
        let peak = memory_kb(c.0.id(), "VmHWM")?;
        let idle = idle.unwrap_or_default();
        println!(
            "{:<40} {:>9} {:>10} {:>10}  {:<28} {}",
            "server memory: idle RSS / peak",
            "",
            format!("{:.1} MB", idle as f64 / 1024.0),
            format!("{:.1} MB", peak as f64 / 1024.0),
            "idle < 50 MB",
            if idle < 50 * 1024 { "ok" } else { "MISSED" }
        );
    }
    if let Some(url) = &url {
        let store = SqlStore::open_existing(url).await?;
        let t = Instant::now();
        let verified = store.verify_audit_chain().await?.map_err(|b| anyhow::anyhow!("chain broken at {}", b.seq))?;
        let took = t.elapsed();
        println!(
            "{:<40} {:>9} {:>10} {:>10}  {:<28} {}",
            format!("audit verify ({verified} entries)"),
            "",
            "",
            format!("{:.2} s", took.as_secs_f64()),
            "< 2 s",
            if took < Duration::from_secs(2) { "ok" } else { "MISSED" }
        );
        time_backup_and_restore(&store).await?;
        store.close().await;
    }
    drop((server, bare));
    let (scored, took) = score_cvss_vectors(1_000_000);
    println!(
        "{:<40} {:>9.0} {:>10} {:>10}  reported (one core)          ok",
        format!("CVSS scoring, {scored} vectors (vectors/s)"),
        scored as f64 / took.as_secs_f64(),
        "",
        format!("{:.2} s", took.as_secs_f64()),
    );
    Ok(())
}

/// Takes a backup while the server is still serving, and restores it into an empty SQLite
/// file; prints both times and the backup's size (reported figures, no SPEC bar).
async fn time_backup_and_restore(store: &SqlStore) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("bench.backup");
    // Signed and checked, as an operator would run it.
    let (private, _) = bulwark_core::audit_anchor::generate_key_pair().map_err(|e| anyhow::anyhow!(e))?;
    let key = bulwark_core::audit_anchor::signing_key_from_pem(&private).map_err(|e| anyhow::anyhow!(e))?;
    let t = Instant::now();
    let summary = store.backup(std::io::BufWriter::new(std::fs::File::create(&file)?), Some(&key)).await?;
    let backup_took = t.elapsed();
    let size = std::fs::metadata(&file)?.len();
    println!(
        "{:<40} {:>9} {:>10} {:>10}  {:<28} ok",
        format!("backup, online ({} rows, {:.0} MB)", summary.rows, size as f64 / 1e6),
        "",
        "",
        format!("{:.2} s", backup_took.as_secs_f64()),
        "reported",
    );
    let target = DatabaseUrl::sqlite_file(&dir.path().join("restored.db"));
    let t = Instant::now();
    let input = std::io::BufReader::new(std::fs::File::open(&file)?);
    let trust = bulwark_store::BackupTrust::SignedBy(key.verifying_key());
    let (restored, _) = SqlStore::restore(&target, input, &trust).await?;
    let restore_took = t.elapsed();
    restored.close().await;
    println!(
        "{:<40} {:>9} {:>10} {:>10}  {:<28} ok",
        "restore into an empty SQLite file",
        "",
        "",
        format!("{:.2} s", restore_took.as_secs_f64()),
        "reported",
    );
    Ok(())
}

/// Parses and scores `n` vectors on one core, cycling through 3,000 different ones (v3.0,
/// v3.1 and v4.0, each metric group present in some); returns how many and how long.
fn score_cvss_vectors(n: usize) -> (usize, Duration) {
    use bulwark_core::incidents::cvss;
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(31);
    let vectors: Vec<String> = ["3.0", "3.1", "4.0"]
        .iter()
        .flat_map(|version| std::iter::repeat_n(*version, 1_000))
        .map(|version| {
            let mut parts = vec![format!("CVSS:{version}")];
            for (key, _, values, mandatory) in cvss::metrics(version) {
                if mandatory || rng.random_bool(0.3) {
                    parts.push(format!("{key}:{}", values[rng.random_range(0..values.len())]));
                }
            }
            parts.join("/")
        })
        .collect();
    let t = Instant::now();
    let scored = vectors.iter().cycle().take(n).filter(|v| cvss::score(v).is_ok()).count();
    (scored, t.elapsed())
}

/// Generates the organisation and an admin account in an empty database; returns the e-mail.
/// Seeds the organisation; returns the admin's e-mail and TOTP secret and a SCIM token.
async fn prepare(url: &DatabaseUrl, args: &BenchArgs) -> anyhow::Result<(String, String, String)> {
    use bulwark_core::Store;
    let store = SqlStore::open(url).await?;
    if store.read().await?.counts().await?.people > 0 {
        bail!("the bench needs an empty database, and {url} has data");
    }
    eprintln!("generating {} people and {} audit entries…", args.people, args.audit_entries);
    let started = Instant::now();
    let (_, people) = crate::seed::seed(&store, args.people, args.people * 10, args.audit_entries, 42).await?;
    store.refresh_statistics().await?;
    eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
    let admin = bulwark_core::identity::accounts::NewAccountInput {
        person_id: people[0].id.to_string(),
        roles: vec!["admin".into()],
        password: Some(PASSWORD.into()),
        ..Default::default()
    };
    let now = bulwark_core::time_util::now();
    let (account, _) =
        bulwark_core::identity::accounts::create_account(&store, &bulwark_core::Actor::cli(), now, &admin).await?;
    let actor = account.actor(bulwark_core::access::Via::Session);
    let secret = bulwark_core::identity::mfa::enroll_now(&store, &actor, now).await?;
    let (_, scim) = bulwark_core::identity::scim::tokens::create(&store, &actor, now, "bench").await?;
    store.close().await;
    Ok((people[0].email.clone(), secret, scim.0))
}

/// A server the bench started: stopped when dropped, on every way out of the bench.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts this binary with `args` and waits until it says where it serves.
fn spawn(args: &[&str]) -> anyhow::Result<(Process, String)> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(args)
        .env("BULWARK_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start the server")?;
    let stdout = child.stdout.take();
    let child = Process(child);
    let mut out = BufReader::new(stdout.context("no stdout")?);
    let mut line = String::new();
    while !line.contains("serving at") {
        line.clear();
        if out.read_line(&mut line)? == 0 {
            bail!("the server stopped before listening");
        }
    }
    let base = format!("http://{}", line.trim().rsplit("http://").next().unwrap_or_default());
    // Keep reading its output so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in out.lines() {});
    Ok((child, base))
}

fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).pool_max_idle_per_host(64).build()?)
}

/// Signs in through the login form (and the code page, with a code from `totp_secret`);
/// returns the session cookie and its CSRF token.
async fn sign_in(
    base: &str,
    email: &str,
    password: &str,
    totp_secret: Option<&str>,
) -> anyhow::Result<(String, String)> {
    let http = client()?;
    let page = http.get(format!("{base}/login")).send().await?;
    let pre = cookie(&page, "bulwark_csrf").context("no pre-session cookie")?;
    let csrf = form_token(&page.text().await?);
    let res = http
        .post(format!("{base}/login"))
        .header("cookie", format!("bulwark_csrf={pre}"))
        .form(&[("csrf", csrf.as_str()), ("email", email), ("password", password), ("next", "/")])
        .send()
        .await?;
    let mut session = cookie(&res, "bulwark_session").context("sign-in failed")?;
    let owed = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    if owed.starts_with("/login/code") {
        let secret = totp_secret.context("the account asks for a second factor: pass --totp-secret")?;
        let page = http.get(format!("{base}{owed}")).header("cookie", format!("bulwark_session={session}")).send();
        let csrf = form_token(&page.await?.text().await?);
        // The code of the next time step: the current one may be used up by the enrollment.
        let step = bulwark_core::identity::mfa::step_of(bulwark_core::time_util::now()) + 1;
        let code = bulwark_core::identity::mfa::code_at_step(secret, step)?;
        let res = http
            .post(format!("{base}/login/code"))
            .header("cookie", format!("bulwark_session={session}"))
            .form(&[("csrf", csrf.as_str()), ("code", code.as_str()), ("next", "/")])
            .send()
            .await?;
        session = cookie(&res, "bulwark_session").context("the second factor was refused")?;
    } else if owed.starts_with("/mfa/setup") {
        bail!("the account must set up a second factor first; sign in once in a browser");
    }
    let me: serde_json::Value = http
        .get(format!("{base}/api/v1/me"))
        .header("cookie", format!("bulwark_session={session}"))
        .send()
        .await?
        .json()
        .await?;
    Ok((format!("bulwark_session={session}"), me["csrf_token"].as_str().unwrap_or_default().to_string()))
}

/// The CSRF token a page embeds in its forms.
fn form_token(page: &str) -> String {
    page.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default().to_string()
}

fn cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")).and_then(|rest| rest.split(';').next()).map(str::to_string))
}

async fn create_token(base: &str, (cookie, csrf): &(String, String)) -> anyhow::Result<String> {
    let res: serde_json::Value = client()?
        .post(format!("{base}/api/v1/tokens"))
        .header("cookie", cookie)
        .header("x-csrf-token", csrf)
        .json(&serde_json::json!({"name": format!("bench {}", uuid::Uuid::new_v4())}))
        .send()
        .await?
        .json()
        .await?;
    res["token"].as_str().map(str::to_string).context("no token")
}

/// The open acknowledgment campaign `seed` started.
async fn open_campaign(base: &str, token: &str) -> anyhow::Result<String> {
    let page: serde_json::Value =
        client()?.get(format!("{base}/api/v1/campaigns?state=open")).bearer_auth(token).send().await?.json().await?;
    let items = page["items"].as_array().context("no campaigns")?;
    let acknowledgment = items.iter().find(|c| c["checklist_id"].is_null()).context("no open campaign")?;
    acknowledgment["id"].as_str().map(str::to_string).context("no campaign id")
}

/// Starts a campaign for everyone over the API (one request) and times it.
async fn time_campaign_creation(base: &str, token: &str) -> anyhow::Result<(Duration, i64)> {
    let due = (bulwark_core::time_util::now() + time::Duration::days(30)).date().to_string();
    let body = serde_json::json!({"title": format!("Bench campaign {}", uuid::Uuid::new_v4()), "due_date": due});
    let started = Instant::now();
    let res = client()?.post(format!("{base}/api/v1/campaigns")).bearer_auth(token).json(&body).send().await?;
    let took = started.elapsed();
    if !res.status().is_success() {
        bail!("creating a campaign answered {}", res.status());
    }
    let created: serde_json::Value = res.json().await?;
    Ok((took, created["assigned"].as_i64().unwrap_or_default()))
}

/// Imports a generated 1,200-control catalog over the API; how long it took and its id.
async fn import_large_catalog(base: &str, token: &str) -> anyhow::Result<(Duration, String)> {
    let body = serde_json::to_vec(&crate::catalog_set::large_catalog())?;
    let started = Instant::now();
    let res = client()?
        .post(format!("{base}/api/v1/frameworks"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    let took = started.elapsed();
    if !res.status().is_success() {
        bail!("importing a catalog answered {}", res.status());
    }
    let done: serde_json::Value = res.json().await?;
    let id = done["framework"]["id"].as_str().context("no framework id")?.to_string();
    Ok((took, id))
}

/// The people page `depth` pages in, by following `next` links of the API.
async fn deep_cursor(base: &str, (cookie, _): &(String, String), depth: usize) -> anyhow::Result<String> {
    let http = client()?;
    let mut path = "/api/v1/people?per_page=50".to_string();
    for _ in 1..depth {
        let page: serde_json::Value =
            http.get(format!("{base}{path}")).header("cookie", cookie).send().await?.json().await?;
        match page["next"].as_str() {
            Some(next) => path = next.to_string(),
            None => break,
        }
    }
    Ok(path.replacen("/api/v1/people", "/people", 1))
}

/// Three letters of someone's name: a search that finds a handful of people.
async fn search_text(base: &str, (cookie, _): &(String, String)) -> anyhow::Result<String> {
    let page: serde_json::Value = client()?
        .get(format!("{base}/api/v1/people?per_page=1&sort=email"))
        .header("cookie", cookie)
        .send()
        .await?
        .json()
        .await?;
    let name = page["items"][0]["name"].as_str().unwrap_or("ada").to_lowercase();
    let last = name.split(' ').next_back().unwrap_or(&name).to_string();
    Ok(last.chars().take(4).collect())
}

/// The e-mail address of a person of the directory (the first by address).
async fn an_email(base: &str, token: &str) -> anyhow::Result<String> {
    let page: serde_json::Value = client()?
        .get(format!("{base}/api/v1/people?per_page=1&sort=email"))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    page["items"][0]["email"].as_str().map(str::to_string).context("nobody in the directory")
}

/// The owner of a risk (a filter that keeps a few hundred of the register's risks).
async fn risk_owner(base: &str, token: &str, risk: &str) -> anyhow::Result<String> {
    let found: serde_json::Value =
        client()?.get(format!("{base}/api/v1/risks/{risk}")).bearer_auth(token).send().await?.json().await?;
    found["owner_id"].as_str().map(str::to_string).context("a risk without an owner")
}

/// The id of the first record of an API list (`path` like `/api/v1/people`).
async fn first_id(base: &str, token: &str, path: &str) -> anyhow::Result<String> {
    let page: serde_json::Value =
        client()?.get(format!("{base}{path}?per_page=1")).bearer_auth(token).send().await?.json().await?;
    page["items"][0]["id"].as_str().map(str::to_string).with_context(|| format!("nothing at {path}"))
}

/// Runs `workers` loops of the scenario for `duration`; every answer must be a success.
async fn load(
    base: &str,
    s: &Scenario,
    workers: usize,
    duration: Duration,
    (cookie, _): &(String, String),
    (token, scim): (&str, &str),
) -> anyhow::Result<Figures> {
    let url = if s.path.starts_with("http") { s.path.clone() } else { format!("{base}{}", s.path) };
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for w in 0..workers {
        let token = if matches!(s.auth, Auth::Scim) { scim } else { token };
        let (http, url, cookie, token, auth) = (client()?, url.clone(), cookie.clone(), token.to_string(), s.auth);
        let run = uuid::Uuid::new_v4().simple().to_string();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let req = match auth {
                    Auth::Session => http.get(&url).header("cookie", &cookie),
                    Auth::Token | Auth::Scim => http.get(&url).bearer_auth(&token),
                    Auth::None => http.get(&url),
                    Auth::TokenWrite => http.post(&url).bearer_auth(&token).json(&serde_json::json!({
                        "name": format!("Bench Writer {w} {n}"),
                        "email": format!("bench.{run}.{w}.{n}@example.com"),
                    })),
                };
                let t = Instant::now();
                let res = req.send().await?;
                let status = res.status();
                res.bytes().await?;
                times.push(t.elapsed());
                if !status.is_success() {
                    bail!("{url} answered {status}");
                }
            }
            Ok(times)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let elapsed = started.elapsed();
    all.sort();
    let at = |q: f64| all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1))).copied();
    Ok(Figures {
        requests: all.len(),
        per_second: all.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50).unwrap_or_default(),
        p99: at(0.99).unwrap_or_default(),
    })
}

/// A line of `/proc/PID/status` in kB (VmRSS: resident now; VmHWM: the peak).
fn memory_kb(pid: u32, field: &str) -> anyhow::Result<u64> {
    std::thread::sleep(Duration::from_millis(200));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .with_context(|| format!("no {field}"))
}

/// The bare stack: one axum handler that reads 50 people with sqlx and answers JSON.
pub async fn serve_bare(database: &str, listen: &str) -> anyhow::Result<()> {
    use axum::extract::State;
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(8).connect(database).await?;
    // The same order and index the people list uses (byte order; on PostgreSQL `COLLATE "C"`).
    let sql: &'static str = if database.starts_with("postgres") {
        "SELECT id, name, email, status FROM people ORDER BY name COLLATE \"C\", id LIMIT 50"
    } else {
        "SELECT id, name, email, status FROM people ORDER BY name, id LIMIT 50"
    };
    async fn people(State((pool, sql)): State<(sqlx::AnyPool, &'static str)>) -> axum::Json<Vec<serde_json::Value>> {
        let rows = sqlx::query(sql).fetch_all(&pool).await.unwrap_or_default();
        let items = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.try_get::<String, _>(0).unwrap_or_default(),
                    "name": r.try_get::<String, _>(1).unwrap_or_default(),
                    "email": r.try_get::<String, _>(2).unwrap_or_default(),
                    "status": r.try_get::<String, _>(3).unwrap_or_default(),
                })
            })
            .collect();
        axum::Json(items)
    }
    let app = axum::Router::new().route("/people", axum::routing::get(people)).with_state((pool, sql));
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!("bare stack serving at http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
