//! The browser test: real headless Chromium signs in through the form (an admin sets up an
//! authenticator from its QR code first, then signs in again with a code), creates an API token,
//! sees it once, and the token works against `/api/v1/me`; an employee reads a published
//! policy. Every page visited is saved as a screenshot under `<target>/screenshots/` for
//! review, and checked with axe-core (`BULWARK_AXE_JS`, installed by `scripts/test`) against
//! the WCAG 2.1 A and AA rules: any violation fails the test.

use bulwark_testkit::{Backend, PASSWORD, create_account, spawn_app};
use fantoccini::{ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running chromedriver, stopped when dropped.
pub(crate) struct Driver {
    child: Child,
    pub(crate) port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The chromedriver to use; None (the test is skipped) when it is not installed, unless
/// `BULWARK_TEST_REQUIRE_BROWSER` is set, which makes a missing browser a failure.
pub(crate) fn chromedriver(test: &str) -> Option<String> {
    let driver_bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    if std::path::Path::new(&driver_bin).exists() {
        return Some(driver_bin);
    }
    assert!(
        std::env::var("BULWARK_TEST_REQUIRE_BROWSER").is_err(),
        "BULWARK_TEST_REQUIRE_BROWSER is set but {driver_bin} is missing"
    );
    eprintln!("skipped: {test} ({driver_bin} not installed)");
    None
}

/// Starts chromedriver on a free port.
pub(crate) fn start_driver(driver_bin: &str) -> Driver {
    let port = free_port();
    let child = Command::new(driver_bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    Driver { child, port }
}

/// A new headless Chromium session with its own profile directory, once chromedriver listens.
pub(crate) async fn connect(driver: &Driver, profile: &std::path::Path) -> fantoccini::Client {
    let caps = chrome_caps(profile);
    for _ in 0..50 {
        let client = ClientBuilder::rustls()
            .expect("rustls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await;
        match client {
            Ok(c) => return c,
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    panic!("could not connect to chromedriver on port {}", driver.port)
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// Headless Chromium with its own fresh profile directory.
fn chrome_caps(profile: &std::path::Path) -> serde_json::Map<String, serde_json::Value> {
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-quic", "--window-size=1280,900",
                     format!("--user-data-dir={}", profile.display())]
        }
    });
    serde_json::from_value(caps).unwrap_or_default()
}

/// axe-core's source, when installed.
fn axe_source() -> Option<String> {
    let path = std::env::var("BULWARK_AXE_JS").ok()?;
    std::fs::read_to_string(path).ok()
}

/// Runs axe-core on the page the browser shows and fails with every WCAG 2.1 A/AA violation.
async fn assert_accessible(b: &fantoccini::Client, axe: &str, page: &str) {
    b.execute(axe, vec![]).await.expect("inject axe-core");
    let script = "const done = arguments[arguments.length - 1];
        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
          .then(r => done(r.violations.map(v => v.id + ' (' + v.help + '): ' +
              v.nodes.map(n => n.target.join(' ')).join(', '))))
          .catch(e => done(['axe failed: ' + e]));";
    let found = b.execute_async(script, vec![]).await.expect("run axe-core");
    let violations: Vec<String> = serde_json::from_value(found).expect("a list of violations");
    assert!(violations.is_empty(), "{page} has accessibility violations:\n{}", violations.join("\n"));
}

/// Waits until the browser has navigated to `path` (a page's heading may be the old page's).
async fn wait_for_path(b: &fantoccini::Client, path: &str) {
    for _ in 0..100 {
        if b.current_url().await.unwrap().path() == path {
            b.wait().for_element(Locator::Css("h1")).await.unwrap();
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let source = b.source().await.unwrap_or_default();
    panic!("the browser did not reach {path}; it shows {}:\n{source:.2000}", b.current_url().await.unwrap());
}

#[tokio::test]
async fn sign_in_create_a_token_see_it_once_and_use_it() {
    let Some(driver_bin) = chromedriver("browser test") else { return };
    let axe = axe_source();
    assert!(
        axe.is_some() || std::env::var("BULWARK_TEST_REQUIRE_BROWSER").is_err(),
        "BULWARK_TEST_REQUIRE_BROWSER is set but BULWARK_AXE_JS does not name axe-core's axe.min.js"
    );
    let _ = rustls::crypto::ring::default_provider().install_default();
    let app = spawn_app(Backend::Sqlite).await;
    // An admin who also sits in management: only the rule's role decides a ratification.
    create_account(app.store(), "ada@example.com", &["admin", "management"], PASSWORD).await;
    for i in 0..12 {
        let input = bulwark_core::organisation::people::PersonInput {
            name: format!("Sample Person {i}"),
            email: format!("sample{i}@example.com"),
            ..Default::default()
        };
        bulwark_core::organisation::people::create(
            app.store(),
            &bulwark_core::Actor::cli(),
            bulwark_core::time_util::now(),
            &input,
        )
        .await
        .unwrap();
    }

    let policy = publish_policy(app.store()).await;
    create_account(app.store(), "emp@example.com", &["employee"], PASSWORD).await;
    let campaign = start_campaign(app.store(), &policy).await;
    start_checklist_campaign(app.store()).await;
    let approval = request_ratification(app.store()).await;

    let driver = start_driver(&driver_bin);
    let profile = tempfile::tempdir().unwrap();
    let b = connect(&driver, profile.path()).await;
    let shots = screenshot_dir();
    let snap = |name: &'static str| {
        let b = b.clone();
        let path = shots.join(format!("{name}.png"));
        let axe = axe.clone();
        async move {
            let png = b.screenshot().await.expect("screenshot");
            std::fs::write(&path, png).expect("write screenshot");
            // The API docs are the vendored Swagger UI, not pages of ours.
            if let Some(axe) = axe.filter(|_| !name.ends_with("api-docs")) {
                assert_accessible(&b, &axe, name).await;
            }
        }
    };

    b.goto(&app.url("/people")).await.unwrap();
    assert!(b.current_url().await.unwrap().path().starts_with("/login"), "signed-out visitors land on the login form");
    snap("01-login").await;
    b.find(Locator::Id("f-email")).await.unwrap().send_keys("ada@example.com").await.unwrap();
    b.find(Locator::Id("f-password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    b.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    // An admin sets up an authenticator before the sign-in completes.
    wait_for_path(&b, "/mfa/setup").await;
    snap("01b-mfa-intro").await;
    b.find(Locator::Css("form[action='/mfa/setup/begin'] button")).await.unwrap().click().await.unwrap();
    let key = b.wait().for_element(Locator::Css("code.key")).await.unwrap().text().await.unwrap();
    let qr = b.find(Locator::Css("img.qr")).await.unwrap();
    assert!(qr.attr("src").await.unwrap().unwrap_or_default().starts_with("data:image/svg+xml;base64,"));
    snap("01c-mfa-qr-code").await;
    let key = key.replace(' ', "");
    let account = bulwark_core::Store::read(app.store()).await.unwrap().find_account_by_email("ada@example.com").await;
    let account = account.unwrap().unwrap().0;
    let now = bulwark_core::time_util::now();
    let code = bulwark_core::identity::mfa::code_at_step(&key, bulwark_core::identity::mfa::step_of(now)).unwrap();
    b.find(Locator::Id("f-code")).await.unwrap().send_keys(&code).await.unwrap();
    b.find(Locator::Css("form[action='/mfa/setup'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("ul.codes")).await.unwrap();
    let mut codes = Vec::new();
    for item in b.find_all(Locator::Css("ul.codes code")).await.unwrap() {
        codes.push(item.text().await.unwrap().trim().to_string());
    }
    assert_eq!(codes.len(), 10, "{codes:?}");
    snap("01d-recovery-codes").await;
    b.find(Locator::Css("a.button.primary")).await.unwrap().click().await.unwrap();
    wait_for_path(&b, "/people").await;
    snap("02-people").await;

    // Signing in again asks for a code from the authenticator.
    b.find(Locator::Css("form[action='/logout'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Id("f-email")).await.unwrap().send_keys("ada@example.com").await.unwrap();
    b.find(Locator::Id("f-password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    b.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_path(&b, "/login/code").await;
    snap("01e-sign-in-code").await;
    let code =
        bulwark_core::identity::mfa::next_unused_code(app.store(), account.id, bulwark_core::time_util::now()).await;
    b.find(Locator::Id("f-code")).await.unwrap().send_keys(&code.unwrap()).await.unwrap();
    b.find(Locator::Css("form[action='/login/code'] button")).await.unwrap().click().await.unwrap();
    wait_for_path(&b, "/").await;

    for (path, name) in [
        ("/", "03-dashboard"),
        ("/departments", "04-departments"),
        ("/areas", "05-areas"),
        ("/accounts", "06-accounts"),
        ("/audit", "07-audit"),
        ("/people/new", "08-person-form"),
        ("/policies", "14-policies"),
        ("/policies/new", "14b-policy-form"),
        ("/campaigns", "14c-campaigns"),
        ("/campaigns/new", "14d-campaign-form"),
        ("/tasks", "14e-my-tasks"),
        ("/notifications", "14f-notifications"),
        ("/approvals", "14g-approvals"),
        ("/checklists", "14h-checklists"),
        ("/checklists/new", "14i-checklist-form"),
        ("/assets", "14j-assets"),
        ("/assets/new", "14k-asset-form"),
        ("/assets/import", "14l-asset-import"),
        ("/keys", "14m-keys"),
        ("/keys/new", "14n-key-form"),
        ("/authorities", "14p-authorities"),
        ("/information-systems", "14q-information-systems"),
    ] {
        b.goto(&app.url(path)).await.unwrap();
        b.wait().for_element(Locator::Css("h1")).await.unwrap();
        snap(name).await;
    }

    // A register of the record kit: the form keeps what was typed beside each field's message,
    // then the record shows what it links to.
    b.goto(&app.url("/information-systems/new")).await.unwrap();
    b.find(Locator::Id("f-name")).await.unwrap().send_keys("Payments").await.unwrap();
    b.find(Locator::Id("f-department")).await.unwrap().send_keys("No such department").await.unwrap();
    b.find(Locator::Css("#f-classification option[value='restricted']")).await.unwrap().click().await.unwrap();
    snap("14r-system-form").await;
    b.find(Locator::Css("form[action='/information-systems/new'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let message = b.wait().for_element(Locator::Id("e-department")).await.unwrap().text().await.unwrap();
    assert!(message.contains("names no department"), "{message}");
    snap("14s-system-form-refused").await;
    let typed = b.find(Locator::Id("f-name")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some("Payments"), "what was typed stays");
    bulwark_core::organisation::departments::create_department(
        app.store(),
        &bulwark_core::Actor::cli(),
        bulwark_core::time_util::now(),
        &bulwark_core::organisation::departments::DepartmentInput { name: "Engineering".into(), ..Default::default() },
    )
    .await
    .unwrap();
    let department = b.find(Locator::Id("f-department")).await.unwrap();
    department.clear().await.unwrap();
    department.send_keys("Engineering").await.unwrap();
    b.find(Locator::Id("f-review_every_months")).await.unwrap().send_keys("12").await.unwrap();
    b.find(Locator::Css("form[action='/information-systems/new'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The record's page (its crumbs), not the form still on screen while the browser leaves it.
    b.wait().for_element(Locator::Css("p.crumbs a[href='/information-systems']")).await.unwrap();
    let heading = b.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(heading, "Payments");
    snap("14t-information-system").await;

    b.goto(&app.url("/profile")).await.unwrap();
    snap("09-profile").await;
    b.find(Locator::Id("f-name")).await.unwrap().send_keys("browser test").await.unwrap();
    b.find(Locator::Id("f-expires_days")).await.unwrap().send_keys("7").await.unwrap();
    b.find(Locator::Css("form[action='/profile/tokens'] button[type=submit]")).await.unwrap().click().await.unwrap();
    let shown = b.wait().for_element(Locator::Id("new-token-value")).await.unwrap().text().await.unwrap();
    let token = shown.trim().to_string();
    assert!(token.starts_with("bwk_"), "{token}");
    snap("10-token-created").await;

    b.goto(&app.url("/profile")).await.unwrap();
    let source = b.source().await.unwrap();
    assert!(!source.contains(&token), "the token is shown only once");
    assert!(source.contains("browser test"));
    snap("11-profile-after").await;

    // A SCIM token for the identity provider, shown once, with the endpoint to give it.
    b.goto(&app.url("/scim-tokens")).await.unwrap();
    b.find(Locator::Id("f-name")).await.unwrap().send_keys("Okta").await.unwrap();
    b.find(Locator::Css("form[action='/scim-tokens'] button[type=submit]")).await.unwrap().click().await.unwrap();
    let shown = b.wait().for_element(Locator::Id("new-token-value")).await.unwrap().text().await.unwrap();
    assert!(shown.trim().starts_with("bws_"), "{shown}");
    assert!(b.source().await.unwrap().contains("/scim/v2"));
    snap("14o-scim-token-created").await;

    // Compliance: import a catalog, map a control to a requirement, attach evidence, and the
    // framework's coverage rises.
    b.goto(&app.url("/frameworks")).await.unwrap();
    let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/oscal/basic-catalog.json");
    let catalog = std::fs::canonicalize(catalog).unwrap();
    b.find(Locator::Id("f-catalog")).await.unwrap().send_keys(catalog.to_str().unwrap()).await.unwrap();
    snap("15-frameworks").await;
    b.find(Locator::Css("form[action='/frameworks'] button[type=submit]")).await.unwrap().click().await.unwrap();
    let percent = b.wait().for_element(Locator::Id("coverage-percent")).await.unwrap().text().await.unwrap();
    assert_eq!(percent, "0%");
    let framework_url = b.current_url().await.unwrap();
    snap("15b-framework").await;
    b.goto(&app.url("/controls/new")).await.unwrap();
    b.find(Locator::Id("f-title")).await.unwrap().send_keys("Security roles are assigned").await.unwrap();
    b.find(Locator::Id("f-owner")).await.unwrap().send_keys("ada@example.com").await.unwrap();
    b.find(Locator::Css("#f-status option[value='implemented']")).await.unwrap().click().await.unwrap();
    snap("15c-control-form").await;
    b.find(Locator::Css("form[action='/controls/new'] button[type=submit]")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Id("f-requirement_id")).await.unwrap().send_keys("s1.1.1").await.unwrap();
    b.find(Locator::Css("form[action$='/mappings'] button[type=submit]")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("a[href$='/requirements/s1.1.1']")).await.unwrap();
    b.find(Locator::Id("f-title")).await.unwrap().send_keys("Roles matrix").await.unwrap();
    b.find(Locator::Id("f-url")).await.unwrap().send_keys("https://wiki.example.com/security/roles").await.unwrap();
    b.find(Locator::Css("form[action$='/evidence'] button[type=submit]")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("a[href='https://wiki.example.com/security/roles']")).await.unwrap();
    snap("15d-control").await;
    b.goto(framework_url.as_str()).await.unwrap();
    let percent = b.wait().for_element(Locator::Id("coverage-percent")).await.unwrap().text().await.unwrap();
    assert_eq!(percent, "25%", "one of the four requirements is covered now");
    snap("15e-coverage-risen").await;

    // Risks: record one relying on that control, rated before and after treatment, and see it
    // on the heat map.
    b.goto(&app.url("/risks/new")).await.unwrap();
    b.find(Locator::Id("f-title")).await.unwrap().send_keys("Stolen administrator password").await.unwrap();
    b.find(Locator::Id("f-owner")).await.unwrap().send_keys("ada@example.com").await.unwrap();
    for (select, value) in
        [("f-probability", "4"), ("f-impact", "5"), ("f-residual_probability", "2"), ("f-residual_impact", "4")]
    {
        let option = format!("#{select} option[value='{value}']");
        b.find(Locator::Css(&option)).await.unwrap().click().await.unwrap();
    }
    b.find(Locator::Css("#f-treatment option[value='mitigate']")).await.unwrap().click().await.unwrap();
    b.find(Locator::Css("input[name='control_ids']")).await.unwrap().click().await.unwrap();
    snap("16-risk-form").await;
    b.find(Locator::Css("form[action='/risks/new'] button[type=submit]")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("a[href^='/controls/']")).await.unwrap();
    let page = b.source().await.unwrap();
    assert!(page.contains("Security roles are assigned") && page.contains(">20</span>"), "{page:.2000}");
    snap("16b-risk").await;
    b.goto(&app.url("/risks/heat-map")).await.unwrap();
    let residual = b.wait().for_element(Locator::Css("svg[aria-labelledby^='h-residual'] desc")).await.unwrap();
    assert_eq!(residual.html(true).await.unwrap().trim(), "1 at probability 2, impact 4;");
    snap("16c-heat-map").await;

    // Vulnerability disclosure: an outsider reports anonymously in a second browser session,
    // follows the report by its secret link, the team replies, and the reporter sees it.
    let outsider_profile = tempfile::tempdir().unwrap();
    let outsider = connect(&driver, outsider_profile.path()).await;
    outsider.goto(&app.url("/report-vulnerability")).await.unwrap();
    outsider.find(Locator::Id("f-title")).await.unwrap().send_keys("Open redirect on /go").await.unwrap();
    let details = "GET /go?to=https://evil.example redirects anywhere.";
    outsider.find(Locator::Id("f-description")).await.unwrap().send_keys(details).await.unwrap();
    outsider
        .find(Locator::Css("form[action='/report-vulnerability'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let link =
        outsider.wait().for_element(Locator::Id("track-link")).await.unwrap().attr("href").await.unwrap().unwrap();
    if let Some(axe) = axe.clone() {
        assert_accessible(&outsider, &axe, "17-vulnerability-reported").await;
    }
    b.goto(&app.url("/vulnerability-reports")).await.unwrap();
    b.find(Locator::LinkText("Open redirect on /go")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Id("f-body")).await.unwrap().send_keys("Confirmed; fixed next week.").await.unwrap();
    snap("17b-vulnerability-report").await;
    b.find(Locator::Css("form[action$='/reply'] button[type=submit]")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("li.from-team")).await.unwrap();
    outsider.goto(&link).await.unwrap();
    let reply = outsider.wait().for_element(Locator::Css("li.from-team .message-body")).await.unwrap();
    assert_eq!(reply.text().await.unwrap(), "Confirmed; fixed next week.");
    if let Some(axe) = axe.clone() {
        assert_accessible(&outsider, &axe, "17c-reporter-sees-the-reply").await;
    }
    outsider.close().await.unwrap();

    // The same pages on a phone-sized screen.
    b.set_window_size(390, 844).await.unwrap();
    b.goto(&app.url("/people")).await.unwrap();
    b.wait().for_element(Locator::Css("h1")).await.unwrap();
    snap("13-people-narrow-screen").await;
    b.set_window_size(1280, 900).await.unwrap();

    b.goto(&app.url("/api/docs/")).await.unwrap();
    let title =
        b.wait().for_element(Locator::Css(".info .title")).await.expect("the API docs render").text().await.unwrap();
    assert!(title.contains("Bulwark API"), "{title}");
    snap("12-api-docs").await;

    let me: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["authenticated_via"], "token");

    // A ratification request waits for a decision, with the form to decide it.
    b.goto(&app.url(&format!("/approvals/{approval}"))).await.unwrap();
    b.wait().for_element(Locator::Id("f-comment")).await.unwrap();
    snap("14j-approval").await;

    // The admin sees the campaign nobody has signed yet.
    let completion = app.url(&format!("/campaigns/{campaign}"));
    b.goto(&completion).await.unwrap();
    let before = b.wait().for_element(Locator::Css(".facts dd")).await.unwrap().text().await.unwrap();
    assert!(before.contains("0 of 2 signed"), "{before}");
    snap("17-campaign-completion").await;

    // An employee signs in, sees the task first on the dashboard, reads the policy and signs.
    b.delete_all_cookies().await.unwrap();
    b.goto(&app.url("/login")).await.unwrap();
    b.find(Locator::Id("f-email")).await.unwrap().send_keys("emp@example.com").await.unwrap();
    b.find(Locator::Id("f-password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    b.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("h1")).await.unwrap();
    snap("15-employee-dashboard").await;
    b.find(Locator::LinkText("Acknowledge: Annual policy acknowledgment")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::LinkText(POLICY_TITLE)).await.unwrap().click().await.unwrap();
    let heading = b.wait().for_element(Locator::Css("article.document h1")).await.unwrap().text().await.unwrap();
    assert_eq!(heading, "Keys and secrets");
    snap("16-employee-reads-policy").await;
    b.back().await.unwrap();
    b.wait().for_element(Locator::Id("f-accept")).await.unwrap().click().await.unwrap();
    b.find(Locator::Css("form[action$='/acknowledge'] button[type=submit]")).await.unwrap().click().await.unwrap();
    let flash = b.wait().for_element(Locator::Css(".flash")).await.unwrap().text().await.unwrap();
    assert!(flash.contains("Signed"), "{flash}");
    assert_eq!(b.current_url().await.unwrap().path(), "/tasks");
    snap("18-employee-signed").await;
    // The checklist: one "no" becomes a follow-up task.
    b.find(Locator::LinkText("Complete: Laptop check")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("input[name=answer_1][value=no]")).await.unwrap().click().await.unwrap();
    b.find(Locator::Css("input[name=answer_2][value=yes]")).await.unwrap().click().await.unwrap();
    b.find(Locator::Id("f-comment_1")).await.unwrap().send_keys("Waiting for a new laptop").await.unwrap();
    snap("18b-employee-checklist").await;
    b.find(Locator::Css("form[action$='/acknowledge'] button[type=submit]")).await.unwrap().click().await.unwrap();
    let flash = b.wait().for_element(Locator::Css(".flash")).await.unwrap().text().await.unwrap();
    assert!(flash.contains("answers are saved"), "{flash}");
    b.find(Locator::LinkText("Fix: Disk encryption is on")).await.expect("the follow-up task");
    snap("18c-employee-follow-up").await;
    b.goto(&app.url("/policies")).await.unwrap();
    b.wait().for_element(Locator::LinkText(POLICY_TITLE)).await.unwrap();

    // The admin sees completion rise.
    b.delete_all_cookies().await.unwrap();
    b.goto(&app.url("/login")).await.unwrap();
    b.find(Locator::Id("f-email")).await.unwrap().send_keys("ada@example.com").await.unwrap();
    b.find(Locator::Id("f-password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    b.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    // This time with a recovery code instead of the authenticator.
    wait_for_path(&b, "/login/code").await;
    b.find(Locator::Id("f-code")).await.unwrap().send_keys(&codes[0]).await.unwrap();
    b.find(Locator::Css("form[action='/login/code'] button")).await.unwrap().click().await.unwrap();
    wait_for_path(&b, "/").await;
    b.goto(&completion).await.unwrap();
    let after = b.wait().for_element(Locator::Css(".facts dd")).await.unwrap().text().await.unwrap();
    assert!(after.contains("1 of 2 signed"), "{after}");
    snap("19-campaign-completion-after").await;
    b.close().await.unwrap();
}

/// A campaign for the admin and the employee (the sample people have no account but are
/// in the audience too; the campaign is for employees of the one department both are in).
async fn start_campaign(store: &dyn bulwark_core::Store, policy: &str) -> String {
    use bulwark_core::policies::campaigns::{self, CampaignInput};
    let now = bulwark_core::time_util::now();
    let kinds = vec!["contractor".to_string()];
    // The two accounts' people are contractors here, so that the sample people stay out.
    for email in ["ada@example.com", "emp@example.com"] {
        let person = store.read().await.unwrap().find_person_by_email(email).await.unwrap().unwrap();
        let input = bulwark_core::organisation::people::PersonInput {
            name: person.name.clone(),
            email: person.email.clone(),
            kind: "contractor".into(),
            status: "active".into(),
            version: Some(bulwark_core::version::version_of(person.updated_at)),
            ..Default::default()
        };
        bulwark_core::organisation::people::update(store, &bulwark_core::Actor::cli(), now, person.id, &input)
            .await
            .unwrap();
    }
    let input = CampaignInput {
        title: "Annual policy acknowledgment".into(),
        policy_ids: vec![policy.to_string()],
        kinds,
        due_date: (now + time::Duration::days(30)).date().to_string(),
        ..Default::default()
    };
    campaigns::create(store, &bulwark_core::Actor::cli(), now, &input).await.unwrap().id.to_string()
}

/// A two-item checklist campaign for the same contractors.
async fn start_checklist_campaign(store: &dyn bulwark_core::Store) {
    use bulwark_core::policies::checklists::{self, ChecklistInput};
    let (cli, now) = (bulwark_core::Actor::cli(), bulwark_core::time_util::now());
    let input = ChecklistInput {
        title: "Secure configuration".into(),
        items: vec!["Disk encryption is on | System settings → FileVault\nThe screen locks after 5 minutes".into()],
        ..Default::default()
    };
    let checklist = checklists::create(store, &cli, now, &input).await.unwrap();
    let input = bulwark_core::policies::campaigns::CampaignInput {
        title: "Laptop check".into(),
        checklist_id: checklist.id.to_string(),
        kinds: vec!["contractor".into()],
        due_date: (now + time::Duration::days(20)).date().to_string(),
        ..Default::default()
    };
    bulwark_core::policies::campaigns::create(store, &cli, now, &input).await.unwrap();
}

/// A policy version sent for ratification; returns the approval request's id.
async fn request_ratification(store: &dyn bulwark_core::Store) -> String {
    use bulwark_core::policies::{self, PolicyInput, Transition};
    let (writer, now) =
        (bulwark_core::Actor { label: "writer".into(), ..bulwark_core::Actor::cli() }, bulwark_core::time_util::now());
    let input =
        PolicyInput { title: "Clean desk policy".into(), body: "Lock your screen.".into(), ..Default::default() };
    let p = policies::create(store, &writer, now, &input).await.unwrap();
    policies::transition(store, &writer, now, p.id, 1, Transition::Submit).await.unwrap();
    let subject = format!("{}/1", p.id);
    let pending = store.read().await.unwrap().find_pending_approval(policies::RATIFICATION, &subject).await.unwrap();
    pending.unwrap().id
}

const POLICY_TITLE: &str = "Cryptography and key management policy";

/// A published policy, written by one person and ratified by another.
async fn publish_policy(store: &dyn bulwark_core::Store) -> String {
    use bulwark_core::policies::{self, PolicyInput, Transition};
    let now = bulwark_core::time_util::now();
    let writer = bulwark_core::Actor::cli();
    let ratifier = bulwark_core::Actor {
        label: "ceo".into(),
        roles: vec![bulwark_core::Role::Management],
        ..bulwark_core::Actor::cli()
    };
    let body = "# Keys and secrets\n\nKeys are rotated **yearly** and kept in the key vault.\n";
    let input = PolicyInput { title: POLICY_TITLE.into(), body: body.into(), ..Default::default() };
    let p = policies::create(store, &writer, now, &input).await.unwrap();
    for (who, step) in [(&writer, Transition::Submit), (&ratifier, Transition::Ratify), (&writer, Transition::Publish)]
    {
        policies::transition(store, who, now, p.id, 1, step).await.unwrap();
    }
    p.id.to_string()
}
