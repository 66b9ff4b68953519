//! The CVSS calculator through the API and the page (a plain form, no JavaScript): scores,
//! the normalised vector, and bad vectors refused with their problem named.

use bulwark_testkit::{Backend, spawn_app};
use serde_json::Value;

#[tokio::test]
async fn vectors_are_scored_by_the_api_and_the_calculator_page() {
    let app = spawn_app(Backend::Sqlite).await;
    let emp = app.signed_in("emp@example.com", &["employee"]).await;

    let res = emp.get("/api/v1/cvss?vector=CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N/E:P/RL:O").await;
    assert_eq!(res.status(), 200);
    let scored: Value = res.json().await.unwrap();
    assert_eq!((scored["base_score"].as_f64(), scored["severity"].as_str()), (Some(6.1), Some("Medium")));
    assert_eq!(scored["temporal_score"].as_f64(), Some(5.5), "{scored}");

    let res = emp.get("/api/v1/cvss?vector=CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U").await;
    let v4: Value = res.json().await.unwrap();
    assert_eq!(
        (v4["base_score"].as_f64(), v4["score"].as_f64(), v4["nomenclature"].as_str()),
        (Some(9.3), Some(8.1), Some("CVSS-BT"))
    );

    let res = emp.get("/api/v1/cvss?vector=CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q").await;
    assert_eq!(res.status(), 422);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["pointer"], "/vector");
    assert_eq!(problem["errors"][0]["detail"], "gives `Q` for Availability (A), which takes H, L, N");
    assert_eq!(app.client().get("/api/v1/cvss?vector=CVSS:3.1/AV:N").await.status(), 401);

    // The page: choices in, scores out; a pasted vector fills the choices.
    let chosen = [("AV", "N"), ("AC", "L"), ("PR", "N"), ("UI", "N"), ("S", "U"), ("C", "H"), ("I", "N"), ("A", "N")];
    let query: Vec<String> = chosen.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let page = emp.text(&format!("/cvss?version=3.1&{}&E=X", query.join("&"))).await;
    assert!(page.contains("<strong id=\"base-score\">7.5</strong> High"), "{page}");
    assert!(page.contains("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"));
    let page = emp.text("/cvss?vector=CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").await;
    assert!(page.contains("<option value=\"L\" selected>L</option>"), "the pasted vector fills the choices");
    let res = emp.get("/cvss?vector=CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("The vector must list AV before AC (CVSS 4.0 keeps the specification"), "{page}");
}
