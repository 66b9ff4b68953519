//! Every link of every page opens, for every role: one organisation with a record of every
//! kind that has pages (departments with a head, people, policies published and in draft, a
//! ratification and a risk acceptance waiting for approval, an acknowledgment and a checklist
//! campaign, an incident reported by an employee with tasks, a vulnerability report, assets,
//! a key, an imported framework with a mapped control and evidence, an offboarding in
//! progress, a notification channel, API and SCIM tokens), then for the admin, the security
//! team, management, an auditor, a department head, an employee and a signed-out visitor,
//! headless Chromium opens the pages and collects every same-origin `a[href]` of the
//! rendered page, and the visitor's own HTTP client checks each link's status: no 4xx or
//! 5xx, a redirect only to a page that opens, and no GET that writes to the audit log (a
//! link never changes anything). The browser opens one page per URL pattern (ids replaced,
//! the query's keys only) and at most `MAX_PAGES` per role; every distinct URL found has its
//! status checked, downloads included. On SQLite only: links do not depend on the database.
//! `BULWARK_LINKS_VERBOSE=1` lists the pages each role opened.

use crate::browser;
use bulwark_core::access::Via;
use bulwark_core::identity::accounts::Account;
use bulwark_core::{Actor, Store, time_util};
use bulwark_testkit::{Backend, TestApp, TestClient, spawn_app};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

const ROLES: [&str; 6] = ["admin", "security", "management", "auditor", "department-head", "employee"];

/// Pages opened in the browser per role at most.
const MAX_PAGES: usize = 150;

/// Distinct URLs checked per role at most; more means a page links to an endless series.
const MAX_URLS: usize = 3000;

#[tokio::test]
async fn every_link_of_every_page_opens_for_every_role() {
    let Some(driver_bin) = browser::chromedriver("link crawl") else { return };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let app = spawn_app(Backend::Sqlite).await;
    let mut visitors = Vec::new();
    for role in ROLES {
        visitors.push((role, Some(app.signed_in(&format!("{role}@example.com"), &[role]).await)));
    }
    let seeded = seed(&app).await;
    visitors.push(("anonymous", None));

    let driver = browser::start_driver(&driver_bin);
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for (role, signed_in) in visitors {
        let started = Instant::now();
        let profile = tempfile::tempdir().unwrap();
        let b = browser::connect(&driver, profile.path()).await;
        let timeouts = fantoccini::wd::TimeoutConfiguration::new(
            Some(Duration::from_secs(30)),
            Some(Duration::from_secs(30)),
            None,
        );
        b.update_timeouts(timeouts).await.unwrap();
        let mut starts = vec!["/".to_string()];
        let client = match signed_in {
            Some(client) => {
                // The browser takes over the client's session: the same account, signed in once.
                b.goto(&app.url("/login")).await.unwrap();
                let secret = client.cookie("bulwark_session").expect("a session cookie");
                let host = app.addr.ip();
                let cookie = format!("bulwark_session={secret}; Domain={host}; Path=/; HttpOnly; SameSite=Lax");
                let cookie = fantoccini::cookies::Cookie::parse(cookie).expect("a cookie");
                b.add_cookie(cookie).await.unwrap();
                b.goto(&app.url("/")).await.unwrap();
                let at = b.current_url().await.unwrap();
                assert_eq!(at.path(), "/", "{role}: the browser is signed in with the client's session");
                client
            }
            None => {
                starts.extend(
                    ["/login", "/report-vulnerability", "/.well-known/security.txt", seeded.track_link.as_str()]
                        .map(String::from),
                );
                app.client()
            }
        };
        let crawl = Crawl { app: &app, client: &client, browser: &b, role };
        let found = crawl.run(&starts).await;
        if role != "anonymous" {
            let still = client.get("/profile").await.status();
            if still != 200 {
                failures.push(format!("{role}: the crawl signed the visitor out (/profile then answered {still})"));
            }
        }
        summary.push(format!(
            "{role}: {} pages opened in the browser ({} patterns), {} URLs checked{}, {:.1}s",
            found.opened,
            found.patterns,
            found.checked,
            if found.capped { ", page cap reached" } else { "" },
            started.elapsed().as_secs_f64()
        ));
        failures.extend(found.failures.into_iter().map(|f| format!("{role}: {f}")));
        b.close().await.unwrap();
    }
    eprintln!("link crawl:\n  {}", summary.join("\n  "));
    assert!(failures.is_empty(), "{} broken links:\n{}", failures.len(), failures.join("\n"));
}

/// What one role's crawl found.
struct Found {
    opened: usize,
    patterns: usize,
    checked: usize,
    capped: bool,
    failures: Vec<String>,
}

struct Crawl<'a> {
    app: &'a TestApp,
    client: &'a TestClient,
    browser: &'a fantoccini::Client,
    role: &'a str,
}

/// The outcome of checking one URL: a page to open for its links, or nothing more to do.
enum Checked {
    Page(String),
    Done,
}

impl Crawl<'_> {
    async fn run(&self, starts: &[String]) -> Found {
        let mut queue: VecDeque<String> = starts.iter().cloned().collect();
        // Every page that links to a URL, in the order found (the start pages: none).
        let mut linked_from: HashMap<String, Vec<String>> = starts.iter().map(|s| (s.clone(), Vec::new())).collect();
        let mut broken = Vec::new();
        let mut opened_patterns: HashSet<String> = HashSet::new();
        let mut found = Found { opened: 0, patterns: 0, checked: 0, capped: false, failures: Vec::new() };
        while let Some(url) = queue.pop_front() {
            found.checked += 1;
            assert!(found.checked <= MAX_URLS, "{}: more than {MAX_URLS} distinct URLs; last {url}", self.role);
            let page = match self.check(&url).await {
                Ok(Checked::Page(page)) => page,
                Ok(Checked::Done) => continue,
                Err(problem) => {
                    broken.push((url, problem));
                    continue;
                }
            };
            let links: Vec<String> = if page.ends_with("/security.txt") {
                self.client.text(&page).await.split_whitespace().filter_map(|w| self.same_origin(w)).collect()
            } else {
                if !opened_patterns.insert(pattern(&page)) {
                    continue;
                }
                if found.opened >= MAX_PAGES {
                    found.capped = true;
                    continue;
                }
                found.opened += 1;
                let writes_before = self.audit_entries().await;
                let links = self.links_in_browser(&page).await;
                if self.audit_entries().await > writes_before {
                    broken.push((page.clone(), "changed something when the browser opened it".into()));
                }
                links
            };
            for link in links.into_iter().filter(|l| !is_skipped(l)) {
                let from = linked_from.entry(link.clone()).or_default();
                if from.is_empty() && !starts.contains(&link) {
                    queue.push_back(link);
                }
                if !from.contains(&url) {
                    from.push(url.clone());
                }
            }
        }
        found.failures = broken
            .into_iter()
            .map(|(url, problem)| {
                let from = linked_from.get(&url).filter(|f| !f.is_empty());
                let from = from.map_or("a start page".to_string(), |f| f.join(", "));
                format!("{url} {problem} (linked from {from})")
            })
            .collect();
        found.patterns = opened_patterns.len();
        if std::env::var("BULWARK_LINKS_VERBOSE").is_ok() {
            let mut opened: Vec<&str> = opened_patterns.iter().map(String::as_str).collect();
            opened.sort();
            eprintln!("{} opened:\n  {}", self.role, opened.join("\n  "));
        }
        found
    }

    /// The status of `url` for this visitor (a redirect is followed once), and the page to
    /// open for its links when it is one of ours.
    async fn check(&self, url: &str) -> Result<Checked, String> {
        let writes_before = self.audit_entries().await;
        let res = self.client.get(url).await;
        let status = res.status();
        let mut outcome = Err(format!("answered {}", status.as_u16()));
        if status.is_redirection() {
            let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
            let target = reqwest::Url::parse(&self.client.url(url)).and_then(|u| u.join(location));
            let target = target.map(|t| t.to_string()).unwrap_or_default();
            outcome = match self.same_origin(&target) {
                None => Ok(Checked::Done),
                Some(next) => {
                    let res = self.client.get(&next).await;
                    if res.status().is_client_error() || res.status().is_server_error() {
                        Err(format!("redirects to {next}, which answered {}", res.status().as_u16()))
                    } else if res.status().is_success() && is_html(&res) {
                        Ok(Checked::Page(next))
                    } else {
                        Ok(Checked::Done)
                    }
                }
            };
        } else if status.is_success() {
            let text_file = url.ends_with("/security.txt");
            outcome = Ok(if is_html(&res) || text_file { Checked::Page(url.to_string()) } else { Checked::Done });
        }
        let writes = self.audit_entries().await - writes_before;
        if writes > 0 {
            return Err(format!("changed something: GET wrote {writes} audit entries"));
        }
        outcome
    }

    /// Entries in the audit log written by anyone but the scheduler.
    async fn audit_entries(&self) -> i64 {
        let sql = "SELECT COUNT(*) FROM audit_log WHERE actor_label NOT IN ('scheduler', 'bulwark')";
        self.app.store().count_raw(sql).await.expect("count audit entries")
    }

    /// Opens `page` in the browser and returns the same-origin links of the rendered page.
    async fn links_in_browser(&self, page: &str) -> Vec<String> {
        self.browser.goto(&self.app.url(page)).await.unwrap_or_else(|e| panic!("{}: open {page}: {e}", self.role));
        let script = "return Array.from(document.querySelectorAll('a[href]'), a => a.href);";
        let hrefs = self.browser.execute(script, vec![]).await.expect("collect links");
        let hrefs: Vec<String> = serde_json::from_value(hrefs).expect("a list of links");
        hrefs.iter().filter_map(|h| self.same_origin(h)).collect()
    }

    /// The path and query of an absolute URL on this server, without its fragment.
    fn same_origin(&self, url: &str) -> Option<String> {
        let rest = url.strip_prefix(&self.app.base)?;
        let rest = rest.split('#').next().unwrap_or_default();
        if rest.is_empty() {
            return Some("/".into());
        }
        rest.starts_with('/').then(|| rest.to_string())
    }
}

fn is_html(res: &reqwest::Response) -> bool {
    res.headers().get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"))
}

/// Links that sign out are not followed (signing out is a form, but never follow one).
fn is_skipped(path: &str) -> bool {
    path == "/logout" || path.starts_with("/logout?") || path.starts_with("/logout/")
}

/// The path with ids (UUIDs and numbers) as `{id}`, and the query's keys only.
fn pattern(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let segments: Vec<&str> = path
        .split('/')
        .map(|s| if is_uuid(s) || (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())) { "{id}" } else { s })
        .collect();
    let keys: BTreeSet<&str> =
        query.split('&').filter(|p| !p.is_empty()).map(|p| p.split('=').next().unwrap_or_default()).collect();
    let keys: Vec<&str> = keys.into_iter().collect();
    format!("{}?{}", segments.join("/"), keys.join("&"))
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() })
}

/// What the anonymous crawl starts from besides the public pages.
struct Seeded {
    /// The reporter's secret link to follow their vulnerability report.
    track_link: String,
}

async fn account(store: &dyn Store, email: &str) -> Account {
    store.read().await.unwrap().find_account_by_email(email).await.unwrap().expect("the account").0
}

/// One organisation with a record of every kind that has pages, seeded through the core
/// services as its people would create them.
async fn seed(app: &TestApp) -> Seeded {
    use bulwark_core::assets::{self, keys};
    use bulwark_core::compliance::{controls, frameworks, risks};
    use bulwark_core::identity::accounts;
    use bulwark_core::incidents::{self, disclosure};
    use bulwark_core::notify;
    use bulwark_core::organisation::{departments, lifecycle, people};
    use bulwark_core::policies::{self, campaigns, checklists};
    use bulwark_core::records::{input::RawRecord, service};
    let store: &dyn Store = app.store();
    let (cli, now) = (Actor::cli(), time_util::now());
    let mut actors = BTreeMap::new();
    for role in ROLES {
        actors.insert(role, account(store, &format!("{role}@example.com")).await);
    }
    let actor = |role: &str| actors[role].actor(Via::Session);
    let sec = actor("security");

    // Departments: the department head heads Engineering, where the employee and others work.
    let head_person = actors["department-head"].person_id.to_string();
    let input =
        departments::DepartmentInput { name: "Engineering".into(), head_person_id: head_person, ..Default::default() };
    let engineering = departments::create_department(store, &cli, now, &input).await.unwrap().id.to_string();
    let input = departments::DepartmentInput { name: "Finance".into(), ..Default::default() };
    let finance = departments::create_department(store, &cli, now, &input).await.unwrap().id.to_string();
    for role in ["department-head", "employee"] {
        let person = people::get(store, &cli, actors[role].person_id).await.unwrap();
        let input = people::PersonInput {
            name: person.name.clone(),
            email: person.email.clone(),
            kind: person.kind.as_str().into(),
            department_id: engineering.clone(),
            status: person.status.as_str().into(),
            version: Some(bulwark_core::version::version_of(person.updated_at)),
        };
        people::update(store, &cli, now, person.id, &input).await.unwrap();
    }
    let mut sample = Vec::new();
    for (i, department) in [&engineering, &engineering, &finance].into_iter().enumerate() {
        let input = people::PersonInput {
            name: format!("Sample Person {i}"),
            email: format!("sample{i}@example.com"),
            department_id: department.clone(),
            ..Default::default()
        };
        sample.push(people::create(store, &cli, now, &input).await.unwrap());
    }
    let kit = |pairs: &[(&str, &str)]| RawRecord::from_pairs(pairs.iter().copied());
    let areas = &bulwark_core::organisation::areas::AREA;
    service::create(store, &cli, areas, now, &kit(&[("name", "Physical security")])).await.unwrap();
    let member = kit(&[("area", "Physical security"), ("person", &sample[2].email), ("specialty", "Locks")]);
    service::create(store, &cli, &bulwark_core::organisation::areas::AREA_MEMBER, now, &member).await.unwrap();

    // Policies: one published with a draft of its next version, one draft, one in review.
    let ratifier = actor("management");
    let input = policies::PolicyInput {
        title: "Acceptable use policy".into(),
        body: "# Use\n\nUse the laptop for work.".into(),
        ..Default::default()
    };
    let published = policies::create(store, &sec, now, &input).await.unwrap();
    let steps = [(&sec, policies::Transition::Submit), (&ratifier, policies::Transition::Ratify)];
    for (who, step) in steps.into_iter().chain([(&sec, policies::Transition::Publish)]) {
        policies::transition(store, who, now, published.id, 1, step).await.unwrap();
    }
    let next = policies::PolicyInput { body: "# Use\n\nUse the laptop for work only.".into(), ..input };
    policies::update(store, &sec, now, published.id, &next).await.unwrap();
    let input =
        policies::PolicyInput { title: "Clean desk policy".into(), body: "Clear it.".into(), ..Default::default() };
    policies::create(store, &sec, now, &input).await.unwrap();
    let input =
        policies::PolicyInput { title: "Password policy".into(), body: "Long ones.".into(), ..Default::default() };
    let in_review = policies::create(store, &sec, now, &input).await.unwrap();
    policies::transition(store, &sec, now, in_review.id, 1, policies::Transition::Submit).await.unwrap();

    // Campaigns for everyone: one to sign the published policy, one checklist.
    let due = (now + time::Duration::days(30)).date().to_string();
    let input = campaigns::CampaignInput {
        title: "Annual acknowledgment".into(),
        policy_ids: vec![published.id.to_string()],
        due_date: due.clone(),
        ..Default::default()
    };
    campaigns::create(store, &sec, now, &input).await.unwrap();
    let input = checklists::ChecklistInput {
        title: "Laptop hygiene".into(),
        items: vec!["Disk encryption is on | System settings\nThe screen locks after 5 minutes".into()],
        ..Default::default()
    };
    let checklist = checklists::create(store, &sec, now, &input).await.unwrap();
    let input = campaigns::CampaignInput {
        title: "Laptop check".into(),
        checklist_id: checklist.id.to_string(),
        due_date: due,
        ..Default::default()
    };
    campaigns::create(store, &sec, now, &input).await.unwrap();

    // Assets: the employee's laptop and a service; a key the employee owns.
    let input = assets::AssetInput {
        name: "Laptop E-1".into(),
        kind: "device".into(),
        owner_id: "security@example.com".into(),
        assigned_to: "employee@example.com".into(),
        ..Default::default()
    };
    let laptop = assets::create(store, &sec, now, &input).await.unwrap();
    let input = assets::AssetInput { name: "GitHub".into(), kind: "saas".into(), ..Default::default() };
    assets::create(store, &sec, now, &input).await.unwrap();
    let input = assets::AssetInput {
        name: "Laptop S-1".into(),
        kind: "device".into(),
        assigned_to: sample[0].email.clone(),
        ..Default::default()
    };
    assets::create(store, &sec, now, &input).await.unwrap();
    let old = (now - time::Duration::days(400)).date().to_string();
    for key in [
        &[("name", "Deploy signing key"), ("algorithm", "Ed25519"), ("owner", "employee@example.com")][..],
        &[
            ("name", "Backup encryption key"),
            ("algorithm", "AES"),
            ("size_bits", "256"),
            ("owner", "security@example.com"),
            ("created_on", &old),
        ],
    ] {
        let fields = key.iter().copied().chain([("rotation_days", "90")]);
        service::create(store, &sec, &keys::KEY, now, &RawRecord::from_pairs(fields)).await.unwrap();
    }

    // Compliance: the sample catalog, a control mapped to a requirement, with evidence.
    let catalog =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/oscal/basic-catalog.json")).unwrap();
    let framework = frameworks::import(store, &sec, now, &catalog).await.unwrap().framework.id.to_string();
    let control =
        [("title", "Security roles are assigned"), ("owner", "security@example.com"), ("status", "implemented")];
    let control = service::create(store, &sec, &controls::CONTROL, now, &RawRecord::from_pairs(control)).await.unwrap();
    let control: bulwark_core::ids::ControlId = control.id.parse().unwrap();
    controls::map(store, &sec, now, control, &framework, "s1.1.1").await.unwrap();
    let evidence = [
        controls::EvidenceInput {
            kind: "file".into(),
            title: "Roles matrix".into(),
            file: Some(("roles.txt".into(), "text/plain".into(), b"CISO: Ada".to_vec())),
            ..Default::default()
        },
        controls::EvidenceInput {
            kind: "link".into(),
            title: "Wiki page".into(),
            url: "https://wiki.example.com/roles".into(),
            ..Default::default()
        },
    ];
    for input in evidence {
        controls::add_evidence(store, &sec, now, control, input).await.unwrap();
    }

    // A risk the employee owns, accepted above the threshold: management approves it.
    let input = risks::RiskInput {
        title: "Phishing".into(),
        owner: "employee@example.com".into(),
        asset_id: laptop.id.to_string(),
        probability: "5".into(),
        impact: "4".into(),
        treatment: "accept".into(),
        treatment_plan: "Training covers it".into(),
        control_ids: vec![control.to_string()],
        ..Default::default()
    };
    let risk = risks::create(store, &sec, now, &input).await.unwrap();
    // One the department head owns, recorded long ago: its review is overdue.
    let input = risks::RiskInput {
        title: "Office break-in".into(),
        owner: "department-head@example.com".into(),
        probability: "2".into(),
        impact: "3".into(),
        ..Default::default()
    };
    risks::create(store, &sec, now - time::Duration::days(800), &input).await.unwrap();

    // An incident the employee reported, linked to the risk, the laptop and a person, with
    // tasks for the employee and the department head.
    let input = incidents::ReportInput {
        title: "Laptop stolen".into(),
        category: "lost-device".into(),
        description: "Tag E-1.".into(),
        personal_data: "on".into(),
    };
    incidents::set_response_plan(store, &cli, now, &published.id.to_string()).await.unwrap();
    let incident = incidents::report(store, &actor("employee"), now, &input).await.unwrap().id;
    for (kind, target) in [("risk", risk.id.to_string()), ("asset", laptop.id.to_string())] {
        incidents::link(store, &sec, now, incident, kind, &target).await.unwrap();
    }
    incidents::link(store, &sec, now, incident, "person", &sample[0].id.to_string()).await.unwrap();
    for (who, task) in [("employee@example.com", "Report the theft"), ("department-head@example.com", "Order a laptop")]
    {
        incidents::add_task(store, &sec, now, incident, who, task, "").await.unwrap();
    }

    // A vulnerability report with the team's reply.
    let input = disclosure::Submission {
        title: "Open redirect on /go".into(),
        description: "GET /go?to=https://evil.example".into(),
        ..Default::default()
    };
    let (report, secret) = disclosure::submit(store, now, &input).await.unwrap();
    disclosure::team_message(store, &sec, now, report.id, "Confirmed, thanks.").await.unwrap();

    // Someone in Engineering leaves: the offboarding is in progress.
    lifecycle::start_offboarding(store, &sec, now, sample[0].id, "moves abroad").await.unwrap();

    // Settings and tokens.
    let events = vec!["policy.publish".to_string(), "incident.report".to_string()];
    notify::add_channel(store, &cli, now, "security-mail", "email", "security-team@example.com", &events)
        .await
        .unwrap();
    for role in ROLES {
        let input = accounts::NewTokenInput { name: format!("{role} script"), expires_days: None };
        accounts::create_token(store, &actor(role), now, &input).await.unwrap();
    }
    bulwark_core::identity::scim::tokens::create(store, &actor("admin"), now, "Okta").await.unwrap();
    Seeded { track_link: format!("/report-vulnerability/track/{secret}") }
}

#[test]
fn patterns_replace_ids_and_keep_only_the_query_keys() {
    let id = "0190a3e4-7b1c-7d2e-8f00-123456789abc";
    assert_eq!(pattern(&format!("/policies/{id}/versions/2")), "/policies/{id}/versions/{id}?");
    assert_eq!(pattern("/people?sort=name&dir=asc&sort=x"), "/people?dir&sort");
    assert_eq!(pattern("/frameworks/x/requirements/s1.1.1"), "/frameworks/x/requirements/s1.1.1?");
}
