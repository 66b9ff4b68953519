//! The JSON API under `/api/v1`, its OpenAPI 3.1 document and the interactive docs.

pub mod accounts;
pub mod approvals;
pub mod assets;
pub mod audit;
pub mod campaigns;
pub mod checklists;
pub mod contract;
pub mod controls;
pub mod cvss;
pub mod disclosure;
pub mod dto;
pub mod frameworks;
pub mod incident_response;
pub mod incidents;
pub mod lifecycle;
pub mod org;
pub mod people;
pub mod policies;
pub mod risks;
pub mod sorted;

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bulwark_core::CoreError;
use bulwark_core::Permission;
use bulwark_core::version::version_of;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::access::{Access, RouteTable, Routes};
use crate::error::ApiError;

pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";
pub const DOCS_PATH: &str = "/api/docs";

#[derive(OpenApi)]
#[openapi(
    info(title = "Bulwark API", description = "Information security management: people, organisation, accounts and the audit log."),
    modifiers(&BearerAuth),
    security(("bearer" = []), ("session" = [])),
    components(schemas(crate::error::Problem))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Cookie(
                utoipa::openapi::security::ApiKeyValue::new(crate::access::SESSION_COOKIE),
            )),
        );
    }
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Registers every API route with the access it needs.
pub fn routes(r: Routes) -> Routes {
    use Access::*;
    use Permission::*;
    r.api(SignedIn, routes!(accounts::me))
        .api(Needs(ViewDirectory), routes!(people::list_people))
        .api(Needs(ManageDirectory), routes!(people::create_person))
        .api(Needs(ViewDirectory), routes!(people::get_person))
        .api(Needs(ManageDirectory), routes!(people::update_person))
        .api(Needs(ViewDirectory), routes!(lifecycle::get_lifecycle))
        .api(Needs(ManageDirectory), routes!(lifecycle::record_onboarding))
        .api(Needs(ManageDirectory), routes!(lifecycle::start_offboarding))
        // The service decides: the directory's readers and managers, or the leaver's department head.
        .api(SignedIn, routes!(lifecycle::get_offboarding))
        .api(SignedIn, routes!(lifecycle::check_off))
        .api(SignedIn, routes!(org::my_department))
        .api(Needs(ManageDirectory), routes!(lifecycle::close_offboarding))
        .api(Needs(ViewDirectory), routes!(org::list_departments))
        .api(Needs(ManageDirectory), routes!(org::create_department))
        .api(Needs(ViewDirectory), routes!(org::get_department))
        .api(Needs(ManageDirectory), routes!(org::update_department))
        .api(SignedIn, routes!(policies::list_policies))
        .api(Needs(ManagePolicies), routes!(policies::create_policy))
        .api(SignedIn, routes!(policies::get_policy))
        .api(Needs(ManagePolicies), routes!(policies::update_policy))
        .api(Needs(ManagePolicies), routes!(policies::submit_version))
        .api(Needs(RatifyPolicies), routes!(policies::ratify_version))
        .api(Needs(RatifyPolicies), routes!(policies::send_back_version))
        .api(Needs(ManagePolicies), routes!(policies::publish_version))
        .api(Needs(ViewCampaigns), routes!(campaigns::list_campaigns))
        .api(Needs(ManageCampaigns), routes!(campaigns::create_campaign))
        .api(Needs(ViewCampaigns), routes!(campaigns::get_campaign))
        .api(Needs(ViewCampaigns), routes!(campaigns::export_campaign))
        .api(SignedIn, routes!(campaigns::acknowledge))
        .api(Needs(ManageCampaigns), routes!(campaigns::close_campaign))
        .api(Needs(ManageCampaigns), routes!(campaigns::cancel_campaign))
        .api(Needs(ManageCampaigns), routes!(campaigns::change_campaign))
        .api(SignedIn, routes!(campaigns::my_tasks))
        .api(Needs(ViewCampaigns), routes!(checklists::list_checklists))
        .api(Needs(ManageCampaigns), routes!(checklists::create_checklist))
        .api(Needs(ViewCampaigns), routes!(checklists::get_checklist))
        .api(SignedIn, routes!(checklists::answer))
        .api(SignedIn, routes!(approvals::list_approvals))
        .api(SignedIn, routes!(approvals::get_approval))
        .api(SignedIn, routes!(approvals::decide))
        .api(Needs(ViewAccounts), routes!(accounts::list_accounts))
        .api(Recent(Some(ManageAccounts)), routes!(accounts::create_account))
        .api(Needs(ViewAccounts), routes!(accounts::get_account))
        .api(Recent(Some(ManageAccounts)), routes!(accounts::update_account))
        .api(Recent(Some(ManageAccounts)), routes!(accounts::reset_password))
        .api(Needs(ViewAccounts), routes!(accounts::get_account_mfa))
        .api(Recent(Some(ManageAccounts)), routes!(accounts::reset_account_mfa))
        .api(SignedIn, routes!(accounts::list_tokens))
        .api(Recent(None), routes!(accounts::create_token))
        .api(SignedIn, routes!(accounts::revoke_token))
        .api(Needs(ViewAudit), routes!(audit::list_audit))
        .api(Needs(ViewAssets), routes!(assets::list_assets))
        .api(Needs(ManageAssets), routes!(assets::create_asset))
        .api(Needs(ManageAssets), routes!(assets::import_assets))
        .api(Needs(ViewAssets), routes!(assets::get_asset))
        .api(Needs(ManageAssets), routes!(assets::update_asset))
        .api(Needs(ViewCompliance), routes!(frameworks::list_frameworks))
        .api(Needs(ManageCompliance), routes!(frameworks::import_framework))
        .api(Needs(ManageCompliance), routes!(frameworks::build_policy_catalog))
        .api(Needs(ViewCompliance), routes!(frameworks::get_framework))
        .api(Needs(ViewCompliance), routes!(frameworks::export_framework))
        .api(Needs(ViewCompliance), routes!(frameworks::get_requirement))
        .api(Needs(ViewCompliance), routes!(controls::get_coverage))
        .api(Needs(ViewCompliance), routes!(controls::get_soa))
        .api(Needs(ViewCompliance), routes!(controls::get_assessment_results))
        .api(Needs(ManageCompliance), routes!(controls::set_applicability))
        // A control's owner reads its mappings and evidence and adds evidence (the service
        // checks who).
        .api(SignedIn, routes!(controls::list_mappings))
        .api(SignedIn, routes!(controls::list_evidence))
        .api(Needs(ManageCompliance), routes!(controls::map_control))
        .api(Needs(ManageCompliance), routes!(controls::unmap_control))
        .api(SignedIn, routes!(controls::add_evidence))
        .api(SignedIn, routes!(cvss::score_vector))
        // Anyone may report; each caller sees the incidents they may (the service checks).
        .api(SignedIn, routes!(incidents::report_incident))
        .api(SignedIn, routes!(incidents::list_incidents))
        .api(SignedIn, routes!(incidents::get_incident))
        .api(Needs(HandleIncidents), routes!(incidents::assess_incident))
        .api(Needs(HandleIncidents), routes!(incidents::advance_incident))
        .api(Needs(HandleIncidents), routes!(incidents::record_notification))
        // Whoever sees the incident reads its timeline; the people involved comment; the
        // assignee of a task of the response marks it done (the service checks who).
        .api(SignedIn, routes!(incident_response::get_timeline))
        .api(SignedIn, routes!(incident_response::add_comment))
        .api(Needs(HandleIncidents), routes!(incident_response::add_member))
        .api(Needs(HandleIncidents), routes!(incident_response::add_link))
        .api(Needs(HandleIncidents), routes!(incident_response::add_task))
        .api(SignedIn, routes!(incident_response::complete_task))
        .api(Needs(ViewVulnerabilities), routes!(disclosure::list_reports))
        .api(Needs(ViewVulnerabilities), routes!(disclosure::get_report))
        .api(Needs(HandleVulnerabilities), routes!(disclosure::triage_report))
        .api(Needs(HandleVulnerabilities), routes!(disclosure::reply_to_reporter))
        .api(Needs(ViewRisks), routes!(risks::list_risks))
        .api(Needs(ManageRisks), routes!(risks::create_risk))
        .api(Needs(ViewRisks), routes!(risks::get_heat_map))
        // The owner of a risk sees it and records its reviews; the service checks who.
        .api(SignedIn, routes!(risks::get_risk))
        .api(Needs(ManageRisks), routes!(risks::update_risk))
        .api(SignedIn, routes!(risks::review_risk))
        .api(Needs(ViewRisks), routes!(risks::get_risk_settings))
        .api(Needs(ManageSettings), routes!(risks::update_risk_settings))
}

/// The interactive docs, served from the binary.
pub fn swagger(openapi: utoipa::openapi::OpenApi) -> SwaggerUi {
    SwaggerUi::new(DOCS_PATH).url(OPENAPI_PATH, openapi)
}

/// The routes the docs router adds, with their access (public: the API's shape is no secret).
pub fn declare_docs(table: RouteTable) -> RouteTable {
    let r = Routes::with_table(table);
    r.declare(OPENAPI_PATH, Access::Public, &[Method::GET])
        .declare(DOCS_PATH, Access::Public, &[Method::GET])
        .declare(&format!("{DOCS_PATH}/"), Access::Public, &[Method::GET])
        .declare(&format!("{DOCS_PATH}/{{*rest}}"), Access::Public, &[Method::GET])
        .into_table()
}

/// The `If-Match` header of an edit: the version (ETag) the client based it on.
pub struct IfMatch(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let value = parts.headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()).map(|v| {
            let v = v.trim();
            let v = v.strip_prefix("W/").unwrap_or(v);
            v.trim_matches('"').to_string()
        });
        Ok(IfMatch(value))
    }
}

impl IfMatch {
    /// The version to check an edit against: the header wins over a version in the body.
    pub fn or(&self, body: Option<String>) -> Option<String> {
        self.0.clone().or(body)
    }

    /// A stale edit answers 412 when the client sent `If-Match`, 409 otherwise.
    pub fn fail(&self, e: CoreError) -> ApiError {
        match e {
            CoreError::Stale(msg) if self.0.is_some() => {
                ApiError::status(StatusCode::PRECONDITION_FAILED).with_detail(&msg)
            }
            other => other.into(),
        }
    }
}

/// A JSON record with its version as the `ETag`.
pub fn with_etag<T: serde::Serialize>(updated_at: bulwark_core::Timestamp, body: T) -> Response {
    let etag = format!("\"{}\"", version_of(updated_at));
    ([(header::ETAG, etag)], Json(body)).into_response()
}

/// Refuses query parameters that are present but empty where the API documents a format or
/// a set of values (the HTML forms, which send empty fields, accept them as absent).
pub fn given_not_empty(params: &[(&str, &Option<String>)]) -> Result<(), ApiError> {
    let errors: Vec<_> = params
        .iter()
        // A cursor is opaque: only an empty one is "not given"; a blank one names no place (404).
        .filter(|(k, v)| v.as_deref().is_some_and(|v| if *k == "after" { v.is_empty() } else { v.trim().is_empty() }))
        .map(|(field, _)| bulwark_core::FieldError::new(*field, "must not be empty when given"))
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(ApiError::invalid(errors)) }
}

/// A list's query string without its position, the base of `next` links: the given
/// non-empty parameters, then `per_page` if given.
pub fn list_query(params: &[(&str, &Option<String>)], per_page: Option<u32>) -> String {
    let pairs: Vec<(&str, &String)> =
        params.iter().filter_map(|(k, v)| v.as_ref().filter(|v| !v.is_empty()).map(|v| (*k, v))).collect();
    let mut query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    if let Some(n) = per_page {
        query.push_str(&format!("{}per_page={n}", if query.is_empty() { "" } else { "&" }));
    }
    query
}

/// The URL of the page after a keyset page: `path?base_query&after=cursor`.
pub fn cursor_url(path: &str, base_query: &str, cursor: &bulwark_core::list::Cursor) -> String {
    let sep = if base_query.is_empty() { "" } else { "&" };
    format!("{path}?{base_query}{sep}after={}", cursor.encode())
}

/// Parses an id from the path; a malformed id is simply not found.
/// A JSON number as a form would give it: JSON has one number type, so 30 and 30.0 are the
/// same whole number; a fraction (or a number too large) stays as written, for core to refuse.
pub fn whole_number(n: Option<f64>) -> String {
    match n {
        Some(n) if n.fract() == 0.0 && n.abs() < 1e15 => (n as i64).to_string(),
        Some(n) => n.to_string(),
        None => String::new(),
    }
}

pub fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError::status(StatusCode::NOT_FOUND))
}
