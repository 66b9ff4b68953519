//! Throttles that hold when the requests arrive all at once, on every backend: wrong
//! passwords, wrong second-factor codes, anonymous reports and reporter messages are checked
//! no more often than their limits allow; and guessers from many addresses neither guess fast
//! nor lock out the owner, whose browser holds a device cookie.

use bulwark_core::clock::{Clock, ManualClock};
use bulwark_testkit::{PASSWORD, TestApp, TestClient, backends, create_account, spawn_app_with};
use std::sync::Arc;

/// Sends every request at once; returns the statuses.
async fn at_once(requests: Vec<reqwest::RequestBuilder>) -> Vec<u16> {
    let mut set = tokio::task::JoinSet::new();
    for request in requests {
        set.spawn(async move { request.send().await.map(|r| r.status().as_u16()).unwrap_or(0) });
    }
    let mut statuses = Vec::new();
    while let Some(done) = set.join_next().await {
        statuses.push(done.expect("request task"));
    }
    statuses
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

/// Repeats a failing attempt one at a time until it is refused; returns how many were checked
/// (a burst may leave the limit short of full: an attempt that finds it full gives its slot
/// back, and one that raced with it may be refused too).
async fn until_refused(mut attempt: impl AsyncFnMut(usize) -> u16) -> usize {
    for n in 0..100 {
        match attempt(n).await {
            429 => return n,
            422 => {}
            other => panic!("attempt {n}: {other}"),
        }
    }
    panic!("never refused")
}

/// `n` copies of a form POST from `c`, with the CSRF token of the page at `csrf_from`.
async fn form_posts(
    c: &TestClient,
    path: &str,
    csrf_from: &str,
    fields: &[(&str, &str)],
    n: usize,
) -> Vec<reqwest::RequestBuilder> {
    let csrf = c.csrf(csrf_from).await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    (0..n).map(|_| c.http.post(c.url(path)).form(&all)).collect()
}

async fn app_with_clock(backend: bulwark_testkit::Backend) -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::from_unix_timestamp(1_795_000_020).unwrap()));
    let shared = clock.clone();
    let app = spawn_app_with(backend, move |c| {
        c.clock = shared;
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    (app, clock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guesses_sent_at_once_are_checked_no_more_often_than_the_limits_allow() {
    for backend in backends() {
        let (app, clock) = app_with_clock(backend).await;
        create_account(app.store(), "ada@example.com", &["employee"], PASSWORD).await;
        let guesser = app.client();
        let fields = [("email", "ada@example.com"), ("password", "a wrong guess"), ("next", "/")];
        let statuses = at_once(form_posts(&guesser, "/login", "/login", &fields, 60).await).await;
        assert_eq!(count(&statuses, 422) + count(&statuses, 429), 60, "{backend:?}: {statuses:?}");
        let more =
            until_refused(async |_| guesser.login("ada@example.com", "still wrong").await.status().as_u16()).await;
        assert_eq!(count(&statuses, 422) + more, 5, "{backend:?}: 5 passwords checked in all: {statuses:?}");
        assert_eq!(guesser.login("ada@example.com", PASSWORD).await.status(), 429, "{backend:?}: the limit is full");

        // The password is right (a guesser knows it): 200 codes at once, at most 10 checked.
        let account = create_account(app.store(), "bob@example.com", &["employee"], PASSWORD).await;
        let actor = account.actor(bulwark_core::access::Via::Session);
        bulwark_core::identity::mfa::enroll_now(app.store(), &actor, clock.now()).await.unwrap();
        let holder = app.client();
        assert_eq!(holder.login("bob@example.com", PASSWORD).await.status(), 303);
        let fields = [("code", "000000"), ("next", "/")];
        let statuses = at_once(form_posts(&holder, "/login/code", "/login/code", &fields, 200).await).await;
        assert_eq!(count(&statuses, 422) + count(&statuses, 429), 200, "{backend:?}");
        let wrong = [("code", "000000"), ("next", "/")];
        let more =
            until_refused(async |_| holder.post_form("/login/code", "/login/code", &wrong).await.status().as_u16())
                .await;
        assert_eq!(count(&statuses, 422) + more, 10, "{backend:?}: 10 codes checked in all: {statuses:?}");
        let right = bulwark_core::identity::mfa::next_unused_code(app.store(), account.id, clock.now()).await.unwrap();
        let res = holder.post_form("/login/code", "/login/code", &[("code", &right), ("next", "/")]).await;
        assert_eq!(res.status(), 429, "{backend:?}: even the right code waits now");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_reports_and_messages_sent_at_once_stay_within_their_limits() {
    for backend in backends() {
        let (app, _clock) = app_with_clock(backend).await;
        let outsider = app.client();
        let fields = [("title", "Open redirect"), ("description", "details")];
        let requests = form_posts(&outsider, "/report-vulnerability", "/report-vulnerability", &fields, 50).await;
        let statuses = at_once(requests).await;
        let stored = app.store().count_raw("SELECT COUNT(*) FROM vuln_reports").await.unwrap();
        assert!(stored <= 5, "{backend:?}: at most 5 reports an hour from one address: {stored} {statuses:?}");
        assert_eq!(stored as usize, count(&statuses, 200), "{backend:?}: each accepted report is stored");
        assert_eq!(count(&statuses, 200) + count(&statuses, 429), 50, "{backend:?}: {statuses:?}");

        // One report's secret link: at most 10 messages an hour, each announced once.
        let other = app.client();
        let csrf = other.csrf("/report-vulnerability").await;
        let fields = [("csrf", csrf.as_str()), ("title", "XSS"), ("description", "d")];
        let sent = other.http.post(other.url("/report-vulnerability")).header("x-forwarded-for", "198.51.100.20");
        let page = sent.form(&fields).send().await.unwrap().text().await.unwrap();
        let start = page.find("/report-vulnerability/track/").expect("the secret link");
        let link: String = page[start..].chars().take_while(|c| !matches!(c, '"' | '<' | ' ')).collect();
        let requests = form_posts(&other, &link, &link, &[("body", "Any news?")], 40).await;
        let statuses = at_once(requests).await;
        let messages = app.store().count_raw("SELECT COUNT(*) FROM vuln_messages").await.unwrap();
        assert!(messages <= 10, "{backend:?}: {messages} messages stored: {statuses:?}");
        assert_eq!(messages as usize, count(&statuses, 303), "{backend:?}: {statuses:?}");
        let announced = "SELECT COUNT(*) FROM audit_log WHERE action = 'vulnerability.message'";
        assert_eq!(app.store().count_raw(announced).await.unwrap(), messages, "{backend:?}");
        app.stop().await;
    }
}

/// A sign-in from `address`, as the trusted proxy on loopback reports it.
async fn login_from(c: &TestClient, address: &str, email: &str, password: &str) -> u16 {
    let csrf = c.csrf("/login").await;
    let fields = [("csrf", csrf.as_str()), ("email", email), ("password", password), ("next", "/")];
    let res = c.http.post(c.url("/login")).header("x-forwarded-for", address).form(&fields).send().await.unwrap();
    res.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessers_from_many_addresses_neither_guess_fast_nor_lock_out_the_owner() {
    for backend in backends() {
        let (app, _clock) = app_with_clock(backend).await;
        create_account(app.store(), "owner@example.com", &["employee"], PASSWORD).await;
        // The owner signed in from their laptop once: the browser keeps a device cookie.
        let laptop = app.client();
        let res = laptop.login("owner@example.com", PASSWORD).await;
        assert_eq!(res.status(), 303);
        let cookie = bulwark_testkit::set_cookie(&res, "bulwark_device").expect("a device cookie");
        assert!(cookie.contains("HttpOnly") && cookie.contains("Path=/login"), "{cookie}");
        assert_eq!(laptop.post_form("/logout", "/profile", &[]).await.status(), 303, "signed out; the cookie stays");

        // 100 wrong passwords from 20 addresses, five each, all at once.
        let mut requests = Vec::new();
        for n in 0..20 {
            let attacker = app.client();
            let address = format!("203.0.113.{n}");
            let fields = [("email", "owner@example.com"), ("password", "a wrong guess"), ("next", "/")];
            for request in form_posts(&attacker, "/login", "/login", &fields, 5).await {
                requests.push(request.header("x-forwarded-for", address.clone()));
            }
        }
        let statuses = at_once(requests).await;
        let more = until_refused(async |n| {
            login_from(&app.client(), &format!("203.0.113.{}", 100 + n), "owner@example.com", "wrong guess").await
        })
        .await;
        let checked = count(&statuses, 422) + more;
        assert_eq!(checked, 20, "{backend:?}: the unknown browsers' ceiling: {statuses:?}");
        assert_eq!(login_from(&app.client(), "198.51.100.9", "owner@example.com", PASSWORD).await, 429, "{backend:?}");

        // The owner's browser, from a fresh address, signs in at once.
        assert_eq!(login_from(&laptop, "192.0.2.77", "owner@example.com", PASSWORD).await, 303, "{backend:?}");
        // The cookie is the owner's browser's for their own account only.
        assert_eq!(laptop.post_form("/logout", "/profile", &[]).await.status(), 303);
        create_account(app.store(), "other@example.com", &["employee"], PASSWORD).await;
        for n in 0..20 {
            let address = format!("203.0.114.{}", n / 5);
            assert_eq!(login_from(&app.client(), &address, "other@example.com", "wrong guess!").await, 422);
        }
        assert_eq!(login_from(&laptop, "192.0.2.78", "other@example.com", PASSWORD).await, 429, "{backend:?}");
        app.stop().await;
    }
}
