//! Single sign-on against a real OpenID Connect provider on loopback (`oidc-provider-mock`),
//! on every backend: an existing account is matched by its verified e-mail address and its
//! roles follow the provider's groups; an unknown address gets an account just in time; an
//! unverified address, an answer replayed or finished in another browser, a tampered nonce, a
//! code issued to another client and a refusal at the provider sign nobody in.

use bulwark_core::Store;
use bulwark_core::identity::sso::SsoRules;
use bulwark_testkit::{OidcProvider, PASSWORD, TestClient, backends, create_account, spawn_app_with};
use bulwark_web::sso::SsoSettings;
use serde_json::json;

fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// Starts a sign-in at Bulwark; returns the provider's authorization URL.
async fn start(c: &TestClient, next: &str) -> String {
    let res = c.get(&format!("/login/sso?next={next}")).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    location(&res)
}

/// Follows the provider's redirect back to Bulwark with `c`'s cookies.
async fn back(c: &TestClient, to: &str) -> reqwest::Response {
    c.http.get(to).send().await.expect("callback")
}

#[tokio::test]
async fn people_sign_in_through_their_identity_provider_and_nothing_else_gets_in() {
    let Some(provider) = OidcProvider::start().await else { return };
    for (n, backend) in backends().into_iter().enumerate() {
        let issuer = provider.issuer.clone();
        let app = spawn_app_with(backend, |c| {
            c.sso = Some(SsoSettings {
                issuer,
                client_id: "bulwark".into(),
                client_secret: Some("a client secret".into()),
                scopes: vec!["email".into(), "profile".into()],
                groups_claim: "groups".into(),
                rules: SsoRules {
                    role_map: SsoRules::parse_role_map(&["isms-admins=admin".into(), "auditors=auditor".into()])
                        .unwrap(),
                    create_accounts: true,
                },
                sso_only: true,
            })
        })
        .await;
        let store: &dyn Store = app.store();
        let ada = create_account(store, &format!("ada{n}@example.com"), &["employee"], PASSWORD).await;
        let sub = format!("ada-{n}");
        let claims = json!({"email": ada.email, "email_verified": true, "name": "Ada", "groups": ["isms-admins"]});
        provider.put_user(&sub, claims).await;

        let c = app.client();
        assert!(c.text("/login").await.contains("Sign in with single sign-on"));
        let authorize = start(&c, "/people").await;
        assert!(authorize.starts_with(&format!("{}/oauth2/authorize?", provider.issuer)), "{authorize}");
        for param in ["code_challenge=", "code_challenge_method=S256", "nonce=", "state=", "client_id=bulwark"] {
            assert!(authorize.contains(param), "{param} in {authorize}");
        }
        let callback = provider.authorize(&authorize, Some(&sub)).await;
        assert!(callback.starts_with(&app.url("/login/sso/callback?")), "{callback}");
        let res = back(&c, &callback).await;
        assert_eq!((res.status().as_u16(), location(&res)), (303, "/people".to_string()), "{backend:?}");
        assert_eq!(c.get("/people").await.status(), 200, "the group made Ada an admin");
        let account = store.read().await.unwrap().get_account(ada.id).await.unwrap();
        assert_eq!(account.roles, [bulwark_core::Role::Admin]);

        // The answer works once; the password of a linked account no longer does.
        let again = back(&app.client(), &callback).await;
        assert_eq!(again.status(), 400);
        // Even with the browser's state cookie kept, the answer is used up.
        let state = callback.split("state=").nth(1).unwrap().split('&').next().unwrap();
        let replay = reqwest::Client::new()
            .get(&callback)
            .header("cookie", format!("bulwark_sso_state={state}"))
            .send()
            .await
            .unwrap();
        assert_eq!(replay.status(), 400, "a used answer on {backend:?}");
        assert!(replay.text().await.unwrap().contains("used already or has expired"));
        assert_eq!(app.client().login(&ada.email, PASSWORD).await.status(), 422, "SSO only");

        // An address nobody has: an account just in time, with the roles its groups give.
        let newcomer = format!("new{n}@example.com");
        provider
            .put_user(
                &format!("new-{n}"),
                json!({"email": newcomer, "email_verified": true, "name": "Nia New", "groups": ["auditors"]}),
            )
            .await;
        let d = app.client();
        let to = provider.authorize(&start(&d, "/").await, Some(&format!("new-{n}"))).await;
        assert_eq!(back(&d, &to).await.status(), 303);
        let (created, _) = store.read().await.unwrap().find_account_by_email(&newcomer).await.unwrap().unwrap();
        assert_eq!((created.name.as_str(), created.roles.as_slice()), ("Nia New", &[bulwark_core::Role::Auditor][..]));
        assert_eq!(d.get("/audit").await.status(), 200, "no second factor asked: the provider is responsible");

        // An unverified address matches nobody.
        let eve = create_account(store, &format!("eve{n}@example.com"), &["employee"], PASSWORD).await;
        provider.put_user(&format!("eve-{n}"), json!({"email": eve.email, "email_verified": false})).await;
        let e = app.client();
        let to = provider.authorize(&start(&e, "/").await, Some(&format!("eve-{n}"))).await;
        let res = back(&e, &to).await;
        assert_eq!(res.status(), 403, "{backend:?}");
        assert!(res.text().await.unwrap().contains("no Bulwark account has your verified e-mail"));
        assert!(location(&e.get("/").await).starts_with("/login"), "not signed in");

        // Deprovisioned: marked as left, Ada's provider sign-in is refused; someone who left
        // without an account gets none just in time.
        let person = store.read().await.unwrap().get_person(ada.person_id).await.unwrap();
        let left = bulwark_core::organisation::people::PersonInput {
            name: person.name.clone(),
            email: person.email.clone(),
            status: "left".into(),
            ..Default::default()
        };
        let cli = bulwark_core::Actor::cli();
        bulwark_core::organisation::people::update(store, &cli, bulwark_core::time_util::now(), ada.person_id, &left)
            .await
            .unwrap();
        let g = app.client();
        let res = back(&g, &provider.authorize(&start(&g, "/").await, Some(&sub)).await).await;
        assert_eq!(res.status(), 403, "{backend:?}: a person who left signs in no more");
        assert!(location(&g.get("/").await).starts_with("/login"));
        let gone = bulwark_core::organisation::people::PersonInput {
            name: "Gone".into(),
            email: format!("gone{n}@example.com"),
            status: "left".into(),
            ..Default::default()
        };
        bulwark_core::organisation::people::create(store, &cli, bulwark_core::time_util::now(), &gone).await.unwrap();
        provider.put_user(&format!("gone-{n}"), json!({"email": gone.email, "email_verified": true})).await;
        let h = app.client();
        let res = back(&h, &provider.authorize(&start(&h, "/").await, Some(&format!("gone-{n}"))).await).await;
        assert_eq!(res.status(), 403, "{backend:?}: no account just in time for someone who left");
        assert!(store.read().await.unwrap().find_account_by_email(&gone.email).await.unwrap().is_none());

        // Finished in another browser (login CSRF): the state cookie is not there.
        let to = provider.authorize(&start(&app.client(), "/").await, Some(&sub)).await;
        let res = back(&app.client(), &to).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("started in another browser"));

        // A nonce changed on the way, and a code issued to another client.
        let f = app.client();
        let authorize = start(&f, "/").await;
        let tampered = authorize.replace("nonce=", "nonce=x");
        let res = back(&f, &provider.authorize(&tampered, Some(&sub)).await).await;
        assert_eq!(res.status(), 403, "a tampered nonce on {backend:?}");
        assert!(res.text().await.unwrap().contains("could not be verified"));
        let g = app.client();
        let other_client = start(&g, "/").await.replace("client_id=bulwark", "client_id=another-app");
        let res = back(&g, &provider.authorize(&other_client, Some(&sub)).await).await;
        assert_eq!(res.status(), 403, "a code for another client on {backend:?}");

        // Refused at the provider.
        let h = app.client();
        let res = back(&h, &provider.authorize(&start(&h, "/").await, None).await).await;
        assert_eq!(res.status(), 403);
        assert!(res.text().await.unwrap().contains("did not sign you in"));

        let actions: Vec<String> = store.audit_batch(0, 10_000).await.unwrap().into_iter().map(|e| e.action).collect();
        for expected in ["account.sso_link", "account.update", "account.create", "session.login"] {
            assert!(actions.iter().any(|a| a == expected), "{expected} on {backend:?}");
        }
        assert!(app.db.store.verify_audit_chain().await.unwrap().is_ok());
        app.stop().await;
    }
}
