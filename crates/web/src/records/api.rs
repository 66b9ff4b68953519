//! `/api/v1/{path}` for every kit record type: list (filters, sort, search, keyset pages),
//! create, read (with its ETag), PATCH (the fields given; `If-Match` or `version` guards it),
//! DELETE, and `POST /{id}/{action}` for each workflow step. Bodies are checked field by
//! field against the description: a value of the wrong JSON type is named like any other.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use bulwark_core::error::FieldError;
use bulwark_core::records::input::{RawRecord, Typed};
use bulwark_core::records::{Action, Field, FieldKind, Record, RecordType, Value, service};
use serde_json::{Map, Value as J, json};

use super::{Params, openapi, raw_list};
use crate::AppState;
use crate::access::{CurrentActor, Routes};
use crate::api::{IfMatch, with_etag};
use crate::error::{ApiError, ApiJson, ApiQuery};

type Body = ApiJson<Map<String, J>>;

/// A record as the API shows it: references by id with their names beside them.
pub fn view(r: &Record) -> J {
    let mut object = Map::new();
    object.insert("id".into(), r.id.clone().into());
    for (f, v) in r.ty.fields.iter().zip(&r.values) {
        match v {
            Value::Links(links) => {
                let items = links.iter().map(|n| json!({ "id": n.id, "name": n.name })).collect();
                object.insert(f.name.into(), J::Array(items));
            }
            v => {
                object.insert(f.name.into(), v.json());
                if matches!(f.kind, FieldKind::Person | FieldKind::Ref(_)) {
                    let name = if let Value::Ref(n) = v { J::String(n.name.clone()) } else { J::Null };
                    object.insert(format!("{}_name", f.name), name);
                }
            }
        }
    }
    object.insert("version".into(), bulwark_core::version::version_of(r.updated_at).into());
    object.insert("created_at".into(), bulwark_core::time_util::rfc3339(r.created_at).into());
    object.insert("updated_at".into(), bulwark_core::time_util::rfc3339(r.updated_at).into());
    J::Object(object)
}

/// A field as sent, if its JSON type fits the field's kind.
fn typed(field: &Field, value: &J) -> Result<Typed, &'static str> {
    match (field.kind, value) {
        (FieldKind::Links(_), J::Null) => Ok(Typed::Many(vec![])),
        (FieldKind::Links(_), J::Array(items)) => items
            .iter()
            .map(|i| i.as_str().filter(|s| !s.trim().is_empty()).map(str::to_string))
            .collect::<Option<_>>()
            .map(Typed::Many)
            .ok_or("must be a list of names or ids, none of them empty"),
        (FieldKind::Links(_), _) => Err("must be a list of names or ids"),
        (_, J::Null) => Ok(Typed::One(String::new())),
        // Null clears a date; text is a date.
        (FieldKind::Date, J::String(s)) if s.trim().is_empty() => Err("must be a date such as 2026-01-31, or null"),
        // 3.0 is a whole number in JSON; 3.5 is kept as written, and refused as one.
        (FieldKind::Number { .. }, J::Number(n)) => {
            let whole =
                n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| f as i64));
            Ok(Typed::One(whole.map_or_else(|| n.to_string(), |w| w.to_string())))
        }
        (FieldKind::Number { .. }, _) => Err("must be a whole number"),
        (_, J::String(s)) => Ok(Typed::One(s.clone())),
        _ => Err("must be text"),
    }
}

/// The kit's input from a JSON object, naming every value of the wrong type: the fields of
/// `ty`, or the inputs of one of its workflow steps.
fn raw_body(ty: &RecordType, step: Option<&Action>, body: Map<String, J>) -> Result<RawRecord, ApiError> {
    let mut raw = RawRecord::default();
    let mut errors = Vec::new();
    for (name, value) in body {
        // A step takes the record as it is: only an edit names the version it is based on.
        if name == "version" && step.is_none() {
            match value {
                J::String(v) => raw.version = Some(v),
                J::Null => {}
                _ => errors.push(FieldError::new("version", "must be text")),
            }
            continue;
        }
        let field = match step {
            Some(step) => step.inputs.iter().find(|f| f.name == name),
            None => ty.field(&name),
        };
        let Some(field) = field else {
            let what = match step {
                Some(_) => "is not asked by this step".to_string(),
                None => format!("is not a field of {}", bulwark_core::validate::with_article(ty.singular)),
            };
            errors.push(FieldError::new(&name, what));
            continue;
        };
        match typed(field, &value) {
            Ok(t) => {
                raw.fields.insert(name, t);
            }
            Err(message) => errors.push(FieldError::new(&name, message)),
        }
    }
    if errors.is_empty() { Ok(raw) } else { Err(ApiError::invalid(errors)) }
}

async fn list(
    ty: &'static RecordType,
    app: AppState,
    actor: CurrentActor,
    params: Params,
) -> Result<Response, ApiError> {
    // A parameter the API documents by format or values may be absent, not empty.
    let names = ty.list_spec().filters.iter().map(|f| f.name).chain(["sort", "dir", "after", "per_page"]);
    let given: Vec<(&str, Option<String>)> =
        names.map(|n| (n, params.0.iter().rev().find(|(k, _)| k == n).map(|(_, v)| v.clone()))).collect();
    let refs: Vec<(&str, &Option<String>)> = given.iter().map(|(k, v)| (*k, v)).collect();
    crate::api::given_not_empty(&refs)?;
    let query = ty.list_spec().parse(&raw_list(ty, &params))?;
    let page = service::list(app.store.as_ref(), &actor.0, ty, &query).await?;
    let path = format!("/api/v1/{}", ty.path);
    let next = page.next.as_ref().map(|c| crate::api::cursor_url(&path, &params.query_without_after(ty), c));
    let body = json!({ "items": page.items.iter().map(view).collect::<Vec<_>>(), "total": page.total, "next": next });
    Ok(match &next {
        Some(n) => ([(axum::http::header::LINK, format!("<{n}>; rel=\"next\""))], Json(body)).into_response(),
        None => Json(body).into_response(),
    })
}

async fn shown(app: &AppState, actor: &CurrentActor, ty: &'static RecordType, id: &str) -> Result<Response, ApiError> {
    let r = service::get(app.store.as_ref(), &actor.0, ty, id).await?.record;
    Ok(with_etag(r.updated_at, view(&r)))
}

async fn create(
    ty: &'static RecordType,
    app: AppState,
    actor: CurrentActor,
    body: Map<String, J>,
) -> Result<Response, ApiError> {
    let raw = raw_body(ty, None, body)?;
    let created = service::create(app.store.as_ref(), &actor.0, ty, app.now(), &raw).await?;
    let r = service::get(app.store.as_ref(), &actor.0, ty, &created.id).await?.record;
    Ok((StatusCode::CREATED, Json(view(&r))).into_response())
}

async fn update(
    ty: &'static RecordType,
    app: AppState,
    actor: CurrentActor,
    id: String,
    if_match: IfMatch,
    body: Map<String, J>,
) -> Result<Response, ApiError> {
    let mut raw = raw_body(ty, None, body)?;
    raw.version = if_match.or(raw.version);
    service::update(app.store.as_ref(), &actor.0, ty, app.now(), &id, &raw).await.map_err(|e| if_match.fail(e))?;
    shown(&app, &actor, ty, &id).await
}

async fn delete(
    ty: &'static RecordType,
    app: AppState,
    actor: CurrentActor,
    id: String,
    if_match: IfMatch,
) -> Result<Response, ApiError> {
    let version = if_match.0.clone();
    service::delete(app.store.as_ref(), &actor.0, ty, app.now(), &id, version.as_deref())
        .await
        .map_err(|e| if_match.fail(e))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn act(
    (ty, step): (&'static RecordType, &'static Action),
    app: AppState,
    actor: CurrentActor,
    id: String,
    body: Option<Map<String, J>>,
) -> Result<Response, ApiError> {
    let mut raw = raw_body(ty, Some(step), body.unwrap_or_default())?;
    raw.version = None;
    service::act(app.store.as_ref(), &actor.0, ty, app.now(), (&id, step.name), &raw).await?;
    shown(&app, &actor, ty, &id).await
}

type S = State<AppState>;
type Id = Path<String>;

/// Registers the type's API routes, each with its access and OpenAPI operation.
pub fn routes(r: Routes, ty: &'static RecordType) -> Routes {
    let (see, edit, manage) = super::access(ty);
    let base = format!("/api/v1/{}", ty.path);
    let item = format!("{base}/{{id}}");
    let doc = |path: &str, method: Method, handler: MethodRouter<AppState>| {
        (openapi::schemas(ty), openapi::operation(ty, path, &method), handler)
    };
    let mut r = r
        .api(
            see,
            doc(
                &base,
                Method::GET,
                axum::routing::get(
                    move |State(app): S, a: CurrentActor, ApiQuery(q): ApiQuery<Vec<(String, String)>>| {
                        list(ty, app, a, Params(q))
                    },
                ),
            ),
        )
        .api(
            manage,
            doc(
                &base,
                Method::POST,
                axum::routing::post(move |State(app): S, a: CurrentActor, ApiJson(b): Body| create(ty, app, a, b)),
            ),
        )
        .api(
            see,
            doc(
                &item,
                Method::GET,
                axum::routing::get(move |State(app): S, a: CurrentActor, Path(id): Id| async move {
                    shown(&app, &a, ty, &id).await
                }),
            ),
        )
        .api(
            edit,
            doc(
                &item,
                Method::PATCH,
                axum::routing::patch(
                    move |State(app): S, a: CurrentActor, Path(id): Id, m: IfMatch, ApiJson(b): Body| {
                        update(ty, app, a, id, m, b)
                    },
                ),
            ),
        )
        .api(
            manage,
            doc(
                &item,
                Method::DELETE,
                axum::routing::delete(move |State(app): S, a: CurrentActor, Path(id): Id, m: IfMatch| {
                    delete(ty, app, a, id, m)
                }),
            ),
        );
    for action in ty.actions {
        let path = format!("{item}/{}", action.name);
        let handler = axum::routing::post(
            move |State(app): S, a: CurrentActor, Path(id): Id, body: Option<ApiJson<Map<String, J>>>| {
                act((ty, action), app, a, id, body.map(|b| b.0))
            },
        );
        let access = super::step_access(ty, action.by_scope);
        r = r.api(access, (openapi::schemas(ty), openapi::action(ty, &path, action), handler));
    }
    r
}
