//! Vulnerability disclosure pages. Public: `security.txt`, the report form (throttled per
//! address, with a honeypot field), and the reporter's page behind the secret link, where
//! they follow the report and write to the team. For the security team: the reports, each
//! with its conversation, triage and reply, and the disclosure settings.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::Form;
use bulwark_core::ids::ReportId;
use bulwark_core::incidents::disclosure::{
    self, ReportMessage, ReportStatus, SettingsInput, Submission, TriageInput, VulnReport,
};
use bulwark_core::list::ListPage;
use bulwark_core::throttle;
use serde::Deserialize;

use super::auth::{ClientAddr, with_pre_session_token};
use super::{Chrome, Errors, HistoryItem, Options, choices, form_errors, history, parse_id};
use crate::AppState;
use crate::error::HtmlError;

/// A page that shows or sits behind the reporter's secret link is never cached, even for a
/// visitor without cookies.
fn private(mut res: Response) -> Response {
    res.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    res
}

pub async fn security_txt(State(app): State<AppState>) -> Result<Response, HtmlError> {
    let settings = disclosure::settings(app.store.as_ref()).await?;
    let text = disclosure::security_txt(&settings, &app.config.public_url, app.now());
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "disclosure/report_form.html")]
struct ReportForm {
    chrome: Chrome,
    input: Submission,
    policy_url: String,
    errors: Errors,
}

pub async fn report_form(
    State(app): State<AppState>,
    jar: CookieJar,
    mut chrome: Chrome,
) -> Result<Response, HtmlError> {
    let jar = with_pre_session_token(&app, jar, &mut chrome);
    let page = report_form_again(&app, chrome, Submission::default(), Errors::none()).await?;
    Ok((jar, page).into_response())
}

/// The report form with what was typed and the errors (the disclosure policy linked).
async fn report_form_again(
    app: &AppState,
    chrome: Chrome,
    input: Submission,
    errors: Errors,
) -> Result<ReportForm, HtmlError> {
    let policy_url = disclosure::settings(app.store.as_ref()).await?.policy_url;
    Ok(ReportForm { chrome, input, policy_url, errors })
}

#[derive(Template, WebTemplate)]
#[template(path = "disclosure/reported.html")]
struct Reported {
    chrome: Chrome,
    title: String,
    link: String,
    /// Whether a confirmation link went to the address given.
    asked_to_confirm: bool,
}

pub async fn submit_report(
    State(app): State<AppState>,
    chrome: Chrome,
    ClientAddr(addr): ClientAddr,
    Form(input): Form<Submission>,
) -> Result<Response, HtmlError> {
    let limits = disclosure::report_limits(addr);
    let Some(slot) = throttle::take(app.store.as_ref(), app.now(), &limits).await? else {
        let message = format!(
            "At most {} reports an hour come from one address. Please try again later, or write to the contacts in /.well-known/security.txt.",
            disclosure::REPORTS_PER_HOUR
        );
        let errors = vec![bulwark_core::FieldError::new("form", &message)].into();
        let page = report_form_again(&app, chrome, input, errors).await?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    };
    match disclosure::submit(app.store.as_ref(), app.now(), &input).await {
        Ok((report, secret)) => {
            drop(slot); // a stored report counts
            let link = format!("{}/report-vulnerability/track/{secret}", app.config.public_url);
            let asked_to_confirm = !report.reporter_email.is_empty();
            Ok(private(Reported { chrome, title: report.title, link, asked_to_confirm }.into_response()))
        }
        Err(e) => {
            throttle::give_back(app.store.as_ref(), slot).await?; // a refused form does not
            let errors = form_errors(e)?;
            let page = report_form_again(&app, chrome, input, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "disclosure/track.html")]
struct TrackPage {
    chrome: Chrome,
    report: VulnReport,
    messages: Vec<ReportMessage>,
    action: String,
    body: String,
    errors: Errors,
}

async fn track_page(
    app: &AppState,
    chrome: Chrome,
    secret: &str,
    body: String,
    errors: Errors,
) -> Result<TrackPage, HtmlError> {
    let (report, messages) = disclosure::track(app.store.as_ref(), secret).await?;
    Ok(TrackPage { chrome, report, messages, action: format!("/report-vulnerability/track/{secret}"), body, errors })
}

pub async fn track(
    State(app): State<AppState>,
    jar: CookieJar,
    mut chrome: Chrome,
    Path(secret): Path<String>,
) -> Result<Response, HtmlError> {
    let jar = with_pre_session_token(&app, jar, &mut chrome);
    Ok(private((jar, track_page(&app, chrome, &secret, String::new(), Errors::none()).await?).into_response()))
}

#[derive(Template, WebTemplate)]
#[template(path = "disclosure/confirmed.html")]
struct Confirmed {
    chrome: Chrome,
}

/// The link of the one confirmation mail: from now on the team's replies are mailed too.
pub async fn confirm_email(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(secret): Path<String>,
) -> Result<Response, HtmlError> {
    disclosure::confirm_reporter_email(app.store.as_ref(), app.now(), &secret).await?;
    Ok(private(Confirmed { chrome }.into_response()))
}

#[derive(Deserialize, Default)]
pub struct MessageForm {
    #[serde(default)]
    body: String,
}

pub async fn reporter_reply(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(secret): Path<String>,
    Form(form): Form<MessageForm>,
) -> Result<Response, HtmlError> {
    let limits = disclosure::reporter_message_limits(&secret);
    let Some(slot) = throttle::take(app.store.as_ref(), app.now(), &limits).await? else {
        let message = format!(
            "At most {} messages an hour are sent from one report. Please wait for the team's answer.",
            disclosure::REPORTER_MESSAGES_PER_HOUR
        );
        let errors = vec![bulwark_core::FieldError::new("body", &message)].into();
        let page = track_page(&app, chrome, &secret, form.body, errors).await?;
        return Ok(private((StatusCode::TOO_MANY_REQUESTS, page).into_response()));
    };
    match disclosure::reporter_message(app.store.as_ref(), app.now(), &secret, &form.body).await {
        Ok(_) => {
            drop(slot); // a stored message counts
            Ok(Redirect::to(&format!("/report-vulnerability/track/{secret}#messages")).into_response())
        }
        Err(e) => {
            throttle::give_back(app.store.as_ref(), slot).await?;
            let errors = form_errors(e)?;
            let page = track_page(&app, chrome, &secret, form.body, errors).await?;
            Ok(private((StatusCode::UNPROCESSABLE_ENTITY, page).into_response()))
        }
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct ReportFilter {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    after: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "disclosure/list.html")]
struct ListPageView {
    chrome: Chrome,
    page: ListPage<VulnReport>,
    f: ReportFilter,
    statuses: Options,
    next: Option<String>,
    /// The filter as a query string, for the export links.
    base: String,
    today: time::Date,
    errors: Errors,
}

pub async fn list(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<ReportFilter>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let raw = super::listing::newest_first(&f.q, &f.status, &f.after);
    let (query, errors) = match disclosure::LIST.parse(&raw) {
        Ok(q) => (q, Errors::none()),
        Err(e) => (disclosure::LIST.first_page(50), form_errors(e)?),
    };
    let page = disclosure::list(app.store.as_ref(), &actor, &query).await?;
    let base = crate::api::list_query(&[("q", &Some(f.q.clone())), ("status", &Some(f.status.clone()))], None);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let body = ListPageView {
        next: page.next.as_ref().map(|c| crate::api::cursor_url("/vulnerability-reports", &base, c)),
        base,
        page,
        statuses: choices(ReportStatus::ALL, ReportStatus::as_str, ReportStatus::label),
        today: app.now().date(),
        chrome: chrome.at("vulnerabilities"),
        f,
        errors,
    };
    Ok((status, body).into_response())
}

/// Every report the filter matches, streamed.
pub async fn export(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<ReportFilter>,
    format: crate::export::Format,
) -> Result<Response, HtmlError> {
    let query = disclosure::LIST.parse(&super::listing::newest_first(&f.q, &f.status, ""))?;
    let list = |store: std::sync::Arc<dyn bulwark_core::Store>, actor: std::sync::Arc<bulwark_core::Actor>, q| async move {
        disclosure::list(store.as_ref(), &actor, &q).await
    };
    let columns = disclosure::LIST.columns;
    let download = crate::export::Download { format, stem: "vulnerability-reports", columns };
    Ok(crate::export::stream_records(
        (app.store.clone(), chrome.actor()?),
        download,
        query,
        list,
        VulnReport::export_row,
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "disclosure/detail.html")]
struct DetailPage {
    chrome: Chrome,
    report: VulnReport,
    messages: Vec<ReportMessage>,
    triage: TriageInput,
    statuses: Options,
    reply: String,
    today: time::Date,
    history: Vec<HistoryItem>,
    can_see_history: bool,
    /// Triage and reply are the team's; an auditor reads.
    can_handle: bool,
    errors: Errors,
}

async fn detail_page(
    app: &AppState,
    chrome: Chrome,
    id: ReportId,
    triage: Option<TriageInput>,
    reply: String,
    errors: Errors,
) -> Result<DetailPage, HtmlError> {
    let (report, messages) = disclosure::get(app.store.as_ref(), &*chrome.actor()?, id).await?;
    let (history, can_see_history) = history(app, &chrome, "vulnerability", &id.to_string()).await?;
    let triage = triage.unwrap_or_else(|| TriageInput {
        status: report.status.as_str().into(),
        cvss_vector: report.cvss_vector.clone().unwrap_or_default(),
        deadline_on: report.deadline_on.to_string(),
        cve_id: report.cve_id.clone(),
        advisory: report.advisory.clone(),
        credit: report.credit.clone(),
        version: Some(bulwark_core::version::version_of(report.updated_at)),
    });
    Ok(DetailPage {
        can_handle: chrome.can(bulwark_core::Permission::HandleVulnerabilities),
        chrome: chrome.at("vulnerabilities"),
        report,
        messages,
        triage,
        statuses: choices(ReportStatus::ALL, ReportStatus::as_str, ReportStatus::label),
        reply,
        today: app.now().date(),
        history,
        can_see_history,
        errors,
    })
}

pub async fn detail(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    Ok(detail_page(&app, chrome, parse_id(&id)?, None, String::new(), Errors::none()).await?.into_response())
}

pub async fn triage(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(input): Form<TriageInput>,
) -> Result<Response, HtmlError> {
    let id: ReportId = parse_id(&id)?;
    match disclosure::triage(app.store.as_ref(), &*chrome.actor()?, app.now(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/vulnerability-reports/{id}?done=saved")).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let page = detail_page(&app, chrome, id, Some(input), String::new(), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn team_reply(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(form): Form<MessageForm>,
) -> Result<Response, HtmlError> {
    let id: ReportId = parse_id(&id)?;
    match disclosure::team_message(app.store.as_ref(), &*chrome.actor()?, app.now(), id, &form.body).await {
        Ok(_) => Ok(Redirect::to(&format!("/vulnerability-reports/{id}#messages")).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let page = detail_page(&app, chrome, id, None, form.body, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "disclosure/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    input: SettingsInput,
    errors: Errors,
}

pub async fn settings_form(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    let s = disclosure::settings(app.store.as_ref()).await?;
    let input = SettingsInput {
        contacts: s.contacts,
        policy_url: s.policy_url,
        preferred_languages: s.preferred_languages,
        encryption_url: s.encryption_url,
        acknowledgments_url: s.acknowledgments_url,
        expires_days: s.expires_days.to_string(),
        deadline_days: s.deadline_days.to_string(),
        version: Some(bulwark_core::version::version_of(s.updated_at)),
    };
    Ok(SettingsPage { chrome: chrome.at("vulnerabilities"), input, errors: Errors::none() }.into_response())
}

pub async fn save_settings(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(input): Form<SettingsInput>,
) -> Result<Response, HtmlError> {
    match disclosure::update_settings(app.store.as_ref(), &*chrome.actor()?, app.now(), &input).await {
        Ok(_) => Ok(Redirect::to("/vulnerability-reports?done=saved").into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let page = SettingsPage { chrome: chrome.at("vulnerabilities"), input, errors };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
