//! Pages as a browser without JavaScript uses them: sign-in, CSRF, forms that keep what was
//! typed, set-password links.

use bulwark_testkit::{Backend, PASSWORD, create_account, spawn_app};

#[tokio::test]
async fn sign_in_failures_look_alike_and_are_throttled() {
    let app = spawn_app(Backend::Sqlite).await;
    create_account(app.store(), "ada@example.com", &["employee"], PASSWORD).await;
    let c = app.client();
    let unknown = c.login("nobody@example.com", PASSWORD).await;
    let unknown_status = unknown.status();
    let unknown_body = unknown.text().await.unwrap();
    let wrong = c.login("ada@example.com", "not the password").await;
    assert_eq!(unknown_status, 422);
    assert_eq!(wrong.status(), unknown_status);
    let wrong_body = wrong.text().await.unwrap();
    assert!(
        unknown_body.contains("E-mail address or password is wrong.")
            && wrong_body.contains("E-mail address or password is wrong.")
    );
    assert!(wrong_body.contains("value=\"ada@example.com\""), "the typed e-mail is kept");

    for _ in 0..4 {
        c.login("ada@example.com", "still wrong").await;
    }
    let throttled = c.login("ada@example.com", PASSWORD).await;
    assert_eq!(throttled.status(), 429, "even the right password waits once the limit is reached");
    assert!(throttled.text().await.unwrap().contains("E-mail address or password is wrong."));
}

#[tokio::test]
async fn session_cookie_is_http_only_and_logout_ends_the_session() {
    let app = spawn_app(Backend::Sqlite).await;
    create_account(app.store(), "ada@example.com", &["employee"], PASSWORD).await;
    let c = app.client();
    let res = c.login("ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let cookie = bulwark_testkit::set_cookie(&res, "bulwark_session").expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http test server");
    assert!(c.text("/").await.contains("Signed in as ada@example.com"));

    let out = c.post_form("/logout", "/", &[]).await;
    assert_eq!(out.status(), 303);
    let after = c.get("/").await;
    assert_eq!(after.status(), 303);
    assert!(after.headers()["location"].to_str().unwrap().starts_with("/login"));
}

#[tokio::test]
async fn signing_in_always_issues_a_new_session_and_voids_the_one_before() {
    let app = spawn_app(Backend::Sqlite).await;
    create_account(app.store(), "ada@example.com", &["employee"], PASSWORD).await;
    let session_of = |res: &reqwest::Response| {
        bulwark_testkit::set_cookie(res, "bulwark_session")
            .and_then(|c| c.split(';').next()?.strip_prefix("bulwark_session=").map(str::to_string))
            .expect("a session cookie")
    };
    let signed_in_with = |cookie: String| {
        let url = app.url("/api/v1/me");
        async move {
            let res = reqwest::Client::new()
                .get(url)
                .header("cookie", format!("bulwark_session={cookie}"))
                .send()
                .await
                .unwrap();
            res.status() == 200
        }
    };
    // A session id an attacker planted before the sign-in is never the one signed in.
    let c = app.client();
    let planted = "attacker-chosen-session-id-0123456789abcdef";
    c.jar.add_cookie_str(&format!("bulwark_session={planted}; Path=/"), &app.url("/").parse().unwrap());
    let first = c.login("ada@example.com", PASSWORD).await;
    assert_eq!(first.status(), 303);
    let first = session_of(&first);
    assert_ne!(first, planted);
    assert!(!signed_in_with(planted.into()).await, "the planted id is not signed in");
    assert!(signed_in_with(first.clone()).await);
    // Signing in again from the same browser (another tab's sign-in form, sent with the
    // session's token) gives another session; the earlier one ends.
    let second =
        c.post_form("/login", "/profile", &[("email", "ada@example.com"), ("password", PASSWORD), ("next", "/")]).await;
    assert_eq!(second.status(), 303);
    let second = session_of(&second);
    assert_ne!(second, first);
    assert!(signed_in_with(second).await);
    assert!(!signed_in_with(first).await, "the session before the sign-in is void");
}

#[tokio::test]
async fn forms_need_their_csrf_token() {
    let app = spawn_app(Backend::Sqlite).await;
    let c = app.signed_in("admin@example.com", &["admin"]).await;
    let forged =
        c.http.post(c.url("/people/new")).form(&[("name", "Eve"), ("email", "eve@example.com")]).send().await.unwrap();
    assert_eq!(forged.status(), 403);
    assert!(forged.text().await.unwrap().contains("Form expired"));
    let wrong = c
        .http
        .post(c.url("/people/new"))
        .form(&[("csrf", "guess"), ("name", "Eve"), ("email", "eve@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    assert!(!c.text("/people").await.contains("eve@example.com"), "nothing was created");
}

#[tokio::test]
async fn a_bad_form_comes_back_with_what_was_typed_and_a_message_per_field() {
    let app = spawn_app(Backend::Sqlite).await;
    let c = app.signed_in("admin@example.com", &["admin"]).await;
    let res = c
        .post_form(
            "/people/new",
            "/people/new",
            &[("name", "Katherine Johnson"), ("email", "katherine at nasa"), ("kind", "contractor")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("value=\"Katherine Johnson\""), "name kept");
    assert!(page.contains("value=\"katherine at nasa\""), "e-mail kept");
    assert!(page.contains("E-mail must be an e-mail address"), "message beside the field");
    assert!(page.contains("<option value=\"contractor\" selected>"), "choice kept");

    let ok = c
        .post_form(
            "/people/new",
            "/people/new",
            &[("name", "Katherine Johnson"), ("email", "katherine@example.com"), ("kind", "contractor")],
        )
        .await;
    assert_eq!(ok.status(), 303);
    let detail = c.text(ok.headers()["location"].to_str().unwrap()).await;
    assert!(detail.contains("Katherine Johnson") && detail.contains("Contractor") && detail.contains("person.create"));
}

#[tokio::test]
async fn an_admin_creates_an_account_and_its_set_password_link_works_once() {
    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.signed_in("admin@example.com", &["admin"]).await;
    let res = admin
        .post_form(
            "/accounts/new",
            "/accounts/new",
            &[("email", "new.hire@example.com"), ("name", "New Hire"), ("roles", "employee"), ("roles", "auditor")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    let start = page.find("/set-password/").expect("link shown");
    let token: String = page[start + "/set-password/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert!(page.contains("Auditor") && page.contains("Employee"));

    let newcomer = app.client();
    let path = format!("/set-password/{token}");
    let short = newcomer.post_form(&path, &path, &[("password", "short"), ("confirm", "short")]).await;
    assert_eq!(short.status(), 422);
    assert!(short.text().await.unwrap().contains("at least 12 characters"));
    let set = newcomer
        .post_form(&path, &path, &[("password", "a sound new password"), ("confirm", "a sound new password")])
        .await;
    assert_eq!(set.status(), 303);
    assert!(newcomer.text(&path).await.contains("invalid, used or expired"));
    let signed = newcomer.login("new.hire@example.com", "a sound new password").await;
    assert_eq!(signed.status(), 303);
    assert_eq!(signed.headers()["location"], "/mfa/setup?next=/", "an auditor sets up a second factor first");
    assert!(newcomer.text("/mfa/setup").await.contains("Your role requires a second factor"));
}

#[tokio::test]
async fn an_admin_sees_and_revokes_someone_elses_leaked_token() {
    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.signed_in("admin@example.com", &["admin"]).await;
    let user = app.signed_in("dev@example.com", &["employee"]).await;
    let created = user.post_form("/profile/tokens", "/profile", &[("name", "laptop"), ("expires_days", "")]).await;
    assert_eq!(created.status(), 200);
    let page = created.text().await.unwrap();
    let start = page.find("bwk_").unwrap();
    let token: String =
        page[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
    let bearer = reqwest::Client::new();
    assert_eq!(bearer.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap().status(), 200);

    let account = bulwark_core::Store::read(app.store())
        .await
        .unwrap()
        .find_account_by_email("dev@example.com")
        .await
        .unwrap()
        .unwrap()
        .0;
    let detail_path = format!("/accounts/{}", account.id);
    let detail = admin.text(&detail_path).await;
    assert!(detail.contains("laptop") && detail.contains(&token[..10]), "the admin sees the token by name and prefix");
    assert!(!detail.contains(&token), "but never the secret");
    let token_id = bulwark_core::Store::read(app.store())
        .await
        .unwrap()
        .list_tokens(account.id, &bulwark_core::identity::accounts::TOKENS.first_page(1))
        .await
        .unwrap()
        .items[0]
        .id
        .to_string();
    let revoke = admin.post_form(&format!("{detail_path}/tokens/{token_id}/revoke"), &detail_path, &[]).await;
    assert_eq!(revoke.status(), 303);
    assert_eq!(bearer.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap().status(), 401);
    let history = admin.text("/audit?action=token.revoke").await;
    assert!(history.contains("admin@example.com"), "the revocation is audited with who did it");
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_throttled_too() {
    let app = spawn_app(Backend::Sqlite).await;
    create_account(app.store(), "ada@example.com", &["employee"], PASSWORD).await;
    let c = app.client();
    let mut statuses = Vec::new();
    for i in 0..31 {
        statuses.push(c.login(&format!("guess{i}@example.com"), "password123456").await.status().as_u16());
    }
    assert!(statuses[..30].iter().all(|s| *s == 422), "{statuses:?}");
    assert_eq!(statuses[30], 429, "the 31st failure in ten minutes from one address waits");
    assert_eq!(c.login("ada@example.com", PASSWORD).await.status(), 429, "whatever account it tries next");
}

/// Sign-ins from `address`, as a trusted reverse proxy on loopback reports it.
async fn login_from(c: &bulwark_testkit::TestClient, address: &str, email: &str, password: &str) -> u16 {
    let csrf = c.csrf("/login").await;
    let fields = [("csrf", csrf.as_str()), ("email", email), ("password", password), ("next", "/")];
    let res = c.http.post(c.url("/login")).header("x-forwarded-for", address).form(&fields).send().await.unwrap();
    res.status().as_u16()
}

#[tokio::test]
async fn a_guesser_cannot_lock_out_someone_who_knows_their_password() {
    let clock = std::sync::Arc::new(bulwark_core::clock::ManualClock::new(bulwark_core::time_util::now()));
    let shared = clock.clone();
    let app = bulwark_testkit::spawn_app_with(Backend::Sqlite, move |config| {
        config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        config.clock = shared;
    })
    .await;
    create_account(app.store(), "ada@example.com", &["employee"], PASSWORD).await;
    let attacker = app.client();
    for _ in 0..5 {
        assert_eq!(login_from(&attacker, "203.0.113.66", "ada@example.com", "a wrong guess").await, 422);
    }
    assert_eq!(login_from(&attacker, "203.0.113.66", "ada@example.com", PASSWORD).await, 429, "the guesser waits");
    // Ada, from her own address, signs in at once; guessing from many addresses would hit a
    // slower ceiling per account, not this.
    assert_eq!(login_from(&app.client(), "198.51.100.7", "ada@example.com", PASSWORD).await, 303);
    // Throttled attempts are not failures: only the window passing frees the guesser.
    clock.advance(time::Duration::minutes(14));
    assert_eq!(login_from(&attacker, "203.0.113.66", "ada@example.com", PASSWORD).await, 429);
    clock.advance(time::Duration::minutes(2));
    assert_eq!(login_from(&attacker, "203.0.113.66", "ada@example.com", PASSWORD).await, 303);
}

#[tokio::test]
async fn throttling_is_shared_by_every_instance() {
    let app = spawn_app(Backend::Sqlite).await;
    let other = app.second_instance().await;
    create_account(app.store(), "ada@example.com", &["employee"], PASSWORD).await;
    for _ in 0..5 {
        assert_eq!(app.client().login("ada@example.com", "a wrong guess").await.status(), 422);
    }
    assert_eq!(other.client().login("ada@example.com", PASSWORD).await.status(), 429);
}

#[tokio::test]
async fn sessions_end_after_an_hour_unused() {
    let clock = std::sync::Arc::new(bulwark_core::clock::ManualClock::new(bulwark_core::time_util::now()));
    let shared = clock.clone();
    let app = bulwark_testkit::spawn_app_with(Backend::Sqlite, move |config| config.clock = shared).await;
    let ada = app.signed_in("ada@example.com", &["employee"]).await;
    clock.advance(time::Duration::minutes(50));
    assert_eq!(ada.get("/profile").await.status(), 200, "still in use");
    // The use is recorded off the request path: wait until it has landed.
    let id_hash = bulwark_core::identity::accounts::sha256_hex(&ada.cookie("bulwark_session").unwrap());
    let used_at = bulwark_core::time_util::to_micros(bulwark_core::clock::Clock::now(clock.as_ref()));
    let mut recorded = false;
    for _ in 0..500 {
        let session = bulwark_core::Store::read(app.store()).await.unwrap().find_session(&id_hash).await.unwrap();
        if session.is_some_and(|s| bulwark_core::time_util::to_micros(s.last_seen_at) == used_at) {
            recorded = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(recorded, "the session's use is recorded");
    clock.advance(time::Duration::minutes(50));
    assert_eq!(ada.get("/profile").await.status(), 200, "used 50 minutes ago, so still live");
    clock.advance(time::Duration::minutes(61));
    let res = ada.get("/profile").await;
    assert_eq!(res.status(), 303, "idle for over an hour");
}

#[tokio::test]
async fn change_history_shows_only_to_those_who_may_read_the_audit_log() {
    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.signed_in("admin@example.com", &["admin"]).await;
    let created: serde_json::Value = admin
        .api_post("/api/v1/people", &serde_json::json!({"name": "Zoë Ørsted", "email": "zoe@example.com"}))
        .await
        .json()
        .await
        .unwrap();
    let page = format!("/people/{}", created["id"].as_str().unwrap());
    let auditor = app.signed_in("auditor@example.com", &["auditor"]).await;
    assert!(auditor.text(&page).await.contains("person.create"), "the auditor sees the history");
    for role in ["management", "department-head"] {
        let reader = app.signed_in(&format!("{role}@example.com"), &[role]).await;
        let body = reader.text(&page).await;
        assert!(body.contains("Zoë Ørsted"), "{role} reads the directory");
        assert!(!body.contains("person.create"), "{role} does not see the audit history");
        assert!(body.contains("visible to you"), "{role} is told the history is hidden");
    }
}

#[tokio::test]
async fn every_employee_sees_who_the_security_team_is_and_how_to_reach_them() {
    let app = spawn_app(Backend::Sqlite).await;
    create_account(app.store(), "lead@example.com", &["security"], PASSWORD).await;
    let cli = bulwark_core::Actor::cli();
    let (area, now) = ("Defensive security", bulwark_core::time_util::now());
    let typed = [("area", area), ("person", "lead@example.com"), ("specialty", "Security lead")];
    let member = bulwark_core::records::input::RawRecord::from_pairs(typed);
    let kind = &bulwark_core::organisation::areas::AREA_MEMBER;
    bulwark_core::records::service::create(app.store(), &cli, kind, now, &member).await.unwrap();
    let employee = app.signed_in("emp@example.com", &["employee"]).await;
    let page = employee.text("/").await;
    assert!(page.contains("href=\"/security-team\""), "in everyone's navigation");
    let team = employee.text("/security-team").await;
    assert!(
        team.contains(area) && team.contains("mailto:lead@example.com") && team.contains("Security lead"),
        "{team}"
    );
    assert!(!team.contains("href=\"/people/"), "no link an employee could not open");
}
