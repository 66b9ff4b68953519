//! Server-rendered pages. They work without JavaScript; every form posts back to the server,
//! which re-displays what was typed with a message beside each invalid field.

mod accounts;
mod approvals;
mod assets;
mod audit;
pub(crate) mod auth;
mod campaigns;
mod checklists;
pub(crate) mod controls;
mod cvss;
mod dashboard;
mod disclosure;
mod frameworks;
mod incidents;
mod lifecycle;
mod listing;
mod mfa;
mod notifications;
mod org;
mod people;
mod policies;
mod profile;
mod risks;
mod scim_tokens;

pub use campaigns::export_participants;

use axum::extract::FromRequestParts;
use axum::http::{Method, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use bulwark_core::audit::AuditEntry;
use bulwark_core::{Actor, CoreError, FieldError, Permission, Timestamp};
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::access::{Access, Routes, SessionInfo};
use crate::csrf::PRE_SESSION_COOKIE;
use crate::error::HtmlError;

/// Registers every page route with the access it needs.
pub fn routes(r: Routes) -> Routes {
    use Access::*;
    use Permission::*;
    const GET: &[Method] = &[Method::GET];
    const POST: &[Method] = &[Method::POST];
    const BOTH: &[Method] = &[Method::GET, Method::POST];
    r.page("/healthz", Public, GET, get(crate::ops::healthz))
        .page("/readyz", Public, GET, get(crate::ops::readyz))
        .page("/metrics", Scraper, GET, get(crate::ops::metrics))
        .page("/static/{*file}", Public, GET, get(crate::assets::serve))
        .page("/login", Public, BOTH, get(auth::login_form).post(auth::login))
        .page("/logout", SecondFactor, POST, post(auth::logout))
        .page("/login/sso", Public, GET, get(crate::sso::start))
        .page("/login/sso/callback", Public, GET, get(crate::sso::callback))
        .page("/login/code", SecondFactor, BOTH, get(mfa::code_form).post(mfa::code_submit))
        .page("/mfa/setup", SecondFactor, BOTH, get(mfa::setup).post(mfa::setup_confirm))
        .page("/mfa/setup/begin", SecondFactor, POST, post(mfa::setup_begin))
        .page("/mfa/recovery-codes", Recent(None), POST, post(mfa::recovery_codes))
        .page("/mfa/disable", Recent(None), POST, post(mfa::disable))
        .page("/reauth", SignedIn, BOTH, get(mfa::reauth_form).post(mfa::reauth))
        .page("/set-password/{token}", Public, BOTH, get(auth::set_password_form).post(auth::set_password))
        .page("/", SignedIn, GET, get(dashboard::dashboard))
        .page("/people", Needs(ViewDirectory), GET, get(people::list))
        .page("/people/export.csv", Needs(ViewDirectory), GET, get(people::export))
        .page("/people/export.json", Needs(ViewDirectory), GET, get(people::export))
        .page("/people/new", Needs(ManageDirectory), BOTH, get(people::new_form).post(people::create))
        .page("/people/{id}", Needs(ViewDirectory), GET, get(people::detail))
        .page("/people/{id}/edit", Needs(ManageDirectory), BOTH, get(people::edit_form).post(people::update))
        .page("/people/{id}/onboarding", Needs(ManageDirectory), POST, post(lifecycle::record))
        .page("/people/{id}/offboarding", Needs(ManageDirectory), POST, post(lifecycle::start))
        // The service decides: the directory's readers and managers, or the leaver's department head.
        .page("/offboardings/{id}", SignedIn, GET, get(lifecycle::show))
        .page("/offboardings/{id}/items/{position}", SignedIn, POST, post(lifecycle::check_off))
        .page("/my-department", SignedIn, GET, get(org::my_department))
        .page("/offboardings/{id}/close", Needs(ManageDirectory), POST, post(lifecycle::close))
        .page("/departments", Needs(ViewDirectory), GET, get(org::departments))
        .page("/departments", Needs(ManageDirectory), POST, post(org::department_create))
        .page("/departments/export.csv", Needs(ViewDirectory), GET, get(org::departments_export))
        .page("/departments/export.json", Needs(ViewDirectory), GET, get(org::departments_export))
        .page(
            "/departments/{id}/edit",
            Needs(ManageDirectory),
            BOTH,
            get(org::department_edit_form).post(org::department_update),
        )
        .page("/security-team", SignedIn, GET, get(org::security_team))
        .page("/policies", SignedIn, GET, get(policies::list))
        .page("/policies/export.csv", SignedIn, GET, get(policies::export))
        .page("/policies/export.json", SignedIn, GET, get(policies::export))
        .page("/policies/new", Needs(ManagePolicies), BOTH, get(policies::new_form).post(policies::create))
        .page("/policies/{id}", SignedIn, GET, get(policies::detail))
        .page("/policies/{id}/edit", Needs(ManagePolicies), BOTH, get(policies::edit_form).post(policies::update))
        .page("/policies/{id}/versions/{number}", SignedIn, GET, get(policies::version))
        .page("/policies/{id}/versions/{number}/submit", Needs(ManagePolicies), POST, post(policies::submit))
        .page("/policies/{id}/versions/{number}/ratify", Needs(RatifyPolicies), POST, post(policies::ratify))
        .page("/policies/{id}/versions/{number}/send-back", Needs(RatifyPolicies), POST, post(policies::send_back))
        .page("/policies/{id}/versions/{number}/publish", Needs(ManagePolicies), POST, post(policies::publish))
        .page("/tasks", SignedIn, GET, get(campaigns::tasks))
        .page("/tasks/done", SignedIn, POST, post(campaigns::task_done))
        .page("/approvals", SignedIn, GET, get(approvals::list))
        .page("/approvals/{id}", SignedIn, BOTH, get(approvals::detail).post(approvals::decide))
        .page("/campaigns", Needs(ViewCampaigns), GET, get(campaigns::list))
        .page("/campaigns/export.csv", Needs(ViewCampaigns), GET, get(campaigns::export_list))
        .page("/campaigns/export.json", Needs(ViewCampaigns), GET, get(campaigns::export_list))
        .page("/campaigns/new", Needs(ManageCampaigns), BOTH, get(campaigns::new_form).post(campaigns::create))
        .page("/campaigns/{id}", Needs(ViewCampaigns), GET, get(campaigns::detail))
        .page("/campaigns/{id}/close", Needs(ManageCampaigns), POST, post(campaigns::close))
        .page("/campaigns/{id}/cancel", Needs(ManageCampaigns), POST, post(campaigns::cancel))
        .page("/campaigns/{id}/due-date", Needs(ManageCampaigns), POST, post(campaigns::change_due_date))
        .page("/campaigns/{id}/export.csv", Needs(ViewCampaigns), GET, get(campaigns::export))
        .page("/campaigns/{id}/export.json", Needs(ViewCampaigns), GET, get(campaigns::export))
        .page("/campaigns/{id}/acknowledge", SignedIn, BOTH, get(campaigns::sign_form).post(campaigns::sign))
        .page("/checklists", Needs(ViewCampaigns), GET, get(checklists::list))
        .page("/checklists/export.csv", Needs(ViewCampaigns), GET, get(checklists::export))
        .page("/checklists/export.json", Needs(ViewCampaigns), GET, get(checklists::export))
        .page("/checklists/new", Needs(ManageCampaigns), BOTH, get(checklists::new_form).post(checklists::create))
        .page("/checklists/{id}", Needs(ViewCampaigns), GET, get(checklists::detail))
        .page("/assets", Needs(ViewAssets), GET, get(assets::list))
        .page("/assets/export.csv", Needs(ViewAssets), GET, get(assets::export))
        .page("/assets/export.json", Needs(ViewAssets), GET, get(assets::export))
        .page("/assets/new", Needs(ManageAssets), BOTH, get(assets::new_form).post(assets::create))
        .page("/assets/import", Needs(ManageAssets), BOTH, get(assets::import_form).post(assets::import))
        .page("/assets/{id}", Needs(ViewAssets), GET, get(assets::detail))
        .page("/assets/{id}/edit", Needs(ManageAssets), BOTH, get(assets::edit_form).post(assets::update))
        .page("/accounts", Needs(ViewAccounts), GET, get(accounts::list))
        .page("/accounts/export.csv", Needs(ViewAccounts), GET, get(accounts::export))
        .page("/accounts/export.json", Needs(ViewAccounts), GET, get(accounts::export))
        .page("/accounts/new", Needs(ManageAccounts), GET, get(accounts::new_form))
        .page("/accounts/new", Recent(Some(ManageAccounts)), POST, post(accounts::create))
        .page("/accounts/{id}", Needs(ViewAccounts), GET, get(accounts::detail))
        .page("/accounts/{id}", Recent(Some(ManageAccounts)), POST, post(accounts::update))
        .page("/accounts/{id}/reset", Recent(Some(ManageAccounts)), POST, post(accounts::reset))
        .page("/accounts/{id}/mfa/reset", Recent(Some(ManageAccounts)), POST, post(mfa::reset_for_account))
        .page("/accounts/{id}/tokens/export.csv", Needs(ViewAccounts), GET, get(accounts::tokens_export))
        .page("/accounts/{id}/tokens/export.json", Needs(ViewAccounts), GET, get(accounts::tokens_export))
        .page("/accounts/{id}/tokens/{token_id}/revoke", Needs(ManageAccounts), POST, post(accounts::revoke_token))
        .page("/profile", SignedIn, GET, get(profile::profile))
        .page("/profile/password", SignedIn, POST, post(profile::change_password))
        .page("/profile/tokens", Recent(None), POST, post(profile::create_token))
        .page("/profile/tokens/export.csv", SignedIn, GET, get(profile::tokens_export))
        .page("/profile/tokens/export.json", SignedIn, GET, get(profile::tokens_export))
        .page("/profile/tokens/{id}/revoke", SignedIn, POST, post(profile::revoke_token))
        .page("/notifications", Needs(ManageSettings), GET, get(notifications::page))
        .page("/notifications", Recent(Some(ManageSettings)), POST, post(notifications::save))
        .page("/notifications/mail", Needs(ManageSettings), GET, get(notifications::caught))
        .page("/notifications/messages/retry", Needs(ManageSettings), POST, post(notifications::retry))
        .page("/notifications/messages/discard", Needs(ManageSettings), POST, post(notifications::discard))
        .page("/notifications/channels/delete", Recent(Some(ManageSettings)), POST, post(notifications::delete))
        .page("/frameworks", Needs(ViewCompliance), GET, get(frameworks::list))
        .page(
            "/frameworks",
            Needs(ManageCompliance),
            POST,
            post(frameworks::import).layer(axum::extract::DefaultBodyLimit::max(crate::csrf::MAX_UPLOAD_BYTES)),
        )
        .page("/frameworks/policy-catalog", Needs(ManageCompliance), POST, post(frameworks::build_policies))
        .page("/frameworks/{id}", Needs(ViewCompliance), GET, get(frameworks::detail))
        .page("/frameworks/{id}/catalog.json", Needs(ViewCompliance), GET, get(frameworks::catalog))
        .page("/frameworks/{id}/requirements/{control_id}", Needs(ViewCompliance), GET, get(frameworks::requirement))
        .page(
            "/frameworks/{id}/requirements/{control_id}/applicability",
            Needs(ManageCompliance),
            POST,
            post(frameworks::set_applicability),
        )
        .page("/frameworks/{id}/soa", Needs(ViewCompliance), GET, get(frameworks::soa))
        .page("/cvss", SignedIn, GET, get(cvss::calculator))
        .page("/incidents", SignedIn, GET, get(incidents::list))
        .page("/incidents/new", SignedIn, BOTH, get(incidents::new_form).post(incidents::create))
        .page("/incidents/export.csv", Needs(ViewIncidents), GET, get(incidents::export))
        .page("/incidents/export.json", Needs(ViewIncidents), GET, get(incidents::export))
        .page(
            "/incidents/settings",
            Needs(ManageSettings),
            BOTH,
            get(incidents::settings_form).post(incidents::save_settings),
        )
        // Its reporter and the people added see an incident and comment; the service checks who.
        .page("/incidents/{id}", SignedIn, GET, get(incidents::detail))
        .page("/incidents/{id}/comments", SignedIn, POST, post(incidents::comment))
        .page("/incidents/{id}/assessment", Needs(HandleIncidents), POST, post(incidents::assess))
        .page("/incidents/{id}/status", Needs(HandleIncidents), POST, post(incidents::advance))
        .page("/incidents/{id}/members", Needs(HandleIncidents), POST, post(incidents::add_member))
        .page("/incidents/{id}/links", Needs(HandleIncidents), POST, post(incidents::link))
        .page("/incidents/{id}/tasks", Needs(HandleIncidents), POST, post(incidents::add_task))
        .page("/incidents/{id}/authority-notified", Needs(HandleIncidents), POST, post(incidents::authority_notified))
        .page("/.well-known/security.txt", Public, GET, get(disclosure::security_txt))
        .page("/report-vulnerability", Public, BOTH, get(disclosure::report_form).post(disclosure::submit_report))
        .page(
            "/report-vulnerability/track/{secret}",
            Public,
            BOTH,
            get(disclosure::track).post(disclosure::reporter_reply),
        )
        .page("/report-vulnerability/confirm/{secret}", Public, GET, get(disclosure::confirm_email))
        .page("/vulnerability-reports", Needs(ViewVulnerabilities), GET, get(disclosure::list))
        .page("/vulnerability-reports/export.csv", Needs(ViewVulnerabilities), GET, get(disclosure::export))
        .page("/vulnerability-reports/export.json", Needs(ViewVulnerabilities), GET, get(disclosure::export))
        .page(
            "/vulnerability-reports/settings",
            Needs(ManageSettings),
            BOTH,
            get(disclosure::settings_form).post(disclosure::save_settings),
        )
        .page("/vulnerability-reports/{id}", Needs(ViewVulnerabilities), GET, get(disclosure::detail))
        .page("/vulnerability-reports/{id}/triage", Needs(HandleVulnerabilities), POST, post(disclosure::triage))
        .page("/vulnerability-reports/{id}/reply", Needs(HandleVulnerabilities), POST, post(disclosure::team_reply))
        .page("/risks", Needs(ViewRisks), GET, get(risks::list))
        .page("/risks/export.csv", Needs(ViewRisks), GET, get(risks::export))
        .page("/risks/export.json", Needs(ViewRisks), GET, get(risks::export))
        .page("/risks/heat-map", Needs(ViewRisks), GET, get(risks::heat_map))
        .page("/risks/settings", Needs(ManageSettings), BOTH, get(risks::settings_form).post(risks::save_settings))
        .page("/risks/new", Needs(ManageRisks), BOTH, get(risks::new_form).post(risks::create))
        // Its owner sees a risk and records its reviews too; the service checks who.
        .page("/risks/{id}", SignedIn, GET, get(risks::detail))
        .page("/risks/{id}/edit", Needs(ManageRisks), BOTH, get(risks::edit_form).post(risks::update))
        .page("/risks/{id}/review", SignedIn, POST, post(risks::reviewed))
        .page("/controls/{id}/mappings", Needs(ManageCompliance), POST, post(controls::map))
        .page("/controls/{id}/mappings/remove", Needs(ManageCompliance), POST, post(controls::unmap))
        // A control's owner adds evidence and downloads it too; the service checks who.
        .page(
            "/controls/{id}/evidence",
            SignedIn,
            POST,
            post(controls::add_evidence).layer(axum::extract::DefaultBodyLimit::max(crate::csrf::MAX_UPLOAD_BYTES)),
        )
        .page("/evidence/{id}/file", SignedIn, GET, get(controls::evidence_file))
        .page("/scim-tokens", Needs(ManageAccounts), GET, get(scim_tokens::page))
        .page("/scim-tokens", Recent(Some(ManageAccounts)), POST, post(scim_tokens::create))
        .page("/scim-tokens/{id}/revoke", Recent(Some(ManageAccounts)), POST, post(scim_tokens::revoke))
        .page("/audit", Needs(ViewAudit), GET, get(audit::list))
        .page("/audit/export.csv", Needs(ViewAudit), GET, get(audit::export))
        .page("/audit/export.json", Needs(ViewAudit), GET, get(audit::export))
}

/// Parses an id from the path; a malformed id is simply not found.
pub fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, HtmlError> {
    raw.parse().map_err(|_| HtmlError::not_found())
}

pub async fn not_found(uri: axum::http::Uri) -> Response {
    if crate::scim::is_scim(uri.path()) {
        return crate::scim::not_found().await;
    }
    if crate::access::is_api(uri.path()) {
        return crate::error::ApiError::status(axum::http::StatusCode::NOT_FOUND)
            .with_detail("no such API path")
            .with_instance(uri.path())
            .into_response();
    }
    HtmlError::not_found().into_response()
}

/// The layout's data: who is signed in, what they may see, and the form token.
pub struct Chrome {
    pub user: Option<String>,
    pub actor: Option<Arc<Actor>>,
    pub csrf: String,
    pub section: &'static str,
    pub can_directory: bool,
    pub can_accounts: bool,
    pub can_campaigns: bool,
    pub can_settings: bool,
    pub can_manage_accounts: bool,
    pub can_audit: bool,
    pub can_assets: bool,
    pub can_compliance: bool,
    pub can_risks: bool,
    pub can_vulnerabilities: bool,
    /// Holds the department-head role: the navigation offers "My department".
    pub heads_department: bool,
    pub flash: Option<&'static str>,
}

impl Chrome {
    pub fn at(mut self, section: &'static str) -> Self {
        self.section = section;
        self
    }

    pub fn can(&self, p: Permission) -> bool {
        self.actor.as_ref().is_some_and(|a| a.can(p))
    }

    /// The signed-in actor; pages behind `SignedIn` always have one.
    pub fn actor(&self) -> Result<Arc<Actor>, HtmlError> {
        self.actor.clone().ok_or(HtmlError::Login)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Chrome {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let actor = parts.extensions.get::<Arc<Actor>>().cloned();
        // A sign-in that still owes its second factor sees its own pages without the menu.
        let pending = parts
            .extensions
            .get::<SessionInfo>()
            .is_some_and(|s| s.session.stage != bulwark_core::identity::mfa::SessionStage::Full);
        let csrf = match parts.extensions.get::<SessionInfo>() {
            Some(s) => s.session.csrf_token.clone(),
            None => CookieJar::from_headers(&parts.headers)
                .get(PRE_SESSION_COOKIE)
                .map(|c| c.value().to_string())
                .unwrap_or_default(),
        };
        let flash = parts.uri.query().and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == "done")
                .map(|(_, v)| v)
        });
        let flash = flash.and_then(|code| match code.as_str() {
            "saved" => Some("Saved."),
            "created" => Some("Created."),
            "deleted" => Some("Deleted."),
            "removed" => Some("Removed."),
            "revoked" => Some("Token revoked."),
            "framework-imported" => Some("Imported. Its requirements are below."),
            "signed" => Some("Signed. Thank you."),
            "decided" => Some("Your decision is recorded."),
            "answered" => Some("Your answers are saved. Thank you."),
            "password" => Some("Password set. Sign in with your new password."),
            "mfa-off" => Some("Two-factor authentication is off."),
            "imported" => Some("Imported. The newest assets are listed first."),
            "mfa-reset" => Some("The authenticator is removed and the account signed out everywhere."),
            _ => None,
        });
        let can = |p| actor.as_ref().is_some_and(|a: &Arc<Actor>| a.can(p));
        Ok(Chrome {
            user: actor.as_ref().filter(|_| !pending).map(|a| a.label.clone()),
            can_directory: can(Permission::ViewDirectory),
            can_accounts: can(Permission::ViewAccounts),
            can_campaigns: can(Permission::ViewCampaigns),
            can_settings: can(Permission::ManageSettings),
            can_manage_accounts: can(Permission::ManageAccounts),
            can_audit: can(Permission::ViewAudit),
            can_assets: can(Permission::ViewAssets),
            can_compliance: can(Permission::ViewCompliance),
            can_risks: can(Permission::ViewRisks),
            can_vulnerabilities: can(Permission::ViewVulnerabilities),
            heads_department: actor
                .as_ref()
                .is_some_and(|a| !pending && a.roles.contains(&bulwark_core::Role::DepartmentHead)),
            actor,
            csrf,
            section: "",
            flash,
        })
    }
}

/// Field errors of a form, by field name.
#[derive(Default, Debug, Clone)]
pub struct Errors(BTreeMap<String, String>);

impl Errors {
    pub fn none() -> Self {
        Self::default()
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn all(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter()
    }
}

impl From<Vec<FieldError>> for Errors {
    fn from(v: Vec<FieldError>) -> Self {
        let mut m = BTreeMap::new();
        for e in v {
            m.entry(e.field).or_insert(e.message);
        }
        Self(m)
    }
}

/// Splits a service error into field errors for the form, or an error page.
pub fn form_errors(e: CoreError) -> Result<Errors, HtmlError> {
    match e {
        CoreError::Invalid(v) => Ok(v.into()),
        CoreError::Conflict(what) | CoreError::Stale(what) => Ok(vec![FieldError::new("form", &what)].into()),
        other => Err(other.into()),
    }
}

pub fn short_time(t: &Timestamp) -> String {
    // A due date (the start or the end of a day) reads as the date alone.
    let (h, m, s) = (t.hour(), t.minute(), t.second());
    if (h, m, s, t.nanosecond()) == (0, 0, 0, 0) || (h, m, s) == (23, 59, 59) {
        return t.date().to_string();
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.format(&fmt).unwrap_or_default()
}

/// A span of hours as people say it: hours up to four days (the 72-hour notification clock
/// reads in hours), then days.
pub fn hours_in_words(hours: i64) -> String {
    let hours = hours.abs();
    match hours {
        1 => "1 hour".into(),
        0..=96 => format!("{hours} hours"),
        _ => format!("{} days", hours / 24),
    }
}

/// One audit entry as the history list and the audit page show it.
pub struct HistoryItem {
    pub seq: i64,
    pub at: String,
    pub at_short: String,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub hash: String,
    pub hash_short: String,
    /// The page of the record the entry is about, if it has one.
    pub link: Option<String>,
    /// (field, before, after) for fields that changed.
    pub changes: Vec<(String, String, String)>,
}

impl From<AuditEntry> for HistoryItem {
    fn from(e: AuditEntry) -> Self {
        let changes = diff(&e.before, &e.after);
        let link = match e.entity_type.as_str() {
            "person" => Some(format!("/people/{}", e.entity_id)),
            "policy" => Some(format!("/policies/{}", e.entity_id)),
            "department" => Some(format!("/people?department_id={}", e.entity_id)),
            "account" => Some(format!("/accounts/{}", e.entity_id)),
            "asset" if e.entity_id != "import" => Some(format!("/assets/{}", e.entity_id)),
            "risk" if e.entity_id != "import" => Some(format!("/risks/{}", e.entity_id)),
            "vulnerability" => Some(format!("/vulnerability-reports/{}", e.entity_id)),
            "incident" if e.entity_id != "import" => Some(format!("/incidents/{}", e.entity_id)),
            kind => bulwark_core::records::registry::link(kind, &e.entity_id),
        };
        HistoryItem {
            link,
            seq: e.seq,
            at: bulwark_core::time_util::rfc3339(e.at),
            at_short: short_time(&e.at),
            actor: e.actor_label,
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            hash_short: e.hash.chars().take(12).collect(),
            hash: e.hash,
            changes,
        }
    }
}

/// The top-level fields that differ between two JSON objects (updates only).
fn diff(before: &str, after: &str) -> Vec<(String, String, String)> {
    let (Ok(serde_json::Value::Object(b)), Ok(serde_json::Value::Object(a))) =
        (serde_json::from_str::<serde_json::Value>(before), serde_json::from_str::<serde_json::Value>(after))
    else {
        return vec![];
    };
    let show = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => "—".to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    a.iter()
        .filter(|(k, v)| k.as_str() != "updated_at" && b.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), show(b.get(k)), show(Some(v))))
        .collect()
}

/// The recorded history of one record, newest first, and whether the viewer may see it
/// (only those who may read the audit log do).
pub async fn history(
    app: &crate::AppState,
    chrome: &Chrome,
    entity_type: &str,
    id: &str,
) -> Result<(Vec<HistoryItem>, bool), HtmlError> {
    let actor = chrome.actor()?;
    let found = bulwark_core::audit::history(app.store.as_ref(), &actor, entity_type, id).await?;
    let visible = found.is_some();
    Ok((found.unwrap_or_default().into_iter().map(HistoryItem::from).collect(), visible))
}

/// Options for a select: (value, label).
pub type Options = Vec<(String, String)>;

/// A query parameter as a filter form shows it again (empty when not given).
pub fn shown(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// (value, label) of every value of a fixed set, for a select.
pub fn choices<T: Copy>(all: &[T], value: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Options {
    all.iter().map(|v| (value(*v).to_string(), label(*v).to_string())).collect()
}

pub fn people_options(people: &[bulwark_core::organisation::people::Person], empty: &str) -> Options {
    std::iter::once((String::new(), empty.to_string()))
        .chain(people.iter().map(|p| (p.id.to_string(), format!("{} <{}>", p.name, p.email))))
        .collect()
}
