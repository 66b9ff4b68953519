//! Two-factor sign-in through the real pages, on every backend: an admin is sent to set up an
//! authenticator at the first sign-in (QR code, recovery codes shown once), then signs in with
//! codes that work once; sensitive actions ask to re-authenticate after ten minutes (API
//! tokens are unaffected); an admin removes a lost authenticator. Time comes from the
//! injected clock.

use bulwark_core::clock::{Clock, ManualClock};
use bulwark_core::identity::mfa;
use bulwark_testkit::{PASSWORD, TestClient, backends, create_account, spawn_app_with};
use serde_json::{Value, json};
use std::sync::Arc;
use time::Duration;

fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// The key the setup page shows for typing, without its spaces.
fn typed_key(page: &str) -> String {
    let key = page.split("<code class=\"key\">").nth(1).and_then(|r| r.split('<').next()).expect("key on the page");
    key.replace(' ', "")
}

fn code(secret: &str, clock: &ManualClock) -> String {
    mfa::code_at_step(secret, mfa::step_of(clock.now())).unwrap()
}

async fn sign_out(c: &TestClient) {
    let csrf = c.csrf("/profile").await;
    let res = c.http.post(c.url("/logout")).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn an_admin_sets_up_an_authenticator_at_first_sign_in_then_signs_in_with_codes_that_work_once() {
    for backend in backends() {
        // The start of a 30-second step.
        let start = time::OffsetDateTime::from_unix_timestamp(1_795_000_020).unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let app = spawn_app_with(backend, |c| c.clock = clock.clone()).await;
        create_account(app.store(), "ada@example.com", &["admin"], PASSWORD).await;
        let c = app.client();
        let res = c.login("ada@example.com", PASSWORD).await;
        assert_eq!((res.status().as_u16(), location(&res)), (303, "/mfa/setup?next=/".to_string()), "{backend:?}");

        // Nothing else is reachable before the set-up.
        let res = c.get("/people").await;
        assert_eq!(location(&res), "/mfa/setup?next=/people");
        let res = c.get("/api/v1/me").await;
        assert_eq!(res.status(), 401);
        assert!(res.text().await.unwrap().contains("second factor"));

        let page = c.text("/mfa/setup").await;
        assert!(page.contains("Your role requires a second factor"), "{page}");
        let res = c.post_form("/mfa/setup/begin", "/mfa/setup", &[("next", "/people")]).await;
        assert_eq!(location(&res), "/mfa/setup?next=/people");
        let page = c.text("/mfa/setup?next=/people").await;
        assert!(page.contains("src=\"data:image/svg+xml;base64,"), "a QR code image: {page}");
        let secret = typed_key(&page);
        assert_eq!(secret.len(), 32, "160 bits in base32");

        let wrong = c.post_form("/mfa/setup", "/mfa/setup", &[("code", "123456"), ("next", "/people")]).await;
        assert_eq!(wrong.status(), 422);
        let text = wrong.text().await.unwrap();
        assert!(text.contains("The code is wrong, expired or already used"), "{text}");
        assert_eq!(typed_key(&text), secret, "the same key is shown again");

        let before = c.cookie("bulwark_session").unwrap();
        let done =
            c.post_form("/mfa/setup", "/mfa/setup", &[("code", &code(&secret, &clock)), ("next", "/people")]).await;
        assert_eq!(done.status(), 200, "{backend:?}");
        let page = done.text().await.unwrap();
        let recovery: Vec<String> =
            page.split("<li><code>").skip(1).map(|r| r.split('<').next().unwrap().to_string()).collect();
        assert_eq!(recovery.len(), 10, "{page}");
        assert!(page.contains("href=\"/people\""), "continue to where the sign-in was going");
        let after = c.cookie("bulwark_session").unwrap();
        assert_ne!(before, after, "completing the sign-in gives a new session cookie");
        let old = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let res = old.get(c.url("/people")).header("cookie", format!("bulwark_session={before}")).send().await;
        assert!(location(&res.unwrap()).starts_with("/login"), "the cookie from before the second factor is void");
        assert_eq!(c.get("/people").await.status(), 200);
        let profile = c.text("/profile").await;
        assert!(profile.contains("10 unused recovery codes left"), "{profile}");
        assert!(profile.contains("cannot be turned off"));

        // Next sign-in: password, then a code; the set-up's code does not work again.
        sign_out(&c).await;
        let res = c.login("ada@example.com", PASSWORD).await;
        assert_eq!(location(&res), "/login/code?next=/");
        let replay =
            c.post_form("/login/code", "/login/code", &[("code", &code(&secret, &clock)), ("next", "/")]).await;
        assert_eq!(replay.status(), 422, "a used code on {backend:?}");
        clock.advance(Duration::seconds(30));
        let ok = c.post_form("/login/code", "/login/code", &[("code", &code(&secret, &clock)), ("next", "/")]).await;
        assert_eq!((ok.status().as_u16(), location(&ok)), (303, "/".to_string()));
        assert_eq!(c.get("/").await.status(), 200);

        // A recovery code signs in once.
        sign_out(&c).await;
        c.login("ada@example.com", PASSWORD).await;
        let res = c.post_form("/login/code", "/login/code", &[("code", &recovery[0]), ("next", "/")]).await;
        assert_eq!(res.status(), 303);
        sign_out(&c).await;
        c.login("ada@example.com", PASSWORD).await;
        let res = c.post_form("/login/code", "/login/code", &[("code", &recovery[0]), ("next", "/")]).await;
        assert_eq!(res.status(), 422, "a used recovery code");
        clock.advance(Duration::seconds(30));
        c.post_form("/login/code", "/login/code", &[("code", &code(&secret, &clock)), ("next", "/")]).await;
        assert!(c.text("/profile").await.contains("9 unused recovery codes left"));

        // Ten minutes on, a new API token needs the password and a code again.
        let c = c.with_api_csrf().await;
        clock.advance(Duration::minutes(11));
        let res = c
            .http
            .post(c.url("/profile/tokens"))
            .header("referer", c.url("/profile"))
            .form(&[("csrf", c.csrf("/profile").await.as_str()), ("name", "ci")])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&res), "/reauth?next=/profile", "{backend:?}");
        let res = c.api_post("/api/v1/tokens", &json!({"name": "ci"})).await;
        assert_eq!(res.status(), 403);
        assert!(res.text().await.unwrap().contains("reauthentication-required"));
        let page = c.text("/reauth?next=/profile").await;
        assert!(page.contains("name=\"code\""), "an enrolled account is asked for a code");
        let bad = c.post_form("/reauth", "/reauth", &[("password", "wrong password!"), ("next", "/profile")]).await;
        assert_eq!(bad.status(), 422);
        let fresh = code(&secret, &clock);
        let res =
            c.post_form("/reauth", "/reauth", &[("password", PASSWORD), ("code", &fresh), ("next", "/profile")]).await;
        assert_eq!(location(&res), "/profile");
        let res = c.api_post("/api/v1/tokens", &json!({"name": "ci"})).await;
        assert_eq!(res.status(), 201, "{backend:?}");
        let token: Value = res.json().await.unwrap();

        // API tokens are not asked for anything more, whatever the time.
        clock.advance(Duration::minutes(50));
        let bearer = token["token"].as_str().unwrap();
        let res = reqwest::Client::new()
            .post(c.url("/api/v1/tokens"))
            .bearer_auth(bearer)
            .json(&json!({"name": "from a script"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        app.stop().await;
    }
}

#[tokio::test]
async fn an_admin_removes_a_lost_authenticator_and_its_holder_sets_up_a_new_one() {
    for backend in backends() {
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::from_unix_timestamp(1_795_000_020).unwrap()));
        let app = spawn_app_with(backend, |c| c.clock = clock.clone()).await;
        let admin = app.signed_in("root@example.com", &["admin"]).await;
        let auditor = app.signed_in("audrey@example.com", &["auditor"]).await;
        let me: Value = auditor.get("/api/v1/me").await.json().await.unwrap();
        let id = me["account_id"].as_str().unwrap();
        let status: Value = admin.get(&format!("/api/v1/accounts/{id}/mfa")).await.json().await.unwrap();
        assert_eq!((status["enabled"].as_bool(), status["required"].as_bool()), (Some(true), Some(true)));
        assert!(admin.text(&format!("/accounts/{id}")).await.contains("Remove authenticator"));

        let res = admin.http.delete(admin.url(&format!("/api/v1/accounts/{id}/mfa"))).send().await.unwrap();
        assert_eq!(res.status(), 204, "{backend:?}");
        assert!(location(&auditor.get("/").await).starts_with("/login"), "signed out everywhere");
        let status: Value = admin.get(&format!("/api/v1/accounts/{id}/mfa")).await.json().await.unwrap();
        assert_eq!(status["enabled"].as_bool(), Some(false));
        let again = admin.http.delete(admin.url(&format!("/api/v1/accounts/{id}/mfa"))).send().await.unwrap();
        assert_eq!(again.status(), 409);
        assert_eq!(again.headers()["content-type"], "application/problem+json");

        let res = auditor.login("audrey@example.com", PASSWORD).await;
        assert_eq!(location(&res), "/mfa/setup?next=/", "a new authenticator at the next sign-in");

        // An employee is never asked, and may turn a voluntary authenticator off again.
        let employee = app.signed_in("eve@example.com", &["employee"]).await;
        assert!(employee.text("/profile").await.contains("Set up an authenticator app"));
        employee.post_form("/mfa/setup/begin", "/mfa/setup", &[("next", "/profile")]).await;
        let secret = typed_key(&employee.text("/mfa/setup").await);
        let res = employee.post_form("/mfa/setup", "/mfa/setup", &[("code", &code(&secret, &clock))]).await;
        assert_eq!(res.status(), 200);
        let res = employee.post_form("/mfa/disable", "/profile", &[]).await;
        assert_eq!(location(&res), "/profile?done=mfa-off");
        assert!(employee.text("/profile").await.contains("Set up an authenticator app"));
        app.stop().await;
    }
}

#[tokio::test]
async fn an_api_token_is_not_a_second_factor() {
    for backend in backends() {
        let app = spawn_app_with(backend, |_| {}).await;
        let account = create_account(app.store(), "eve@example.com", &["employee"], PASSWORD).await;
        let actor = account.actor(bulwark_core::access::Via::Session);
        mfa::enroll_now(app.store(), &actor, app.clock.now()).await.unwrap();
        let c = app.client();
        app.sign_in(&c, "eve@example.com", PASSWORD).await;
        let c = c.with_api_csrf().await;
        let created: Value = c.api_post("/api/v1/tokens", &json!({"name": "script"})).await.json().await.unwrap();
        let token = created["token"].as_str().unwrap().to_string();

        // Whoever holds the token (and perhaps the password) cannot mint codes or drop the factor.
        let thief = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        for path in ["/mfa/recovery-codes", "/mfa/disable", "/mfa/setup/begin", "/reauth", "/login/code", "/mfa/setup"]
        {
            let res =
                thief.post(app.url(path)).bearer_auth(&token).form(&[("password", PASSWORD)]).send().await.unwrap();
            assert!(
                matches!(res.status().as_u16(), 401 | 403),
                "POST {path} with a token: {} {backend:?}",
                res.status()
            );
        }
        for path in ["/reauth", "/login/code", "/mfa/setup"] {
            let res = thief.get(app.url(path)).bearer_auth(&token).send().await.unwrap();
            assert!(
                matches!(res.status().as_u16(), 401 | 403),
                "GET {path} with a token: {} {backend:?}",
                res.status()
            );
        }
        assert!(mfa::is_enrolled(app.store(), account.id).await.unwrap(), "the authenticator is still set up");
        let replaced = "SELECT COUNT(*) FROM audit_log WHERE action IN ('mfa.recovery_codes_replace', 'mfa.disable')";
        assert_eq!(app.store().count_raw(replaced).await.unwrap(), 0, "no recovery code replaced, nothing disabled");
        // The core refuses it too, whatever route would call it.
        let by_token = account.actor(bulwark_core::access::Via::Token);
        assert!(mfa::regenerate_recovery_codes(app.store(), &by_token, app.clock.now()).await.is_err());
        assert!(mfa::disable(app.store(), &by_token, app.clock.now(), &app.mfa).await.is_err());
        app.stop().await;
    }
}
