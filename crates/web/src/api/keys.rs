//! `/api/v1/keys`: the inventory of cryptographic keys (metadata only) — list, read, create,
//! update, record a rotation, revoke with a reason.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use bulwark_core::ids::KeyId;
use bulwark_core::keys::{self, CryptoKey, KeyInput};
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
pub struct KeyParams {
    /// Text found in the name, purpose, location or fingerprint (any case).
    #[param(max_length = 200, pattern = r"^[^\x00-\x1f\x7f]*$")]
    pub q: Option<String>,
    #[param(value_type = Option<KeyStatusName>, inline)]
    pub status: Option<String>,
    /// yes: only keys with a weak algorithm or size
    #[param(value_type = Option<YesNo>, inline)]
    pub weak: Option<String>,
    #[param(format = Uuid, pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub owner_id: Option<String>,
    /// name (default), algorithm, rotation_due or created
    #[param(value_type = Option<KeySortName>, inline)]
    pub sort: Option<String>,
    /// asc (default) or desc
    #[param(value_type = Option<super::people::SortDirName>, inline)]
    pub dir: Option<String>,
    /// Where the page starts: the cursor from the previous page's `next` link.
    #[param(min_length = 1, max_length = 2000)]
    pub after: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum KeyStatusName {
    Active,
    Retired,
    Revoked,
}

/// The statuses an edit may set.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum KeyEditStatus {
    Active,
    Retired,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum YesNo {
    Yes,
    No,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum KeySortName {
    Name,
    Algorithm,
    RotationDue,
    Created,
}

impl KeyParams {
    fn filters(&self) -> [(&'static str, &Option<String>); 3] {
        [("status", &self.status), ("weak", &self.weak), ("owner_id", &self.owner_id)]
    }

    /// The raw list query, for `keys::LIST` to check (empty values from a form mean "all").
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

    pub fn query_without_after(&self) -> String {
        let mut params: Vec<(&str, &Option<String>)> = vec![("q", &self.q)];
        params.extend(self.filters());
        params.extend([("sort", &self.sort), ("dir", &self.dir)]);
        super::list_query(&params, self.per_page)
    }
}

/// A key as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct KeyView {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub purpose: String,
    pub algorithm: String,
    pub size_bits: Option<i64>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub location: String,
    pub fingerprint: String,
    #[schema(format = Date)]
    pub created_on: String,
    #[schema(format = Date)]
    pub last_rotated_on: String,
    pub rotation_days: Option<i64>,
    /// When the next rotation is due (active keys with a rotation period).
    #[schema(format = Date)]
    pub rotation_due: Option<String>,
    #[schema(value_type = KeyStatusName)]
    pub status: String,
    /// Why the algorithm or size is weak; empty when it is not.
    pub weaknesses: Vec<String>,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
    pub revocation_reason: Option<String>,
    pub version: String,
}

impl From<CryptoKey> for KeyView {
    fn from(k: CryptoKey) -> Self {
        Self {
            id: k.id.to_string(),
            weaknesses: k.weaknesses().into_iter().map(String::from).collect(),
            rotation_due: k.rotation_due().map(|d| d.to_string()),
            owner_id: k.owner_id.map(|p| p.to_string()),
            created_on: k.created_on.to_string(),
            last_rotated_on: k.last_rotated_on.to_string(),
            status: k.status.as_str().into(),
            revoked_at: k.revocation.as_ref().map(|r| bulwark_core::time_util::rfc3339(r.at)),
            revoked_by: k.revocation.as_ref().map(|r| r.by.clone()),
            revocation_reason: k.revocation.as_ref().map(|r| r.reason.clone()),
            version: bulwark_core::version::version_of(k.updated_at),
            name: k.name,
            purpose: k.purpose,
            algorithm: k.algorithm,
            size_bits: k.size_bits,
            owner_name: k.owner_name,
            location: k.location,
            fingerprint: k.fingerprint,
            rotation_days: k.rotation_days,
        }
    }
}

/// A key as a client sends it: metadata only.
#[derive(Deserialize, ToSchema)]
pub struct KeyBody {
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 500, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub purpose: Option<String>,
    /// RSA, ECDSA P-256, Ed25519, AES-256-GCM …
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub algorithm: String,
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 65536)]
    pub size_bits: Option<f64>,
    /// The owner's id or e-mail address (409 if nobody has it).
    #[serde(default)]
    #[schema(
        max_length = 254,
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[^@\s\x00-\x1f\x7f-\x9f]{1,64}@[^@\s.\x00-\x1f\x7f-\x9f]+(\.[^@\s.\x00-\x1f\x7f-\x9f]+)+)$"
    )]
    pub owner_id: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub location: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub fingerprint: Option<String>,
    /// Today when absent.
    #[serde(default)]
    #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub created_on: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 3650)]
    pub rotation_days: Option<f64>,
    /// active (default) or retired (revoking is its own step, with a reason)
    #[serde(default)]
    #[schema(value_type = Option<KeyEditStatus>)]
    pub status: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
}

impl TryFrom<KeyBody> for KeyInput {
    type Error = ApiError;
    /// Optional fields may be absent or null, but not empty: the schema gives their form.
    fn try_from(b: KeyBody) -> Result<Self, ApiError> {
        super::given_not_empty(&[("owner_id", &b.owner_id), ("created_on", &b.created_on), ("status", &b.status)])?;
        Ok(KeyInput {
            name: b.name,
            purpose: b.purpose.unwrap_or_default(),
            algorithm: b.algorithm,
            size_bits: super::whole_number(b.size_bits),
            owner_id: b.owner_id.unwrap_or_default(),
            location: b.location.unwrap_or_default(),
            fingerprint: b.fingerprint.unwrap_or_default(),
            created_on: b.created_on.unwrap_or_default(),
            rotation_days: super::whole_number(b.rotation_days),
            status: b.status.unwrap_or_default(),
            version: b.version,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/keys", tag = "keys", params(KeyParams),
    responses((status = 200, description = "A page of keys; `next` (and the `Link` header) name the next page",
               body = CursorPage<KeyView>),
              (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_keys(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(params): ApiQuery<KeyParams>,
) -> Result<Response, ApiError> {
    let mut given = params.filters().to_vec();
    given.extend([("sort", &params.sort), ("dir", &params.dir), ("after", &params.after)]);
    super::given_not_empty(&given)?;
    let query = keys::LIST.parse(&params.raw())?;
    let found = keys::list(app.store.as_ref(), &actor, &query).await?;
    Ok(CursorPage::respond(found, KeyView::from, "/api/v1/keys", &params.query_without_after()))
}

/// Every key the query matches, streamed page by page.
pub fn keys_export(
    app: &AppState,
    actor: std::sync::Arc<bulwark_core::Actor>,
    query: ListQuery,
    format: Format,
) -> Response {
    let list = |store: std::sync::Arc<dyn bulwark_core::Store>, actor: std::sync::Arc<bulwark_core::Actor>, q| async move {
        keys::list(store.as_ref(), &actor, &q).await
    };
    let download = crate::export::Download { format, stem: "keys", columns: keys::LIST.columns };
    crate::export::stream_records((app.store.clone(), actor), download, query, list, CryptoKey::export_row)
}

#[utoipa::path(post, path = "/api/v1/keys", tag = "keys", request_body = KeyBody,
    responses((status = 201, body = KeyView),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_key(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<KeyBody>,
) -> Result<(StatusCode, Json<KeyView>), ApiError> {
    let created = keys::create(app.store.as_ref(), &actor, app.now(), &body.try_into()?).await?;
    Ok((StatusCode::CREATED, Json(keys::get(app.store.as_ref(), &actor, created.id).await?.into())))
}

#[utoipa::path(get, path = "/api/v1/keys/{id}", tag = "keys", params(("id" = String, Path)),
    responses((status = 200, body = KeyView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_key(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let k = keys::get(app.store.as_ref(), &actor, parse_id::<KeyId>(&id)?).await?;
    Ok(with_etag(k.updated_at, KeyView::from(k)))
}

#[utoipa::path(put, path = "/api/v1/keys/{id}", tag = "keys", params(("id" = String, Path)), request_body = KeyBody,
    responses((status = 200, body = KeyView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 412, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_key(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<KeyBody>,
) -> Result<Response, ApiError> {
    let id: KeyId = parse_id(&id)?;
    let mut input: KeyInput = body.try_into()?;
    input.version = if_match.or(input.version);
    keys::update(app.store.as_ref(), &actor, app.now(), id, &input).await.map_err(|e| if_match.fail(e))?;
    let k = keys::get(app.store.as_ref(), &actor, id).await?;
    Ok(with_etag(k.updated_at, KeyView::from(k)))
}

#[utoipa::path(post, path = "/api/v1/keys/{id}/rotation", tag = "keys", params(("id" = String, Path)),
    responses((status = 200, description = "Rotated today; the next rotation task is planned", body = KeyView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The key is not active", body = Problem, content_type = "application/problem+json")))]
pub async fn rotate_key(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<KeyView>, ApiError> {
    let id: KeyId = parse_id(&id)?;
    keys::record_rotation(app.store.as_ref(), &actor, app.now(), id).await?;
    Ok(Json(keys::get(app.store.as_ref(), &actor, id).await?.into()))
}

/// Why a key is revoked.
#[derive(Deserialize, ToSchema)]
pub struct RevocationBody {
    #[schema(max_length = 1000, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/keys/{id}/revocation", tag = "keys", params(("id" = String, Path)),
    request_body = RevocationBody,
    responses((status = 200, body = KeyView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Revoked already", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_key(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RevocationBody>,
) -> Result<Json<KeyView>, ApiError> {
    let id: KeyId = parse_id(&id)?;
    keys::revoke(app.store.as_ref(), &actor, app.now(), id, &body.reason).await?;
    Ok(Json(keys::get(app.store.as_ref(), &actor, id).await?.into()))
}
