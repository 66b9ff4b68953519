//! The web side of the record kit: for every registered record type, its pages
//! (`pages`), its API (`api`) with its OpenAPI description (`openapi`) and its exports,
//! mounted under `/{path}` and `/api/v1/{path}` with access derived from its description.

mod api;
mod openapi;
mod pages;

pub use pages::section_refused;

use axum::extract::{Form, Path, Query, State};
use axum::http::Method;
use axum::routing::{get, post};
use bulwark_core::list::{ListQuery, RawListQuery};
use bulwark_core::records::{Field, FieldKind, Record, RecordType, Value, registry, service};
use bulwark_core::{Actor, Permission};
use std::sync::Arc;

use std::future::Future;
use std::pin::Pin;

use crate::AppState;
use crate::access::{Access, Routes};
use crate::error::HtmlError;
use crate::export::Format;
use crate::pages::Chrome;
use crate::pages::Errors;

/// A hand-written section of a type's page — behaviour the kit does not derive, such as a
/// control's mappings and evidence — rendered after the record's facts as HTML, with the
/// errors of a refused form it holds.
pub type Section = for<'a> fn(
    &'a AppState,
    &'a Chrome,
    &'a Record,
    &'a Errors,
) -> Pin<Box<dyn Future<Output = Result<String, HtmlError>> + Send + 'a>>;

/// The hand-written sections of each type's page, by kind.
const SECTIONS: &[(&str, Section)] = &[("control", |app, chrome, control, errors| {
    Box::pin(crate::pages::controls::sections(app, chrome, control, errors))
})];

fn sections_of(ty: &RecordType) -> impl Iterator<Item = Section> + '_ {
    SECTIONS.iter().filter(move |(kind, _)| *kind == ty.kind).map(|(_, section)| *section)
}

/// A value as a page shows it: text, and the page of what it names when the viewer may open it.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub link: Option<String>,
}

pub fn cell(actor: &Actor, field: &Field, value: &Value) -> Cell {
    let link = |allowed: bool, href: String| allowed.then_some(href);
    match (field.kind, value) {
        (FieldKind::Choice(options), Value::Text(t)) => {
            let label = options.iter().find(|(v, _)| v == t).map_or(t.as_str(), |(_, l)| l);
            Cell { text: label.to_string(), link: None }
        }
        (FieldKind::Person, Value::Ref(n)) => {
            Cell { text: n.name.clone(), link: link(actor.can(Permission::ViewDirectory), format!("/people/{}", n.id)) }
        }
        (FieldKind::Ref(t) | FieldKind::Links(t), Value::Ref(n)) => {
            Cell { text: n.name.clone(), link: link(actor.can(t.view), format!("{}{}", t.link, n.id)) }
        }
        (_, v) => Cell { text: v.plain(), link: None },
    }
}

/// A list's query string, as given.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// The last value given for `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().rev().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    fn given(&self, name: &str) -> Option<String> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    /// The query without the position (the base of sort, export and next links).
    pub fn query_without_after(&self, ty: &'static RecordType) -> String {
        let names = std::iter::once("q").chain(ty.list_spec().filters.iter().map(|f| f.name)).chain(["sort", "dir"]);
        let pairs: Vec<(&str, Option<String>)> = names.map(|n| (n, self.given(n))).collect();
        let refs: Vec<(&str, &Option<String>)> = pairs.iter().map(|(k, v)| (*k, v)).collect();
        let per_page = self.get("per_page").parse().ok();
        crate::api::list_query(&refs, per_page)
    }
}

/// The list parameters for the type's list spec to check.
pub fn raw_list(ty: &'static RecordType, params: &Params) -> RawListQuery {
    let given = |n: &str| params.given(n).filter(|v| !v.is_empty());
    let filters = ty.list_spec().filters.iter().filter_map(|f| given(f.name).map(|v| (f.name.to_string(), v)));
    RawListQuery {
        q: given("q"),
        filters: filters.collect(),
        sort: given("sort"),
        dir: given("dir"),
        after: given("after"),
        // A number out of range, or not a number, is refused by the spec with its message.
        limit: given("per_page").map(|v| v.parse().unwrap_or(0)),
    }
}

/// Every record the query matches, streamed page by page.
pub fn export(
    app: &AppState,
    actor: Arc<Actor>,
    ty: &'static RecordType,
    query: ListQuery,
    format: Format,
) -> axum::response::Response {
    let list = move |store: Arc<dyn bulwark_core::Store>, actor: Arc<Actor>, q| async move {
        service::list(store.as_ref(), &actor, ty, &q).await
    };
    let download = crate::export::Download { format, stem: ty.path, columns: ty.list_spec().columns };
    crate::export::stream_records((app.store.clone(), actor), download, query, list, Record::export_row)
}

/// The menu entries of the types the viewer sees: (path, title).
pub fn menu(chrome: &Chrome) -> Vec<(&'static str, &'static str)> {
    // A department head sees their types in the menu; a record's owner opens its list from the
    // record's links (the menu stays short for everyone who owns none).
    let sees = |ty: &RecordType| match ty.access.scope {
        Some(bulwark_core::records::Scope::HeadOf(_)) if chrome.heads_department => true,
        _ => chrome.can(ty.access.view),
    };
    // Parts (an area's members) are reached from their parent's page.
    registry::ALL.iter().filter(|ty| ty.parent.is_none() && sees(ty)).map(|ty| (ty.path, ty.title)).collect()
}

/// Mounts the pages and API of every registered type.
pub fn routes(r: Routes) -> Routes {
    registry::ALL.iter().fold(r, |r, ty| api::routes(mount_pages(r, ty), ty))
}

/// What each kind of route needs — seeing, editing, managing: where a scope grants it, a
/// route is open to everyone signed in and the service decides by scope (a record outside it
/// is not found).
fn access(ty: &RecordType) -> (Access, Access, Access) {
    let manage = Access::Needs(ty.access.manage);
    match ty.access.scope {
        Some(_) => (Access::SignedIn, step_access(ty, false), manage),
        None => (Access::Needs(ty.access.view), manage, manage),
    }
}

/// What a workflow step's routes need (`by_scope`: the people in scope take it).
fn step_access(ty: &RecordType, by_scope: bool) -> Access {
    match ty.access.scope {
        Some(_) if by_scope || ty.access.scope_edits => Access::SignedIn,
        _ => Access::Needs(ty.access.manage),
    }
}

fn mount_pages(r: Routes, ty: &'static RecordType) -> Routes {
    use pages::{Id, Pairs, Q, S};
    let (see, edit, manage) = access(ty);
    let base = format!("/{}", ty.path);
    let export =
        |format: Format| get(move |State(app): S, c: Chrome, Query(q): Q| pages::export(ty, app, c, Params(q), format));
    let mut r = r
        .page(
            &base,
            see,
            &[Method::GET],
            get(move |State(app): S, c: Chrome, Query(q): Q| pages::list(ty, app, c, Params(q))),
        )
        .page(&format!("{base}/export.csv"), see, &[Method::GET], export(Format::Csv))
        .page(&format!("{base}/export.json"), see, &[Method::GET], export(Format::Json))
        .page(
            &format!("{base}/new"),
            manage,
            &[Method::GET, Method::POST],
            get(move |State(app): S, c: Chrome, Query(q): Q| pages::new_form(ty, app, c, Params(q)))
                .post(move |State(app): S, c: Chrome, Form(f): Pairs| pages::create(ty, app, c, f)),
        )
        .page(
            &format!("{base}/{{id}}"),
            see,
            &[Method::GET],
            get(move |State(app): S, c: Chrome, Path(id): Id| pages::detail(ty, app, c, id)),
        )
        .page(
            &format!("{base}/{{id}}/edit"),
            edit,
            &[Method::GET, Method::POST],
            get(move |State(app): S, c: Chrome, Path(id): Id| pages::edit_form(ty, app, c, id))
                .post(move |State(app): S, c: Chrome, Path(id): Id, Form(f): Pairs| pages::update(ty, app, c, id, f)),
        )
        .page(
            &format!("{base}/{{id}}/delete"),
            manage,
            &[Method::POST],
            post(move |State(app): S, c: Chrome, Path(id): Id, Form(f): Pairs| pages::delete(ty, app, c, id, f)),
        );
    for action in ty.actions {
        let name = action.name;
        let handler =
            post(move |State(app): S, c: Chrome, Path(id): Id, Form(f): Pairs| pages::act(ty, app, c, (id, name), f));
        r = r.page(&format!("{base}/{{id}}/{name}"), step_access(ty, action.by_scope), &[Method::POST], handler);
    }
    r
}
