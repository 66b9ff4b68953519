//! The CVSS calculator: choose each metric (or paste a vector) and see the scores. A plain
//! GET form, so it works without JavaScript; a pasted vector fills the choices.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use bulwark_core::incidents::cvss::{self, Scored};
use std::collections::HashMap;

use super::Chrome;

/// One metric's choice on the form.
pub struct MetricRow {
    pub key: &'static str,
    pub name: &'static str,
    /// (value, label): "Not defined" first for the optional metrics.
    pub options: Vec<(String, String)>,
    pub selected: String,
    pub mandatory: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "cvss.html")]
struct CalculatorPage {
    chrome: Chrome,
    version: &'static str,
    /// (version, whether it is the one shown) for the version links.
    versions: Vec<(&'static str, bool)>,
    metrics: Vec<MetricRow>,
    vector: String,
    result: Option<Scored>,
    error: Option<String>,
}

/// The vector the chosen metrics make, when every base metric is chosen.
fn chosen_vector(version: &str, params: &HashMap<String, String>) -> Option<String> {
    let mut parts = vec![format!("CVSS:{version}")];
    for (key, _, _, mandatory) in cvss::metrics(version) {
        match params.get(key).map(String::as_str).filter(|v| !v.is_empty()) {
            Some(value) => parts.push(format!("{key}:{value}")),
            None if mandatory => return None,
            None => {}
        }
    }
    Some(parts.join("/"))
}

pub async fn calculator(chrome: Chrome, Query(params): Query<HashMap<String, String>>) -> Response {
    let pasted = params.get("vector").map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let asked = params.get("version").map(String::as_str);
    let version = match pasted.as_deref().map(|v| v.starts_with("CVSS:4.0")).unwrap_or(asked == Some("4.0")) {
        true => "4.0",
        false if asked == Some("3.0") || pasted.as_deref().is_some_and(|v| v.starts_with("CVSS:3.0")) => "3.0",
        false => "3.1",
    };
    let vector = pasted.or_else(|| chosen_vector(version, &params));
    let (result, error) = match vector.as_deref().map(cvss::score) {
        Some(Ok(scored)) => (Some(scored), None),
        Some(Err(message)) => (None, Some(format!("The vector {message}."))),
        None => (None, None),
    };
    // The choices show the scored vector, or what was chosen.
    let shown: HashMap<&str, &str> = match &result {
        Some(s) => s.vector.split('/').skip(1).filter_map(|p| p.split_once(':')).collect(),
        None => params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
    };
    let metrics = cvss::metrics(version)
        .into_iter()
        .map(|(key, name, values, mandatory)| {
            let mut options: Vec<(String, String)> = Vec::new();
            options.push(if mandatory {
                (String::new(), "Choose…".into())
            } else {
                ("X".into(), "Not defined".into())
            });
            options.extend(values.iter().filter(|v| **v != "X").map(|v| (v.to_string(), v.to_string())));
            let selected = shown.get(key).map(|v| v.to_string()).unwrap_or_default();
            MetricRow { key, name, options, selected, mandatory }
        })
        .collect();
    let status =
        if error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    let page = CalculatorPage {
        chrome: chrome.at("cvss"),
        version,
        versions: ["3.0", "3.1", "4.0"].into_iter().map(|v| (v, v == version)).collect(),
        metrics,
        vector: result.as_ref().map(|s| s.vector.clone()).or(vector).unwrap_or_default(),
        result,
        error,
    };
    (status, page).into_response()
}
