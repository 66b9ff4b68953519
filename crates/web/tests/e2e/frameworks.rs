//! Frameworks through the pages and the API, on every backend: a catalog uploaded on the page
//! (a multipart form with its CSRF field), imported again through the API (the same
//! framework, updated), read by group, a requirement's statement with its parameters shown
//! as placeholders, the OSCAL download, broken catalogs refused with their place named and
//! nothing imported, and the built-in catalog of the published policies.

use bulwark_testkit::{TestClient, backends, spawn_app};
use serde_json::Value;

fn basic_catalog() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/oscal/basic-catalog.json")).unwrap()
}

/// Posts the catalog form as a browser does: multipart, the CSRF field first, then the file.
async fn upload(client: &TestClient, file: &[u8]) -> reqwest::Response {
    let csrf = client.csrf("/frameworks").await;
    let boundary = "----bulwark-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"catalog\"; filename=\"catalog.json\"\r\nContent-Type: application/json\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    client
        .http
        .post(client.url("/frameworks"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn catalogs_are_uploaded_read_and_exported_through_pages_and_api() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let sec = app.signed_in("sec@example.com", &["security"]).await;

        let done = upload(&sec, &basic_catalog()).await;
        assert_eq!(done.status(), 303, "{backend:?}");
        let location = done.headers()["location"].to_str().unwrap().to_string();
        assert!(location.starts_with("/frameworks/") && location.ends_with("?done=framework-imported"), "{location}");
        let id = location.trim_start_matches("/frameworks/").split('?').next().unwrap().to_string();
        let page = sec.text(&location).await;
        assert!(
            page.contains("Sample Security Catalog")
                && page.contains("Information security roles and responsibilities")
        );
        assert!(page.contains("Organization of Information Security"), "groups are shown");

        let requirement = sec.text(&format!("/frameworks/{id}/requirements/s1.1.1")).await;
        assert!(requirement.contains("All information security responsibilities should be defined and allocated."));
        let title = requirement.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap_or_default();
        assert!(
            title.contains("Information security roles and responsibilities") && !title.contains('<'),
            "the title names the requirement and holds no markup: {title}"
        );
        assert!(
            requirement.contains(
                "[Selection (one or more): initiating a device lock after [Assignment: a duration] of inactivity"
            ),
            "parameters are shown as placeholders: {requirement:.3000}"
        );
        assert!(requirement.contains("Guidance"));

        // The same catalog through the API: the same framework, updated.
        let api = app.signed_in("sec2@example.com", &["security"]).await.with_api_csrf().await;
        let again = api
            .http
            .post(api.url("/api/v1/frameworks"))
            .header("content-type", "application/json")
            .body(basic_catalog())
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 200);
        let again: Value = again.json().await.unwrap();
        assert_eq!((again["framework"]["id"].as_str(), again["created"].as_bool()), (Some(id.as_str()), Some(false)));
        let listed: Value = api.get("/api/v1/frameworks").await.json().await.unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1, "never duplicated");
        let detail: Value = api.get(&format!("/api/v1/frameworks/{id}")).await.json().await.unwrap();
        assert_eq!(detail["requirements"].as_array().unwrap().len(), 4);
        assert_eq!(detail["requirements"][0]["groups"][0], "Organization of Information Security");
        let one: Value = api.get(&format!("/api/v1/frameworks/{id}/requirements/s1.1.1")).await.json().await.unwrap();
        assert!(one["statement"].as_str().unwrap().contains("[Assignment: a duration]"));

        // The download is the catalog again.
        let file = sec.get(&format!("/frameworks/{id}/catalog.json")).await;
        assert!(file.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        let exported: Value = file.json().await.unwrap();
        let original: Value = serde_json::from_slice(&basic_catalog()).unwrap();
        assert_eq!(exported["catalog"]["uuid"], original["catalog"]["uuid"]);
        assert_eq!(
            exported["catalog"]["groups"][0]["groups"][0]["controls"][0]["params"],
            original["catalog"]["groups"][0]["groups"][0]["controls"][0]["params"]
        );

        // Broken catalogs: the place is named, nothing is imported.
        let broken = br#"{"catalog": {"uuid": "11111111-2222-4333-8444-555555555555", "metadata": {"title": "T", "oscal-version": "1.1.2"}, "controls": [{"id": "a"}]}}"#;
        let refused = upload(&sec, broken).await;
        assert_eq!(refused.status(), 422);
        let text = refused.text().await.unwrap();
        assert!(text.contains("catalog.controls[0]: control a needs a title"), "{text:.2000}");
        let refused = api.http.post(api.url("/api/v1/frameworks")).body("not json").send().await.unwrap();
        assert_eq!(refused.status(), 422);
        let problem: Value = refused.json().await.unwrap();
        assert!(problem.to_string().contains("not JSON"), "{problem}");
        let empty = sec.post_form("/frameworks", "/frameworks", &[]).await;
        assert_eq!(empty.status(), 422, "a form without a file");
        let too_big =
            api.http.post(api.url("/api/v1/frameworks")).body(vec![b' '; 33 * 1024 * 1024]).send().await.unwrap();
        assert_eq!(too_big.status(), 413);
        let listed: Value = api.get("/api/v1/frameworks").await.json().await.unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1, "nothing half-imported");

        // The built-in catalog of the published policies (none published yet: empty, but there).
        let built = api.http.post(api.url("/api/v1/frameworks/policy-catalog")).send().await.unwrap();
        assert_eq!(built.status(), 201);
        let auditor = app.signed_in("aud@example.com", &["auditor"]).await;
        assert_eq!(auditor.get(&format!("/frameworks/{id}")).await.status(), 200);
        assert_eq!(upload(&auditor, &basic_catalog()).await.status(), 403);
    }
}

/// A multipart body of text fields and one file field.
fn multipart(csrf: &str, fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----bulwark-evidence";
    let mut body = Vec::new();
    for (name, value) in [("csrf", csrf)].iter().chain(fields) {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((name, content_type, bytes)) = file {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn coverage_rises_with_an_implemented_control_and_fresh_evidence() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let sec = app.signed_in("sec@example.com", &["security"]).await;
        let api = app.signed_in("api@example.com", &["security"]).await.with_api_csrf().await;
        let fid = {
            let done = upload(&sec, &basic_catalog()).await;
            done.headers()["location"]
                .to_str()
                .unwrap()
                .trim_start_matches("/frameworks/")
                .split('?')
                .next()
                .unwrap()
                .to_string()
        };
        assert_eq!(
            (coverage(&api, &fid).await["applicable"].as_i64(), coverage(&api, &fid).await["covered"].as_i64()),
            (Some(4), Some(0))
        );

        // A control owned by someone, implemented, mapped to s1.1.1.
        let created = api
            .api_post("/api/v1/controls", &serde_json::json!({"title": "=Roles are assigned", "owner": "sec@example.com", "status": "implemented"}))
            .await;
        assert_eq!(created.status(), 201, "{backend:?}");
        let control: Value = created.json().await.unwrap();
        let cid = control["id"].as_str().unwrap().to_string();
        let mapped = api
            .api_post(
                &format!("/api/v1/controls/{cid}/mappings"),
                &serde_json::json!({"framework_id": fid, "requirement_id": "s1.1.1"}),
            )
            .await;
        assert_eq!(mapped.status(), 201);
        let unknown = api
            .api_post(
                &format!("/api/v1/controls/{cid}/mappings"),
                &serde_json::json!({"framework_id": fid, "requirement_id": "zz-9"}),
            )
            .await;
        assert_eq!(unknown.status(), 409, "a requirement the framework lacks");
        let mappings: Value = api.get(&format!("/api/v1/controls/{cid}/mappings")).await.json().await.unwrap();
        assert_eq!(mappings.as_array().map(|m| m.len()), Some(1), "{mappings}");
        assert_eq!(mappings[0]["requirement_id"], "s1.1.1");
        let control: Value = api.get(&format!("/api/v1/controls/{cid}")).await.json().await.unwrap();
        assert_eq!(control["requirements"], 1, "the control counts the requirements it meets: {control}");
        assert_eq!(coverage(&api, &fid).await["covered"], 0, "implemented, but no evidence yet");
        let bad_filter = sec.get("/controls?status=finished").await;
        assert_eq!(bad_filter.status(), 422, "a filter the list does not know is named, not ignored");
        assert!(bad_filter.text().await.unwrap().contains("must be one of"));

        // Evidence on the page: a wrong file type is refused, a PDF is kept with its SHA-256.
        let csrf = sec.csrf(&format!("/controls/{cid}")).await;
        let (ct, body) = multipart(
            &csrf,
            &[("kind", "file"), ("title", "Roles matrix")],
            Some(("matrix.exe", "application/x-msdownload", b"MZ\x90\x00")),
        );
        let refused = sec
            .http
            .post(sec.url(&format!("/controls/{cid}/evidence")))
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 422);
        assert!(refused.text().await.unwrap().contains("application/x-msdownload files are not accepted"));
        let (ct, body) = multipart(
            &csrf,
            &[("kind", "file"), ("title", "Fake PDF")],
            Some(("x.pdf", "application/pdf", b"not a pdf")),
        );
        let refused = sec
            .http
            .post(sec.url(&format!("/controls/{cid}/evidence")))
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 422, "content that is not what it claims");
        let pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n";
        let (ct, body) = multipart(
            &csrf,
            &[("kind", "file"), ("title", "Roles matrix"), ("valid_days", "90")],
            Some(("matrix.pdf", "application/pdf", pdf)),
        );
        let added = sec
            .http
            .post(sec.url(&format!("/controls/{cid}/evidence")))
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), 303);
        let evidence: Value = api.get(&format!("/api/v1/controls/{cid}/evidence")).await.json().await.unwrap();
        let evidence = &evidence[0];
        assert_eq!(evidence["sha256"], sha256_hex(pdf));
        let download = sec.get(&format!("/evidence/{}/file", evidence["id"].as_str().unwrap())).await;
        assert_eq!(download.headers()["content-type"], "application/pdf");
        assert_eq!(download.bytes().await.unwrap().as_ref(), pdf, "the file comes back as uploaded");
        let now = coverage(&api, &fid).await;
        assert_eq!((now["covered"].as_i64(), now["percent"].as_i64()), (Some(1), Some(25)));
        // The owner renews the evidence before it expires: a task due at the expiry.
        let owner_tasks = sec.text("/tasks").await;
        assert!(owner_tasks.contains("Renew the evidence of"), "{owner_tasks:.2000}");

        // A failed check is the newest word: no longer covered.
        let failed = api
            .api_post(
                &format!("/api/v1/controls/{cid}/evidence"),
                &serde_json::json!({"kind": "check", "title": "MDM encryption report", "outcome": "failed"}),
            )
            .await;
        assert_eq!(failed.status(), 201);
        assert_eq!(coverage(&api, &fid).await["covered"], 0);
        let passed = api
            .api_post(&format!("/api/v1/controls/{cid}/evidence"), &serde_json::json!({"kind": "check", "title": "MDM encryption report", "outcome": "passed", "valid_days": 7}))
            .await;
        assert_eq!(passed.status(), 201);
        assert_eq!(coverage(&api, &fid).await["covered"], 1);

        // Not applicable needs a justification; then it leaves the denominator.
        let put = |body: Value| {
            api.api_put(&format!("/api/v1/frameworks/{fid}/requirements/s2.1.1/applicability"), &body).send()
        };
        assert_eq!(put(serde_json::json!({"applicable": false})).await.unwrap().status(), 422);
        assert_eq!(
            put(serde_json::json!({"applicable": false, "justification": "No mobile devices"})).await.unwrap().status(),
            204
        );
        assert_eq!(coverage(&api, &fid).await["applicable"], 3);

        // The Statement of Applicability: page, JSON, and CSV with formula cells neutralised.
        let page = sec.text(&format!("/frameworks/{fid}/soa")).await;
        assert!(page.contains("No mobile devices") && page.contains("Covered"));
        let soa: Value = api.get(&format!("/api/v1/frameworks/{fid}/soa")).await.json().await.unwrap();
        assert_eq!(soa[0]["state"], "covered");
        assert_eq!(soa[0]["controls"][0], "=Roles are assigned");
        let csv = api.get(&format!("/api/v1/frameworks/{fid}/soa?format=csv")).await.text().await.unwrap();
        assert!(csv.starts_with("requirement,title,group,applicable,justification,controls,control_status,state"));
        assert!(csv.contains(",'=Roles are assigned,"), "{csv}");
        let framework_page = sec.text(&format!("/frameworks/{fid}")).await;
        assert!(framework_page.contains("33%"), "1 of 3 applicable covered");
        assert!(
            framework_page.contains("href=\"#group-0\"") && framework_page.contains("id=\"group-0\""),
            "each group of the coverage table leads to its requirements"
        );
    }
}

async fn coverage(api: &TestClient, framework: &str) -> Value {
    api.get(&format!("/api/v1/frameworks/{framework}/coverage")).await.json().await.unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A control's owner needs no compliance role to do their part: they see their control, open
/// it from their renewal task, add evidence on its page and through the API, and download it.
/// Another employee finds none of it; an auditor reads it but adds nothing.
#[tokio::test]
async fn a_controls_owner_sees_it_and_renews_its_evidence_and_nobody_else_without_the_role_does() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let sec = app.signed_in("sec@example.com", &["security"]).await;
        let dev = app.signed_in("dev@example.com", &["employee"]).await;
        let other = app.signed_in("other@example.com", &["employee"]).await;
        let auditor = app.signed_in("aud@example.com", &["auditor"]).await;
        let body = serde_json::json!({"title": "Tests run in CI", "owner": "dev@example.com", "status": "implemented"});
        let control: Value = sec.api_post("/api/v1/controls", &body).await.json().await.unwrap();
        let page = format!("/controls/{}", control["id"].as_str().unwrap());
        let link =
            serde_json::json!({"kind": "link", "title": "CI settings", "url": "https://ci.example.com/settings"});
        assert_eq!(sec.api_post(&format!("/api/v1{page}/evidence"), &link).await.status(), 201, "{backend:?}");

        // The owner's task leads to the control, which offers them the evidence form.
        let tasks = dev.text("/tasks").await;
        assert!(tasks.contains("Renew the evidence of") && tasks.contains(&page), "{tasks:.3000}");
        let shown = dev.text(&page).await;
        assert!(shown.contains("Tests run in CI") && shown.contains("CI settings"), "{shown:.3000}");
        assert!(shown.contains(&format!("action=\"{page}/evidence\"")), "the owner renews it here");
        assert!(!shown.contains(&format!("action=\"{page}/mappings\"")), "mapping stays with compliance");
        let listed = dev.text("/controls").await;
        assert!(listed.contains("Tests run in CI") && listed.contains("where you are"), "{listed:.3000}");
        let csrf = dev.csrf(&page).await;
        let (ct, body) = multipart(
            &csrf,
            &[("kind", "file"), ("title", "CI run log")],
            Some(("run.txt", "text/plain", b"all green")),
        );
        let added = dev
            .http
            .post(dev.url(&format!("{page}/evidence")))
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), 303, "the owner adds a file on the page");
        let check = serde_json::json!({"kind": "check", "title": "Nightly CI", "outcome": "passed"});
        assert_eq!(dev.api_post(&format!("/api/v1{page}/evidence"), &check).await.status(), 201, "and a check result");
        let evidence: Value = dev.get(&format!("/api/v1{page}/evidence")).await.json().await.unwrap();
        assert_eq!(evidence.as_array().map(Vec::len), Some(3), "{evidence}");
        let file = evidence.as_array().unwrap().iter().find(|e| e["kind"] == "file").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(dev.get(&format!("/evidence/{file}/file")).await.bytes().await.unwrap().as_ref(), b"all green");

        // Someone else without the role: nothing there.
        for path in [
            page.clone(),
            format!("/api/v1{page}"),
            format!("/api/v1{page}/evidence"),
            format!("/evidence/{file}/file"),
        ] {
            assert_eq!(other.get(&path).await.status(), 404, "{path}");
        }
        assert!(!other.text("/controls").await.contains("Tests run in CI"));
        assert_eq!(other.api_post(&format!("/api/v1{page}/evidence"), &check).await.status(), 404);
        // An auditor reads it all and adds nothing.
        assert_eq!(auditor.get(&page).await.status(), 200);
        assert_eq!(auditor.get(&format!("/evidence/{file}/file")).await.status(), 200);
        assert_eq!(auditor.api_post(&format!("/api/v1{page}/evidence"), &check).await.status(), 403);
    }
}
