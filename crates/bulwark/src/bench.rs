//! `bulwark bench`: generates an organisation in a temporary embedded database, then measures
//! page latency in-process (router and database, no network) and audit verification, and
//! prints each figure beside its SPEC §6 bar.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bulwark_core::accounts::{self, NewAccountInput};
use bulwark_core::{Actor, time_util};
use bulwark_store::{DatabaseUrl, SqlStore};
use http_body_util::BodyExt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

use crate::cli::BenchArgs;

struct Row {
    what: String,
    p50: Duration,
    p99: Duration,
    bar: &'static str,
    ok: bool,
}

pub async fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = DatabaseUrl::sqlite_file(&dir.path().join("bench.db"));
    let store = SqlStore::open(&url).await?;
    eprintln!("generating {} people and {} audit entries…", args.people, args.audit_entries);
    let started = Instant::now();
    let (_, people) = crate::seed::seed(&store, args.people, args.audit_entries, 42).await?;
    eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
    let admin = NewAccountInput {
        person_id: people[0].id.to_string(),
        roles: vec!["admin".into()],
        password: Some("bench-password-123".into()),
        ..Default::default()
    };
    accounts::create_account(&store, &Actor::cli(), time_util::now(), &admin).await?;
    let (session, _, _) = accounts::login(&store, time_util::now(), &people[0].email, "bench-password-123").await?;
    let cookie = format!("{}={}", bulwark_web::access::SESSION_COOKIE, session.0);
    let (router, _) = bulwark_web::app(Arc::new(store.clone()), bulwark_web::WebConfig::new("http://127.0.0.1:8080"));

    let mut rows = Vec::new();
    let person = &people[people.len() / 2];
    let pages: [(&str, String, &'static str, Duration); 7] = [
        ("people list, page 1", "/people".into(), "< 20 ms", Duration::from_millis(20)),
        ("people list, search", "/people?q=lovelace&sort=email".into(), "< 20 ms", Duration::from_millis(20)),
        ("person detail", format!("/people/{}", person.id), "< 20 ms", Duration::from_millis(20)),
        ("people list, API JSON", "/api/v1/people?per_page=50".into(), "< 20 ms", Duration::from_millis(20)),
        ("dashboard", "/".into(), "< 50 ms", Duration::from_millis(50)),
        ("audit log page, newest first", "/audit".into(), "< 20 ms", Duration::from_millis(20)),
        (
            "audit log page, one record's history",
            format!("/audit?entity_type=person&entity_id={}", person.id),
            "< 20 ms",
            Duration::from_millis(20),
        ),
    ];
    for (what, path, bar, limit) in pages {
        let mut times = Vec::with_capacity(args.requests);
        for _ in 0..args.requests {
            let req = Request::get(&path).header(header::COOKIE, &cookie).body(Body::empty())?;
            let t = Instant::now();
            let res = router.clone().oneshot(req).await?;
            let status = res.status();
            res.into_body().collect().await?;
            times.push(t.elapsed());
            if status != StatusCode::OK {
                anyhow::bail!("{path} answered {status}");
            }
        }
        times.sort();
        let p50 = times[times.len() / 2];
        let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
        rows.push(Row { what: format!("{what} ({} people)", args.people), p50, p99, bar, ok: p99 < limit });
    }
    let t = Instant::now();
    let verified = store.verify_audit_chain().await?.map_err(|b| anyhow::anyhow!("chain broken at {}", b.seq))?;
    let took = t.elapsed();
    rows.push(Row {
        what: format!("audit verify ({verified} entries)"),
        p50: took,
        p99: took,
        bar: "< 2 s",
        ok: took < Duration::from_secs(2),
    });

    let idle = idle_memory(&url)?;
    rows.push(Row {
        what: "idle memory of `bulwark serve` (RSS)".into(),
        p50: Duration::ZERO,
        p99: Duration::ZERO,
        bar: "< 50 MB",
        ok: idle < 50 * 1024 * 1024,
    });
    let idle_text = format!("{:.1} MB", idle as f64 / (1024.0 * 1024.0));

    println!("{:<52} {:>10} {:>10}  {:<8} verdict", "measure (SQLite, in-process)", "p50", "p99", "bar");
    for r in rows {
        if r.p99.is_zero() {
            println!(
                "{:<52} {:>10} {:>10}  {:<8} {}",
                r.what,
                "",
                idle_text,
                r.bar,
                if r.ok { "ok" } else { "MISSED" }
            );
            continue;
        }
        println!(
            "{:<52} {:>10} {:>10}  {:<8} {}",
            r.what,
            format!("{:.2} ms", r.p50.as_secs_f64() * 1e3),
            format!("{:.2} ms", r.p99.as_secs_f64() * 1e3),
            r.bar,
            if r.ok { "ok" } else { "MISSED" }
        );
    }
    store.close().await;
    Ok(())
}

/// Starts `bulwark serve` on the generated database, lets it answer one request, and reads
/// its resident memory once it is idle.
fn idle_memory(url: &DatabaseUrl) -> anyhow::Result<u64> {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .args(["--database", url.expose(), "serve", "--listen", "127.0.0.1:0"])
        .env("BULWARK_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let result = (|| {
        let mut out = BufReader::new(child.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?);
        let mut line = String::new();
        while !line.contains("serving at") {
            line.clear();
            if out.read_line(&mut line)? == 0 {
                anyhow::bail!("serve stopped before listening");
            }
        }
        let addr = line.trim().rsplit("http://").next().unwrap_or_default().to_string();
        let mut s = std::net::TcpStream::connect(&addr)?;
        s.write_all(b"GET /readyz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")?;
        s.read_to_string(&mut String::new())?;
        std::thread::sleep(Duration::from_secs(2));
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()))?;
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("no VmRSS"))?;
        Ok(kb * 1024)
    })();
    let _ = child.kill();
    let _ = child.wait();
    result
}
