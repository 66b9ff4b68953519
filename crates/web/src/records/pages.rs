//! The standard pages of every kit record type: the list (filters, sort, search, keyset
//! pages, exports), a record with its links, workflow steps and history, the new and edit
//! forms (what was typed shown again with a message per field), and deletion.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_core::Actor;
use bulwark_core::list::ListPage;
use bulwark_core::records::input::{RawRecord, Typed};
use bulwark_core::records::{Action, Field, FieldKind, Record, RecordType, Value, service};
use bulwark_core::version::version_of;

use super::{Cell, Params, cell, raw_list};
use crate::AppState;
use crate::error::HtmlError;
use crate::export::Format;
use crate::pages::{Chrome, Errors, HistoryItem, Options, form_errors, history};

/// One filter of the list form: a choice field's options.
pub struct FilterView {
    pub name: &'static str,
    pub label: &'static str,
    pub options: Options,
    pub selected: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "records/list.html")]
struct ListView {
    chrome: Chrome,
    ty: &'static RecordType,
    columns: Vec<&'static Field>,
    rows: Vec<(String, Vec<Cell>)>,
    total: u64,
    filters: Vec<FilterView>,
    params: Params,
    query: String,
    next: Option<String>,
    can_create: bool,
    scope_note: Option<String>,
    errors: Errors,
}

pub async fn list(
    ty: &'static RecordType,
    app: AppState,
    chrome: Chrome,
    params: Params,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let spec = ty.list_spec();
    let (page, errors) = match spec.parse(&raw_list(ty, &params)) {
        Ok(query) => (service::list(app.store.as_ref(), &actor, ty, &query).await?, Errors::none()),
        Err(e) => (service::list(app.store.as_ref(), &actor, ty, &spec.first_page(50)).await?, form_errors(e)?),
    };
    let query = params.query_without_after(ty);
    let columns: Vec<&'static Field> = ty.fields.iter().filter(|f| f.listed).collect();
    let rows = rows(&actor, &columns, &page);
    let filters = ty
        .fields
        .iter()
        .filter_map(|f| match f.kind {
            FieldKind::Choice(options) if f.filtered => Some(FilterView {
                name: f.name,
                label: f.label,
                options: options.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect(),
                selected: params.get(f.name).to_string(),
            }),
            _ => None,
        })
        .collect();
    let manage = actor.can(ty.access.manage);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let body = ListView {
        next: page.next.as_ref().map(|c| crate::api::cursor_url(&format!("/{}", ty.path), &query, c)),
        scope_note: match ty.access.scope {
            Some(scope) if !actor.can(ty.access.view) => {
                Some(format!("Shown: those where you are {}.", scope.describe(ty)))
            }
            _ => None,
        },
        total: page.total,
        rows,
        columns,
        filters,
        query,
        params,
        can_create: manage,
        chrome: chrome.at(ty.path),
        ty,
        errors,
    };
    Ok((status, body).into_response())
}

fn rows(actor: &Actor, columns: &[&'static Field], page: &ListPage<Record>) -> Vec<(String, Vec<Cell>)> {
    let shown = |r: &Record| columns.iter().map(|f| cell(actor, f, r.value(f.name))).collect();
    page.items.iter().map(|r| (r.id.clone(), shown(r))).collect()
}

pub async fn export(
    ty: &'static RecordType,
    app: AppState,
    chrome: Chrome,
    params: Params,
    format: Format,
) -> Result<Response, HtmlError> {
    let query = ty.list_spec().parse(&raw_list(ty, &params))?;
    Ok(super::export(&app, chrome.actor()?, ty, query, format))
}

/// A workflow step the viewer may take, with its inputs.
pub struct StepForm {
    pub action: &'static Action,
    pub fields: Vec<FormField>,
    pub errors: Errors,
}

#[derive(Template, WebTemplate)]
#[template(path = "records/detail.html")]
struct DetailView {
    chrome: Chrome,
    ty: &'static RecordType,
    record: Record,
    fields: Vec<(&'static Field, Cell, Vec<Cell>)>,
    version: String,
    can_edit: bool,
    can_delete: bool,
    steps: Vec<StepForm>,
    /// Why a step was refused that the page no longer offers (it became unavailable).
    refusal: Option<String>,
    /// The records that are parts of this one (an area's members), by type.
    parts: Vec<Parts>,
    /// For a part: the page and name of the record it belongs to (the crumbs lead there).
    parent: Option<(String, String)>,
    /// The type's hand-written sections (`super::SECTIONS`), as HTML.
    sections: Vec<String>,
    history: Vec<HistoryItem>,
    can_see_history: bool,
}

/// A record's parts of one type, as a table on its page.
pub struct Parts {
    pub ty: &'static RecordType,
    /// The field of a part naming this record (left out of the table).
    pub field: &'static str,
    pub columns: Vec<&'static Field>,
    pub rows: Vec<(String, Vec<Cell>)>,
    /// More than the table shows: the full list is linked.
    pub more: bool,
    pub can_add: bool,
}

/// The parts of `record` the viewer may see, a table per type.
async fn parts(app: &AppState, actor: &Actor, record: &Record) -> Result<Vec<Parts>, HtmlError> {
    use bulwark_core::records::access::{Need, grant};
    let mut shown = Vec::new();
    for (ty, field) in bulwark_core::records::registry::parts_of(record.ty) {
        if grant(actor, ty, Need::View).is_err() {
            continue;
        }
        let mut query = ty.list_spec().first_page(100);
        query.filters.push((field, record.id.clone()));
        let page = service::list(app.store.as_ref(), actor, ty, &query).await?;
        let columns: Vec<&'static Field> = ty.fields.iter().filter(|f| f.listed && f.name != field).collect();
        let rows = rows(actor, &columns, &page);
        let can_add = grant(actor, ty, Need::Manage).is_ok();
        shown.push(Parts { ty, field, columns, rows, more: page.next.is_some(), can_add });
    }
    Ok(shown)
}

pub async fn detail(ty: &'static RecordType, app: AppState, chrome: Chrome, id: String) -> Result<Response, HtmlError> {
    detail_with(ty, app, chrome, id, None, Errors::none()).await
}

/// The record's page after a form of one of its hand-written sections was refused: the
/// section shows why (422, or 409 for a clash with the stored state).
pub async fn section_refused(
    ty: &'static RecordType,
    app: AppState,
    chrome: Chrome,
    id: String,
    errors: Errors,
) -> Result<Response, HtmlError> {
    detail_with(ty, app, chrome, id, None, errors).await
}

/// The record's page; `refused` is a step that was refused, with what was typed and why.
async fn detail_with(
    ty: &'static RecordType,
    app: AppState,
    chrome: Chrome,
    id: String,
    refused: Option<(&'static str, RawRecord, Errors)>,
    section_errors: Errors,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let shown = service::get(app.store.as_ref(), &actor, ty, &id).await?;
    let fields = ty
        .fields
        .iter()
        .filter(|f| !(f.derived && *shown.record.value(f.name) == Value::Empty))
        .map(|f| match shown.record.value(f.name) {
            Value::Links(links) => {
                let cells = links.iter().map(|n| cell(&actor, f, &Value::Ref(n.clone()))).collect();
                (f, Cell::default(), cells)
            }
            v => (f, cell(&actor, f, v), vec![]),
        })
        .collect();
    let mut steps = Vec::new();
    for action in &shown.steps {
        let (raw, errors) = match &refused {
            Some((name, raw, errors)) if *name == action.name => (raw.clone(), errors.clone()),
            _ => (RawRecord::default(), Errors::none()),
        };
        let fields = form_fields(&app, &actor, action.inputs.iter(), &raw, None).await?;
        steps.push(StepForm { action, fields, errors });
    }
    let refusal = match &refused {
        Some((name, _, errors)) if !shown.steps.iter().any(|a| a.name == *name) => {
            let each = errors.all().map(|(f, m)| if f == "form" { m.to_string() } else { format!("{f} {m}") });
            Some(each.collect::<Vec<_>>().join(". "))
        }
        _ => None,
    };
    let (history, can_see_history) = history(&app, &chrome, ty.kind, &id).await?;
    let parts = parts(&app, &actor, &shown.record).await?;
    let parent = parent_page(&shown.record).map(|href| {
        let name = ty.parent.map(|p| shown.record.value(p).plain()).unwrap_or_default();
        (href, name)
    });
    let mut sections = Vec::new();
    for section in super::sections_of(ty) {
        sections.push(section(&app, &chrome, &shown.record, &section_errors).await?);
    }
    // A refused step or section form: 409 when it clashed with the stored state, else 422.
    let refused_with = refused.as_ref().map_or(&section_errors, |(_, _, errors)| errors);
    let status = if refused.is_none() && section_errors.is_empty() {
        StatusCode::OK
    } else if refused_with.has("form") {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = DetailView {
        chrome: chrome.at(ty.path),
        ty,
        version: version_of(shown.record.updated_at),
        fields,
        record: shown.record,
        can_edit: shown.can_edit,
        can_delete: shown.can_delete,
        steps,
        refusal,
        parent,
        parts,
        sections,
        history,
        can_see_history,
    };
    Ok((status, body).into_response())
}

/// One field of the form: how it is typed in and what it shows.
pub struct FormField {
    pub field: &'static Field,
    /// The input's type (text, date, number), or textarea, select, picker or links.
    pub control: &'static str,
    pub value: String,
    pub options: Options,
}

#[derive(Template, WebTemplate)]
#[template(path = "records/form.html")]
struct FormView {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    version: Option<String>,
    fields: Vec<FormField>,
    errors: Errors,
}

/// The controls of `fields`, showing what was typed, else the record's values.
async fn form_fields(
    app: &AppState,
    actor: &Actor,
    fields: impl Iterator<Item = &'static Field>,
    raw: &RawRecord,
    record: Option<&Record>,
) -> Result<Vec<FormField>, HtmlError> {
    let mut shown = Vec::new();
    for f in fields.filter(|f| !f.derived) {
        let (control, options) = match f.kind {
            FieldKind::Line { .. } => ("text", vec![]),
            FieldKind::Text { .. } => ("textarea", vec![]),
            FieldKind::Date => ("date", vec![]),
            FieldKind::Number { .. } | FieldKind::Count { .. } => ("number", vec![]),
            FieldKind::Choice(options) => {
                let none = if f.required { vec![] } else { vec![(String::new(), "—".to_string())] };
                // A value only a step sets is offered only where the record has it already.
                let current = record.map(|r| r.value(f.name).plain()).unwrap_or_default();
                let offered = options.iter().filter(|(v, _)| !f.reserved.contains(v) || *v == current);
                ("select", none.into_iter().chain(offered.map(|(v, l)| (v.to_string(), l.to_string()))).collect())
            }
            FieldKind::Person | FieldKind::Ref(_) => ("picker", service::options(app.store.as_ref(), actor, f).await?),
            FieldKind::Links(_) => ("links", service::options(app.store.as_ref(), actor, f).await?),
        };
        shown.push(FormField { field: f, control, value: raw.shown(f, record), options });
    }
    Ok(shown)
}

async fn form(
    app: &AppState,
    chrome: Chrome,
    ty: &'static RecordType,
    record: Option<&Record>,
    raw: &RawRecord,
    errors: Errors,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    // A new record's form shows its defaults.
    let blank = service::blank(ty, app.now());
    let fields = form_fields(app, &actor, ty.fields.iter(), raw, Some(record.unwrap_or(&blank))).await?;
    let (heading, action, cancel) = match record {
        Some(r) => {
            (format!("Edit {}", r.name()), format!("/{}/{}/edit", ty.path, r.id), format!("/{}/{}", ty.path, r.id))
        }
        None => (
            format!("Add {}", bulwark_core::validate::with_article(ty.singular)),
            format!("/{}/new", ty.path),
            format!("/{}", ty.path),
        ),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let version = raw.version.clone().or(record.map(|r| version_of(r.updated_at)));
    let body = FormView { chrome: chrome.at(ty.path), heading, action, cancel, version, fields, errors };
    Ok((status, body).into_response())
}

/// A submitted form as the kit's input: the CSRF token aside, every field as typed.
pub fn raw_form(pairs: Vec<(String, String)>) -> RawRecord {
    let mut raw = RawRecord::default();
    for (name, value) in pairs {
        match name.as_str() {
            "csrf" => {}
            "version" => raw.version = Some(value),
            _ => {
                raw.fields.insert(name, Typed::One(value));
            }
        }
    }
    raw
}

/// The new form, with the fields the link names filled in (a part's parent: `?area=…`).
pub async fn new_form(
    ty: &'static RecordType,
    app: AppState,
    chrome: Chrome,
    params: Params,
) -> Result<Response, HtmlError> {
    let mut raw = RawRecord::default();
    for f in ty.fields.iter().filter(|f| !f.derived && !params.get(f.name).is_empty()) {
        let given = params.get(f.name);
        // A reference is shown as typed: the name of the record the link names.
        let typed = match f.kind {
            FieldKind::Ref(target) if chrome.can(target.view) => {
                let found = app.store.read().await?.find_named(target, given).await?;
                found.into_iter().find(|n| n.id == given).map_or(given.to_string(), |n| n.name)
            }
            _ => given.to_string(),
        };
        raw.fields.insert(f.name.to_string(), Typed::One(typed));
    }
    form(&app, chrome, ty, None, &raw, Errors::none()).await
}

pub async fn create(
    ty: &'static RecordType,
    app: AppState,
    chrome: Chrome,
    pairs: Vec<(String, String)>,
) -> Result<Response, HtmlError> {
    let raw = raw_form(pairs);
    match service::create(app.store.as_ref(), &*chrome.actor()?, ty, app.now(), &raw).await {
        Ok(r) => {
            let page = parent_page(&r).unwrap_or_else(|| format!("/{}/{}", ty.path, r.id));
            Ok(Redirect::to(&format!("{page}?done=created")).into_response())
        }
        Err(e) => {
            let errors = form_errors(e)?;
            form(&app, chrome, ty, None, &raw, errors).await
        }
    }
}

pub async fn edit_form(
    ty: &'static RecordType,
    app: AppState,
    chrome: Chrome,
    id: String,
) -> Result<Response, HtmlError> {
    let shown = service::get(app.store.as_ref(), &*chrome.actor()?, ty, &id).await?;
    if !shown.can_edit {
        return Err(HtmlError::forbidden());
    }
    form(&app, chrome, ty, Some(&shown.record), &RawRecord::default(), Errors::none()).await
}

pub async fn update(
    ty: &'static RecordType,
    app: AppState,
    chrome: Chrome,
    id: String,
    pairs: Vec<(String, String)>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let raw = raw_form(pairs);
    match service::update(app.store.as_ref(), &actor, ty, app.now(), &id, &raw).await {
        Ok(_) => Ok(Redirect::to(&format!("/{}/{id}?done=saved", ty.path)).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let current = service::get(app.store.as_ref(), &actor, ty, &id).await?;
            form(&app, chrome, ty, Some(&current.record), &raw, errors).await
        }
    }
}

pub async fn act(
    ty: &'static RecordType,
    app: AppState,
    chrome: Chrome,
    (id, action): (String, &'static str),
    pairs: Vec<(String, String)>,
) -> Result<Response, HtmlError> {
    let mut raw = raw_form(pairs);
    raw.version = None;
    match service::act(app.store.as_ref(), &*chrome.actor()?, ty, app.now(), (&id, action), &raw).await {
        Ok(_) => Ok(Redirect::to(&format!("/{}/{id}?done=saved", ty.path)).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            detail_with(ty, app, chrome, id, Some((action, raw, errors)), Errors::none()).await
        }
    }
}

pub async fn delete(
    ty: &'static RecordType,
    app: AppState,
    chrome: Chrome,
    id: String,
    pairs: Vec<(String, String)>,
) -> Result<Response, HtmlError> {
    let version = raw_form(pairs).version;
    let gone = service::delete(app.store.as_ref(), &*chrome.actor()?, ty, app.now(), &id, version.as_deref()).await?;
    let back = parent_page(&gone).unwrap_or_else(|| format!("/{}", ty.path));
    Ok(Redirect::to(&format!("{back}?done=deleted")).into_response())
}

/// The page of the record a part belongs to (where it was added and is listed).
fn parent_page(part: &Record) -> Option<String> {
    let field = part.ty.field(part.ty.parent?)?;
    match (field.kind, part.value(field.name).as_id()) {
        (FieldKind::Ref(target), Some(id)) => Some(format!("{}{id}", target.link)),
        _ => None,
    }
}

/// The handlers' extractors, for `super::routes`.
pub type Pairs = Form<Vec<(String, String)>>;
pub type Id = Path<String>;
pub type Q = Query<Vec<(String, String)>>;
pub type S = State<AppState>;
