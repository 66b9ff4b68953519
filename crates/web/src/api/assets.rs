//! `/api/v1/assets`: the asset inventory — list (filter, sort, search, keyset pages, CSV),
//! read, create, update, and a CSV import that takes every row or none.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use bulwark_core::assets::{self, Asset, AssetInput};
use bulwark_core::ids::AssetId;
use bulwark_core::list::{ListQuery, RawListQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::CursorPage;
use super::{IfMatch, parse_id, with_etag};
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiJson, ApiQuery, Problem};
use crate::export::Format;

#[derive(Deserialize, IntoParams, Default, Clone)]
#[into_params(parameter_in = Query)]
pub struct AssetParams {
    /// Text found in the name or identifier (any case).
    #[param(max_length = 200, pattern = r"^[^\x00-\x1f\x7f]*$")]
    pub q: Option<String>,
    #[param(value_type = Option<AssetKindName>, inline)]
    pub kind: Option<String>,
    #[param(value_type = Option<ClassificationName>, inline)]
    pub classification: Option<String>,
    #[param(value_type = Option<AssetStatusName>, inline)]
    pub status: Option<String>,
    #[param(format = Uuid, pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub owner_id: Option<String>,
    #[param(format = Uuid, pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub assigned_to: Option<String>,
    /// name (default), kind, status or created
    #[param(value_type = Option<AssetSortName>, inline)]
    pub sort: Option<String>,
    /// asc (default) or desc
    #[param(value_type = Option<super::people::SortDirName>, inline)]
    pub dir: Option<String>,
    /// Where the page starts: the cursor from the previous page's `next` link (404 if it is
    /// not one).
    #[param(min_length = 1, max_length = 2000)]
    pub after: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
    /// json (a page, default) or csv (every match, streamed)
    #[param(value_type = Option<super::people::ExportFormatName>, inline)]
    pub format: Option<String>,
}

macro_rules! name_enum {
    ($name:ident, $case:literal, [$($variant:ident),+]) => {
        #[derive(ToSchema)]
        #[schema(rename_all = $case)]
        #[allow(dead_code)]
        pub enum $name { $($variant),+ }
    };
}
name_enum!(AssetKindName, "kebab-case", [Information, Device, Software, Saas, IntellectualProperty]);
name_enum!(ClassificationName, "lowercase", [Public, Internal, Confidential, Restricted]);
name_enum!(AssetStatusName, "kebab-case", [InUse, InStock, Lost, Retired]);
name_enum!(AssetSortName, "lowercase", [Name, Kind, Status, Created]);

impl AssetParams {
    fn filters(&self) -> [(&'static str, &Option<String>); 5] {
        [
            ("kind", &self.kind),
            ("classification", &self.classification),
            ("status", &self.status),
            ("owner_id", &self.owner_id),
            ("assigned_to", &self.assigned_to),
        ]
    }

    /// The raw list query, for `assets::LIST` to check (empty values from a form mean "all").
    pub fn raw(&self) -> RawListQuery {
        let given = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
        RawListQuery {
            q: given(&self.q),
            filters: self.filters().into_iter().filter_map(|(k, v)| given(v).map(|v| (k.to_string(), v))).collect(),
            sort: given(&self.sort),
            dir: given(&self.dir),
            after: given(&self.after),
            limit: self.per_page,
        }
    }

    /// This query as a URL query string, without the cursor (the base of `next` links).
    pub fn query_without_after(&self) -> String {
        let mut params: Vec<(&str, &Option<String>)> = vec![("q", &self.q)];
        params.extend(self.filters());
        params.extend([("sort", &self.sort), ("dir", &self.dir)]);
        super::list_query(&params, self.per_page)
    }
}

/// An asset as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct AssetView {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    #[schema(value_type = AssetKindName)]
    pub kind: String,
    #[schema(value_type = ClassificationName)]
    pub classification: String,
    #[schema(value_type = AssetStatusName)]
    pub status: String,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub custodian_id: Option<String>,
    pub custodian_name: Option<String>,
    pub assigned_to: Option<String>,
    pub assigned_to_name: Option<String>,
    pub identifier: String,
    pub description: String,
    pub created_at: String,
    pub updated_at: String,
    /// The version to send back with an edit (also the `ETag`).
    pub version: String,
}

impl From<Asset> for AssetView {
    fn from(a: Asset) -> Self {
        let id = |p: Option<bulwark_core::ids::PersonId>| p.map(|p| p.to_string());
        Self {
            id: a.id.to_string(),
            kind: a.kind.as_str().into(),
            classification: a.classification.as_str().into(),
            status: a.status.as_str().into(),
            owner_id: id(a.owner_id),
            custodian_id: id(a.custodian_id),
            assigned_to: id(a.assigned_to),
            owner_name: a.names.owner.map(|p| p.name),
            custodian_name: a.names.custodian.map(|p| p.name),
            assigned_to_name: a.names.assignee.map(|p| p.name),
            identifier: a.identifier,
            description: a.description,
            created_at: bulwark_core::time_util::rfc3339(a.created_at),
            updated_at: bulwark_core::time_util::rfc3339(a.updated_at),
            version: bulwark_core::version::version_of(a.updated_at),
            name: a.name,
        }
    }
}

/// An asset as a client sends it. People are given by id or e-mail address; absent or null
/// means nobody.
#[derive(Deserialize, ToSchema)]
pub struct AssetBody {
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name: String,
    /// device (default)
    #[serde(default)]
    #[schema(value_type = Option<AssetKindName>)]
    pub kind: Option<String>,
    /// internal (default)
    #[serde(default)]
    #[schema(value_type = Option<ClassificationName>)]
    pub classification: Option<String>,
    /// in-use (default)
    #[serde(default)]
    #[schema(value_type = Option<AssetStatusName>)]
    pub status: Option<String>,
    /// An existing person's id or e-mail address (409 if there is none).
    #[serde(default)]
    #[schema(
        max_length = 254,
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[^@\s\x00-\x1f\x7f-\x9f]{1,64}@[^@\s.\x00-\x1f\x7f-\x9f]+(\.[^@\s.\x00-\x1f\x7f-\x9f]+)+)$"
    )]
    pub owner_id: Option<String>,
    #[serde(default)]
    #[schema(
        max_length = 254,
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[^@\s\x00-\x1f\x7f-\x9f]{1,64}@[^@\s.\x00-\x1f\x7f-\x9f]+(\.[^@\s.\x00-\x1f\x7f-\x9f]+)+)$"
    )]
    pub custodian_id: Option<String>,
    #[serde(default)]
    #[schema(
        max_length = 254,
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[^@\s\x00-\x1f\x7f-\x9f]{1,64}@[^@\s.\x00-\x1f\x7f-\x9f]+(\.[^@\s.\x00-\x1f\x7f-\x9f]+)+)$"
    )]
    pub assigned_to: Option<String>,
    /// Serial number, asset tag, URL …
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub identifier: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub description: Option<String>,
    /// The version the edit is based on (from a read); a stale edit answers 409.
    #[serde(default)]
    pub version: Option<String>,
}

impl TryFrom<AssetBody> for AssetInput {
    type Error = ApiError;
    fn try_from(b: AssetBody) -> Result<Self, ApiError> {
        super::given_not_empty(&[
            ("kind", &b.kind),
            ("classification", &b.classification),
            ("status", &b.status),
            ("owner_id", &b.owner_id),
            ("custodian_id", &b.custodian_id),
            ("assigned_to", &b.assigned_to),
        ])?;
        Ok(AssetInput {
            name: b.name,
            kind: b.kind.unwrap_or_default(),
            classification: b.classification.unwrap_or_default(),
            status: b.status.unwrap_or_default(),
            owner_id: b.owner_id.unwrap_or_default(),
            custodian_id: b.custodian_id.unwrap_or_default(),
            assigned_to: b.assigned_to.unwrap_or_default(),
            identifier: b.identifier.unwrap_or_default(),
            description: b.description.unwrap_or_default(),
            version: b.version,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/assets", tag = "assets", params(AssetParams),
    responses((status = 200, description = "A page of assets (the `Link` header and `next` name the next page), \
                or with format=csv every match as CSV",
                content((CursorPage<AssetView> = "application/json"), (String = "text/csv"))),
              (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_assets(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(params): ApiQuery<AssetParams>,
) -> Result<Response, ApiError> {
    let mut given = params.filters().to_vec();
    given.extend([("sort", &params.sort), ("dir", &params.dir), ("after", &params.after), ("format", &params.format)]);
    super::given_not_empty(&given)?;
    let query = assets::LIST.parse(&params.raw())?;
    match params.format.as_deref() {
        None | Some("json") => {}
        Some("csv") => return Ok(assets_export(&app, actor, query, Format::Csv)),
        Some(_) => return Err(bulwark_core::CoreError::invalid("format", "must be json or csv").into()),
    }
    let found = assets::list(app.store.as_ref(), &actor, &query).await?;
    Ok(CursorPage::respond(found, AssetView::from, "/api/v1/assets", &params.query_without_after()))
}

/// Every asset the query matches, streamed page by page.
pub fn assets_export(
    app: &AppState,
    actor: std::sync::Arc<bulwark_core::Actor>,
    query: ListQuery,
    format: Format,
) -> Response {
    let list = |store: std::sync::Arc<dyn bulwark_core::Store>, actor: std::sync::Arc<bulwark_core::Actor>, q| async move {
        assets::list(store.as_ref(), &actor, &q).await
    };
    let download = crate::export::Download { format, stem: "assets", columns: assets::LIST.columns };
    crate::export::stream_records((app.store.clone(), actor), download, query, list, Asset::export_row)
}

#[utoipa::path(post, path = "/api/v1/assets", tag = "assets", request_body = AssetBody,
    responses((status = 201, body = AssetView),
              (status = 409, description = "A person that does not exist", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")))]
pub async fn create_asset(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<AssetBody>,
) -> Result<(StatusCode, Json<AssetView>), ApiError> {
    let created = assets::create(app.store.as_ref(), &actor, app.now(), &body.try_into()?).await?;
    let full = assets::get(app.store.as_ref(), &actor, created.id).await?;
    Ok((StatusCode::CREATED, Json(full.into())))
}

#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "assets", params(("id" = String, Path)),
    responses((status = 200, body = AssetView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_asset(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let a = assets::get(app.store.as_ref(), &actor, parse_id::<AssetId>(&id)?).await?;
    Ok(with_etag(a.updated_at, AssetView::from(a)))
}

#[utoipa::path(put, path = "/api/v1/assets/{id}", tag = "assets", params(("id" = String, Path)), request_body = AssetBody,
    responses((status = 200, body = AssetView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 412, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_asset(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<AssetBody>,
) -> Result<Response, ApiError> {
    let id: AssetId = parse_id(&id)?;
    let mut input: AssetInput = body.try_into()?;
    input.version = if_match.or(input.version);
    assets::update(app.store.as_ref(), &actor, app.now(), id, &input).await.map_err(|e| if_match.fail(e))?;
    let a = assets::get(app.store.as_ref(), &actor, id).await?;
    Ok(with_etag(a.updated_at, AssetView::from(a)))
}

/// How many assets an import created.
#[derive(Serialize, ToSchema)]
pub struct ImportView {
    pub imported: usize,
}

#[utoipa::path(post, path = "/api/v1/assets/import", tag = "assets",
    request_body(content = String, content_type = "text/csv",
        description = "A header row naming columns of: name, kind, classification, status, owner_email, \
                       custodian_email, assigned_to_email, identifier, description; then one row per asset"),
    responses((status = 201, body = ImportView),
              (status = 415, body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Nothing imported: each broken row named with its problem",
               body = Problem, content_type = "application/problem+json")))]
pub async fn import_assets(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportView>), ApiError> {
    let csv_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("text/csv"));
    if !csv_type {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Expected Content-Type: text/csv",
            None,
        ));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| bulwark_core::CoreError::invalid("csv", "the file is not UTF-8 text"))?;
    let imported = assets::import_csv(app.store.as_ref(), &actor, app.now(), text).await?;
    Ok((StatusCode::CREATED, Json(ImportView { imported })))
}
