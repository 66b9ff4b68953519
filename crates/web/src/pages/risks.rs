//! Risk register pages: the list (highest score first, filtered by owner, treatment,
//! acceptance and score), the heat map of inherent and residual risk drawn as SVG by the
//! server, a risk with its controls and history, the create and edit forms, recording a
//! review, and the settings (scale, acceptance threshold, review period).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use bulwark_core::Permission;
use bulwark_core::compliance::controls::ControlSummary;
use bulwark_core::compliance::risks::{self, HeatCell, Risk, RiskInput, RiskSettings, RiskSettingsInput, Treatment};
use bulwark_core::ids::RiskId;
use bulwark_core::list::RawListQuery;

use super::{Chrome, Errors, HistoryItem, Options, choices, form_errors, history, parse_id};
use crate::AppState;
use crate::api::risks::{RiskParams, risks_export};
use crate::error::HtmlError;
use crate::export::Format;

#[derive(Template, WebTemplate)]
#[template(path = "risks/list.html")]
struct ListPage {
    chrome: Chrome,
    page: bulwark_core::list::ListPage<Risk>,
    settings: RiskSettings,
    query: String,
    next: Option<String>,
    f: RiskParams,
    desc: bool,
    treatments: Options,
    sorts: &'static [bulwark_core::list::SortSpec],
    today: time::Date,
    my_risks: Option<String>,
    can_manage: bool,
    errors: Errors,
}

pub async fn list(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<RiskParams>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let (query, errors) = match risks::LIST.parse(&f.raw()) {
        Ok(query) => (query, Errors::none()),
        Err(e) => {
            let raw = RawListQuery { dir: Some("desc".into()), ..Default::default() };
            (risks::LIST.parse(&raw)?, form_errors(e)?)
        }
    };
    let (page, settings) = risks::page_with_settings(app.store.as_ref(), &actor, &query).await?;
    let query = f.query_without_after();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let body = ListPage {
        next: page.next.as_ref().map(|c| crate::api::cursor_url("/risks", &query, c)),
        query,
        page,
        settings,
        desc: f.descending(),
        treatments: choices(Treatment::ALL, Treatment::as_str, Treatment::label),
        sorts: risks::LIST.sorts,
        today: app.now().date(),
        my_risks: actor.person_id.map(|p| format!("/risks?owner_id={p}")),
        can_manage: chrome.can(Permission::ManageRisks),
        chrome: chrome.at("risks"),
        f,
        errors,
    };
    Ok((status, body).into_response())
}

pub async fn export(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<RiskParams>,
    format: Format,
) -> Result<Response, HtmlError> {
    let query = risks::LIST.parse(&f.raw())?;
    Ok(risks_export(&app, chrome.actor()?, query, format))
}

/// One square of a heat map as drawn: where, its colour band and how many risks it holds.
pub struct Square {
    pub x: i64,
    pub y: i64,
    pub probability: i64,
    pub impact: i64,
    pub score: i64,
    pub band: &'static str,
    pub count: i64,
}

/// A heat map as the SVG template draws it: impact across, probability up.
pub struct Grid {
    pub title: &'static str,
    pub id: &'static str,
    pub squares: Vec<Square>,
    /// (position, label) of each level along the axes.
    pub ticks: Vec<(i64, i64)>,
    pub size: i64,
    pub total: i64,
}

/// Side of a square, and the margin left for the axis labels.
const CELL: i64 = 56;
const MARGIN: i64 = 48;

impl Grid {
    fn new(title: &'static str, id: &'static str, cells: &[HeatCell], settings: &RiskSettings) -> Self {
        let n = settings.scale;
        let count =
            |p: i64, i: i64| cells.iter().filter(|c| c.probability == p && c.impact == i).map(|c| c.count).sum::<i64>();
        let squares = (1..=n)
            .flat_map(|p| (1..=n).map(move |i| (p, i)))
            .map(|(p, i)| Square {
                x: MARGIN + (i - 1) * CELL,
                y: (n - p) * CELL,
                probability: p,
                impact: i,
                score: p * i,
                band: settings.band(p * i),
                count: count(p, i),
            })
            .collect();
        Grid {
            title,
            id,
            squares,
            ticks: (1..=n).map(|k| ((k - 1) * CELL + CELL / 2, k)).collect(),
            size: n * CELL,
            total: cells.iter().map(|c| c.count).sum(),
        }
    }

    pub fn width(&self) -> i64 {
        MARGIN + self.size
    }

    pub fn height(&self) -> i64 {
        self.size + MARGIN
    }

    pub fn margin(&self) -> i64 {
        MARGIN
    }

    pub fn half(&self) -> i64 {
        CELL / 2
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "risks/heat_map.html")]
struct HeatMapPage {
    chrome: Chrome,
    settings: RiskSettings,
    grids: Vec<Grid>,
    can_settings: bool,
}

pub async fn heat_map(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let map = risks::heat_map(app.store.as_ref(), &actor).await?;
    let settings = risks::settings(app.store.as_ref(), &actor).await?;
    let grids = vec![
        Grid::new("Inherent risk", "inherent", &map.inherent, &settings),
        Grid::new("Residual risk", "residual", &map.residual, &settings),
    ];
    let can_settings = chrome.can(Permission::ManageSettings);
    Ok(HeatMapPage { chrome: chrome.at("risks"), settings, grids, can_settings }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "risks/detail.html")]
struct DetailPage {
    chrome: Chrome,
    risk: Risk,
    settings: RiskSettings,
    controls: Vec<ControlSummary>,
    today: time::Date,
    history: Vec<HistoryItem>,
    can_see_history: bool,
    can_manage: bool,
    can_review: bool,
    /// Whether the viewer may open the acceptance's approval request (the risk's owner may not).
    can_see_approval: bool,
}

pub async fn detail(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let (risk, controls, settings) = risks::detail(app.store.as_ref(), &actor, parse_id(&id)?).await?;
    let (history, can_see_history) = history(&app, &chrome, "risk", &risk.id.to_string()).await?;
    let can_see_approval = match &risk.approval_id {
        Some(a) => bulwark_core::approvals::get(app.store.as_ref(), &actor, a).await.is_ok(),
        None => false,
    };
    Ok(DetailPage {
        can_see_approval,
        history,
        can_see_history,
        today: app.now().date(),
        can_manage: chrome.can(Permission::ManageRisks),
        can_review: risks::may_review(&actor, &risk),
        chrome: chrome.at("risks"),
        risk,
        settings,
        controls,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "risks/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    input: RiskInput,
    probabilities: Options,
    impacts: Options,
    treatments: Options,
    controls: Vec<ControlSummary>,
    asset_options: Vec<bulwark_core::pick::PickOption>,
    people_options: Vec<bulwark_core::pick::PickOption>,
    errors: Errors,
}

impl FormPage {
    /// Whether the form links the control.
    fn checked(&self, c: &ControlSummary) -> bool {
        self.input.control_ids.contains(&c.id.to_string())
    }
}

async fn form_page(
    app: &AppState,
    chrome: Chrome,
    (heading, action, cancel): (String, String, String),
    input: RiskInput,
    errors: Errors,
) -> Result<FormPage, HtmlError> {
    let actor = chrome.actor()?;
    let settings = risks::settings(app.store.as_ref(), &actor).await?;
    let levels = |impact: bool| -> Options {
        std::iter::once((String::new(), "—".to_string()))
            .chain(settings.levels(impact).into_iter().map(|(n, name)| (n.to_string(), name)))
            .collect()
    };
    let controls = bulwark_core::compliance::controls::by_title(app.store.as_ref(), &actor).await?;
    Ok(FormPage {
        chrome: chrome.at("risks"),
        heading,
        action,
        cancel,
        input,
        probabilities: levels(false),
        impacts: levels(true),
        treatments: choices(Treatment::ALL, Treatment::as_str, Treatment::label),
        controls,
        asset_options: bulwark_core::pick::asset_options(app.store.as_ref(), &actor).await?,
        people_options: bulwark_core::pick::people_options(app.store.as_ref(), &actor).await?,
        errors,
    })
}

fn new_labels() -> (String, String, String) {
    ("Record a risk".into(), "/risks/new".into(), "/risks".into())
}

pub async fn new_form(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    let input = RiskInput { treatment: "untreated".into(), ..Default::default() };
    Ok(form_page(&app, chrome, new_labels(), input, Errors::none()).await?.into_response())
}

pub async fn create(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(input): Form<RiskInput>,
) -> Result<Response, HtmlError> {
    match risks::create(app.store.as_ref(), &*chrome.actor()?, app.now(), &input).await {
        Ok(r) => Ok(Redirect::to(&format!("/risks/{}?done=created", r.id)).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let page = form_page(&app, chrome, new_labels(), input, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn edit_labels(r: &Risk) -> (String, String, String) {
    (format!("Edit {}", r.title), format!("/risks/{}/edit", r.id), format!("/risks/{}", r.id))
}

pub async fn edit_form(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let r = risks::get(app.store.as_ref(), &*chrome.actor()?, parse_id::<RiskId>(&id)?).await?;
    // The form shows names, as the pages do: the owner's e-mail, the asset's name.
    let input = RiskInput {
        owner: bulwark_core::pick::person_label(app.store.as_ref(), r.owner_id).await?,
        asset_id: r.asset_name.clone().unwrap_or_default(),
        ..RiskInput::from(&r)
    };
    Ok(form_page(&app, chrome, edit_labels(&r), input, Errors::none()).await?.into_response())
}

pub async fn update(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(input): Form<RiskInput>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let id = parse_id::<RiskId>(&id)?;
    match risks::update(app.store.as_ref(), &actor, app.now(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/risks/{id}?done=saved")).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let current = risks::get(app.store.as_ref(), &actor, id).await?;
            let page = form_page(&app, chrome, edit_labels(&current), input, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn reviewed(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let id = parse_id::<RiskId>(&id)?;
    risks::record_review(app.store.as_ref(), &*chrome.actor()?, app.now(), id).await?;
    Ok(Redirect::to(&format!("/risks/{id}?done=reviewed")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "risks/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    input: RiskSettingsInput,
    errors: Errors,
}

fn settings_input(s: &RiskSettings) -> RiskSettingsInput {
    RiskSettingsInput {
        scale: s.scale.to_string(),
        acceptance_threshold: s.acceptance_threshold.to_string(),
        review_days: s.review_days.to_string(),
        version: Some(bulwark_core::version::version_of(s.updated_at)),
    }
}

pub async fn settings_form(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    let s = risks::settings(app.store.as_ref(), &*chrome.actor()?).await?;
    Ok(SettingsPage { chrome: chrome.at("risks"), input: settings_input(&s), errors: Errors::none() }.into_response())
}

pub async fn save_settings(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(input): Form<RiskSettingsInput>,
) -> Result<Response, HtmlError> {
    match risks::update_settings(app.store.as_ref(), &*chrome.actor()?, app.now(), &input).await {
        Ok(_) => Ok(Redirect::to("/risks/heat-map?done=saved").into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, SettingsPage { chrome: chrome.at("risks"), input, errors })
                .into_response())
        }
    }
}
